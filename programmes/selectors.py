"""Reads of donors and projects, scoped by the access policy."""

from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.policy import Action, scope
from programmes.models import Donor, Project


def project_list(
    *,
    actor: User,
    q: str = "",
    country: str = "",
    donor: Donor | None = None,
    running_on: date | None = None,
) -> QuerySet[Project]:
    qs = scope(actor, "project", Action.LIST, Project.objects.all())
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(title__icontains=q))
    if country:
        qs = qs.filter(countries__contains=country)
    if donor is not None:
        qs = qs.filter(donor=donor)
    if running_on is not None:
        qs = qs.filter(start_date__lte=running_on, end_date__gte=running_on)
    return qs.select_related("donor").order_by("-start_date", "code")


def donor_list(*, actor: User) -> QuerySet[Donor]:
    return scope(actor, "donor", Action.LIST, Donor.objects.all()).annotate(
        project_count=Count("projects")
    )


def current_projects(*, actor: User, today: date) -> QuerySet[Project]:
    """Projects running today that the user's organisation implements or, for ministry
    and reference readers, that cover the user's country."""
    # VIEW, not LIST: caseworkers may not list every project, but see these.
    qs = scope(actor, "project", Action.VIEW, Project.objects.all()).filter(
        start_date__lte=today, end_date__gte=today
    )
    if actor.organisation_id:
        org = actor.organisation
        qs = qs.filter(Q(organisations=org) | Q(countries__contains=org.country.code)).distinct()
    return qs.select_related("donor").order_by("end_date")
