"""Reads of the reports app: the scoped lists of plans and runs, the files people download
(each read audited here, never in a view), and the national dashboard's figures."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from accounts.audit import log_read
from accounts.models import User
from accounts.policy import Action, get_child_or_404, get_for_user_or_404, scope
from partners.models import Region
from reports import indicators, statistics
from reports.models import ActionPlan, Indicator, ProgressUpdate, ReportFile, ReportRun
from reports.statistics import Scope
from traffick_cm import periods, suppression
from traffick_cm.periods import Period
from trainings.vocabularies import Audience


def plan_list(*, actor: User) -> QuerySet:
    return scope(actor, "action_plan", Action.LIST, ActionPlan.objects.all()).select_related(
        "coordinating_body"
    )


def run_list(*, actor: User) -> QuerySet:
    return (
        scope(actor, "report_run", Action.LIST, ReportRun.objects.all())
        .select_related("requested_by")
        .prefetch_related("files")
        .order_by("-created_at")
    )


def evidence_read(*, actor: User, pk: int) -> ProgressUpdate:
    """A progress update whose evidence the actor downloads: found only through a plan the
    actor may read, and only with evidence (404 otherwise); the read is audited."""
    update = get_child_or_404(
        actor,
        "action_plan",
        Action.VIEW,
        ProgressUpdate.objects.select_related("action_point"),
        via="action_point__plan",
        pk=pk,
    )
    if not update.evidence:
        raise Http404
    log_read(
        "reports.evidence.downloaded",
        actor=actor,
        target=update.action_point,
        data={"update": update.pk},
    )
    return update


def run_file_read(*, actor: User, pk: int, fmt: str) -> ReportFile:
    """A finished run's file in one format, for a run the actor may export (404 otherwise);
    the read is audited."""
    run = get_for_user_or_404(actor, "report_run", Action.EXPORT, ReportRun.objects.all(), pk=pk)
    report_file = run.files.filter(format=fmt).first()
    if report_file is None or run.status != ReportRun.Status.DONE:
        raise Http404
    log_read("reports.run.downloaded", actor=actor, target=run, data={"format": fmt})
    return report_file


def dashboard_figures(*, country: str, region: Region | None, period: Period) -> dict[str, Any]:
    """The national dashboard's figures for a country (and one of its regions) over a period
    that has ended, every victim figure released as outside the case team. The caller has
    asked the access policy which countries the user may see (statistics_countries) and
    passes one of them: this computes, it does not decide who sees."""
    k = suppression.threshold()
    national = Scope(country=country)
    local = Scope(country=country, region_id=region.pk if region else None)
    cases = statistics.cases(
        national, period, k=k, region_id=region.pk if region and country else None
    )
    trainings = statistics.trainings(local, period.start, period.end)
    plans = ActionPlan.objects.filter(country=country) if country else ActionPlan.objects.none()
    return {
        "cases": cases,
        # Referrals per region would give, beside the country's, the other regions'.
        "referrals": None if region else statistics.referrals(national, period, k=k),
        "trainings": trainings,
        "trainings_by_region": statistics.trainings_by_region(local, period.start, period.end),
        "plans": _plans_summary(plans, period, k),
        "k": k,
        "chart_data": {
            "months": [key for key, _v in cases["by_month"]],
            "identified": [v if isinstance(v, int) else None for _m, v in cases["by_month"]],
            "audiences": _trainings_chart(trainings),
        },
    }


def _plans_summary(plans: QuerySet, period: Period, k: int) -> list[dict]:
    """Each plan's pillars and its indicators over the dashboard's period, in a fixed number
    of queries whatever the number of plans."""
    plans = list(plans)
    pillars = indicators.action_points_by_plans(plans)
    all_indicators = list(
        Indicator.objects.filter(plan__in=plans).select_related("plan", "project")
    )
    rows = indicators.rows(all_indicators, period.start, period.end, k=k)
    by_plan: dict[int, list] = {}
    for indicator, row in zip(all_indicators, rows, strict=True):
        by_plan.setdefault(indicator.plan_id, []).append(row)
    return [
        {
            "plan": plan,
            "by_pillar": pillars.get(plan.pk, []),
            "indicators": by_plan.get(plan.pk, []),
        }
        for plan in plans
    ]


def _trainings_chart(data: dict) -> dict:
    labels = dict(Audience.choices)
    return {
        "labels": [str(labels.get(code, code)) for code in data["by_audience"]],
        "values": list(data["by_audience"].values()),
    }


def plan_indicator_list(*, actor: User, action: Action = Action.LIST) -> QuerySet:
    """The indicators of the action plans the actor may read (the API's `indicators/`)."""
    plans = scope(actor, "action_plan", action, ActionPlan.objects.all())
    return Indicator.objects.filter(plan__in=plans).select_related("plan", "pillar")


def plan_indicator_rows(records: list[Indicator]) -> dict[int, dict[str, Any] | None]:
    """Each plan indicator's row as its plan's page shows it: to date (whole months to the
    last complete one), victim figures released as outside the case team; None while not
    one month of its plan has ended."""
    by_plan: dict[int, list[Indicator]] = {}
    for record in records:
        by_plan.setdefault(record.plan_id, []).append(record)
    result: dict[int, dict[str, Any] | None] = {}
    for group in by_plan.values():
        plan = group[0].plan
        window = periods.to_date_window(
            plan.period_start, plan.period_end, today=timezone.localdate()
        )
        if window is None:
            result.update(dict.fromkeys((i.pk for i in group), None))
            continue
        found = indicators.rows(group, *window, k=suppression.threshold())
        for record, row in zip(group, found, strict=True):
            result[record.pk] = {**row, "period_start": window[0], "period_end": window[1]}
    return result
