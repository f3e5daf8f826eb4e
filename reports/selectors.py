"""Reads of the reports app: the scoped lists of plans and runs, the files people download
(each read audited here, never in a view), and the national dashboard's figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Max, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_read
from accounts.models import User
from accounts.policy import Action, get_child_or_404, get_for_user_or_404, scope
from partners.models import Region
from reports import figures, indicators, statistics
from reports.models import (
    ActionPlan,
    Computation,
    Indicator,
    ProgressUpdate,
    ReportFile,
    ReportRun,
)
from reports.services.aggregates import REFRESH_MINUTES
from reports.statistics import Scope
from screening import statistics as screening_statistics
from screening.indicators import ELEMENT_LABELS, STRENGTH_LABELS
from screening.statistics import ScreeningScope
from traffick_cm import periods, suppression
from traffick_cm.periods import Span
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


def dashboard_period(*, country: str, region: Region | None, today: date) -> Span:
    """The period the dashboard shows when none is chosen: the newest data of the country
    (and region) shown, victims identified, referrals sent, trainings and screenings alike
    (see periods.latest)."""
    scope = Scope(country=country, region_id=region.pk if region else None)
    newest = [statistics.newest_record(scope), _newest_screening(country=country, region=region)]
    return periods.latest(today, max((day for day in newest if day), default=None))


def _newest_screening(*, country: str, region: Region | None) -> date | None:
    scope = ScreeningScope(country=country, region_id=region.pk if region else None)
    newest = scope.screenings().aggregate(last=Max("screened_at"))["last"]
    return timezone.localtime(newest).date() if newest else None


def dashboard_figures(*, country: str, region: Region | None, period: Span) -> dict[str, Any]:
    """The national dashboard's figures for a country (and one of its regions) over a period
    that has ended, every victim figure released as outside the case team. The caller has
    asked the access policy which countries the user may see (statistics_countries) and
    passes one of them: this computes, it does not decide who sees. The figures are read
    from the monthly figures, counted ahead: `as_of` says when they were last counted
    (screenings are counted from the records: screening_figures)."""
    k = suppression.threshold()
    national = Scope(country=country)
    local = Scope(country=country, region_id=region.pk if region else None)
    cases = statistics.cases(
        national, period, k=k, region_id=region.pk if region and country else None
    )
    trainings = statistics.trainings(local, period.start, period.end)
    screenings = screening_figures(
        ScreeningScope(country=country), period, k=k, region=region if country else None
    )
    plans = ActionPlan.objects.filter(country=country) if country else ActionPlan.objects.none()
    charts = {
        "identified": _identified_chart(cases["by_month"], k),
        "audiences": _trainings_chart(trainings),
    }
    return {
        "cases": cases,
        # Referrals per region would give, beside the country's, the other regions'.
        "referrals": None if region else statistics.referrals(national, period, k=k),
        "trainings": trainings,
        "trainings_by_region": statistics.trainings_by_region(local, period.start, period.end),
        "plans": _plans_summary(plans, period),
        "screenings": screenings,
        # The page names the months (the figures give their keys).
        "screening_months": [
            {"label": periods.parse(key).label, "value": value}
            for key, value in screenings.get("by_month", [])
        ],
        "k": k,
        "as_of": figures.as_of(),
        "refresh_minutes": REFRESH_MINUTES,
        # Whether each chart is drawn, and why not (the page draws them: reports/charts.py).
        "charts": charts,
    }


def screening_figures(
    scope: ScreeningScope, period: Span, *, k: int, region: Region | None = None
) -> dict[str, Any]:
    """The screenings of a scope (a country's, every country's, a project's) over a period,
    released as victim figures are (screening/statistics.py), each of the most frequent
    indicators with its element and strength in words.

    With a region of the scope's country, only its number of persons screened: the
    region's row of the country's table by region, hidden as there, as the victims
    identified are (a region's breakdowns beside the country's would give the other
    regions' by subtraction)."""
    figures = screening_statistics.screenings(scope, period, k=k)
    if region is not None:
        return {"screened": figures["by_region"].get(region.name, 0)}
    figures["top_indicators"] = [
        {
            **row,
            "label": str(row["label"]),
            "element_label": str(ELEMENT_LABELS[row["element"]]),
            "strength_label": str(STRENGTH_LABELS[row["strength"]]),
        }
        for row in figures["top_indicators"]
    ]
    return figures


def _plans_summary(plans: QuerySet, period: Span) -> list[dict]:
    """Each plan's pillars and its indicators over the dashboard's period, in a fixed number
    of queries whatever the number of plans."""
    plans = list(plans)
    pillars = indicators.action_points_by_plans(plans)
    figures = plan_indicators(plans, period=period)
    return [
        {
            "plan": plan,
            "by_pillar": pillars.get(plan.pk, []),
            "indicators": figures[plan.pk]["rows"],
        }
        for plan in plans
    ]


def _identified_chart(by_month: list[tuple[str, int | str]], k: int) -> dict[str, Any]:
    """Victims identified per month, for a bar chart and its table: a hidden month is a gap.
    No chart for one month (its bar would say no more than the total). Nothing to draw
    either when no month shows a victim; the page then says why instead: every month hidden
    (under k, or some kept hidden so that a small one cannot be worked out), or none at all."""
    rows = [{"label": periods.parse(key).label, "value": v} for key, v in by_month]
    values = [v if isinstance(v, int) else None for _month, v in by_month]
    hidden = [v for _month, v in by_month if not isinstance(v, int)]
    if not hidden:
        empty = "none"
    elif all(v == suppression.label(k) for v in hidden):
        empty = "hidden_small"
    else:
        empty = "hidden"
    return {
        "draw": len(values) > 1 and any(values),
        "months": len(values),
        "empty": empty,
        "k": k,
        "rows": rows,
        "values": values,
    }


def _trainings_chart(data: dict) -> dict[str, Any]:
    """People reached per audience, for a bar chart: drawn for two audiences or more (one
    bar alone says no more than its line of the table, which is then shown instead)."""
    labels = dict(Audience.choices)
    values = [int(v) for v in data["by_audience"].values()]
    return {
        "draw": len([v for v in values if v]) >= 2,
        "empty": "none",
        "labels": [str(labels.get(code, code)) for code in data["by_audience"]],
        "values": values,
    }


def plan_indicators(
    plans: list[ActionPlan], *, period: Span | None = None, today: date | None = None
) -> dict[int, dict[str, Any]]:
    """Each plan's indicators against their targets, as its page, the dashboard and the API
    show them: over `period` (a calendar unit or twelve months), or, without one, "to date"
    (the plan's whole months to the last complete one; no rows while not one has ended).
    Victim figures are released as outside the case team. Each row says its period in
    words: its window's, or today for a count of action points completed (a status, not a
    flow, whatever the window)."""
    k = suppression.threshold()
    today = today or timezone.localdate()
    windows: dict[tuple[date, date] | None, list[ActionPlan]] = {}
    for plan in plans:
        if period is not None:
            window = (period.start, period.end)
        else:
            window = periods.to_date_window(plan.period_start, plan.period_end, today=today)
        windows.setdefault(window, []).append(plan)
    result: dict[int, dict[str, Any]] = {}
    for window, group in windows.items():
        records = list(
            Indicator.objects.filter(plan__in=group).select_related("plan", "project", "pillar")
        )
        rows = indicators.rows(records, *window, k=k) if window else []
        label = period.label if period is not None else window_label(window) if window else ""
        by_plan: dict[int, list[dict[str, Any]]] = {plan.pk: [] for plan in group}
        for record, row in zip(records, rows, strict=True):
            status = record.computation == Computation.ACTION_POINTS_COMPLETED
            by_plan[record.plan_id].append(
                {
                    **row,
                    "id": record.pk,
                    "period_start": window[0],
                    "period_end": window[1],
                    "period_label": _("today") if status else label,
                }
            )
        for plan in group:
            result[plan.pk] = {"window": window, "label": label, "rows": by_plan[plan.pk]}
    return result


def window_label(window: tuple[date, date]) -> str:
    """Whole months in words: a calendar unit's name, or from one month to another."""
    start, end = window
    unit = periods.from_dates(start, end)
    if unit is not None:
        return unit.label
    first = periods.containing(start, periods.Unit.MONTH)
    last = periods.containing(end, periods.Unit.MONTH)
    return _("%(first)s to %(last)s") % {"first": first.label, "last": last.label}


def plan_indicator_list(*, actor: User, action: Action = Action.LIST) -> QuerySet:
    """The indicators of the action plans the actor may read (the API's `indicators/`)."""
    plans = scope(actor, "action_plan", action, ActionPlan.objects.all())
    return Indicator.objects.filter(plan__in=plans).select_related("plan", "pillar")


def plan_indicator_rows(records: list[Indicator]) -> dict[int, dict[str, Any] | None]:
    """Each plan indicator's row as its plan's page shows it: to date (whole months to the
    last complete one), victim figures released as outside the case team; None while not
    one month of its plan has ended."""
    plans = list({record.plan_id: record.plan for record in records}.values())
    rows = {
        row["id"]: row for figures in plan_indicators(plans).values() for row in figures["rows"]
    }
    return {record.pk: rows.get(record.pk) for record in records}
