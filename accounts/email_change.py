"""A new email address takes effect only once confirmed from that address.

Whoever asks (the user, an administrator), the account keeps its old address until the
signed, expiring, single-use link sent to the new one is opened; the old address is told
at once and again when the change is made. Password resets go to the account's address, so
they never reach an address nobody proved to own. Audit entries record keyed hashes of the
addresses (the same one on every entry about an address), never the addresses."""

from __future__ import annotations

import hmac
from datetime import timedelta

from django.contrib.auth.base_user import BaseUserManager
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import guards, notices
from accounts.audit import log_action
from accounts.models import EmailChange, User
from traffick_cm.crypto import keyed_hash

MAX_AGE = timedelta(days=3)
SALT = "accounts.email_change"


def email_hash(email: str) -> str:
    """The keyed hash of an address as audit entries record it ("" for none)."""
    email = email.strip().lower()
    return keyed_hash("email:" + email) if email else ""


def _binding(change: EmailChange) -> str:
    # Ties a token to this request, this account and this address.
    return keyed_hash(f"email-change:{change.pk}:{change.user_id}:{change.new_email.lower()}")


def email_change_token(change: EmailChange) -> str:
    return signing.dumps({"c": change.pk, "b": _binding(change)}, salt=SALT)


def _normalise(email: str) -> str:
    return BaseUserManager.normalize_email(email.strip())


def _ensure_free(email: str, user: User) -> None:
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise ValidationError(_("Another account uses this email address."), code="email_taken")


def email_change_request(
    *, actor: User | None, user: User, new_email: str, send_link: bool = True
) -> EmailChange:
    """Ask for a new address: a link goes to it, the old address is told; a newer request
    replaces an older one still pending. `send_link` False: the caller sends the address
    another link that confirms it (a new account's invitation, accounts/invitations.py)."""
    if actor is None or actor.pk != user.pk:
        guards.ensure_may_manage(actor, user)
    new_email = _normalise(new_email)
    validate_email(new_email)
    if new_email.lower() == user.email.lower():
        raise ValidationError(_("This is already the account's email address."), code="same")
    _ensure_free(new_email, user)
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        EmailChange.objects.filter(user=user, status=EmailChange.Status.PENDING).update(
            status=EmailChange.Status.CANCELLED
        )
        change = EmailChange.objects.create(
            user=user, new_email=new_email, old_email=locked.email, requested_by=actor
        )
        entry = log_action(
            "accounts.user.email_change_requested",
            actor=actor,
            target=user,
            data={
                "change": change.pk,
                "email_hash": {"before": email_hash(locked.email), "after": email_hash(new_email)},
            },
        )
        if send_link:
            notices.queue(entry)
    return change


def email_change_for_token(token: str) -> EmailChange | None:
    """The pending change this link confirms, or None (forged, expired, used, replaced)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("c"), int):
        return None
    change = (
        EmailChange.objects.filter(
            pk=payload["c"],
            status=EmailChange.Status.PENDING,
            requested_at__gte=timezone.now() - MAX_AGE,
        )
        .select_related("user")
        .first()
    )
    if change is None or not hmac.compare_digest(str(payload.get("b", "")), _binding(change)):
        return None
    return change


def _invalid_link() -> ValidationError:
    return ValidationError(_("This link is invalid, expired or already used."), code="invalid_link")


def email_change_confirm(*, token: str) -> EmailChange:
    """Whoever holds the link confirms it (no sign-in needed): once."""
    change = email_change_for_token(token)
    if change is None:
        raise _invalid_link()
    return email_change_apply(change=change)


def email_change_apply(*, change: EmailChange) -> EmailChange:
    """The pending change made, once, by whoever proved they got a link sent to the new
    address (this module's link, or an invitation sent there)."""
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=change.user_id)
        _ensure_free(change.new_email, user)
        before = user.email
        # Claimed by a conditional update: two clicks at once confirm it once. The address
        # replaced is kept to tell it.
        claimed = EmailChange.objects.filter(
            pk=change.pk, status=EmailChange.Status.PENDING
        ).update(status=EmailChange.Status.CONFIRMED, confirmed_at=timezone.now(), old_email=before)
        if not claimed:
            raise _invalid_link()
        user.email = change.new_email
        user.save(update_fields=["email"])
        entry = log_action(
            "accounts.user.email_changed",
            actor=None,
            target=user,
            data={
                "change": change.pk,
                "email_hash": {"before": email_hash(before), "after": email_hash(user.email)},
            },
        )
        notices.queue(entry)
    change.refresh_from_db()
    return change
