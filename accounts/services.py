"""Every change to users and their roles goes through here, audited."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User, UserRole
from accounts.roles import Role
from partners.models import Organisation


def user_roles_set(user: User, roles: Iterable[Role]) -> None:
    wanted = {Role(r) for r in roles}
    UserRole.objects.filter(user=user).exclude(role__in=wanted).delete()
    existing = set(UserRole.objects.filter(user=user).values_list("role", flat=True))
    UserRole.objects.bulk_create(
        [UserRole(user=user, role=role) for role in wanted if role not in existing]
    )
    user.__dict__.pop("roles", None)


@transaction.atomic
def user_create(
    *,
    actor: User | None,
    username: str,
    organisation: Organisation,
    roles: Iterable[Role],
    password: str,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
) -> User:
    roles = list(roles)
    if not roles:
        raise ValidationError(_("Give the user at least one role."))
    user = User(
        username=username,
        organisation=organisation,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
    )
    validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    user_roles_set(user, roles)
    log_action(
        "accounts.user.created",
        actor=actor,
        target=user,
        data={"organisation": organisation.pk, "roles": sorted(roles)},
    )
    return user


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
    roles = sorted(Role(r) for r in roles)
    if not roles:
        raise ValidationError(_("Give the user at least one role."))
    if user == actor and Role.ADMIN not in roles and not actor.is_superuser:
        raise ValidationError(_("You cannot remove your own administrator role."))
    before = {
        "roles": sorted(user.roles),
        "organisation": user.organisation_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "job_title": user.job_title,
    }
    user.first_name, user.last_name, user.email, user.job_title = (
        first_name,
        last_name,
        email,
        job_title,
    )
    if organisation is not None:
        user.organisation = organisation
    user.full_clean()
    user.save(update_fields=["first_name", "last_name", "email", "job_title", "organisation"])
    user_roles_set(user, roles)
    after = {
        **before,
        "roles": roles,
        "organisation": user.organisation_id,
        "first_name": first_name,
        "last_name": last_name,
        "email": email,
        "job_title": job_title,
    }
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changed:
        log_action("accounts.user.changed", actor=actor, target=user, data=changed)
    return user


@transaction.atomic
def user_set_active(*, actor: User, user: User, active: bool) -> User:
    """Deactivation ends the user's access at once: the authentication backend refuses
    inactive users on every request, whatever session they still hold."""
    if user == actor and not active:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active == active:
        return user
    user.is_active = active
    user.save(update_fields=["is_active"])
    if not active:
        from accounts.sessions import end_all_sessions

        end_all_sessions(user)
    log_action(
        "accounts.user.reactivated" if active else "accounts.user.deactivated",
        actor=actor,
        target=user,
    )
    return user
