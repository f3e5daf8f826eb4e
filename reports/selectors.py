from __future__ import annotations

from django.db.models import QuerySet

from accounts.models import User
from accounts.policy import Action, scope


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
