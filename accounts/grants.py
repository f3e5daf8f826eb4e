"""Roles that reach case files or user management are given by two people.

An administrator (or a superuser) asks; another administrator of the user's organisation, or
a superuser, who is neither the one who asked nor the user, approves or refuses. Both steps
are audited and told by email. Taking a role away needs nobody's approval (least privilege);
operators (actor None: commands, the demo seeder, test factories) give roles at once."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import guards, notices
from accounts.audit import log_action
from accounts.models import RoleGrant, User, UserRole
from accounts.policy import CASE_LEVEL_KINDS, RULES, Action, can, scope
from accounts.roles import Role


def _sensitive_roles() -> frozenset[Role]:
    roles: set[Role] = set()
    for kind, actions in RULES.items():
        for action, allowed in actions.items():
            if kind in CASE_LEVEL_KINDS or (
                kind == "user" and action in (Action.CHANGE, Action.CREATE)
            ):
                roles |= allowed
    return frozenset(roles)


# Derived from the policy: a role later given a case-level kind needs approval by itself.
SENSITIVE_ROLES = _sensitive_roles()


def pending_roles(user: User) -> set[Role]:
    return {
        Role(role)
        for role in user.role_grants.filter(status=RoleGrant.Status.PENDING).values_list(
            "role", flat=True
        )
    }


def grant_request(*, actor: User, user: User, role: Role) -> RoleGrant | None:
    """Ask for a sensitive role; None when the user holds it already. A second request for
    the same role returns the pending one."""
    role = Role(role)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot change your own roles."), code="own_roles")
    guards.ensure_may_manage(actor, user)
    if UserRole.objects.filter(user=user, role=role).exists():
        return None
    with transaction.atomic():
        grant, created = RoleGrant.objects.get_or_create(
            user=user,
            role=role,
            status=RoleGrant.Status.PENDING,
            defaults={"requested_by": actor},
        )
        if created:
            entry = log_action(
                "accounts.role_grant.requested",
                actor=actor,
                target=user,
                data={"grant": grant.pk, "role": role},
            )
            notices.queue(entry)
    return grant


def may_decide(actor: User, grant: RoleGrant) -> bool:
    """Another person than the one who asked and the user, who may manage users (the policy's
    rule: administrators, and superusers); grant_decide then asks whether this very user is
    in the actor's reach (same organisation)."""
    if actor.pk in (grant.user_id, grant.requested_by_id):
        return False
    return can(actor, "user", Action.CHANGE)


def grant_decide(*, actor: User, grant: RoleGrant, approve: bool) -> RoleGrant:
    if actor.pk == grant.user_id:
        raise ValidationError(_("You cannot decide on your own roles."), code="own_roles")
    if actor.pk == grant.requested_by_id:
        raise ValidationError(
            _("Another administrator must decide on a role you asked for."), code="requester"
        )
    if not may_decide(actor, grant):
        raise ValidationError(_("You may not decide on this role."), code="not_allowed")
    guards.ensure_may_manage(actor, grant.user)
    status = RoleGrant.Status.APPROVED if approve else RoleGrant.Status.REFUSED
    with transaction.atomic():
        # Claimed by a conditional update: two administrators deciding at once decide once.
        claimed = RoleGrant.objects.filter(pk=grant.pk, status=RoleGrant.Status.PENDING).update(
            status=status, decided_by=actor, decided_at=timezone.now()
        )
        if not claimed:
            raise ValidationError(_("This request was already decided."), code="decided")
        if approve:
            UserRole.objects.get_or_create(user_id=grant.user_id, role=grant.role)
            grant.user.__dict__.pop("roles", None)
        entry = log_action(
            "accounts.role_grant.approved" if approve else "accounts.role_grant.refused",
            actor=actor,
            target=grant.user,
            data={
                "grant": grant.pk,
                "role": grant.role,
                "requested_by": grant.requested_by_id,
            },
        )
        notices.queue(entry)
    grant.refresh_from_db()
    return grant


def grant_cancel(*, actor: User | None, grant: RoleGrant) -> bool:
    """Withdraw a pending request (fewer rights: anyone who may manage the user may).
    False when it was no longer pending."""
    guards.ensure_may_manage(actor, grant.user)
    with transaction.atomic():
        cancelled = RoleGrant.objects.filter(pk=grant.pk, status=RoleGrant.Status.PENDING).update(
            status=RoleGrant.Status.CANCELLED, decided_by=actor, decided_at=timezone.now()
        )
        if cancelled:
            log_action(
                "accounts.role_grant.cancelled",
                actor=actor,
                target=grant.user,
                data={"grant": grant.pk, "role": grant.role},
            )
    return bool(cancelled)


def grant_by_operator(*, user: User, role: Role) -> bool:
    """An operator at the server (manage.py grant_role) gives a role at once: the way to
    appoint an organisation's first administrator. False when the user had it already."""
    role = Role(role)
    with transaction.atomic():
        _assignment, created = UserRole.objects.get_or_create(user=user, role=role)
        if created:
            RoleGrant.objects.filter(user=user, role=role, status=RoleGrant.Status.PENDING).update(
                status=RoleGrant.Status.APPROVED, decided_at=timezone.now()
            )
            log_action("accounts.role_grant.operator", actor=None, target=user, data={"role": role})
    user.__dict__.pop("roles", None)
    return created


# Reads


def pending_grants(*, actor: User) -> QuerySet[RoleGrant]:
    """Pending requests for the users this actor may manage."""
    users = scope(actor, "user", Action.LIST, User.objects.all())
    return (
        RoleGrant.objects.filter(status=RoleGrant.Status.PENDING, user__in=users)
        .select_related("user", "requested_by")
        .order_by("requested_at", "id")
    )


def awaiting_decision_count(*, actor: User) -> int:
    """The pending requests this actor may decide (not asked by them, not for them)."""
    if not can(actor, "user", Action.CHANGE):
        return 0
    return pending_grants(actor=actor).exclude(Q(user=actor) | Q(requested_by=actor)).count()
