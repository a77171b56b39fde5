"""/healthz: what each dependency says, 503 when the database does not answer."""

from django.conf import settings
from django.db import connection
from django.http import JsonResponse

from core.cache import status as cache_status


def _database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return {"ok": True, "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - any failure is reported, not raised
        return {"ok": False, "error": exc.__class__.__name__}


def _broker() -> dict:
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "mode": "eager"}
    try:
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=1, socket_connect_timeout=1).ping()
        return {"ok": True, "mode": "redis"}
    except Exception as exc:  # noqa: BLE001
        return {"ok": False, "mode": "redis", "error": exc.__class__.__name__}


def _payments() -> dict:
    return {
        "ok": True,
        "manual_rail": True,
        "stripe_configured": bool(settings.STRIPE_SECRET_KEY),
        "stripe_webhooks": bool(settings.STRIPE_WEBHOOK_SECRET),
    }


def healthz(request):
    from search.api import status as search_status

    checks = {
        "database": _database(),
        "broker": _broker(),
        "cache": cache_status(),
        "search": search_status(),
        "payments": _payments(),
    }
    healthy = checks["database"]["ok"]
    degraded = not all(check["ok"] for check in checks.values())
    body = {"status": "ok" if not degraded else ("degraded" if healthy else "down"), **checks}
    return JsonResponse(body, status=200 if healthy else 503)
