# Production image: one image for the web (gunicorn), worker and beat (Celery) services.
# docker-compose.yml sets the runtime configuration; nothing secret is baked in here.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings \
    STATICFILES_BACKEND=whitenoise.storage.CompressedManifestStaticFilesStorage

# Unprivileged account the processes run as. The code stays owned by root (read-only for
# the app); only the directories the app writes to belong to it.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --create-home --home-dir /home/app \
        --shell /usr/sbin/nologin app

WORKDIR /app

# Dependencies first, so code changes do not reinstall them: the lock, every package pinned
# with its hashes.
COPY requirements.lock .
RUN pip install --require-hashes -r requirements.lock

COPY . .

# media: uploads (a named volume in compose); staticfiles: collected below;
# /var/lib/celerybeat: the beat schedule state (a named volume in compose).
RUN mkdir -p /app/media /app/private-media /app/staticfiles /var/lib/celerybeat \
    && chown app:app /app/media /app/private-media /app/staticfiles /var/lib/celerybeat

USER 10001:10001

# Static files are collected once, at build time, with production settings. The key is a
# throwaway needed only to load settings with DEBUG off; it never reaches a running container.
RUN DEBUG=0 SECRET_KEY=build-only-collectstatic-key python manage.py collectstatic --noinput

EXPOSE 8000

# Default command (the web service); compose runs migrations before it.
CMD ["gunicorn", "-c", "config/gunicorn.py", "config.wsgi:application", "--bind", "0.0.0.0:8000"]
