"""Invitations: an administrator creates an account without ever knowing its password.

The account starts with no password that works. An invitation is a signed link that
carries ids only (no name, no address): whoever opens it chooses the account's password,
then signs in and sets up two-step sign-in like everyone (accounts/two_factor.py). A link
works once and for MAX_AGE: it is bound to the account's password hash, which choosing the
password changes, and so does sending the invitation again (earlier links then stop
working); a deactivated account accepts none.

The link goes by email to the account's address; for a new account, the address waiting for
confirmation (accounts/email_change.py), which the emailed link confirms too, since it
reached it. The administrator also sees a link once, to hand over another way (no email
address, a shared phone); that copy confirms no address. Audit entries record the
invitations and their acceptance, with a keyed hash of the address, never the address."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from accounts import email_change, guards, services
from accounts.audit import log_action
from accounts.models import AuditEntry, EmailChange, User
from accounts.roles import Role
from traffick_cm.crypto import keyed_hash

if TYPE_CHECKING:  # a type only: accounts sits below partners
    from partners.models import Organisation

MAX_AGE = timedelta(days=7)
SALT = "accounts.invitation"
INVITED = "accounts.user.invited"
ACCEPTED = "accounts.user.invitation_accepted"


def invalid_link() -> ValidationError:
    return ValidationError(
        _(
            "This invitation link does not work any more: it was already used, it has "
            "expired, or a newer invitation replaced it. Ask your administrator to send the "
            "invitation again."
        ),
        code="invalid_invitation",
    )


def _binding(user: User, change_id: int) -> str:
    # The password hash changes when the password is chosen and when the invitation is sent
    # again: either way the link dies.
    return keyed_hash(f"invitation:{user.pk}:{change_id}:{user.password}")


def invitation_token(user: User, change: EmailChange | None = None) -> str:
    """A link's token; `change`: the pending address it was sent to, which it confirms."""
    change_id = change.pk if change is not None else 0
    return signing.dumps({"u": user.pk, "c": change_id, "b": _binding(user, change_id)}, salt=SALT)


def invitation_path(token: str) -> str:
    return reverse("accounts:invitation_accept", kwargs={"token": token})


@dataclass(frozen=True)
class Invitation:
    user: User
    # The address waiting for confirmation that this link was sent to, if still waiting.
    change: EmailChange | None


