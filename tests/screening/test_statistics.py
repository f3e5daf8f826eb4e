"""Screening figures (screening/statistics.py): anonymous screenings are counted, and outside
the case team small cells are hidden with complement, as victim figures are."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.utils import timezone

from accounts.roles import Role
from screening import services
from screening.statistics import ScreeningScope, identified_window, screened_window, screenings
from tests import factories
from traffick_cm.codebooks import TraffickingStatus as T
from traffick_cm.periods import Period, Unit

K = 5
MARCH = Period(2025, Unit.MONTH, 3)
APRIL = Period(2025, Unit.MONTH, 4)
NEGATIVE = {"recruiter": "nobody", "journey_arranged_by": "self"}


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.SMALL_CELL_THRESHOLD = K


def _at(day: int, month: int = 3) -> datetime:
    return datetime(2025, month, day, 10, 0, tzinfo=timezone.get_current_timezone())


@pytest.fixture
def march(users):
    """Twelve anonymous screenings in Bangui's flow monitoring points in March 2025: eight
    women (decided actual victims), four men (not victims, decided so)."""
    caseworker = users[Role.CASEWORKER]
    made = []
    for day in range(1, 9):
        screening = factories.screening(actor=caseworker, screened_at=_at(day), sex="female")
        services.status_decide(
            actor=caseworker, screening=screening, status=T.ACTUAL, justification="Clear."
        )
        made.append(screening)
    for day in range(10, 14):
        screening = factories.screening(
            actor=caseworker, screened_at=_at(day), sex="male", answers=NEGATIVE
        )
        services.status_decide(
            actor=caseworker, screening=screening, status=T.NOT_A_VICTIM, justification="Free."
        )
        made.append(screening)
    assert all(s.anonymous for s in made)
    return made


def test_anonymous_screenings_are_counted_for_the_case_team(march):
    figures = screenings(ScreeningScope(country="CF"), MARCH, k=None)

    assert figures["screened"] == 12
    assert figures["by_sex"] == {"female": 8, "male": 4, "other": 0}
    assert figures["by_decision"][T.ACTUAL] == 8
    assert figures["by_decision"][T.NOT_A_VICTIM] == 4
    assert figures["identified"] == 8
    assert figures["share_identified"] == 66.7
    assert figures["by_place_type"]["flow_monitoring_point"] == 12
    assert figures["by_month"] == [("2025-03", 12)]
    top = figures["top_indicators"]
    assert top[0]["count"] == 8
    assert "means_debt_bondage" in {row["code"] for row in top}


def test_outside_the_case_team_small_cells_are_hidden_with_complement(march):
    figures = screenings(ScreeningScope(country="CF"), MARCH, k=K)

    assert figures["screened"] == 12
    # Four men: fewer than k, hidden; the women's 8 is hidden too, else 12 - 8 gives them.
    assert figures["by_sex"]["male"] == f"<{K}"
    assert figures["by_sex"]["female"] == "*"
    assert figures["by_sex"]["other"] == f"<{K}"
    assert figures["by_decision"][T.NOT_A_VICTIM] == f"<{K}"
    assert figures["identified"] == "*"
    assert figures["share_identified"] is None
    # Indicators shown by 8 of 12 screenings leave 4 without: not released.
    assert figures["top_indicators"] == []


def test_a_month_with_fewer_screenings_than_k_is_hidden_in_the_quarter_too(users, march):
    caseworker = users[Role.CASEWORKER]
    for day in (2, 3):
        factories.screening(actor=caseworker, screened_at=_at(day, month=4))
    quarter = Period(2025, Unit.QUARTER, 2)

    april = screenings(ScreeningScope(country="CF"), APRIL, k=K)
    q2 = screenings(ScreeningScope(country="CF"), quarter, k=K)

    assert april["screened"] == f"<{K}"
    assert q2["screened"] == f"<{K}"
    assert dict(q2["by_month"]) == {"2025-04": f"<{K}", "2025-05": f"<{K}", "2025-06": f"<{K}"}


def test_another_countrys_screenings_are_not_counted(users, other_org, march):
    factories.screening(
        actor=factories.user(Role.CASEWORKER, organisation=other_org),
        identified_country="GN",
        screened_at=_at(5),
    )

    assert screenings(ScreeningScope(country="CF"), MARCH, k=None)["screened"] == 12
    assert screenings(ScreeningScope(country="GN"), MARCH, k=None)["screened"] == 1


def test_persons_screened_and_identified_for_a_logframe(users, org, march):
    scope = ScreeningScope(organisation_ids=frozenset({org.pk}))
    parts = [MARCH, APRIL]

    assert screened_window(scope, parts, None) == 12
    assert identified_window(scope, parts, None) == 8
    assert screened_window(scope, parts, K) == 12
    # March's 8 identified are hidden (beside 4 not identified): so is the figure to date.
    assert identified_window(scope, parts, K) == "*"
