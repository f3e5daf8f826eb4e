"""Signed webhooks: an organisation's administrators subscribe an HTTPS address of their
system to events (traffick_cm/events.py); each event becomes one delivery per subscription,
POSTed by a Celery task after commit and signed with the subscription's secret.

Signature: `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<body>">`, with
`X-Webhook-Timestamp` (Unix seconds), `X-Webhook-Event` and `X-Webhook-Delivery` (the same id
at every attempt: receivers drop a delivery they already have). A 2xx answer delivers; any
other answer, a timeout or a refused connection is retried with exponential backoff (1, 2,
4 ... minutes, at most an hour apart) for 24 hours after the first attempt, then the delivery
fails. A subscription whose deliveries keep failing is paused and its administrators told.

No API routes here (subscriptions are managed on their pages: api/webhook_pages.py)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import json
import logging
import secrets
import socket
import urllib.error
import urllib.request
from collections.abc import Iterable
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can, can_on
from accounts.roles import Role
from api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from traffick_cm.fields import ChoiceListField

logger = logging.getLogger(__name__)

SECRET_PREFIX = "whsec_"  # noqa: S105 (a marker, not a secret)
RETRY_WINDOW = timedelta(hours=24)
FIRST_BACKOFF_SECONDS = 60
MAX_BACKOFF_SECONDS = 3600
# A claimed attempt belongs to its worker this long (the answer's timeout and a margin); a
# worker that died mid-send leaves the delivery due again after it.
CLAIM_MARGIN_SECONDS = 60
USER_AGENT = "traffick_cm-webhooks/1"

P = WebhookDelivery.Status


def register(router) -> None:
    """Add this module's viewsets to the API router: none (managed on pages)."""


# Signing ---------------------------------------------------------------------------------


def sign(secret: str, timestamp: int | str, body: str | bytes) -> str:
    """The `X-Webhook-Signature` value of a body sent at `timestamp`."""
    raw = body.encode() if isinstance(body, str) else body
    message = str(timestamp).encode() + b"." + raw
    return "sha256=" + hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


# Subscriptions -----------------------------------------------------------------------------


