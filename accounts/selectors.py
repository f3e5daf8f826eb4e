"""Reads for the accounts pages and the role home pages."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.policy import Action, scope
from reports.models import Project


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


def current_projects(*, actor: User, today: date) -> QuerySet[Project]:
    """Projects running today that the user's organisation implements or, for ministry
    and reference readers, that cover the user's country."""
    qs = scope(actor, "project", Action.LIST, Project.objects.all()).filter(
        start_date__lte=today, end_date__gte=today
    )
    if actor.organisation_id:
        org = actor.organisation
        qs = qs.filter(Q(organisations=org) | Q(countries__contains=org.country.code)).distinct()
    return qs.select_related("donor").order_by("end_date")
