"""The figures reports and dashboards are made of, aggregated in the database.

A scope says which records count: a donor project (the cases, services, referrals and
trainings attributed to it), or a country (for action-plan and operational reports, and the
ministry dashboard). Figures about victims go through small-cell suppression before they
leave; training participant counts are not about victims and are never suppressed."""

from __future__ import annotations

import statistics as stats
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases import vocabularies as cv
from cases.models import Case, ServiceDelivery
from referrals.models import Referral, ReferralStatus
from reports import suppression
from reports.models import Project
from traffick_cm.fields import ChoiceListField
from trainings import vocabularies as tv
from trainings.models import TrainingSession

S = ReferralStatus
ACCEPTED = [S.ACCEPTED, S.IN_PROGRESS, S.COMPLETED, S.CLOSED_NO_SERVICE]
ANSWERED = [*ACCEPTED, S.DECLINED]
IDENTIFIED = [cv.TraffickingStatus.POSSIBLE, cv.TraffickingStatus.ACTUAL]


def reports_db() -> str:
    """The database alias reports read: a replica when DATABASE_REPLICA_URL is set."""
    return settings.REPORTS_DATABASE


@dataclass(frozen=True)
class Scope:
    """Which records count: a project, or a country (and optionally a region)."""

    project: Project | None = None
    country: str = ""
    region_id: int | None = None

    def cases(self) -> QuerySet[Case]:
        qs = Case.objects.using(reports_db()).filter(trafficking_status__in=IDENTIFIED)
        if self.project is not None:
            qs = qs.filter(project=self.project)
        if self.country:
            qs = qs.filter(identified_country=self.country)
        if self.region_id:
            qs = qs.filter(identified_region=self.region_id)
        return qs

    def referrals(self) -> QuerySet[Referral]:
        qs = (
            Referral.objects.using(reports_db())
            .exclude(status__in=[S.DRAFT])
            .exclude(sent_at__isnull=True)
        )
        if self.project is not None:
            qs = qs.filter(case__project=self.project)
        if self.country:
            qs = qs.filter(from_organisation__country=self.country)
        if self.region_id:
            qs = qs.filter(case__identified_region=self.region_id)
        return qs

    def services(self) -> QuerySet[ServiceDelivery]:
        qs = ServiceDelivery.objects.using(reports_db()).all()
        if self.project is not None:
            qs = qs.filter(project=self.project)
        if self.country:
            qs = qs.filter(case__identified_country=self.country)
        if self.region_id:
            qs = qs.filter(case__identified_region=self.region_id)
        return qs

    def sessions(self) -> QuerySet[TrainingSession]:
        qs = TrainingSession.objects.using(reports_db()).all()
        if self.project is not None:
            qs = qs.filter(project=self.project)
        if self.country:
            qs = qs.filter(country=self.country)
        if self.region_id:
            qs = qs.filter(region=self.region_id)
        return qs


def sent_between(start: date, end: date) -> dict[str, Any]:
    """Referrals sent from the start to the end day included, as a range the index serves."""
    zone = timezone.get_current_timezone()
    first = datetime.combine(start, time.min, tzinfo=zone)
    after = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    return {"sent_at__gte": first, "sent_at__lt": after}


def _sum(field: str, **filters: Any):
    return Coalesce(Sum(field, filter=Q(**filters) if filters else None), 0)


def trainings(scope: Scope, start: date, end: date) -> dict[str, Any]:
    """Trainings count by start date within the period."""
    qs = scope.sessions().filter(start_date__gte=start, start_date__lte=end).order_by()
    aggregates: dict[str, Any] = {
        "sessions": Count("pk"),
        "female": _sum("participants_female"),
        "male": _sum("participants_male"),
        "other": _sum("participants_other"),
        "total": _sum("participants_total"),
    }
    for code in tv.Audience.values:
        aggregates[f"a_{code}"] = _sum(
            "participants_total", audiences__contains=ChoiceListField.has(code)
        )
    for code in tv.SessionType.values:
        aggregates[f"t_{code}"] = _sum("participants_total", session_type=code)
    row = qs.aggregate(**aggregates)
    return {
        "sessions": row["sessions"],
        "participants": {k: row[k] for k in ("female", "male", "other", "total")},
        "by_audience": {c: row[f"a_{c}"] for c in tv.Audience.values if row[f"a_{c}"]},
        "by_session_type": {c: row[f"t_{c}"] for c in tv.SessionType.values if row[f"t_{c}"]},
    }


def _suppressed(counts: dict[str, int], k: int) -> dict[str, int | str]:
    keys = list(counts)
    return dict(zip(keys, suppression.suppress_group([counts[x] for x in keys], k), strict=True))


