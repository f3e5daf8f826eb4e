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
Scope: a plan's indicators count the plan's country; a project's indicators count the
records attributed to the project."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum

from referrals.models import ReferralStatus
from reports import suppression
from reports.models import ActionPointStatus, Computation, Indicator, IndicatorValue
from reports.statistics import Scope
from traffick_cm.fields import ChoiceListField

VICTIM_COMPUTATIONS = frozenset(
    {
        Computation.VICTIMS_IDENTIFIED,
        Computation.REFERRALS_COMPLETED,
        Computation.SERVICES_DELIVERED,
    }
)


def scope_for(indicator: Indicator) -> Scope:
    if indicator.project_id:
        return Scope(project=indicator.project)
    return Scope(country=indicator.plan.country.code)


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
            .filter(
                sent_at__date__gte=start, sent_at__date__lte=end, status=ReferralStatus.COMPLETED
            )
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
    return None


def period_target(indicator: Indicator, start: date, end: date) -> Decimal:
    """The target for the period: the sum of the period targets inside it, else the
    indicator's overall target."""
    targets = indicator.targets.filter(period_start__gte=start, period_end__lte=end)
    total = targets.aggregate(total=Sum("target"))["total"]
    return total if total is not None else indicator.target


def rows(indicators, start: date, end: date, *, k: int | None) -> list[dict[str, Any]]:
    result = []
    for indicator in indicators:
        value = compute(indicator, start, end)
        shown: Any = float(value) if value is not None else None
        if k and indicator.computation in VICTIM_COMPUTATIONS and value is not None:
            shown = suppression.suppress_total(int(value), k)
        target = period_target(indicator, start, end)
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
                    if isinstance(shown, float) and target
                    else None
                ),
                "sdg_targets": list(indicator.sdg_targets),
            }
        )
    return result


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
