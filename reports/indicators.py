"""Indicator values: entered by hand, or computed from the data with these definitions.

- people_trained: participants (all sexes) of sessions starting in the period, in scope.
- people_trained_audience: the same, for sessions whose audiences include the parameter
  (e.g. "magistrates"); a session with several audiences counts all its participants.
- sessions_on_topic: sessions starting in the period whose topics include the parameter.
- victims_identified: cases with trafficking status possible or actual, identified in the
  period, in scope (victims: small counts suppressed).
- referrals_completed: referrals completed (status completed) that were sent in the period.
- services_delivered: services delivered in the period, of the parameter's type if given.
- action_points_completed: action points of the plan whose status is completed.
- persons_screened: screening interviews held in the period (screened_at), anonymous ones
  included (victims: small counts suppressed).
- screening_identified: of those, the screenings decided possible or actual victims (the
  decision in force, not the status the answers suggest; victims: small counts suppressed).
Scope: a plan's indicators count the plan's country; a project's indicators count the
records attributed to the project, and for screenings (which are attributed to no project)
those of the project's implementing organisations in the project's countries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from programmes.models import Project
from referrals.models import ReferralStatus
from referrals.selectors import sent_between
from reports import statistics
from reports.models import (
    ActionPoint,
    ActionPointStatus,
    Computation,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
)
from reports.statistics import Scope
from screening import statistics as screening_statistics
from screening.models import Screening
from screening.statistics import ScreeningScope
from traffick_cm import periods, suppression
from traffick_cm.fields import ChoiceListField

VICTIM_COMPUTATIONS = frozenset(
    {
        Computation.VICTIMS_IDENTIFIED,
        Computation.REFERRALS_COMPLETED,
        Computation.SERVICES_DELIVERED,
        Computation.PERSONS_SCREENED,
        Computation.SCREENING_IDENTIFIED,
    }
)
SCREENING_COMPUTATIONS = frozenset({Computation.PERSONS_SCREENED, Computation.SCREENING_IDENTIFIED})


def project_screenings(project: Project, country: str = "") -> ScreeningScope:
    """The screenings a project counts (only those of `country` when the reader may see one
    country's figures only)."""
    countries = {c.code for c in project.countries}
    if country:
        countries &= {country}
    return ScreeningScope(
        organisation_ids=frozenset(project.organisations.values_list("pk", flat=True)),
        countries=frozenset(countries),
    )


def scope_for(indicator: Indicator, country: str = "") -> Scope:
    """A project's indicators count the project's records (only those of `country` when the
    reader may see one country's figures only); a plan's count the plan's country."""
    if indicator.project_id:
        return Scope(project=indicator.project, country=country)
    return Scope(country=indicator.plan.country.code)


def screening_scope_for(indicator: Indicator, country: str = "") -> ScreeningScope:
    """The screenings an indicator counts: as `scope_for`, a project's through its
    implementing organisations (project_screenings)."""
    if indicator.project_id:
        return project_screenings(indicator.project, country)
    return ScreeningScope(country=indicator.plan.country.code)


def _screened(scope: ScreeningScope, start: date, end: date) -> QuerySet[Screening]:
    # As screening/statistics.py counts them: by the day (local time) of the interview.
    return scope.screenings().filter(screened_at__date__gte=start, screened_at__date__lte=end)


def compute(indicator: Indicator, start: date, end: date) -> Decimal | None:
    scope = scope_for(indicator)
    kind = indicator.computation
    if kind == Computation.MANUAL:
        entered = IndicatorValue.objects.filter(
            indicator=indicator, period_start__gte=start, period_end__lte=end
        ).aggregate(total=Sum("value"))["total"]
        return entered
    sessions = scope.sessions().filter(start_date__gte=start, start_date__lte=end)
    if kind == Computation.PEOPLE_TRAINED:
        return Decimal(sessions.aggregate(n=Sum("participants_total"))["n"] or 0)
    if kind == Computation.PEOPLE_TRAINED_AUDIENCE:
        qs = sessions.filter(audiences__contains=ChoiceListField.has(indicator.parameter))
        return Decimal(qs.aggregate(n=Sum("participants_total"))["n"] or 0)
    if kind == Computation.SESSIONS_ON_TOPIC:
        qs = sessions.filter(topics__contains=ChoiceListField.has(indicator.parameter))
        return Decimal(qs.count())
    if kind == Computation.VICTIMS_IDENTIFIED:
        return Decimal(
            scope.cases().filter(identified_on__gte=start, identified_on__lte=end).count()
        )
    if kind == Computation.REFERRALS_COMPLETED:
        return Decimal(
            scope.referrals()
            .filter(**sent_between(start, end), status=ReferralStatus.COMPLETED)
            .count()
        )
    if kind == Computation.SERVICES_DELIVERED:
        qs = scope.services().filter(delivered_on__gte=start, delivered_on__lte=end)
        if indicator.parameter:
            qs = qs.filter(service_type=indicator.parameter)
        return Decimal(qs.count())
    if kind == Computation.ACTION_POINTS_COMPLETED and indicator.plan_id:
        return Decimal(
            indicator.plan.action_points.filter(status=ActionPointStatus.COMPLETED).count()
        )
    if kind in SCREENING_COMPUTATIONS:
        screened = _screened(screening_scope_for(indicator), start, end)
        if kind == Computation.SCREENING_IDENTIFIED:
            screened = screened.filter(status__in=screening_statistics.IDENTIFIED)
        return Decimal(screened.count())
    return None


def _service_cell(indicator: Indicator) -> str:
    return f"t:{indicator.parameter}" if indicator.parameter else "services"


def period_target(indicator: Indicator, start: date, end: date) -> Decimal:
    """The target for the period: the sum of the period targets inside it, else the
    indicator's overall target."""
    targets = indicator.targets.filter(period_start__gte=start, period_end__lte=end)
    total = targets.aggregate(total=Sum("target"))["total"]
    return total if total is not None else indicator.target


def _scope_key(indicator: Indicator) -> tuple:
    return (
        ("project", indicator.project_id)
        if indicator.project_id
        else ("country", indicator.plan.country.code)
    )


def _by_scope(indicators: list[Indicator]) -> list[list[Indicator]]:
    groups: dict[tuple, list[Indicator]] = {}
    for indicator in indicators:
        groups.setdefault(_scope_key(indicator), []).append(indicator)
    return list(groups.values())


def compute_many(
    indicators: list[Indicator], start: date, end: date, *, country: str = ""
) -> dict[int, Any]:
    """Every indicator's value in a fixed number of queries per scope: one aggregate per
    source (sessions, cases, referrals, services, screenings, action points, entered
    values), whatever the number of indicators."""
    values: dict[int, Any] = {}
    for group in _by_scope(indicators):
        scope = scope_for(group[0], country)
        session_aggregates: dict[str, Any] = {}
        service_aggregates: dict[str, Any] = {}
        for ind in group:
            key = f"i{ind.pk}"
            if ind.computation == Computation.PEOPLE_TRAINED:
                session_aggregates[key] = Sum("participants_total")
            elif ind.computation == Computation.PEOPLE_TRAINED_AUDIENCE:
                session_aggregates[key] = Sum(
                    "participants_total",
                    filter=Q(audiences__contains=ChoiceListField.has(ind.parameter)),
                )
            elif ind.computation == Computation.SESSIONS_ON_TOPIC:
                session_aggregates[key] = Count(
                    "pk", filter=Q(topics__contains=ChoiceListField.has(ind.parameter))
                )
            elif ind.computation == Computation.SERVICES_DELIVERED:
                service_aggregates[key] = Count(
                    "pk", filter=Q(service_type=ind.parameter) if ind.parameter else None
                )
        if session_aggregates:
            row = (
                scope.sessions()
                .filter(start_date__gte=start, start_date__lte=end)
                .aggregate(**session_aggregates)
            )
            values.update({int(k[1:]): Decimal(v or 0) for k, v in row.items()})
        if service_aggregates and scope.counted_ahead(start, end):
            delivered = statistics.totals(statistics.service_months(scope, start, end))
            values.update(
                {
                    i.pk: Decimal(delivered.get(_service_cell(i), 0))
                    for i in group
                    if i.computation == Computation.SERVICES_DELIVERED
                }
            )
        elif service_aggregates:
            row = (
                scope.services()
                .filter(delivered_on__gte=start, delivered_on__lte=end)
                .aggregate(**service_aggregates)
            )
            values.update({int(k[1:]): Decimal(v or 0) for k, v in row.items()})
        kinds = {ind.computation for ind in group}
        if Computation.VICTIMS_IDENTIFIED in kinds:
            n = statistics.identified_count(scope, start, end)
            values.update(
                {i.pk: Decimal(n) for i in group if i.computation == Computation.VICTIMS_IDENTIFIED}
            )
        if Computation.REFERRALS_COMPLETED in kinds:
            if scope.counted_ahead(start, end):
                n = statistics.totals(statistics.referral_months(scope, start, end)).get(
                    "completed", 0
                )
            else:
                n = (
                    scope.referrals()
                    .filter(**sent_between(start, end), status=ReferralStatus.COMPLETED)
                    .count()
                )
            values.update(
                {
                    i.pk: Decimal(n)
                    for i in group
                    if i.computation == Computation.REFERRALS_COMPLETED
                }
            )
        if kinds & SCREENING_COMPUTATIONS:
            counts = _screened(screening_scope_for(group[0], country), start, end).aggregate(
                screened=Count("pk"),
                identified=Count("pk", filter=Q(status__in=screening_statistics.IDENTIFIED)),
            )
            figure = {
                Computation.PERSONS_SCREENED: counts["screened"],
                Computation.SCREENING_IDENTIFIED: counts["identified"],
            }
            values.update(
                {
                    i.pk: Decimal(figure[i.computation])
                    for i in group
                    if i.computation in SCREENING_COMPUTATIONS
                }
            )
        completed_points = [
            i for i in group if i.computation == Computation.ACTION_POINTS_COMPLETED and i.plan_id
        ]
        if completed_points:
            counts = dict(
                ActionPoint.objects.filter(
                    plan__in={i.plan_id for i in completed_points},
                    status=ActionPointStatus.COMPLETED,
                )
                .values("plan")
                .annotate(n=Count("pk"))
                .values_list("plan", "n")
            )
            values.update({i.pk: Decimal(counts.get(i.plan_id, 0)) for i in completed_points})
        manual = [i.pk for i in group if i.computation == Computation.MANUAL]
        if manual:
            entered = dict(
                IndicatorValue.objects.filter(
                    indicator__in=manual, period_start__gte=start, period_end__lte=end
                )
                .values("indicator")
                .annotate(total=Sum("value"))
                .values_list("indicator", "total")
            )
            values.update({pk: entered.get(pk) for pk in manual})
    return values


def period_targets(indicators: list[Indicator], start: date, end: date) -> dict[int, Decimal]:
    """Per indicator: the sum of its period targets inside the period, else its target."""
    sums = dict(
        IndicatorTarget.objects.filter(
            indicator__in=[i.pk for i in indicators],
            period_start__gte=start,
            period_end__lte=end,
        )
        .values("indicator")
        .annotate(total=Sum("target"))
        .values_list("indicator", "total")
    )
    return {i.pk: sums.get(i.pk, i.target) for i in indicators}


def released_victim_values(
    indicators: list[Indicator], start: date, end: date, *, k: int, country: str = ""
) -> dict[int, int | str]:
    """The victim figures among the indicators, as released outside the case team over the
    calendar units the window is made of (traffick_cm/periods.py `decompose`): the same figures
    the dashboard and the reports show for those units, and hidden when any of them is, so
    that a window "to date" can never be subtracted from another to give a month."""
    parts = periods.decompose(start, end)
    first, last = parts[0].start, parts[-1].end
    result: dict[int, int | str] = {}
    for group in _by_scope([i for i in indicators if i.computation in VICTIM_COMPUTATIONS]):
        scope = scope_for(group[0], country)
        kinds = {i.computation for i in group}
        if Computation.VICTIMS_IDENTIFIED in kinds:
            value = statistics.identified_window(scope, parts, k)
            result.update(
                {i.pk: value for i in group if i.computation == Computation.VICTIMS_IDENTIFIED}
            )
        if Computation.REFERRALS_COMPLETED in kinds:
            monthly = statistics.referral_months(scope, first, last)
            value = suppression.release_window(
                statistics.REFERRAL_LAYOUT, monthly, parts, "completed", k
            )
            result.update(
                {i.pk: value for i in group if i.computation == Computation.REFERRALS_COMPLETED}
            )
        if Computation.SERVICES_DELIVERED in kinds:
            layout = statistics.service_layout()
            monthly = statistics.service_months(scope, first, last)
            for i in group:
                if i.computation == Computation.SERVICES_DELIVERED:
                    cell = f"t:{i.parameter}" if i.parameter else layout.total
                    if cell not in layout.cells():
                        result[i.pk] = 0  # a service type that does not exist
                        continue
                    result[i.pk] = suppression.release_window(layout, monthly, parts, cell, k)
        if kinds & SCREENING_COMPUTATIONS:
            cells = {
                Computation.PERSONS_SCREENED: screening_statistics.TOTAL,
                Computation.SCREENING_IDENTIFIED: screening_statistics.IDENTIFIED_CELL,
            }
            released = screening_statistics.windows(
                screening_scope_for(group[0], country), parts, cells.values(), k
            )
            result.update(
                {
                    i.pk: released[cells[i.computation]]
                    for i in group
                    if i.computation in SCREENING_COMPUTATIONS
                }
            )
    return result


def rows(
    indicators, start: date, end: date, *, k: int | None, country: str = ""
) -> list[dict[str, Any]]:
    """The indicators against their targets over start..end (whole months). With k, victim
    figures are released as outside the case team."""
    indicators = list(
        indicators.select_related("plan", "project")
        if hasattr(indicators, "select_related")
        else indicators
    )
    values = compute_many(indicators, start, end, country=country)
    released = released_victim_values(indicators, start, end, k=k, country=country) if k else {}
    targets = period_targets(indicators, start, end)
    result = []
    for indicator in indicators:
        value = values.get(indicator.pk)
        shown: Any = _number(value)
        if indicator.pk in released:
            shown = released[indicator.pk]
            value = Decimal(shown) if isinstance(shown, int) else value
        target = targets[indicator.pk]
        result.append(
            {
                "code": indicator.code,
                "name": indicator.name,
                "unit": indicator.unit,
                "computation": indicator.computation,
                "parameter": indicator.parameter,
                "baseline": float(indicator.baseline),
                "target": float(target),
                "value": shown,
                "achieved_percent": (
                    round(100 * float(value) / float(target))
                    if value is not None and not isinstance(shown, str) and target
                    else None
                ),
                "sdg_targets": list(indicator.sdg_targets),
            }
        )
    return result


def _number(value: Decimal | None) -> int | float | None:
    """A value as shown and exported: a count is a whole number (2, never 2.0); a value
    entered by hand keeps its decimals (12.5)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def action_points_by_plans(plans) -> dict[int, list[dict[str, Any]]]:
    """action_points_by_pillar for several plans in one query."""
    counts = (
        ActionPoint.objects.filter(plan__in=plans)
        .values("plan", "pillar__name", "pillar__order", "status")
        .annotate(n=Count("pk"))
        .order_by("plan", "pillar__order")
    )
    result: dict[int, dict[str, dict[str, Any]]] = {}
    for row in counts:
        pillars = result.setdefault(row["plan"], {})
        entry = pillars.setdefault(
            row["pillar__name"], {"pillar": row["pillar__name"], "total": 0, "by_status": {}}
        )
        entry["by_status"][row["status"]] = row["n"]
        entry["total"] += row["n"]
    return {plan_id: list(pillars.values()) for plan_id, pillars in result.items()}


def action_points_by_pillar(plan) -> list[dict[str, Any]]:
    counts = (
        plan.action_points.values("pillar__name", "pillar__order", "status")
        .annotate(n=Count("pk"))
        .order_by("pillar__order")
    )
    pillars: dict[str, dict[str, Any]] = {}
    for row in counts:
        entry = pillars.setdefault(
            row["pillar__name"], {"pillar": row["pillar__name"], "total": 0, "by_status": {}}
        )
        entry["by_status"][row["status"]] = row["n"]
        entry["total"] += row["n"]
    return list(pillars.values())
