"""The Celery app. Tasks take ids and call services; with no broker they run in-process."""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traffick_cm.settings")

app = Celery("traffick_cm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.broker_url = app.conf.broker_url or "memory://"
app.autodiscover_tasks()
