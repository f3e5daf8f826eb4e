"""Figures about screenings, for the dashboard, the operational report and the indicators
of action plans and project logframes ("persons screened", "victims identified at
screening"). Anonymous screenings count like the others: a screening needs no name to be
counted.

Screenings are figures about people who may be victims: outside the case team they leave
only as victim figures do, over calendar months, quarters and years, small cells hidden
with complement (traffick_cm/suppression.py, `release`). Pass `k=None` for the case team's
own view (nothing hidden).

The families of figures released:
- the main one: screenings in the period, broken down by decision (possible, actual, not a
  victim, not decided yet), by whether the person was identified (possible or actual) or
  not, by suggested status, type of place, sex, age group and (for a country) region;
- one per indicator: the screenings that show it and those that do not. An indicator is
  listed among the most frequent only when its count is released; a screening shows several
  indicators, so they are not one breakdown of the total but one each."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from partners.models import Region
from screening.indicators import every_indicator
from screening.models import AGE_GROUP_CHOICES, PlaceType, Screening
from traffick_cm import codebooks as v
from traffick_cm import periods, suppression
from traffick_cm.fields import ChoiceListField
from traffick_cm.periods import Period, Span, Unit
from traffick_cm.suppression import Layout

TOTAL = "screened"
UNDECIDED = "undecided"
NOT_STATED = "—"
IDENTIFIED = (v.TraffickingStatus.POSSIBLE, v.TraffickingStatus.ACTUAL)
# The cell of the screenings decided possible or actual victims.
IDENTIFIED_CELL = "id:yes"


def _db() -> str:
    # The database reports read (a replica when one is configured), as reports do.
    return settings.REPORTS_DATABASE


@dataclass(frozen=True)
class ScreeningScope:
    """Which screenings count: those of a country (and a region of it), and for a project's
    logframe those of its organisations."""

    country: str = ""
    region_id: int | None = None
    organisation_ids: frozenset[int] | None = None
    # A project's countries (it may have several): no breakdown by region then.
    countries: frozenset[str] | None = None

    def screenings(self) -> QuerySet[Screening]:
        qs = Screening.objects.using(_db()).all()
        if self.country:
            qs = qs.filter(identified_country=self.country)
        if self.countries is not None:
            qs = qs.filter(identified_country__in=self.countries)
        if self.region_id:
            qs = qs.filter(identified_region=self.region_id)
        if self.organisation_ids is not None:
            qs = qs.filter(organisation__in=self.organisation_ids)
        return qs


def _regions(scope: ScreeningScope) -> list[tuple[str, str]] | None:
    """Every region of the scope's country and "not stated" (a region left out would read
    as 0); None when the breakdown does not apply (no country, or one region)."""
    if not scope.country or scope.region_id:
        return None
    regions = Region.objects.using(_db()).filter(country=scope.country).order_by("name")
    return [(str(pk), name) for pk, name in regions.values_list("pk", "name")] + [
        ("none", NOT_STATED)
    ]


def screening_layout(*, regions: list[tuple[str, str]] | None) -> Layout:
    statuses = list(v.TraffickingStatus.values)
    groups: dict[str, list[str]] = {
        "by_decision": [f"d:{s}" for s in statuses] + [f"d:{UNDECIDED}"],
        "by_identification": ["id:yes", "id:no"],
        "by_suggestion": [f"u:{s}" for s in statuses],
        "by_place_type": [f"p:{c}" for c in PlaceType.values],
        "by_sex": [f"s:{c}" for c in v.Sex.values],
        "by_age_group": [f"g:{code}" for code, _label in AGE_GROUP_CHOICES],
    }
    if regions is not None:
        groups["by_region"] = [f"r:{key}" for key, _name in regions]
    return Layout(TOTAL, groups)


def indicator_layout(code: str) -> Layout:
    """An indicator's family: the screenings showing it and the others."""
    return Layout(TOTAL, {"indicator": [f"i:{code}", f"n:{code}"]})


def _month_of(value: date | datetime) -> Period:
    day = timezone.localtime(value).date() if isinstance(value, datetime) else value
    return periods.containing(day, Unit.MONTH)


