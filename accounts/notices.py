"""Emails that tell people about changes to their account: a new authenticator, new backup
codes, a reset, a password or email change, a role asked for, given or refused.

Each notice is derived from the audit entry of the change (the task gets the entry's id
only), so what people are told is what was recorded. The notices carry no case data; they
say what happened, when, and whom to contact if it was not expected."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import AuditEntry, EmailChange, RoleGrant, User
from accounts.roles import Role

# Audit actions that tell the account's owner, at the account's (confirmed) address.
OWNER_NOTICES = frozenset(
    {
        "accounts.two_factor.enabled",
        "accounts.two_factor.device_added",
        "accounts.two_factor.device_replaced",
        "accounts.two_factor.device_removed",
        "accounts.two_factor.backup_codes_issued",
        "accounts.two_factor.reset",
        "accounts.user.password_changed",
        "accounts.user.password_reset",
    }
)
EMAIL_NOTICES = frozenset({"accounts.user.email_change_requested", "accounts.user.email_changed"})
GRANT_NOTICES = frozenset(
    {"accounts.role_grant.requested", "accounts.role_grant.approved", "accounts.role_grant.refused"}
)
NOTICES = OWNER_NOTICES | EMAIL_NOTICES | GRANT_NOTICES


def queue(entry: AuditEntry) -> None:
    """Send the notice of this audit entry once the change is committed."""
    from accounts import tasks  # accounts.tasks imports this module: the cycle is broken here

    if entry.action not in NOTICES:
        raise ValueError(f"No notice for {entry.action}")
    # robust: a broker that is down must not turn a committed change into an error page.
    transaction.on_commit(lambda: tasks.send_account_notice.delay(entry.pk), robust=True)


@dataclass(frozen=True)
class Message:
    to: str
    what: str
    extra: dict[str, Any]


def _link(url_name: str, **kwargs: Any) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(url_name, kwargs=kwargs or None)


def _approvers(grant: RoleGrant) -> list[str]:
    """The administrators who may decide: of the user's organisation, not the requester nor
    the user; superusers when the organisation has no other administrator."""
    exclude = Q(pk=grant.user_id) | Q(pk=grant.requested_by_id or 0) | Q(email="")
    admins = User.objects.filter(
        is_active=True,
        is_superuser=False,
        organisation=grant.user.organisation_id,
        role_assignments__role=Role.ADMIN,
    ).exclude(exclude)
    emails = sorted(set(admins.values_list("email", flat=True)))
    if not emails:
        superusers = User.objects.filter(is_active=True, is_superuser=True).exclude(exclude)
        emails = sorted(set(superusers.values_list("email", flat=True)))
    return emails


def _messages(entry: AuditEntry, user: User) -> list[Message]:
    action = entry.action
    if action in OWNER_NOTICES:
        return [Message(user.email, action, {})] if user.email else []
    if action in EMAIL_NOTICES:
        change = EmailChange.objects.filter(pk=entry.data.get("change")).first()
        if change is None:
            return []
        if action == "accounts.user.email_changed":
            return [Message(change.old_email, action, {})] if change.old_email else []
        if change.status != EmailChange.Status.PENDING:
            return []  # replaced or confirmed before the task ran: no stale link
        # accounts.email_change imports this module: the cycle is broken here.
        from accounts.email_change import email_change_token

        link = _link("accounts:email_confirm", token=email_change_token(change))
        by_admin = change.requested_by_id not in (None, change.user_id)
        messages = [Message(change.new_email, "email_confirm", {"link": link})]
        if change.old_email:
            messages.append(Message(change.old_email, action, {"by_admin": by_admin}))
        return messages
    grant = RoleGrant.objects.select_related("user", "requested_by").get(pk=entry.data["grant"])
    extra = {"role": grant.get_role_display(), "username": grant.user.username}
    if action == "accounts.role_grant.requested":
        link = _link("accounts:grant_list")
        extra["requested_by"] = grant.requested_by.username if grant.requested_by else ""
        return [Message(email, action, {**extra, "link": link}) for email in _approvers(grant)]
    messages = []
    if grant.user.email:
        messages.append(Message(grant.user.email, action, extra))
    requester = grant.requested_by
    if requester is not None and requester.email and requester.pk != grant.user_id:
        messages.append(Message(requester.email, f"{action}.requester", extra))
    return messages


def send(entry_id: int) -> int:
    entry = AuditEntry.objects.filter(pk=entry_id, action__in=NOTICES).first()
    if entry is None or not entry.target_id:
        return 0
    user = User.objects.filter(pk=entry.target_id).first()
    if user is None:
        return 0
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        # Formatted in the email's language, not the one active where the task runs.
        at = formats.date_format(timezone.localtime(entry.at), "DATETIME_FORMAT")
        for message in _messages(entry, user):
            context = {
                "what": message.what,
                "at": at,
                "timezone": settings.TIME_ZONE,
                "username": user.username,
                "security_link": _link("accounts:security"),
                **message.extra,
            }
            subject = render_to_string("emails/account_notice_subject.txt", context).strip()
            body = render_to_string("emails/account_notice.txt", context)
            sent += send_mail(subject, body, None, [message.to])
    return sent
