"""Thin tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from accounts import invitations, notices


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_account_notice(entry_id: int) -> int:
    return notices.send(entry_id)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_invitation(entry_id: int) -> int:
    return invitations.send(entry_id)