def screening_months(
    scope: ScreeningScope, start: date, end: date, *, regions: bool
) -> dict[Period, dict[str, int]]:
    """Screenings per month from start to end, with the counts of every cell (those of
    every family): one query, and one more for the regions."""
    qs = scope.screenings().filter(screened_at__date__gte=start, screened_at__date__lte=end)
    aggregates: dict[str, Any] = {TOTAL: Count("pk")}
    for status in v.TraffickingStatus.values:
        aggregates[f"d:{status}"] = Count("pk", filter=Q(status=status))
        aggregates[f"u:{status}"] = Count("pk", filter=Q(suggested_status=status))
    aggregates[f"d:{UNDECIDED}"] = Count("pk", filter=Q(status=""))
    aggregates["id:yes"] = Count("pk", filter=Q(status__in=IDENTIFIED))
    aggregates["id:no"] = Count("pk", filter=~Q(status__in=IDENTIFIED))
    for code in PlaceType.values:
        aggregates[f"p:{code}"] = Count("pk", filter=Q(place_type=code))
    for code in v.Sex.values:
        aggregates[f"s:{code}"] = Count("pk", filter=Q(sex=code))
    for code, _label in AGE_GROUP_CHOICES:
        aggregates[f"g:{code}"] = Count("pk", filter=Q(age_group=code))
    codes = list(every_indicator())
    for code in codes:
        aggregates[f"i:{code}"] = Count(
            "pk", filter=Q(indicators__contains=ChoiceListField.has(code))
        )
    rows = (
        qs.annotate(_month=TruncMonth("screened_at"))
        .values("_month")
        .annotate(**aggregates)
        .order_by()
    )
    monthly: dict[Period, dict[str, int]] = {}
    for row in rows:
        cells = monthly.setdefault(_month_of(row.pop("_month")), {})
        for key, value in row.items():
            cells[key] = cells.get(key, 0) + value
    for cells in monthly.values():
        for code in codes:
            cells[f"n:{code}"] = cells[TOTAL] - cells.get(f"i:{code}", 0)
    if regions:
        by_region = (
            qs.annotate(_month=TruncMonth("screened_at"))
            .values_list("_month", "identified_region")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for month, region, n in by_region:
            cells = monthly.setdefault(_month_of(month), {})
            key = f"r:{region or 'none'}"
            cells[key] = cells.get(key, 0) + n
    return monthly


def _release(
    layout: Layout, monthly: suppression.Monthly, span: Span, k: int | None
) -> suppression.Released:
    """As reports release victim figures; with k=None nothing is hidden."""
    return suppression.release_span(layout, monthly, span, k or 1)


def _cell(released: suppression.Released, key: str, k: int | None) -> int | str:
    return released.shown(key) if k else released.values.get(key, 0)


def _strip(cells: dict[str, Any]) -> dict[str, Any]:
    return {key.split(":", 1)[1]: value for key, value in cells.items()}


def share(part: int | str, total: int | str) -> float | None:
    """A percentage, or None when either figure is hidden or there is nothing to divide."""
    if not isinstance(part, int) or not isinstance(total, int) or not total:
        return None
    return round(100 * part / total, 1)


def screenings(
    scope: ScreeningScope, period: Span, *, k: int | None, top: int = 10
) -> dict[str, Any]:
    """The screenings of a period: how many, per month, per place, with which outcome, by
    sex and age group, the share identified as possible or actual victims, and the most
    frequent indicators. With k, released as outside the case team."""
    regions = _regions(scope)
    layout = screening_layout(regions=regions)
    monthly = screening_months(scope, period.start, period.end, regions=regions is not None)
    released = _release(layout, monthly, period, k)

    def group(name: str) -> dict[str, int | str]:
        return _strip({key: _cell(released, key, k) for key in layout.groups[name]})

    total = _cell(released, TOTAL, k)
    result: dict[str, Any] = {"screened": total}
    for name in layout.groups:
        if name != "by_region":
            result[name] = group(name)
    if regions is not None:
        names = dict(regions)
        result["by_region"] = {names[key]: value for key, value in group("by_region").items()}
    identified = result["by_identification"]["yes"]
    result["identified"] = identified
    result["share_identified"] = share(identified, total)
    months = [_release(layout, monthly, month, k) for month in period.months()]
    by_month = [_cell(month, TOTAL, k) for month in months]
    # A zero beside a hidden month is hidden too.
    if k and any(not isinstance(value, int) for value in by_month):
        by_month = [suppression.label(k) if value == 0 else value for value in by_month]
    result["by_month"] = [(m.period.key, value) for m, value in zip(months, by_month, strict=True)]
    result["top_indicators"] = most_frequent_indicators(monthly, period, k=k, top=top)
    return result


def most_frequent_indicators(
    monthly: suppression.Monthly, period: Span, *, k: int | None, top: int = 10
) -> list[dict[str, Any]]:
    """The indicators shown most often in the period, with their counts, among those whose
    count is released (each indicator in its own family: showing it, or not)."""
    known = every_indicator()
    rows = []
    for code, indicator in known.items():
        released = _release(indicator_layout(code), monthly, period, k)
        count = _cell(released, f"i:{code}", k)
        if isinstance(count, int) and count > 0:
            rows.append(
                {
                    "code": code,
                    "label": indicator.label,
                    "element": indicator.element,
                    "strength": indicator.strength,
                    "count": count,
                }
            )
    rows.sort(key=lambda row: (-row["count"], row["code"]))
    return rows[:top]


def windows(
    scope: ScreeningScope, parts: Iterable[Period], cells: Iterable[str], k: int | None
) -> dict[str, int | str]:
    """Cells of the screenings' table over calendar units (a logframe's figures "to
    date"), released as each unit is: hidden when any unit's is. One count for every cell:
    TOTAL (persons screened) and "id:yes" (decided possible or actual victims)."""
    parts, cells = list(parts), list(cells)
    if not parts:
        return dict.fromkeys(cells, 0)
    regions = _regions(scope)
    layout = screening_layout(regions=regions)
    start = min(part.start for part in parts)
    end = max(part.end for part in parts)
    monthly = screening_months(scope, start, end, regions=regions is not None)
    released = [suppression.release(layout, monthly, part, k or 1) for part in parts]
    combined = suppression.release_parts(layout, released, tuple(parts))
    return {cell: combined.shown(cell) if k else combined.values.get(cell, 0) for cell in cells}


def screened_window(scope: ScreeningScope, parts: Iterable[Period], k: int | None) -> int | str:
    """Persons screened over calendar units, released as each unit is."""
    return windows(scope, parts, [TOTAL], k)[TOTAL]


def identified_window(scope: ScreeningScope, parts: Iterable[Period], k: int | None) -> int | str:
    """Persons screened and decided possible or actual victims over calendar units."""
    return windows(scope, parts, [IDENTIFIED_CELL], k)[IDENTIFIED_CELL]
