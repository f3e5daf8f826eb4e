"""Thin tasks of the API: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from api import webhooks


@shared_task(bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """One attempt at a webhook delivery; retried with exponential backoff for 24 hours.
    A delivered (or failed) delivery is never sent again, however often this runs."""
    wait = webhooks.attempt(delivery_id)
    if wait is None:
        return "done"
    # In-process (no broker) there is no waiting: send_due_webhooks takes the retry up.
    if not self.request.is_eager:
        raise self.retry(countdown=wait)
    return "retry"


@shared_task
def send_due_webhooks() -> int:
    """Periodic (every minute): queue the deliveries whose next attempt is due and that no
    task holds (a broker that was down, a worker that died mid-send)."""
    ids = webhooks.due()
    for delivery_id in ids:
        deliver_webhook.delay(delivery_id)
    return len(ids)


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_webhook_paused_notice(subscription_id: int) -> int:
    return webhooks.paused_notice_send(subscription_id)