def cases(scope: Scope, start: date, end: date, *, k: int | None) -> dict[str, Any]:
    """Presumed and actual victims identified in the period. With k, small cells are
    suppressed (with complement) in every breakdown and the total."""
    qs = scope.cases().filter(identified_on__gte=start, identified_on__lte=end).order_by()
    aggregates: dict[str, Any] = {"identified": Count("pk")}
    for code in cv.ExploitationType.values:
        aggregates[f"e_{code}"] = Count(
            "pk", filter=Q(exploitation_types__contains=ChoiceListField.has(code))
        )
    for code in cv.Sex.values:
        aggregates[f"s_{code}"] = Count("pk", filter=Q(sex=code))
    for code, _label, low, high in cv.AGE_GROUPS:
        aggregates[f"g_{code}"] = Count(
            "pk", filter=Q(age_at_identification__gte=low, age_at_identification__lte=high)
        )
    aggregates["g_unknown"] = Count("pk", filter=Q(age_at_identification__isnull=True))
    row = qs.aggregate(**aggregates)
    by_citizenship: dict[str, int] = {}
    for stored, n in (
        qs.values_list("citizenships").annotate(n=Count("pk")).values_list("citizenships", "n")
    ):
        for code in list(stored or []) or ["unknown"]:
            by_citizenship[code] = by_citizenship.get(code, 0) + n
    result = {
        "identified": row["identified"],
        "by_exploitation_type": {
            c: row[f"e_{c}"] for c in cv.ExploitationType.values if row[f"e_{c}"]
        },
        "by_sex": {c: row[f"s_{c}"] for c in cv.Sex.values if row[f"s_{c}"]},
        "by_age_group": {
            **{c: row[f"g_{c}"] for c, *_ in cv.AGE_GROUPS if row[f"g_{c}"]},
            **({"unknown": row["g_unknown"]} if row["g_unknown"] else {}),
        },
        "by_citizenship": dict(sorted(by_citizenship.items())),
    }
    if k:
        result["identified"] = suppression.suppress_total(result["identified"], k)
        for key in ("by_exploitation_type", "by_sex", "by_age_group", "by_citizenship"):
            result[key] = _suppressed(result[key], k)
    return result


class Median(Aggregate):
    """PostgreSQL's percentile_cont(0.5): the median, computed in the database."""

    function = "percentile_cont"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_response_hours(qs: QuerySet[Referral]) -> float | None:
    answered = qs.filter(responded_at__isnull=False, sent_at__isnull=False)
    if connections[reports_db()].vendor == "postgresql":
        delay = ExpressionWrapper(F("responded_at") - F("sent_at"), output_field=DurationField())
        value = answered.aggregate(median=Median(delay))["median"]
        return round(value.total_seconds() / 3600, 1) if value is not None else None
    hours = [
        (answered_at - sent).total_seconds() / 3600
        for sent, answered_at in answered.values_list("sent_at", "responded_at")
    ]
    return round(stats.median(hours), 1) if hours else None


def referrals(scope: Scope, start: date, end: date, *, k: int | None) -> dict[str, Any]:
    qs = scope.referrals().filter(**sent_between(start, end)).order_by()
    row = qs.aggregate(
        made=Count("pk"),
        accepted=Count("pk", filter=Q(status__in=ACCEPTED)),
        completed=Count("pk", filter=Q(status=S.COMPLETED)),
        cross_border=Count("pk", filter=~Q(destination_country=F("from_organisation__country"))),
    )
    result: dict[str, Any] = {**row, "median_response_hours": median_response_hours(qs)}
    if k:
        small = suppression.is_small(row["made"], k)
        for key in ("made", "accepted", "completed", "cross_border"):
            result[key] = suppression.suppress_total(row[key], k)
        if small:
            result["median_response_hours"] = None
    return result


def services(scope: Scope, start: date, end: date, *, k: int | None) -> dict[str, Any]:
    qs = scope.services().filter(delivered_on__gte=start, delivered_on__lte=end).order_by()
    by_type = {
        row["service_type"]: row["n"]
        for row in qs.values("service_type").annotate(n=Count("pk")).order_by("service_type")
    }
    return {"by_type": _suppressed(by_type, k) if k else by_type}


def identified_by_month(scope: Scope, start: date, end: date) -> list[tuple[str, int]]:
    from django.db.models.functions import TruncMonth

    rows = (
        scope.cases()
        .filter(identified_on__gte=start, identified_on__lte=end)
        .annotate(month=TruncMonth("identified_on"))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by("month")
    )
    return [(row["month"].strftime("%Y-%m"), row["n"]) for row in rows]


def identified_by_region(scope: Scope, start: date, end: date) -> dict[str, int]:
    rows = (
        scope.cases()
        .filter(identified_on__gte=start, identified_on__lte=end)
        .values("identified_region__name")
        .annotate(n=Count("pk"))
        .order_by("identified_region__name")
    )
    return {row["identified_region__name"] or "—": row["n"] for row in rows}


def trainings_by_region(scope: Scope, start: date, end: date) -> list[dict[str, Any]]:
    return list(
        scope.sessions()
        .filter(start_date__gte=start, start_date__lte=end)
        .values("region__name")
        .annotate(
            sessions=Count("pk"),
            female=_sum("participants_female"),
            male=_sum("participants_male"),
            total=_sum("participants_total"),
        )
        .order_by("region__name")
    )
