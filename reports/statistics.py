"""The figures reports and dashboards are made of, aggregated in the database.

A scope says which records count: a donor project (the cases, services, referrals and
trainings attributed to it), or a country (for action-plan and operational reports, and the
ministry dashboard). Figures about victims go through small-cell suppression before they
leave; training participant counts are not about victims and are never suppressed.

Figures of a country (or of every country) over whole months are read from the monthly
figures counted ahead (reports/figures.py, reports/services/aggregates.py); a project's,
and any scope marked `live`, are counted from the records. Both give the same cells, which
go through the same release."""

from __future__ import annotations

import statistics as stats
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.models import (
    Aggregate,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from cases.models import Case, ServiceDelivery
from partners.models import Region
from programmes.models import Project
from referrals.models import Referral, ReferralStatus
from referrals.selectors import sent_between
from reports import figures
from reports.models import CaseDimension
from traffick_cm import codebooks as cv
from traffick_cm import periods, suppression
from traffick_cm.fields import ChoiceListField
from traffick_cm.periods import Period, Span, Unit
from traffick_cm.suppression import Layout
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
    """Which records count: a project, or a country (and optionally a region). `live`
    counts from the records even where the monthly figures could answer."""

    project: Project | None = None
    country: str = ""
    region_id: int | None = None
    live: bool = False

    def counted_ahead(self, start: date, end: date, *, by_region: bool = True) -> bool:
        """Whether the monthly figures answer for this scope from start to end: a country's
        (or every country's) records over whole months; a region's only where the figures
        are kept `by_region` (not victims' breakdowns, nor answer times: a country's)."""
        whole = start.day == 1 and end == periods.containing(end, Unit.MONTH).end
        regional = by_region or not self.region_id
        return self.project is None and not self.live and whole and regional

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


# Victim figures: monthly counts, released per calendar period (traffick_cm/suppression.py).

OTHER = "other"
UNKNOWN = "unknown"
NOT_STATED = "—"


def _month_of(value: date | datetime) -> Period:
    day = value.date() if isinstance(value, datetime) else value
    return periods.containing(day, Unit.MONTH)


def _by_month(qs: QuerySet, date_field: str, aggregates: dict[str, Any]) -> dict[Period, dict]:
    rows = (
        qs.annotate(_month=TruncMonth(date_field))
        .values("_month")
        .annotate(**aggregates)
        .order_by()
    )
    return {_month_of(row.pop("_month")): row for row in rows}


def named_citizenships(scope: Scope, period: Period) -> list[str]:
    """The citizenships a breakdown names; the others are counted as "other". A rare
    nationality named beside its small count says who the few people are. Named: the
    scope's own countries, and those with at least k victims in the year before the period's
    (a complete year, so the list of a period never changes afterwards)."""
    named = {scope.country} if scope.country else set()
    if scope.project is not None:
        named |= {c.code for c in scope.project.countries}
    counts: dict[str, int] = {}
    year = Period(period.year - 1, Unit.YEAR)
    if scope.counted_ahead(year.start, year.end, by_region=False):
        stored_lists = [
            (figures.codes(value), n) for value, n in figures.citizenship_rows(scope, year.year)
        ]
    else:
        stored_lists = (
            scope.cases()
            .filter(identified_on__year=year.year)
            .values_list("citizenships")
            .annotate(n=Count("pk"))
            .values_list("citizenships", "n")
            .order_by()
        )
    for stored, n in stored_lists:
        for code in stored or []:
            counts[code] = counts.get(code, 0) + n
    named |= {code for code, n in counts.items() if n >= suppression.threshold()}
    return sorted(c for c in named if c)


def case_layout(*, citizenships: list[str], regions: list[tuple[str, str]] | None) -> Layout:
    groups: dict[str, list[str]] = {
        "by_exploitation_type": [f"e:{c}" for c in cv.ExploitationType.values],
        "by_sex": [f"s:{c}" for c in cv.Sex.values],
        "by_age_group": [f"g:{c}" for c, *_ in cv.AGE_GROUPS] + [f"g:{UNKNOWN}"],
        "by_citizenship": [f"c:{c}" for c in citizenships] + [f"c:{OTHER}", f"c:{UNKNOWN}"],
    }
    if regions is not None:
        groups["by_region"] = [f"r:{key}" for key, _name in regions]
    return Layout("identified", groups)


def _regions(scope: Scope) -> list[tuple[str, str]] | None:
    """Every region of the scope's country (a region left out of the list would read as 0),
    and "not stated"; None when the breakdown does not apply (no country, or one region)."""
    if not scope.country or scope.region_id:
        return None
    regions = Region.objects.using(reports_db()).filter(country=scope.country).order_by("name")
    return [(str(pk), name) for pk, name in regions.values_list("pk", "name")] + [
        ("none", NOT_STATED)
    ]


def case_months(
    scope: Scope, start: date, end: date, *, citizenships: list[str], regions: bool
) -> dict[Period, dict[str, int]]:
    """Victims identified per month from start to end, with the counts of every cell."""
    if scope.counted_ahead(start, end, by_region=False):
        return _counted_case_months(scope, start, end, citizenships=citizenships, regions=regions)
    qs = scope.cases().filter(identified_on__gte=start, identified_on__lte=end)
    aggregates: dict[str, Any] = {"identified": Count("pk")}
    for code in cv.ExploitationType.values:
        aggregates[f"e:{code}"] = Count(
            "pk", filter=Q(exploitation_types__contains=ChoiceListField.has(code))
        )
    for code in cv.Sex.values:
        aggregates[f"s:{code}"] = Count("pk", filter=Q(sex=code))
    for code, _label, low, high in cv.AGE_GROUPS:
        aggregates[f"g:{code}"] = Count(
            "pk", filter=Q(age_at_identification__gte=low, age_at_identification__lte=high)
        )
    aggregates[f"g:{UNKNOWN}"] = Count("pk", filter=Q(age_at_identification__isnull=True))
    monthly = _by_month(qs, "identified_on", aggregates)
    named = set(citizenships)
    rows = (
        qs.annotate(_month=TruncMonth("identified_on"))
        .values_list("_month", "citizenships")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for month, stored, n in rows:
        _add_citizenships(monthly.setdefault(_month_of(month), {}), list(stored or []), n, named)
    if regions:
        rows = (
            qs.annotate(_month=TruncMonth("identified_on"))
            .values_list("_month", "identified_region")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for month, region, n in rows:
            cells = monthly.setdefault(_month_of(month), {})
            key = f"r:{region or 'none'}"
            cells[key] = cells.get(key, 0) + n
    return monthly


def _add(cells: dict[str, int], key: str, n: int) -> None:
    cells[key] = cells.get(key, 0) + n


def _add_citizenships(cells: dict[str, int], codes: list[str], n: int, named: set[str]) -> None:
    keys = [f"c:{c}" for c in codes if c in named]
    if any(c not in named for c in codes):
        keys.append(f"c:{OTHER}")  # a person counts once in "other", however many
    if not codes:
        keys.append(f"c:{UNKNOWN}")
    for key in keys:
        _add(cells, key, n)


def _counted_case_months(
    scope: Scope, start: date, end: date, *, citizenships: list[str], regions: bool
) -> dict[Period, dict[str, int]]:
    """case_months from the monthly figures: each breakdown's rows, as the records give."""
    named = set(citizenships)
    sexes, exploitation = set(cv.Sex.values), set(cv.ExploitationType.values)
    ages = {code for code, *_ in cv.AGE_GROUPS} | {UNKNOWN}
    monthly: dict[Period, dict[str, int]] = {}
    for month, dimension, value, n in figures.case_rows(scope, start, end):
        cells = monthly.setdefault(_month_of(month), {})
        if dimension == CaseDimension.SEX:
            _add(cells, "identified", n)  # every case has one row by sex, blank or not
            if value in sexes:
                _add(cells, f"s:{value}", n)
        elif dimension == CaseDimension.AGE:
            if value in ages:
                _add(cells, f"g:{value}", n)
        elif dimension == CaseDimension.EXPLOITATION:
            for code in set(figures.codes(value)) & exploitation:
                _add(cells, f"e:{code}", n)
        elif dimension == CaseDimension.CITIZENSHIPS:
            _add_citizenships(cells, figures.codes(value), n, named)
        elif dimension == CaseDimension.REGION and regions:
            _add(cells, f"r:{value or 'none'}", n)
    return monthly


def identified_count(scope: Scope, start: date, end: date) -> int:
    """Victims identified from start to end, as counted (not released)."""
    if scope.counted_ahead(start, end):
        return figures.identified(scope, start, end)
    return scope.cases().filter(identified_on__gte=start, identified_on__lte=end).count()


def _strip(cells: dict[str, Any]) -> dict[str, Any]:
    """Cell keys without their prefix: {"s:female": 3} -> {"female": 3}."""
    return {key.split(":", 1)[1]: value for key, value in cells.items()}


def _case_data(scope: Scope, year: int, start: date, end: date):
    """The layout of the victim figures of a year (its named citizenships) and the monthly
    counts from start to end within it."""
    citizenships = named_citizenships(scope, Period(year, Unit.YEAR))
    regions = _regions(scope)
    layout = case_layout(citizenships=citizenships, regions=regions)
    monthly = case_months(scope, start, end, citizenships=citizenships, regions=regions is not None)
    return layout, monthly, regions


def identified_window(scope: Scope, parts: list[Period], k: int) -> int | str:
    """Victims identified over calendar units (a figure "to date"), released exactly as the
    dashboard and the reports release each unit (same breakdowns, so the same total hidden
    or shown), and hidden when any unit's is (labelled as suppression.SpanReleased says)."""
    by_year: dict[int, list[Period]] = {}
    for part in parts:
        for year in range(part.start.year, part.end.year + 1):
            by_year.setdefault(year, []).append(part)
    released = []
    for year, year_parts in sorted(by_year.items()):
        first = min(p.start for p in year_parts)
        last = max(p.end for p in year_parts)
        layout, monthly, _regions = _case_data(scope, year, first, last)
        released += [suppression.release(layout, monthly, part, k) for part in year_parts]
    total = Layout("identified")
    return suppression.release_parts(total, released, tuple(parts)).shown("identified")


def cases(
    scope: Scope, period: Span, *, k: int | None, region_id: int | None = None
) -> dict[str, Any]:
    """Presumed and actual victims identified in the period. With k, released as outside the
    case team: small cells hidden (with complement) in every breakdown and the total,
    consistently with the months and quarters the period is made of.

    Over a window (periods.Window), each figure is the sum of those of the calendar units
    it is made of (`suppression.release_span`); the breakdown by citizenship is left out
    when the window spans two years that name different citizenships (a nationality counted
    as "other" in one and by name in the other cannot be added up).

    With region_id (and a country scope): that region's figures, which are its row of the
    country's breakdown by region, hidden as there; no breakdown by sex, age... for one
    region (a region's breakdowns beside the country's would give the other regions' by
    subtraction)."""
    parts = periods.parts_of(period)
    data = {}
    for year in sorted({part.year for part in parts}):
        start = max(period.start, date(year, 1, 1))
        data[year] = _case_data(scope, year, start, min(period.end, date(year, 12, 31)))
    layout, _monthly, regions = data[max(data)]
    same_layout = all(found[0] == layout for found in data.values())

    def release(part: Period) -> suppression.Released:
        year_layout, monthly, _regions = data[part.year]
        return suppression.release(year_layout, monthly, part, k or 1)

    released = suppression.release_parts(layout, [release(part) for part in parts], period)
    months = [release(month) for month in period.months()]

    def cell(key: str, of: suppression.Released = released) -> int | str:
        return of.shown(key) if k else of.values.get(key, 0)

    if region_id is not None:
        if regions is None:
            raise ValueError("a region's figures come from its country's breakdown")
        key = f"r:{region_id}"
        return {
            "identified": cell(key),
            "by_month": [(m.period.key, cell(key, m)) for m in months],
        }
    result: dict[str, Any] = {"identified": cell("identified")}
    for name in ("by_exploitation_type", "by_sex", "by_age_group", "by_citizenship"):
        if name == "by_citizenship" and not same_layout:
            continue
        result[name] = _strip({key: cell(key) for key in layout.groups[name]})
    if regions is not None:
        names = dict(regions)
        result["by_region"] = {
            names[key.split(":", 1)[1]]: cell(key) for key in layout.groups["by_region"]
        }
    # Each month as in its own view; a zero beside a hidden month is hidden too.
    by_month = [cell("identified", m) for m in months]
    if k and any(not isinstance(v, int) for v in by_month):
        by_month = [suppression.label(k) if v == 0 else v for v in by_month]
    result["by_month"] = [(m.period.key, v) for m, v in zip(months, by_month, strict=True)]
    return result


def data_bounds(countries: frozenset[str] | None) -> tuple[date | None, date | None]:
    """The first and last months victims were identified in these countries (None: all),
    as their first days."""
    row = figures.month_bounds(countries)
    return row["first"], row["last"]


def record_bounds(countries: frozenset[str] | None) -> tuple[date | None, date | None]:
    """The first and last months of the records the dashboard counts in these countries
    (None: all), as days within them: a victim identified, a referral sent, a training
    session started."""
    sessions = TrainingSession.objects.using(reports_db()).all()
    if countries is not None:
        sessions = sessions.filter(country__in=countries)
    return _bounds(
        figures.month_bounds(countries),
        figures.month_bounds(countries, referrals=True),
        sessions.aggregate(first=Min("start_date"), last=Max("start_date")),
    )


def newest_record(scope: Scope) -> date | None:
    """A day of the month of the newest record the dashboard counts in the scope."""
    if scope.project is not None or scope.live:
        return _bounds(
            scope.cases().aggregate(last=Max("identified_on")),
            scope.referrals().aggregate(last=Max("sent_at")),
            scope.sessions().aggregate(last=Max("start_date")),
        )[1]
    countries = frozenset({scope.country}) if scope.country else None
    return _bounds(
        figures.month_bounds(countries, region_id=scope.region_id),
        figures.month_bounds(countries, region_id=scope.region_id, referrals=True),
        scope.sessions().aggregate(last=Max("start_date")),
    )[1]


def _bounds(*rows: dict[str, Any]) -> tuple[date | None, date | None]:
    def day(value: date | datetime) -> date:
        return timezone.localtime(value).date() if isinstance(value, datetime) else value

    firsts = [day(row["first"]) for row in rows if row.get("first")]
    lasts = [day(row["last"]) for row in rows if row.get("last")]
    return min(firsts, default=None), max(lasts, default=None)


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


def response_times(scope: Scope, start: date, end: date) -> tuple[float | None, int]:
    """The median hours to answer the referrals sent from start to end (None: no answer),
    and how many were answered. From the monthly figures, the median is read from buckets
    of answers (figures.response_median says how close it is)."""
    if scope.counted_ahead(start, end, by_region=False):
        return figures.response_median(scope, start, end)
    qs = scope.referrals().filter(**sent_between(start, end)).order_by()
    median = median_response_hours(qs)
    answered = qs.filter(responded_at__isnull=False).count() if median is not None else 0
    return median, answered


REFERRAL_LAYOUT = Layout(
    "made",
    {
        "outcome": ["completed", "accepted_open", "not_accepted"],
        "border": ["cross_border", "domestic"],
    },
)


def referral_months(scope: Scope, start: date, end: date) -> dict[Period, dict[str, int]]:
    if scope.counted_ahead(start, end):
        monthly: dict[Period, dict[str, int]] = {}
        for month, status, cross_border, n in figures.referral_rows(scope, start, end):
            cells = monthly.setdefault(_month_of(month), dict.fromkeys(REFERRAL_LAYOUT.cells(), 0))
            cells["made"] += n
            if status == S.COMPLETED:
                cells["completed"] += n
            elif status in ACCEPTED:
                cells["accepted_open"] += n
            else:
                cells["not_accepted"] += n
            cells["cross_border" if cross_border else "domestic"] += n
        return monthly
    qs = scope.referrals().filter(**sent_between(start, end))
    cross = ~Q(destination_country=F("from_organisation__country"))
    return _by_month(
        qs,
        "sent_at",
        {
            "made": Count("pk"),
            "completed": Count("pk", filter=Q(status=S.COMPLETED)),
            "accepted_open": Count("pk", filter=Q(status__in=ACCEPTED) & ~Q(status=S.COMPLETED)),
            "not_accepted": Count("pk", filter=~Q(status__in=ACCEPTED)),
            "cross_border": Count("pk", filter=cross),
            "domestic": Count("pk", filter=~cross),
        },
    )


def referrals(scope: Scope, period: Span, *, k: int | None) -> dict[str, Any]:
    monthly = referral_months(scope, period.start, period.end)
    released = suppression.release_span(REFERRAL_LAYOUT, monthly, period, k or 1)
    values = released.values
    accepted = values["completed"] + values["accepted_open"]
    median, answered = response_times(scope, period.start, period.end)
    if not k:
        return {
            "made": values["made"],
            "accepted": accepted,
            "completed": values["completed"],
            "cross_border": values["cross_border"],
            "median_response_hours": median,
        }
    hidden = released.hidden
    if "made" not in hidden and not {"not_accepted"} & hidden:
        shown_accepted: int | str = accepted  # the total minus the refusals shown: nothing new
    elif not {"completed", "accepted_open"} & hidden:
        shown_accepted = accepted
    elif isinstance(period, Period):
        shown_accepted = suppression.shown(accepted, True, k)
    else:
        # Over a window, labelled from the true sum, "<k" could tell a hidden 0 from a 1.
        shown_accepted = suppression.COMPLEMENT
    return {
        "made": released.shown("made"),
        "accepted": shown_accepted,
        "completed": released.shown("completed"),
        "cross_border": released.shown("cross_border"),
        # A median of a few answers tells each one's delay.
        "median_response_hours": median if answered >= k and "made" not in hidden else None,
    }


def service_layout() -> Layout:
    return Layout("services", {"by_type": [f"t:{c}" for c in cv.ServiceType.values]})


def service_months(scope: Scope, start: date, end: date) -> dict[Period, dict[str, int]]:
    if scope.counted_ahead(start, end):
        types = set(cv.ServiceType.values)
        monthly: dict[Period, dict[str, int]] = {}
        for month, service_type, n in figures.service_rows(scope, start, end):
            cells = monthly.setdefault(_month_of(month), {})
            _add(cells, "services", n)
            if service_type in types:
                _add(cells, f"t:{service_type}", n)
        return monthly
    qs = scope.services().filter(delivered_on__gte=start, delivered_on__lte=end)
    aggregates: dict[str, Any] = {"services": Count("pk")}
    for code in cv.ServiceType.values:
        aggregates[f"t:{code}"] = Count("pk", filter=Q(service_type=code))
    return _by_month(qs, "delivered_on", aggregates)


def totals(monthly: dict[Period, dict[str, int]]) -> dict[str, int]:
    """The cells of several months added up."""
    summed: dict[str, int] = {}
    for cells in monthly.values():
        for key, n in cells.items():
            _add(summed, key, n)
    return summed


def services(scope: Scope, period: Span, *, k: int | None) -> dict[str, Any]:
    layout = service_layout()
    monthly = service_months(scope, period.start, period.end)
    released = suppression.release_span(layout, monthly, period, k or 1)
    if not k:
        return {"by_type": _strip({key: released.values[key] for key in layout.groups["by_type"]})}
    return {"by_type": _strip(released.group("by_type"))}


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
