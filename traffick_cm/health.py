"""/healthz: 200 when the database (and the broker, when configured) answer, else 503.

The body says only "ok" or "unavailable": a probe learns nothing about the deployment.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("healthz: database unreachable", exc_info=False)
        return False


def _broker_ok() -> bool:
    if not settings.CELERY_BROKER_URL:
        return True
    from kombu import Connection  # only with a broker: the embedded default has none

    try:
        with Connection(settings.CELERY_BROKER_URL, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=2)
        return True
    except Exception:
        logger.warning("healthz: broker unreachable", exc_info=False)
        return False


@never_cache
@require_GET
def healthz(request: HttpRequest) -> HttpResponse:
    healthy = _database_ok() and _broker_ok()
    return HttpResponse(
        "ok" if healthy else "unavailable",
        status=200 if healthy else 503,
        content_type="text/plain",
    )
