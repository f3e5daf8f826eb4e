"""The periods over which figures about victims leave the case team.

Outside the case team, victim figures are released only over fixed calendar units: a month,
a quarter or a year, and only once the unit has ended. Arbitrary windows are refused: two
windows one day apart give, by subtraction, the exact count of that day; and so do runs of
whole months ((January-April) minus (January-March) is April), so only the fixed units of
the calendar are offered, which nest (months in quarters, quarters in years) and never
overlap otherwise. How the nested units are kept from being subtracted from one another is
traffick_cm/suppression.py's business (`release`).

A figure "to date" (an indicator of a plan or a project) ends at the end of the last complete
month and is the sum of released calendar units (`decompose`)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Unit(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"


UNIT_LABELS = {
    Unit.YEAR: gettext_lazy("Years"),
    Unit.QUARTER: gettext_lazy("Quarters"),
    Unit.MONTH: gettext_lazy("Months"),
}


@dataclass(frozen=True, order=True)
class Period:
    """A calendar month (index 1-12), quarter (1-4) or year (index 1)."""

    year: int
    unit: Unit
    index: int = 1

    def __post_init__(self) -> None:
        top = {Unit.MONTH: 12, Unit.QUARTER: 4, Unit.YEAR: 1}[self.unit]
        if not 1 <= self.index <= top or not 1900 <= self.year <= 9999:
            raise ValueError(f"no such period: {self.unit} {self.index} of {self.year}")

    @property
    def start(self) -> date:
        if self.unit == Unit.MONTH:
            return date(self.year, self.index, 1)
        if self.unit == Unit.QUARTER:
            return date(self.year, 3 * self.index - 2, 1)
        return date(self.year, 1, 1)

    @property
    def end(self) -> date:
        if self.unit == Unit.MONTH:
            last_month = self.index
        elif self.unit == Unit.QUARTER:
            last_month = 3 * self.index
        else:
            last_month = 12
        return date(self.year, last_month, calendar.monthrange(self.year, last_month)[1])

    @property
    def key(self) -> str:
        """As in a URL or a form: 2025, 2025-Q3, 2025-07."""
        if self.unit == Unit.MONTH:
            return f"{self.year}-{self.index:02d}"
        if self.unit == Unit.QUARTER:
            return f"{self.year}-Q{self.index}"
        return str(self.year)

    @property
    def label(self) -> str:
        if self.unit == Unit.MONTH:
            return formats.date_format(self.start, "YEAR_MONTH_FORMAT")
        if self.unit == Unit.QUARTER:
            return _("Q%(quarter)s %(year)s") % {"quarter": self.index, "year": self.year}
        return str(self.year)

    def __str__(self) -> str:
        return self.key

    def months(self) -> list[Period]:
        first = self.start.month
        return [Period(self.year, Unit.MONTH, m) for m in range(first, self.end.month + 1)]

    def quarters(self) -> list[Period]:
        """The quarters of a year (a quarter's is itself; a month has none)."""
        if self.unit == Unit.YEAR:
            return [Period(self.year, Unit.QUARTER, q) for q in range(1, 5)]
        return [self] if self.unit == Unit.QUARTER else []

    def quarter(self) -> Period:
        """The quarter a month falls in."""
        return Period(self.year, Unit.QUARTER, (self.start.month - 1) // 3 + 1)

    def previous(self) -> Period:
        return containing(self.start - timedelta(days=1), self.unit)

    def is_complete(self, today: date) -> bool:
        """Ended before today: a period still running is a window "to date"."""
        return self.end < today


def containing(day: date, unit: Unit) -> Period:
    if unit == Unit.MONTH:
        return Period(day.year, Unit.MONTH, day.month)
    if unit == Unit.QUARTER:
        return Period(day.year, Unit.QUARTER, (day.month - 1) // 3 + 1)
    return Period(day.year, Unit.YEAR)


def parse(key: str) -> Period:
    """2025, 2025-Q3 or 2025-07; ValueError for anything else."""
    key = (key or "").strip()
    try:
        if len(key) == 4 and key.isdigit():
            return Period(int(key), Unit.YEAR)
        year, _sep, rest = key.partition("-")
        if len(year) == 4 and year.isdigit():
            if len(rest) == 2 and rest[0] in "Qq" and rest[1].isdigit():
                return Period(int(year), Unit.QUARTER, int(rest[1]))
            if len(rest) == 2 and rest.isdigit():
                return Period(int(year), Unit.MONTH, int(rest))
    except ValueError:
        pass
    raise ValueError(f"not a period: {key!r}")


def from_dates(start: date, end: date) -> Period | None:
    """The calendar month, quarter or year running exactly from start to end, if any."""
    for unit in (Unit.MONTH, Unit.QUARTER, Unit.YEAR):
        period = containing(start, unit)
        if period.start == start and period.end == end:
            return period
    return None


def last_complete(unit: Unit, today: date) -> Period:
    return containing(today, unit).previous()


def last_complete_month_end(today: date) -> date:
    return today.replace(day=1) - timedelta(days=1)


def release_period(start: date, end: date, *, today: date) -> Period:
    """The period a release covers, or ValidationError: outside the case team figures about
    victims cover a whole calendar month, quarter or year that has ended."""
    period = from_dates(start, end)
    if period is None:
        raise ValidationError(
            _(
                "Figures about victims cover a whole calendar month, quarter or year "
                "(for example from %(start)s to %(end)s), so that two periods cannot be "
                "subtracted to give a small count."
            )
            % {
                "start": last_complete(Unit.QUARTER, today).start.isoformat(),
                "end": last_complete(Unit.QUARTER, today).end.isoformat(),
            },
            code="not_a_period",
        )
    if not period.is_complete(today):
        raise ValidationError(
            _("%(period)s has not ended yet: figures cover periods that have ended.")
            % {"period": period.label},
            code="period_not_ended",
        )
    return period


def recent(today: date, *, first_year: int | None = None) -> list[Period]:
    """Complete periods, newest first within each unit: years from first_year (at most ten
    back, at least the last complete one), their quarters and months."""
    last_year = last_complete(Unit.YEAR, today).year
    first = max(min(first_year or last_year, last_year), last_year - 9)
    years = [Period(y, Unit.YEAR) for y in range(today.year, first - 1, -1)]
    result: list[Period] = []
    for unit in (Unit.YEAR, Unit.QUARTER, Unit.MONTH):
        for year in years:
            if unit == Unit.YEAR:
                candidates = [year]
            elif unit == Unit.QUARTER:
                candidates = list(reversed(year.quarters()))
            else:
                candidates = list(reversed(year.months()))
            result += [p for p in candidates if p.is_complete(today)]
    return result


def choices(today: date, *, first_year: int | None = None) -> list[tuple[str, list]]:
    """Grouped choices for a select: years, quarters, months."""
    groups: dict[Unit, list[tuple[str, str]]] = {unit: [] for unit in UNIT_LABELS}
    for period in recent(today, first_year=first_year):
        groups[period.unit].append((period.key, period.label))
    return [(str(UNIT_LABELS[unit]), options) for unit, options in groups.items() if options]


def default(today: date, first_data: date | None, latest_data: date | None) -> Period:
    """The last complete year when the data reach into it (or with no data at all); else
    the coarsest complete period holding the latest data."""
    last_year = last_complete(Unit.YEAR, today)
    if latest_data is None or first_data is None:
        return last_year
    if first_data <= last_year.end and latest_data >= last_year.start:
        return last_year
    latest_data = min(latest_data, last_complete_month_end(today))
    for unit in (Unit.YEAR, Unit.QUARTER, Unit.MONTH):
        period = containing(latest_data, unit)
        if period.is_complete(today):
            return period
    return last_year  # unreachable: the month of the latest data has ended


def decompose(start: date, end: date) -> list[Period]:
    """Whole months from start's month to end's month as the fewest calendar units: months up
    to a quarter boundary, quarters up to a year boundary, years, then back down."""
    first = containing(start, Unit.MONTH)
    last = containing(end, Unit.MONTH)
    parts: list[Period] = []
    current = first
    while current <= last and current.start <= last.start:
        year = containing(current.start, Unit.YEAR)
        quarter = current.quarter()
        if current.start == year.start and year.end <= last.end:
            parts.append(year)
            following = year.end + timedelta(days=1)
        elif current.start == quarter.start and quarter.end <= last.end:
            parts.append(quarter)
            following = quarter.end + timedelta(days=1)
        else:
            parts.append(current)
            following = current.end + timedelta(days=1)
        current = containing(following, Unit.MONTH)
    return parts


def to_date_window(start: date, end: date, *, today: date) -> tuple[date, date] | None:
    """A plan's or project's span, as released "to date": from the first day of its first
    month to the end of its last month or of the last complete month, whichever is earlier.
    None when not one month of it has ended."""
    first = containing(start, Unit.MONTH).start
    last = min(containing(end, Unit.MONTH).end, last_complete_month_end(today))
    if last < first:
        return None
    return first, last


# "The last 12 months": a window of whole months, made of calendar units.

WINDOW_MONTHS = 12


@dataclass(frozen=True, order=True)
class Window:
    """Twelve whole months ending with `last` (a month): what a dashboard shows by default
    when the newest data are in a year that has not ended. It is not a unit of release: its
    figures are the sums of the released calendar units it is made of (`parts`), each cell
    hidden when any unit hides it, as a figure "to date" is; so it says nothing that those
    units, each of which anyone may ask for, do not, and two windows a month apart cannot
    be subtracted to give more than that month's own figures."""

    last: Period

    def __post_init__(self) -> None:
        if self.last.unit != Unit.MONTH:
            raise ValueError(f"a window ends with a month, not {self.last}")

    @property
    def first(self) -> Period:
        index = self.last.year * 12 + self.last.index - WINDOW_MONTHS  # months since year 0
        return Period(index // 12, Unit.MONTH, index % 12 + 1)

    @property
    def start(self) -> date:
        return self.first.start

    @property
    def end(self) -> date:
        return self.last.end

    @property
    def key(self) -> str:
        """As in a URL or a form: 2025-11..2026-10."""
        return f"{self.first.key}..{self.last.key}"

    @property
    def label(self) -> str:
        return _("%(first)s to %(last)s") % {"first": self.first.label, "last": self.last.label}

    def __str__(self) -> str:
        return self.key

    def months(self) -> list[Period]:
        return [month for part in self.parts() for month in part.months()]

    def parts(self) -> list[Period]:
        """The calendar units it is made of, the coarsest possible (`decompose`)."""
        return decompose(self.start, self.end)

    def is_complete(self, today: date) -> bool:
        return self.end < today


Span = Period | Window


def parse_span(key: str) -> Span:
    """A calendar unit's key, or a window's (2025-11..2026-10: twelve months); ValueError
    for anything else."""
    first, sep, last = (key or "").strip().partition("..")
    if not sep:
        return parse(first)
    window = Window(parse(last))
    if parse(first) != window.first:
        raise ValueError(f"not a window of {WINDOW_MONTHS} months: {key!r}")
    return window


def latest(today: date, newest: date | None) -> Span:
    """What a dashboard shows when no period is chosen: the newest data. The calendar year
    of the newest record when that year has ended; else the twelve months ending with the
    newest record's month (or with the last complete month, when the newest record is of
    this month); with no record at all, the twelve months to the last complete month."""
    last_month = last_complete(Unit.MONTH, today)
    if newest is None:
        return Window(last_month)
    month = min(containing(newest, Unit.MONTH), last_month)
    year = containing(month.start, Unit.YEAR)
    return year if year.is_complete(today) else Window(month)


def parts_of(span: Span) -> list[Period]:
    """The calendar units a period or a window is released as."""
    return span.parts() if isinstance(span, Window) else [span]
