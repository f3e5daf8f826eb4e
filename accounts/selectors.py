"""Reads for the accounts pages and the role home pages."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.policy import Action, scope


def user_list(*, actor: User, search: str = "", active: str = "") -> QuerySet[User]:
    qs = scope(actor, "user", Action.LIST, User.objects.all())
    if search:
        qs = qs.filter(
            Q(username__icontains=search)
            | Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
        )
    if active in ("yes", "no"):
        qs = qs.filter(is_active=active == "yes")
    return (
        qs.select_related("organisation")
        .prefetch_related("role_assignments")
        .order_by("-is_active", "last_name", "username")
    )


def organisation_user_counts(*, actor: User) -> dict[str, int]:
    counts = scope(actor, "user", Action.LIST, User.objects.all()).aggregate(
        active=Count("pk", filter=Q(is_active=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
    )
    return {"active": counts["active"] or 0, "inactive": counts["inactive"] or 0}
