#!/usr/bin/env bash
# Make sure what the tests need is running or installed; start it if not, or say clearly why not.
set -euo pipefail

pg_ready() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
if ! pg_ready; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it…"
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -1 || true)
  if [ -z "$version" ]; then
    echo "PostgreSQL is not installed. Install PostgreSQL 15 (apt-get install postgresql) and retry." >&2
    exit 1
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  for _ in $(seq 30); do pg_ready && break; sleep 1; done
  pg_ready || { echo "PostgreSQL did not start." >&2; exit 1; }
fi

# The two database roles (docs/security.md): the owner that runs migrations and the application's
# role that owns nothing; tests/security connects as the latter. Idempotent.
psql -h 127.0.0.1 -p 5432 -U postgres -d postgres -q -v owner=marketplace_owner -v owner_password= \
  -v app=marketplace_app -v app_password= -v dbname= -f "$(dirname "$0")/db/roles.psql" >/dev/null

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "Redis is not answering on 127.0.0.1:6379; starting it…"
  command -v redis-server >/dev/null || { echo "Redis is not installed (apt-get install redis-server)." >&2; exit 1; }
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no
  for _ in $(seq 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 0.5; done
  redis-cli -h 127.0.0.1 ping >/dev/null || { echo "Redis did not start." >&2; exit 1; }
fi

# Browser tests drive Debian's Chromium (a test tool's own browser download does not work here).
if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Chromium for the browser tests…"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi
# docker-compose (v1) validates docker-compose.yml without an engine; best effort, the test
# that uses it says so when it is missing.
if ! command -v docker-compose >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null 2>&1 || true
fi
echo "Test services ready: PostgreSQL (with the owner and application roles), Redis, Chromium."
