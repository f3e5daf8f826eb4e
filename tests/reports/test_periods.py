"""The release periods outside the case team: calendar months, quarters and years that have
ended; nothing else is a period, and a window "to date" is made of them."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from traffick_cm import periods
from traffick_cm.periods import Period, Unit

TODAY = date(2026, 11, 30)


@pytest.mark.parametrize(
    ("key", "start", "end"),
    [
        ("2025", date(2025, 1, 1), date(2025, 12, 31)),
        ("2025-Q1", date(2025, 1, 1), date(2025, 3, 31)),
        ("2024-Q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29)),
    ],
)
def test_a_key_names_a_calendar_unit(key, start, end):
    period = periods.parse(key)

    assert (period.start, period.end) == (start, end)
    assert period.key == key
    assert periods.from_dates(start, end) == period


@pytest.mark.parametrize(
    "key", ["", "2025-Q5", "2025-13", "2025-00", "25", "2025-1", "x", "2025-W1"]
)
def test_anything_else_is_not_a_period(key):
    with pytest.raises(ValueError):
        periods.parse(key)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (date(2025, 1, 1), date(2025, 1, 30)),
        (date(2025, 1, 2), date(2025, 1, 31)),
        (date(2025, 1, 1), date(2025, 4, 30)),
        (date(2025, 7, 1), date(2026, 6, 30)),
        (date(2025, 1, 1), date(2025, 1, 1)),
    ],
)
def test_a_window_that_is_not_a_calendar_unit_is_refused(start, end):
    assert periods.from_dates(start, end) is None
    with pytest.raises(ValidationError) as refused:
        periods.release_period(start, end, today=TODAY)
    assert refused.value.code == "not_a_period"


def test_a_unit_that_has_not_ended_is_refused():
    with pytest.raises(ValidationError) as refused:
        periods.release_period(date(2026, 11, 1), date(2026, 11, 30), today=TODAY)

    assert refused.value.code == "period_not_ended"
    assert periods.release_period(date(2026, 10, 1), date(2026, 10, 31), today=TODAY)


def test_the_last_complete_units():
    assert periods.last_complete(Unit.MONTH, TODAY).key == "2026-10"
    assert periods.last_complete(Unit.QUARTER, TODAY).key == "2026-Q3"
    assert periods.last_complete(Unit.YEAR, TODAY).key == "2025"


def test_the_choices_are_complete_units_only():
    keys = [
        key for _group, options in periods.choices(TODAY, first_year=2024) for key, _ in options
    ]

    assert "2026" not in keys and "2026-Q4" not in keys and "2026-11" not in keys
    assert {"2025", "2024", "2026-Q3", "2024-Q1", "2026-10", "2024-01"} <= set(keys)


def test_a_window_to_date_is_made_of_whole_months_to_the_last_complete_one():
    window = periods.to_date_window(date(2020, 3, 13), date(2030, 12, 31), today=TODAY)

    assert window == (date(2020, 3, 1), date(2026, 10, 31))
    assert periods.to_date_window(date(2026, 11, 5), date(2027, 1, 1), today=TODAY) is None


def test_a_window_is_cut_into_the_fewest_calendar_units():
    parts = periods.decompose(date(2020, 3, 1), date(2026, 10, 31))

    assert [p.key for p in parts] == [
        "2020-03",
        "2020-Q2",
        "2020-Q3",
        "2020-Q4",
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
        "2026-Q1",
        "2026-Q2",
        "2026-Q3",
        "2026-10",
    ]
    assert periods.decompose(date(2025, 1, 1), date(2025, 12, 31)) == [Period(2025, Unit.YEAR)]


def test_the_default_is_the_last_complete_year_when_the_data_reach_it():
    assert periods.default(TODAY, None, None).key == "2025"
    assert periods.default(TODAY, date(2024, 5, 1), date(2026, 11, 2)).key == "2025"
    # Data only since this year: the coarsest complete unit holding the latest.
    assert periods.default(TODAY, date(2026, 2, 1), date(2026, 8, 2)).key == "2026-Q3"
    assert periods.default(TODAY, date(2026, 10, 3), date(2026, 11, 20)).key == "2026-10"