def _host_is_private(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return host == "localhost" or host.endswith((".localhost", ".local", ".internal"))
    return not address.is_global


def validate_url(url: str) -> str:
    """An https:// address with a host; not a private or loopback address (unless the
    settings allow them)."""
    url = (url or "").strip()
    message = _("Give an https:// address of your organisation's system.")
    if len(url) > 500:
        raise ValidationError({"url": _("This address is too long (500 characters at most).")})
    try:
        URLValidator(schemes=["https"])(url)
    except ValidationError:
        raise ValidationError({"url": message}) from None
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        raise ValidationError({"url": message})
    if parts.username or parts.password:
        raise ValidationError({"url": _("Put no user name or password in the address.")})
    if _host_is_private(parts.hostname) and not settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        raise ValidationError(
            {"url": _("This address is on a private network: the server will not call it.")}
        )
    return url


def _validate_events(events: Iterable[str]) -> list[str]:
    chosen = [e for e in WebhookEvent.values if e in set(events)]
    if not chosen or set(events) - set(WebhookEvent.values):
        raise ValidationError({"events": _("Choose at least one event.")})
    return chosen


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


def subscription_create(
    *, actor: User, url: str, events: Iterable[str]
) -> tuple[WebhookSubscription, str]:
    """A subscription of the actor's organisation, and its secret (shown once)."""
    if not can(actor, "webhook", Action.CREATE):
        raise PermissionDenied
    if not actor.organisation_id:
        raise ValidationError(_("Only a member of an organisation can subscribe its system."))
    url = validate_url(url)
    chosen = _validate_events(list(events))
    secret = new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.create(
            organisation_id=actor.organisation_id,
            url=url,
            events=chosen,
            secret=secret,
            created_by=actor,
        )
        # The address's host only: a key put in its query string stays out of the log.
        log_action(
            "api.webhook.created",
            actor=actor,
            target=subscription,
            data={"host": host_of(url), "events": chosen},
        )
    return subscription, secret


def _may_change(actor: User, subscription: WebhookSubscription) -> None:
    if not can_on(actor, "webhook", Action.CHANGE, subscription):
        raise PermissionDenied


def subscription_pause(*, actor: User, subscription: WebhookSubscription) -> WebhookSubscription:
    _may_change(actor, subscription)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.paused_at is None:
            subscription.paused_at = timezone.now()
            subscription.paused_because_failing = False
            subscription.save(update_fields=["paused_at", "paused_because_failing", "updated_at"])
            log_action("api.webhook.paused", actor=actor, target=subscription)
    return subscription


def subscription_resume(*, actor: User, subscription: WebhookSubscription) -> WebhookSubscription:
    """Deliveries start again, the ones still waiting first; the failure count restarts."""
    _may_change(actor, subscription)
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        if subscription.paused_at is not None:
            subscription.paused_at = None
            subscription.paused_because_failing = False
            subscription.consecutive_failures = 0
            subscription.failing_since = None
            subscription.save()
            log_action("api.webhook.resumed", actor=actor, target=subscription)
            waiting = list(
                subscription.deliveries.filter(status=P.PENDING).values_list("pk", flat=True)
            )
            now = timezone.now()
            subscription.deliveries.filter(pk__in=waiting).update(next_attempt_at=now)
            for pk in waiting:
                _queue_on_commit(pk)
    return subscription


def subscription_rotate_secret(
    *, actor: User, subscription: WebhookSubscription
) -> tuple[WebhookSubscription, str]:
    """A new secret (shown once); the old one signs nothing from now on."""
    _may_change(actor, subscription)
    secret = new_secret()
    with transaction.atomic():
        subscription = WebhookSubscription.objects.select_for_update().get(pk=subscription.pk)
        subscription.secret = secret
        subscription.save(update_fields=["secret", "updated_at"])
        log_action("api.webhook.secret_rotated", actor=actor, target=subscription)
    return subscription, secret


def subscription_delete(*, actor: User, subscription: WebhookSubscription) -> None:
    """The subscription and the record of its deliveries go; the audit entry stays."""
    _may_change(actor, subscription)
    with transaction.atomic():
        log_action(
            "api.webhook.deleted",
            actor=actor,
            target=subscription,
            data={"host": host_of(subscription.url), "events": list(subscription.events)},
        )
        subscription.delete()


# Events into deliveries --------------------------------------------------------------------


def _queue_on_commit(delivery_id: int) -> None:
    from api import tasks  # api.tasks imports this module: the cycle is broken here

    # robust: a broker that is down leaves the delivery waiting (send_due_webhooks takes it
    # up); it never breaks the change that made the event.
    transaction.on_commit(lambda: tasks.deliver_webhook.delay(delivery_id), robust=True)


def body_of(delivery: WebhookDelivery, *, event: str, time: str, payload: dict[str, Any]) -> str:
    return json.dumps(
        {"id": str(delivery.uuid), "event": event, "time": time, "data": payload},
        separators=(",", ":"),
        sort_keys=True,
        ensure_ascii=False,
    )


def on_published(
    sender: Any,
    *,
    event: str,
    organisations: list[int],
    payload: dict[str, Any],
    time: str,
    **kwargs: Any,
) -> list[WebhookDelivery]:
    """Receiver of traffick_cm.events.published (after the change committed): one delivery
    for each active subscription of these organisations to this event, each queued."""
    subscriptions = WebhookSubscription.objects.filter(
        organisation__in=organisations,
        organisation__is_active=True,
        paused_at__isnull=True,
        events__contains=ChoiceListField.has(event),
    ).order_by("pk")
    deliveries = []
    with transaction.atomic():
        for subscription in subscriptions:
            delivery = WebhookDelivery(
                subscription=subscription, event=event, next_attempt_at=timezone.now()
            )
            delivery.body = body_of(delivery, event=event, time=time, payload=payload)
            delivery.save()
            deliveries.append(delivery)
            _queue_on_commit(delivery.pk)
    return deliveries


# Sending ---------------------------------------------------------------------------------


class DeliveryError(Exception):
    """No HTTP answer: refused address, unknown host, connection refused, timeout."""


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect is an answer that is not 2xx: never followed (it could point anywhere)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def _check_address(url: str) -> None:
    if settings.WEBHOOK_ALLOW_PRIVATE_ADDRESSES:
        return
    parts = urlsplit(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, parts.port or 443, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        raise DeliveryError("unknown host") from None
    for info in infos:
        if not ipaddress.ip_address(info[4][0]).is_global:
            raise DeliveryError("private address refused")


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST the body; the answer's status code, or DeliveryError without an answer. The
    answer's content is not kept."""
    _check_address(url)
    opener = urllib.request.build_opener(_NoRedirect)
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read(1024)
            return response.status
    except urllib.error.HTTPError as error:
        error.close()
        return error.code
    except (urllib.error.URLError, TimeoutError, OSError, ValueError) as error:
        reason = getattr(error, "reason", error)
        raise DeliveryError(str(reason)[:300] or type(error).__name__) from None


def backoff(attempts: int) -> int:
    """Seconds before the next attempt after `attempts` failed ones: 60, 120, 240 ... 3600."""
    return min(FIRST_BACKOFF_SECONDS * 2 ** max(attempts - 1, 0), MAX_BACKOFF_SECONDS)


def _claim(delivery_id: int) -> WebhookDelivery | None:
    """Take a waiting, due delivery of an active subscription for this attempt, or None."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update()
            .select_related("subscription")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status != P.PENDING:
            return None  # delivered or failed: never sent again
        if not delivery.subscription.is_active:
            return None
        if delivery.next_attempt_at and delivery.next_attempt_at > now + timedelta(seconds=1):
            return None  # not due, or another worker is sending it
        delivery.attempts += 1
        delivery.first_attempt_at = delivery.first_attempt_at or now
        delivery.last_attempt_at = now
        delivery.next_attempt_at = now + timedelta(
            seconds=settings.WEBHOOK_TIMEOUT_SECONDS + CLAIM_MARGIN_SECONDS
        )
        delivery.save(
            update_fields=["attempts", "first_attempt_at", "last_attempt_at", "next_attempt_at"]
        )
        return delivery


def attempt(delivery_id: int) -> int | None:
    """One attempt at a delivery. Returns the seconds until the next attempt when it is to
    be retried, else None (delivered, failed for good, not due or paused)."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    subscription = delivery.subscription
    timestamp = int(timezone.now().timestamp())
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Webhook-Event": delivery.event,
        "X-Webhook-Delivery": str(delivery.uuid),
        "X-Webhook-Timestamp": str(timestamp),
        "X-Webhook-Signature": sign(subscription.secret, timestamp, delivery.body),
    }
    status_code, error = None, ""
    try:
        status_code = post(
            subscription.url,
            delivery.body.encode(),
            headers,
            timeout=settings.WEBHOOK_TIMEOUT_SECONDS,
        )
    except DeliveryError as failure:
        error = str(failure)
    return _record(delivery.pk, status_code=status_code, error=error)


def _record(delivery_id: int, *, status_code: int | None, error: str) -> int | None:
    now = timezone.now()
    with transaction.atomic():
        delivery = WebhookDelivery.objects.select_for_update().get(pk=delivery_id)
        subscription = WebhookSubscription.objects.select_for_update().get(
            pk=delivery.subscription_id
        )
        delivery.last_status_code = status_code
        delivery.last_error = error[:300]
        if status_code is not None and 200 <= status_code < 300:
            delivery.status = P.DELIVERED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
            delivery.save()
            if subscription.consecutive_failures or subscription.failing_since:
                subscription.consecutive_failures = 0
                subscription.failing_since = None
                subscription.save(update_fields=["consecutive_failures", "failing_since"])
            return None
        wait = backoff(delivery.attempts)
        subscription.failing_since = subscription.failing_since or now
        if now + timedelta(seconds=wait) <= delivery.first_attempt_at + RETRY_WINDOW:
            delivery.next_attempt_at = now + timedelta(seconds=wait)
            delivery.save()
            subscription.save(update_fields=["failing_since"])
            return wait
        delivery.status = P.FAILED
        delivery.next_attempt_at = None
        delivery.save()
        subscription.consecutive_failures += 1
        subscription.save(update_fields=["consecutive_failures", "failing_since"])
        if _keeps_failing(subscription, now):
            _pause_failing(subscription, now)
        return None


def _keeps_failing(subscription: WebhookSubscription, now) -> bool:
    """Deliveries failed in a row, or nothing delivered for the whole retry window."""
    return subscription.paused_at is None and (
        subscription.consecutive_failures >= settings.WEBHOOK_PAUSE_AFTER_FAILURES
        or subscription.failing_since <= now - RETRY_WINDOW
    )


def _pause_failing(subscription: WebhookSubscription, now) -> None:
    from api import tasks  # api.tasks imports this module: the cycle is broken here

    subscription.paused_at = now
    subscription.paused_because_failing = True
    subscription.save(update_fields=["paused_at", "paused_because_failing", "updated_at"])
    log_action(
        "api.webhook.paused",
        actor=None,
        target=subscription,
        data={"because": "failing", "failures": subscription.consecutive_failures},
    )
    pk = subscription.pk
    transaction.on_commit(lambda: tasks.send_webhook_paused_notice.delay(pk), robust=True)


def due(now=None) -> list[int]:
    """Waiting deliveries of active subscriptions whose next attempt is due (a lost task, a
    worker that died mid-send, a broker that was down)."""
    now = now or timezone.now()
    return list(
        WebhookDelivery.objects.filter(
            status=P.PENDING,
            subscription__paused_at__isnull=True,
        )
        .filter(Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True))
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:1000]
    )


# The owner told ----------------------------------------------------------------------------


def paused_notice_recipients(subscription: WebhookSubscription) -> list[str]:
    """Its creator, if still an active administrator of the organisation, and the
    organisation's other active administrators."""
    admins = User.objects.filter(
        is_active=True,
        organisation=subscription.organisation_id,
        role_assignments__role=Role.ADMIN,
    ).exclude(email="")
    return sorted(set(admins.values_list("email", flat=True)))


def paused_notice_send(subscription_id: int) -> int:
    subscription = (
        WebhookSubscription.objects.select_related("organisation")
        .filter(pk=subscription_id, paused_because_failing=True)
        .first()
    )
    if subscription is None:
        return 0
    recipients = paused_notice_recipients(subscription)
    if not recipients:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse(
        "webhooks:deliveries", kwargs={"pk": subscription.pk}
    )
    context = {
        "host": host_of(subscription.url),
        "organisation": subscription.organisation,
        "failures": subscription.consecutive_failures,
        "link": link,
    }
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("api/webhook_paused_subject.txt", context).strip()
        body = render_to_string("api/webhook_paused_email.txt", context)
    return send_mail(subject, body, None, recipients)
