"""Screenings in the reports (issue 16, "Statistics"): the ministry dashboard, the operational
and donor reports (JSON, XLSX) and the indicators of action plans and logframes count the
screening interviews, anonymous ones included, and release them as victim figures: small
cells hidden with complement, a ministry focal point's for its own country only."""

from __future__ import annotations

import json
from datetime import date, datetime
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.roles import Role
from reports import indicators
from reports.models import ActionPlan, Computation, Indicator
from screening import services
from screening.models import Screening
from tests import factories
from traffick_cm.codebooks import TraffickingStatus as T
from traffick_cm.periods import Period, Unit

K = 5
MARCH = Period(2025, Unit.MONTH, 3)
Q1 = Period(2025, Unit.QUARTER, 1)
# Answers that show no indicator of an element: the person travelled alone, nobody recruited.
NEGATIVE = {"recruiter": "nobody", "journey_arranged_by": "self"}


@pytest.fixture(autouse=True)
def threshold(settings):
    settings.SMALL_CELL_THRESHOLD = K


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def guinea(other_org):
    return {
        "caseworker": factories.user(Role.CASEWORKER, organisation=other_org),
        "ministry": factories.user(Role.MINISTRY, organisation=other_org),
    }


def _at(day: int, month: int = 3, year: int = 2025) -> datetime:
    return datetime(year, month, day, 10, 0, tzinfo=timezone.get_current_timezone())


def _screen(actor, *, day: int = 5, status: str = "", month: int = 3, **fields) -> Screening:
    screening = factories.screening(actor=actor, screened_at=_at(day, month), **fields)
    if status:
        services.status_decide(
            actor=actor, screening=screening, status=status, justification="As the answers say."
        )
    return screening


@pytest.fixture
def march(caseworker):
    """22 screenings in CF in March 2025, by the caseworker's organisation: 12 women at a
    flow monitoring point in Bangui and 2 at a transit centre in Ouaka, decided actual
    victims; 8 men at a border post in Bangui, decided not victims. Two of the women gave
    their names; the others are anonymous."""
    bangui, ouaka = factories.region("CF", "Bangui"), factories.region("CF", "Ouaka")
    made = []
    for day in range(1, 13):
        made.append(_screen(caseworker, day=day, status=T.ACTUAL, identified_region=bangui))
    for day in range(13, 21):
        made.append(
            _screen(
                caseworker,
                day=day,
                status=T.NOT_A_VICTIM,
                sex="male",
                place_type="border_post",
                answers=NEGATIVE,
                identified_region=bangui,
            )
        )
    for day, name in ((21, "Awa"), (22, "Mariam")):
        made.append(
            _screen(
                caseworker,
                day=day,
                status=T.ACTUAL,
                place_type="transit_centre",
                identified_region=ouaka,
                first_name=name,
            )
        )
    return made


