"""Every change to users and their roles goes through here, audited.

Administrators act on their own organisation's accounts only (accounts/guards.py asks the
policy again); nobody changes their own roles; roles that reach case files or user
management wait for a second person (accounts/grants.py); a new email address waits for
confirmation from that address (accounts/email_change.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import email_change, grants, guards, notices, sessions
from accounts.audit import log_action
from accounts.models import EmailChange, RoleGrant, User, UserRole
from accounts.roles import Role

if TYPE_CHECKING:  # a type only: accounts sits below partners
    from partners.models import Organisation


def user_roles_set(user: User, roles: Iterable[Role]) -> None:
    """Set the roles at once, with no approval and no audit entry: a building block for the
    services below and for operators (the demo seeder)."""
    wanted = {Role(r) for r in roles}
    UserRole.objects.filter(user=user).exclude(role__in=wanted).delete()
    existing = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=role) for role in wanted if role not in existing]
    )
    user.__dict__.pop("roles", None)


def _split(actor: User | None, roles: set[Role]) -> tuple[set[Role], set[Role]]:
    """(given at once, asked for): operators give every role at once; a person gives the
    sensitive ones only through a second person's approval."""
    if actor is None:
        return roles, set()
    return roles - grants.SENSITIVE_ROLES, roles & grants.SENSITIVE_ROLES


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    organisation: Organisation,
    roles: Iterable[Role],
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
    send_email_link: bool = True,
) -> User:
    """A new account. `password` None: none that works, until the person chooses theirs
    through an invitation (accounts/invitations.py, user_invite, which also passes
    `send_email_link` False: the invitation it sends to the address confirms it)."""
    guards.ensure_may_create_in(actor, organisation)
    wanted = {Role(r) for r in roles}
    if not wanted:
        raise ValidationError(_("Give the user at least one role."))
    user = User(
        username=username,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
    )
    if password is None:
        user.set_unusable_password()
    else:
        validate_password(password, user)
        user.set_password(password)
    # A person's new account gets its address once the address confirms it; an operator's
    # at once.
    if actor is not None:
        user.email = ""
    user.full_clean()
    user.save()
    given, asked = _split(actor, wanted)
    user_roles_set(user, given)
    log_action(
        "accounts.user.created",
        actor=actor,
        target=user,
        data={
            "organisation": organisation.pk,
            "roles": sorted(given),
            "roles_pending": sorted(asked),
            # The person chooses the password (an invitation), or an operator set it.
            "invited": password is None,
        },
    )
    for role in sorted(asked):
        grants.grant_request(actor=actor, user=user, role=role)
    if actor is not None and email:
        email_change.email_change_request(
            actor=actor, user=user, new_email=email, send_link=send_email_link
        )
    return user


def _email_clear(*, actor: User, user: User) -> None:
    """No address at all: nothing to confirm; the old address is told."""
    if not user.email:
        return
    EmailChange.objects.filter(user=user, status=EmailChange.Status.PENDING).update(
        status=EmailChange.Status.CANCELLED
    )
    change = EmailChange.objects.create(
        user=user,
        new_email="",
        old_email=user.email,
        requested_by=actor,
        status=EmailChange.Status.CONFIRMED,
    )
    before = user.email
    user.email = ""
    user.save(update_fields=["email"])
    entry = log_action(
        "accounts.user.email_changed",
        actor=actor,
        target=user,
        data={
            "change": change.pk,
            "email_hash": {"before": email_change.email_hash(before), "after": ""},
        },
    )
    notices.queue(entry)


@transaction.atomic
def user_update(
    *,
    actor: User,
    user: User,
    roles: Iterable[Role],
    first_name: str,
    last_name: str,
    email: str,
    job_title: str,
    organisation: Organisation | None = None,
) -> User:
    """Roles taken away go at once; sensitive roles added wait for approval; a new email
    address waits for confirmation; only a superuser moves a user to another organisation,
    and the sensitive roles do not travel: the new organisation approves them again."""
    guards.ensure_may_manage(actor, user)
    wanted = {Role(r) for r in roles}
    held = set(user.roles)
    pending = grants.pending_roles(user)
    if user.pk == actor.pk and wanted != held | pending:
        if Role.ADMIN in held and Role.ADMIN not in wanted:
            raise ValidationError(_("You cannot remove your own administrator role."))
        raise ValidationError(_("You cannot change your own roles. Ask another administrator."))
    if not wanted and user.pk != actor.pk:
        raise ValidationError(_("Give the user at least one role."))
    moving = organisation is not None and organisation.pk != user.organisation_id
    if moving and not actor.is_superuser:
        raise PermissionDenied
    before = {
        "roles": sorted(held),
        "organisation": user.organisation_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "job_title": user.job_title,
    }
    user.first_name, user.last_name, user.job_title = first_name, last_name, job_title
    if moving:
        user.organisation = organisation
    user.full_clean(exclude=["email"])
    user.save(update_fields=["first_name", "last_name", "job_title", "organisation"])

    given, asked = _split(actor, wanted)
    if moving:
        # Approved in the old organisation, not in the new one: ask again there.
        given -= grants.SENSITIVE_ROLES
        asked = wanted & grants.SENSITIVE_ROLES
        keep_pending: set[Role] = set()
    else:
        # Kept as they are: roles held, and requests still wanted.
        given |= held & wanted
        keep_pending = pending & asked
    for grant in user.role_grants.filter(status=RoleGrant.Status.PENDING):
        if Role(grant.role) not in keep_pending:
            grants.grant_cancel(actor=actor, grant=grant)
    user_roles_set(user, given)
    for role in sorted(asked - set(user.roles) - keep_pending):
        grants.grant_request(actor=actor, user=user, role=role)

    after = {
        **before,
        "roles": sorted(user.roles),
        "organisation": user.organisation_id,
        "first_name": first_name,
        "last_name": last_name,
        "job_title": job_title,
    }
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changed:
        log_action("accounts.user.changed", actor=actor, target=user, data=changed)

    email = email.strip()
    if not email:
        _email_clear(actor=actor, user=user)
    elif email.lower() != user.email.lower():
        email_change.email_change_request(actor=actor, user=user, new_email=email)
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivation ends the user's access at once: the authentication backend refuses
    inactive users on every request, whatever session they still hold."""
    guards.ensure_may_manage(actor, user)
    if user == actor and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        sessions.end_all_sessions(user)
    log_action(
        "accounts.user.reactivated" if active else "accounts.user.deactivated",
        actor=actor,
        target=user,
    )
    return user


# Passwords: Django's own forms check the old password or the reset link and set the new
# one; these record it, end the other sessions and tell the owner.


def user_password_changed(*, user: User, keep_session: str | None) -> None:
    """After a password change by the signed-in user: every other session ends."""
    sessions.end_all_sessions(user, keep=keep_session)
    entry = log_action("accounts.user.password_changed", actor=user, target=user)
    notices.queue(entry)


def user_password_reset(*, user: User) -> None:
    """After a password reset through the emailed link: every session ends."""
    sessions.end_all_sessions(user)
    entry = log_action("accounts.user.password_reset", actor=None, target=user)
    notices.queue(entry)


# Signing in and out: Django's views check the password; these record it.


def user_signed_in(*, user: User) -> None:
    log_action("accounts.user.signed_in", actor=user, target=user)


def user_signed_out(*, user: User) -> None:
    """Signing out ends every session of the user, on every device."""
    sessions.end_all_sessions(user)
    log_action("accounts.user.signed_out", actor=user, target=user)
