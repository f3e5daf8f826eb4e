"""Reads of the monthly figures (counted ahead by reports/services/aggregates.py): the rows
of a scope's months, which statistics.py turns into the cells it releases exactly as it does
the rows it counts from the records themselves. A scope is a country (every country when
empty) and optionally one of its regions."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Max, Min, Model, QuerySet, Sum

from reports.models import (
    AggregateRefresh,
    CaseDimension,
    MonthlyCaseFigure,
    MonthlyReferralFigure,
    MonthlyResponseTime,
    MonthlyServiceFigure,
)

if TYPE_CHECKING:
    from reports.statistics import Scope


def _months(model: type[Model], scope: Scope, start: date, end: date) -> QuerySet:
    qs = model.objects.using(settings.REPORTS_DATABASE).filter(
        month__gte=start.replace(day=1), month__lte=end
    )
    if scope.country:
        qs = qs.filter(country=scope.country)
    if scope.region_id and model is MonthlyCaseFigure:
        qs = qs.filter(dimension=CaseDimension.REGION, value=str(scope.region_id))
    elif scope.region_id:
        qs = qs.filter(region=scope.region_id)
    return qs.order_by()


def _country(scope: Scope) -> Scope:
    if scope.region_id:
        raise ValueError("victims are broken down by a country's figures, not a region's")
    return scope


def codes(value: str) -> list[str]:
    """The codes of a list field as stored (";A;B;")."""
    return [code for code in value.split(";") if code]


def case_rows(scope: Scope, start: date, end: date) -> QuerySet:
    """(month, breakdown, value, victims) of the months from start to end."""
    return (
        _months(MonthlyCaseFigure, _country(scope), start, end)
        .values_list("month", "dimension", "value")
        .annotate(n=Sum("count"))
    )


def identified(scope: Scope, start: date, end: date) -> int:
    qs = _months(MonthlyCaseFigure, scope, start, end)
    if not scope.region_id:
        qs = qs.filter(dimension=CaseDimension.SEX)  # one row by sex for every case
    return qs.aggregate(n=Sum("count"))["n"] or 0


def citizenship_rows(scope: Scope, year: int) -> QuerySet:
    """(citizenships as stored, victims) of a calendar year."""
    return (
        _months(MonthlyCaseFigure, _country(scope), date(year, 1, 1), date(year, 12, 31))
        .filter(dimension=CaseDimension.CITIZENSHIPS)
        .values_list("value")
        .annotate(n=Sum("count"))
        .values_list("value", "n")
    )


def referral_rows(scope: Scope, start: date, end: date) -> QuerySet:
    """(month, status, cross-border, referrals sent)."""
    return (
        _months(MonthlyReferralFigure, scope, start, end)
        .values_list("month", "status", "cross_border")
        .annotate(n=Sum("count"))
    )


def response_median(scope: Scope, start: date, end: date) -> tuple[float | None, int]:
    """The median hours to answer the referrals sent from start to end, and how many were
    answered. The median is the mean delay of the bucket holding the middle answer (of the
    two middle answers' buckets when their number is even): exact when the answers of that
    bucket took the same time, else within the bucket's width, 6 minutes under two days, an
    hour under 30 days, a day beyond (reports/models.py, MonthlyResponseTime)."""
    if scope.region_id:
        raise ValueError("response times are counted per country")
    buckets = list(
        _months(MonthlyResponseTime, scope, start, end)
        .values_list("minutes")
        .annotate(n=Sum("answered"), delays=Sum("seconds"))
        .values_list("n", "delays")
        .order_by("minutes")
    )
    total = sum(n for n, _seconds in buckets)
    if not total:
        return None, 0
    middle = {(total - 1) // 2, total // 2}
    means = []
    seen = 0
    for n, seconds in buckets:
        means += [seconds / n for rank in sorted(middle) if seen <= rank < seen + n]
        seen += n
    return round(sum(means) / len(means) / 3600, 1), total


def service_rows(scope: Scope, start: date, end: date) -> QuerySet:
    """(month, service type, services delivered)."""
    return (
        _months(MonthlyServiceFigure, scope, start, end)
        .values_list("month", "service_type")
        .annotate(n=Sum("count"))
    )


def month_bounds(
    countries: frozenset[str] | None, *, region_id: int | None = None, referrals: bool = False
) -> dict[str, date | None]:
    """The first and last months with victims identified (or referrals sent) in these
    countries (None: all), as the first days of those months."""
    model = MonthlyReferralFigure if referrals else MonthlyCaseFigure
    qs = model.objects.using(settings.REPORTS_DATABASE).all()
    if countries is not None:
        qs = qs.filter(country__in=countries)
    if region_id and not referrals:
        qs = qs.filter(dimension=CaseDimension.REGION, value=str(region_id))
    elif region_id:
        qs = qs.filter(region=region_id)
    return qs.aggregate(first=Min("month"), last=Max("month"))


def as_of() -> datetime | None:
    """When the figures were last brought up to date (None: never counted)."""
    return (
        AggregateRefresh.objects.using(settings.REPORTS_DATABASE)
        .filter(pk=1)
        .values_list("refreshed_at", flat=True)
        .first()
    )
