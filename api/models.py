"""Personal access tokens, the record of idempotent requests, and webhook subscriptions
with their deliveries."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from traffick_cm.fields import ChoiceListField, EncryptedTextField


class ApiToken(models.Model):
    """A personal access token: acts as its user, with at most the user's rights (read-only
    narrows them to reads). Only a hash of its secret is kept; the token itself is shown
    once, when it is created."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    # The public part of the token, to find its row without a scan: `tcm_<prefix>_<secret>`.
    prefix = models.CharField(max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64)
    read_only = models.BooleanField(_("read-only"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix})"

    @property
    def is_usable(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()


class IdempotentRequest(models.Model):
    """The first answer to a POST sent with an `Idempotency-Key`: the same key and body
    within 24 hours get this answer again, and nothing is created twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    path = models.CharField(max_length=500)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    location = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="api_idempotency_key_per_user")
        ]


class WebhookEvent(models.TextChoices):
    """The events an organisation's system may subscribe to (traffick_cm.events.EVENTS)."""

    REFERRAL_CREATED = "referral.created", _("A referral is created (or sent to us)")
    REFERRAL_ACCEPTED = "referral.accepted", _("A referral is accepted")
    REFERRAL_DECLINED = "referral.declined", _("A referral is declined")
    REFERRAL_COMPLETED = "referral.completed", _("A referral is completed")
    CASE_CLOSED = "case.closed", _("A case is closed")
    TRAINING_RECORDED = "training.recorded", _("A training session is recorded")
    REPORT_READY = "report.ready", _("A report is ready")


class WebhookSubscription(models.Model):
    """An organisation's HTTPS endpoint, told of the events it chose by signed POSTs.

    The secret signs every delivery; it is shown once, when it is made (at creation or when
    rotated), and kept encrypted with the field key ring."""

    organisation = models.ForeignKey(
        "partners.Organisation", on_delete=models.CASCADE, related_name="webhook_subscriptions"
    )
    url = models.URLField(_("address (HTTPS)"), max_length=500)
    events = ChoiceListField(_("events"), choices_list=WebhookEvent)
    secret = EncryptedTextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Paused by an administrator or after repeated failures: no new deliveries are made and
    # waiting ones are not sent until it is resumed.
    paused_at = models.DateTimeField(_("paused"), null=True, blank=True)
    paused_because_failing = models.BooleanField(default=False)
    # Deliveries that ended failed since the last one delivered, and the first failed
    # attempt since then.
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook subscription")
        verbose_name_plural = _("webhook subscriptions")

    def __str__(self) -> str:
        return self.url

    @property
    def is_active(self) -> bool:
        return self.paused_at is None


class WebhookDelivery(models.Model):
    """One event sent to one subscription: its body (signed afresh at each attempt), the
    attempts made and the outcome."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    subscription = models.ForeignKey(
        WebhookSubscription, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(_("event"), max_length=40, choices=WebhookEvent.choices)
    body = models.TextField()
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_status_code = models.PositiveSmallIntegerField(_("last answer"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    first_attempt_at = models.DateTimeField(null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} {self.uuid}"
