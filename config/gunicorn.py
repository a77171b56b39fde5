"""Gunicorn's settings for the web service (Dockerfile and docker-compose.yml: ``-c config/gunicorn.py``).

Threaded workers: a request waiting on the database, Elasticsearch or Stripe holds one thread,
not a whole process, and slow clients never reach gunicorn at all (nginx in front reads each
request whole before passing it on, deploy/nginx.conf)."""

import os

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
# A request still running after this long is cut off and its worker restarted.
timeout = 60
graceful_timeout = 30
keepalive = 5
# Bounds on the request line and headers (gunicorn's defaults, written down).
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190
accesslog = "-"
# Only the proxy reaches gunicorn (web publishes no port): trust its X-Forwarded-Proto.
forwarded_allow_ips = "*"