def _small_numbers(value):
    """Every whole number from 1 to k-1 in a nested answer (none may leave)."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list | tuple):
        return [n for item in value for n in _small_numbers(item)]
    small = isinstance(value, int) and not isinstance(value, bool) and 0 < value < K
    return [value] if small else []


def _dashboard(client, user, **params):
    client.force_login(user)
    return client.get(reverse("reports:dashboard"), params)


# The dashboard


def test_the_dashboard_shows_the_screenings_as_the_records_say_with_small_cells_hidden(
    client, users, march
):
    response = _dashboard(client, users[Role.MINISTRY], period=MARCH.key)

    assert response.status_code == 200
    figures = response.context["screenings"]
    assert figures["screened"] == Screening.objects.filter(identified_country="CF").count() == 22
    assert figures["identified"] == 14
    assert figures["share_identified"] == 63.6
    assert figures["by_sex"] == {"female": 14, "male": 8, "other": 0}
    assert figures["by_age_group"]["24-26"] == 22
    # Two at a transit centre, two in Ouaka: small, hidden, and so is a complement.
    assert figures["by_place_type"]["transit_centre"] == f"<{K}"
    assert "*" in figures["by_place_type"].values()
    assert figures["by_region"]["Ouaka"] == f"<{K}"
    assert "*" in figures["by_region"].values()
    assert not _small_numbers(figures)
    # Indicators shown by the 14 women, and by none of the 8 men: released, as counted.
    top = figures["top_indicators"]
    assert top and {row["count"] for row in top} == {14}
    for row in top:
        shown = [s for s in Screening.objects.all() if row["code"] in s.indicators]
        assert len(shown) == row["count"]
        assert row["strength"] in ("strong", "medium", "weak") and row["strength_label"]
    page = response.content.decode()
    assert 'data-testid="screened-total">22<' in page
    assert "63.6" in page
    assert str(top[0]["label"]) in page
    assert "Transit centre" in page


def test_a_month_with_fewer_screenings_than_k_is_hidden_on_the_dashboard(client, users, caseworker):
    for day in (3, 4, 5):
        _screen(caseworker, day=day)

    figures = _dashboard(client, users[Role.MINISTRY], period=MARCH.key).context["screenings"]

    assert figures["screened"] == f"<{K}"
    assert figures["share_identified"] is None
    assert not _small_numbers(figures)
    assert figures["top_indicators"] == []


def test_the_months_of_a_quarter_are_listed(client, users, march):
    response = _dashboard(client, users[Role.MINISTRY], period=Q1.key)

    assert response.context["screenings"]["by_month"] == [
        ("2025-01", 0),
        ("2025-02", 0),
        ("2025-03", 22),
    ]
    assert [m["label"] for m in response.context["screening_months"]][-1] == MARCH.label


def test_a_region_shows_its_row_of_the_countrys_table_and_no_breakdown(client, users, march):
    ouaka = factories.region("CF", "Ouaka")
    bangui = factories.region("CF", "Bangui")
    ministry = users[Role.MINISTRY]

    country = _dashboard(client, ministry, period=MARCH.key).context["screenings"]
    one = _dashboard(client, ministry, period=MARCH.key, region=ouaka.pk)
    other = _dashboard(client, ministry, period=MARCH.key, region=bangui.pk)

    assert one.context["screenings"] == {"screened": f"<{K}"}
    # Bangui's 20 is hidden in the country's table (beside Ouaka's 2): hidden here too.
    assert (
        other.context["screenings"]
        == {"screened": country["by_region"]["Bangui"]}
        == {"screened": "*"}
    )
    assert "Transit centre" not in one.content.decode()


def test_a_ministry_focal_point_of_another_country_does_not_get_them(client, guinea, march):
    for day in range(1, 7):
        _screen(guinea["caseworker"], day=day, identified_country="GN")

    response = _dashboard(client, guinea["ministry"], period=MARCH.key, country="CF")

    assert response.context["country"] == "GN"
    assert response.context["screenings"]["screened"] == 6
    by_region = response.context["screenings"]["by_region"]
    assert by_region["—"] == 6
    assert "Bangui" not in by_region and "Ouaka" not in by_region
    assert 'data-testid="screened-total">6<' in response.content.decode()


def test_the_default_period_covers_the_newest_screenings(client, users, march):
    response = _dashboard(client, users[Role.MINISTRY])

    assert response.context["period"] == Period(2025, Unit.YEAR)
    assert response.context["screenings"]["screened"] == 22


# The reports


def _report(tmp_path, kind: str, fmt: str, period: Period = MARCH, **options):
    output = tmp_path / f"report.{fmt}"
    with translation.override("en"):
        call_command(
            "generate_report",
            kind,
            **options,
            date_from=period.start.isoformat(),
            date_to=period.end.isoformat(),
            format=fmt,
            output=str(output),
            stdout=StringIO(),
        )
    return output


def test_the_operational_report_carries_the_countrys_screenings(tmp_path, march):
    data = json.loads(_report(tmp_path, "operational", "json", country="cf").read_text())

    screenings = data["screenings"]
    assert screenings["screened"] == 22
    assert screenings["identified"] == 14
    assert screenings["by_sex"] == {"female": 14, "male": 8, "other": 0}
    assert screenings["by_place_type"]["transit_centre"] == f"<{K}"
    assert screenings["by_region"]["Ouaka"] == f"<{K}"
    assert screenings["by_month"] == [{"month": "2025-03", "screened": 22}]
    assert {row["count"] for row in screenings["top_indicators"]} == {14}
    assert not _small_numbers(screenings)


def test_the_operational_workbook_has_a_screenings_sheet(tmp_path, march):
    output = _report(tmp_path, "operational", "xlsx", country="CF")

    workbook = load_workbook(BytesIO(output.read_bytes()), read_only=True)
    rows = list(workbook["Screenings"].iter_rows(values_only=True))
    assert rows[0] == ("Persons screened", 22)
    assert ("Identified as possible or actual victims", 14) in rows
    assert ("2025-03", 22) in rows
    assert ("transit_centre", f"<{K}") in rows
    assert ("Ouaka", f"<{K}") in rows
    assert ("female", 14) in rows
    indicator_rows = [row for row in rows if len(row) == 5 and row[4] == 14]
    assert indicator_rows and all(row[3] in ("strong", "medium", "weak") for row in indicator_rows)


def test_a_donor_report_counts_the_screenings_of_its_organisations_in_its_countries(
    tmp_path, org, caseworker, march
):
    project = factories.project(code="CF-SCREEN", countries=["CF"], organisations=[org])
    # Not the project's: another organisation's in CF, and its own organisation's in Guinea.
    outsider = factories.user(Role.CASEWORKER, organisation=factories.organisation(country="CF"))
    for day in range(1, 7):
        _screen(outsider, day=day)
        _screen(caseworker, day=day, identified_country="GN")

    data = json.loads(_report(tmp_path, "donor", "json", project=project.code).read_text())
    national = json.loads(_report(tmp_path, "operational", "json", country="CF").read_text())

    assert data["screenings"]["screened"] == 22
    assert data["screenings"]["identified"] == 14
    assert "by_region" not in data["screenings"]
    assert national["screenings"]["screened"] == 28


# Indicators of plans and logframes


@pytest.fixture
def plan(db):
    return ActionPlan.objects.create(
        code="CF-NAP",
        country="CF",
        title="Plan d'action national",
        period_start=date(2025, 1, 1),
        period_end=date(2027, 12, 31),
    )


def _indicator(computation: str, **owner) -> Indicator:
    return Indicator.objects.create(
        code=computation, name=computation, computation=computation, target=40, **owner
    )


def test_plan_indicators_count_persons_screened_and_victims_identified_at_screening(
    plan, march, guinea
):
    # In Guinea, not in the plan's country.
    for day in range(1, 7):
        _screen(guinea["caseworker"], day=day, identified_country="GN", status=T.ACTUAL)
    screened = _indicator(Computation.PERSONS_SCREENED, plan=plan)
    identified = _indicator(Computation.SCREENING_IDENTIFIED, plan=plan)

    both = [screened, identified]
    rows = {r["code"]: r for r in indicators.rows(both, MARCH.start, MARCH.end, k=K)}
    values = indicators.compute_many(both, MARCH.start, MARCH.end)

    assert indicators.compute(screened, MARCH.start, MARCH.end) == 22
    assert indicators.compute(identified, MARCH.start, MARCH.end) == 14
    assert values == {screened.pk: 22, identified.pk: 14}
    assert rows["persons_screened"]["value"] == 22
    assert rows["persons_screened"]["achieved_percent"] == 55
    assert rows["screening_identified"]["value"] == 14
    assert rows["screening_identified"]["achieved_percent"] == 35


def test_small_screening_figures_of_an_indicator_are_hidden(guinea):
    guinea_plan = ActionPlan.objects.create(
        code="GN-NAP",
        country="GN",
        title="Plan d'action national",
        period_start=date(2025, 1, 1),
        period_end=date(2027, 12, 31),
    )
    for day in (1, 2):
        _screen(guinea["caseworker"], day=day, identified_country="GN", status=T.ACTUAL)
    screened = _indicator(Computation.PERSONS_SCREENED, plan=guinea_plan)
    identified = _indicator(Computation.SCREENING_IDENTIFIED, plan=guinea_plan)

    rows = indicators.rows([screened, identified], MARCH.start, MARCH.end, k=K)

    # Counted as they are (the case team's view), released hidden.
    assert indicators.compute(screened, MARCH.start, MARCH.end) == 2
    assert [row["value"] for row in rows] == [f"<{K}", f"<{K}"]
    assert [row["achieved_percent"] for row in rows] == [None, None]


def test_a_project_counts_its_organisations_screenings_in_its_countries(org, caseworker, march):
    project = factories.project(countries=["CF"], organisations=[org])
    outsider = factories.user(Role.CASEWORKER, organisation=factories.organisation(country="CF"))
    for day in range(1, 7):
        _screen(outsider, day=day, status=T.ACTUAL)
        _screen(caseworker, day=day, identified_country="GN", status=T.ACTUAL)
    screened = _indicator(Computation.PERSONS_SCREENED, project=project)
    identified = _indicator(Computation.SCREENING_IDENTIFIED, project=project)

    rows = indicators.rows([screened, identified], MARCH.start, MARCH.end, k=K)

    assert [row["value"] for row in rows] == [22, 14]
    assert indicators.compute(screened, MARCH.start, MARCH.end) == 22


def test_anonymous_screenings_are_counted(plan, march):
    anonymous = [s for s in march if s.anonymous]
    screened = _indicator(Computation.PERSONS_SCREENED, plan=plan)

    (row,) = indicators.rows([screened], MARCH.start, MARCH.end, k=K)

    assert len(anonymous) == 20
    assert row["value"] == len(march) == 22


def test_a_reader_of_one_countrys_figures_gets_a_projects_screenings_there_only(
    org, caseworker, march
):
    project = factories.project(countries=["CF", "GN"], organisations=[org])
    for day in range(1, 7):
        _screen(caseworker, day=day, identified_country="GN", status=T.ACTUAL)
    screened = _indicator(Computation.PERSONS_SCREENED, project=project)

    (everywhere,) = indicators.rows([screened], MARCH.start, MARCH.end, k=K)
    (in_cf,) = indicators.rows([screened], MARCH.start, MARCH.end, k=K, country="CF")
    (in_td,) = indicators.rows([screened], MARCH.start, MARCH.end, k=K, country="TD")

    assert everywhere["value"] == 28
    assert in_cf["value"] == 22
    assert in_td["value"] == 0
