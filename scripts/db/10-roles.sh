#!/usr/bin/env bash
# Compose's postgres container runs (or sources) this once, on the data volume's first start
# (/docker-entrypoint-initdb.d/). On an existing volume, or to rotate the passwords, run it by
# hand with the new passwords in the environment:
#   docker compose exec postgres bash /docker-entrypoint-initdb.d/10-roles.sh
# No `set -u` or `exit`: the image's entrypoint sources scripts that are not executable.
psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
  -v owner="${DATABASE_OWNER_ROLE:-marketplace_owner}" \
  -v owner_password="${DATABASE_OWNER_PASSWORD:?set DATABASE_OWNER_PASSWORD}" \
  -v app="${DATABASE_APP_ROLE:-marketplace_app}" \
  -v app_password="${DATABASE_APP_PASSWORD:?set DATABASE_APP_PASSWORD}" \
  -v dbname="${POSTGRES_DB:?set POSTGRES_DB}" \
  -f /docker-entrypoint-initdb.d/roles.psql
