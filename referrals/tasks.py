"""Thin tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from referrals import notifications, services
from referrals.models import Referral


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notify_referral(referral_id: int, what: str) -> int:
    referral = (
        Referral.objects.select_related(
            "case", "to_organisation", "from_organisation", "created_by"
        )
        .filter(pk=referral_id)
        .first()
    )
    if referral is None:
        return 0
    return notifications.send(referral, what)


@shared_task
def send_overdue_reminders() -> int:
    return services.reminders_send(now=timezone.now())
