from __future__ import annotations

from datetime import date

from django.db.models import Count, Q, QuerySet

from accounts.models import User
from accounts.policy import Action, scope
from reports.models import Donor, Project


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


def plan_list(*, actor: User) -> QuerySet:
    from reports.models import ActionPlan

    return scope(actor, "action_plan", Action.LIST, ActionPlan.objects.all()).select_related(
        "coordinating_body"
    )


def run_list(*, actor: User) -> QuerySet:
    from reports.models import ReportRun

    return (
        scope(actor, "report_run", Action.LIST, ReportRun.objects.all())
        .select_related("requested_by")
        .prefetch_related("files")
        .order_by("-created_at")
    )