def invitation_for_token(token: str) -> Invitation | None:
    """The invitation this link opens, or None (forged, expired, used, replaced)."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict):
        return None
    user_id, change_id = payload.get("u"), payload.get("c")
    if not isinstance(user_id, int) or not isinstance(change_id, int):
        return None
    user = User.objects.filter(pk=user_id, is_active=True).select_related("organisation").first()
    if user is None or user.has_usable_password():
        return None
    if not hmac.compare_digest(str(payload.get("b", "")), _binding(user, change_id)):
        return None
    change = None
    if change_id:
        change = EmailChange.objects.filter(
            pk=change_id, user=user, status=EmailChange.Status.PENDING
        ).first()
    return Invitation(user=user, change=change)


def _pending_change(user: User) -> EmailChange | None:
    return EmailChange.objects.filter(user=user, status=EmailChange.Status.PENDING).first()


def _invitations(user: User):
    return AuditEntry.objects.filter(
        action=INVITED, target_type=User._meta.label_lower, target_id=str(user.pk)
    )


def last_invitation(user: User) -> AuditEntry | None:
    return _invitations(user).order_by("-at", "-id").first()


@dataclass(frozen=True)
class Sent:
    token: str  # a link's token, for the administrator to see once
    emailed: bool  # also sent to the account's address (it has one)


def invitation_send(*, actor: User | None, user: User) -> Sent:
    """Send the invitation of an account that has no password yet, or send it again: a new
    link by email to the account's address when it has one; the links sent before stop
    working."""
    guards.ensure_may_manage(actor, user)
    if not user.is_active:
        raise ValidationError(
            _("The account is deactivated: reactivate it before inviting its owner."),
            code="inactive",
        )
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.has_usable_password():
            raise ValidationError(
                _("%(username)s has already chosen a password: no invitation is needed.")
                % {"username": locked.username},
                code="accepted",
            )
        # A new unusable password: the links made before no longer match it.
        locked.set_unusable_password()
        locked.save(update_fields=["password"])
        user.password = locked.password
        change = _pending_change(user)
        address = change.new_email if change is not None else user.email
        entry = log_action(
            INVITED,
            actor=actor,
            target=user,
            data={
                "change": change.pk if change is not None else None,
                "email_hash": email_change.email_hash(address),
                "again": _invitations(user).exists(),
            },
        )
        if address:
            # accounts.tasks imports this module: the cycle is broken here.
            from accounts import tasks

            # robust: a broker that is down must not undo the account; the administrator
            # has the link and can send the invitation again.
            transaction.on_commit(lambda: tasks.send_invitation.delay(entry.pk), robust=True)
    return Sent(token=invitation_token(user), emailed=bool(address))


@transaction.atomic
def user_invite(
    *,
    actor: User,
    username: str,
    organisation: Organisation,
    roles: list[Role],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
) -> tuple[User, Sent]:
    """A new account whose owner chooses the password: created (accounts/services.py,
    user_create, with its roles and their approvals), then invited."""
    user = services.user_create(
        actor=actor,
        username=username,
        organisation=organisation,
        roles=roles,
        password=None,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        # The invitation sent to the address confirms it: one message, not two.
        send_email_link=False,
    )
    return user, invitation_send(actor=actor, user=user)


def invitation_accept(*, token: str, password: str) -> User:
    """The password chosen through the link, once. A link that was emailed to the address
    waiting for confirmation confirms it too."""
    invitation = invitation_for_token(token)
    if invitation is None:
        raise invalid_link()
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=invitation.user.pk)
        # Two submits at once: the second finds the password hash changed.
        if user.password != invitation.user.password or not user.is_active:
            raise invalid_link()
        validate_password(password, user)
        user.set_password(password)
        user.save(update_fields=["password"])
        confirmed = False
        if invitation.change is not None:
            try:
                with transaction.atomic():
                    email_change.email_change_apply(change=invitation.change)
                confirmed = True
            except ValidationError:
                pass  # replaced, or the address was taken meanwhile: the password stands
        log_action(ACCEPTED, actor=user, target=user, data={"email_confirmed": confirmed})
    return user


# The emailed invitation: derived from its audit entry (the task gets the entry's id only),
# the link made when it is sent, so that it matches the account as it is then.


def _message(entry: AuditEntry) -> tuple[User, str, EmailChange | None] | None:
    user = User.objects.filter(pk=entry.target_id, is_active=True).first()
    if user is None or user.has_usable_password():
        return None  # accepted or deactivated meanwhile
    latest = last_invitation(user)
    if latest is None or latest.pk != entry.pk:
        return None  # sent again since: the newer invitation's task sends it
    change_id = entry.data.get("change")
    if change_id:
        change = EmailChange.objects.filter(pk=change_id, status=EmailChange.Status.PENDING).first()
        if change is None:
            return None  # the address was replaced: its invitation is to be sent again
        return user, change.new_email, change
    return (user, user.email, None) if user.email else None


def send(entry_id: int) -> int:
    entry = AuditEntry.objects.filter(pk=entry_id, action=INVITED).first()
    if entry is None or not entry.target_id:
        return 0
    found = _message(entry)
    if found is None:
        return 0
    user, address, change = found
    link = settings.SITE_URL.rstrip("/") + invitation_path(invitation_token(user, change))
    with translation.override(settings.LANGUAGE_CODE):
        # Formatted in the email's language, not the one active where the task runs.
        until = formats.date_format(timezone.localtime() + MAX_AGE, "DATE_FORMAT")
        context: dict[str, Any] = {
            "username": user.username,
            "organisation": user.organisation,
            "link": link,
            "until": until,
        }
        subject = render_to_string("emails/invitation_subject.txt", context).strip()
        body = render_to_string("emails/invitation.txt", context)
    return send_mail(subject, body, None, [address])
