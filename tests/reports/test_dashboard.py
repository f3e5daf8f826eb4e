"""The national dashboard and the other pages of aggregate figures outside the case team
(issue 11, findings 4 and 5).

Finding 4: figures about victims cover a calendar month, quarter or year that has ended;
windows of arbitrary days are not accepted (two a day apart gave that day's count), and a
year never gives away what its months hide. Finding 5: a ministry focal point sees its own
country's figures only, whatever the address asks for; M&E officers and administrators keep
every country."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.policy import statistics_countries
from accounts.roles import Role
from cases.models import Case
from reports.models import ActionPlan, Computation, Indicator
from tests import factories
from traffick_cm import periods
from traffick_cm.periods import Period, Unit

_people = itertools.count(1)
YEAR = Period(2025, Unit.YEAR)
OCTOBER = Period(2025, Unit.MONTH, 10)


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def ministry(users):
    return users[Role.MINISTRY]  # organisation in CF


@pytest.fixture
def guinea(other_org):
    """A Guinean caseworker and a Guinean ministry focal point."""
    return {
        "caseworker": factories.user(Role.CASEWORKER, organisation=other_org),
        "ministry": factories.user(Role.MINISTRY, organisation=other_org),
        "conakry": factories.region("GN", "Conakry"),
    }


def _victims(caseworker, n: int, on: date, *, country: str = "CF", region=None, **case):
    made = []
    for _ in range(n):
        i = next(_people)
        made.append(
            factories.case(
                caseworker=caseworker,
                first_name=f"Awa{i}",
                last_name=f"Ngaba{i}",
                identified_on=on,
                identified_country=country,
                case_data={"identified_region": region, **case},
            )
        )
    return made


def _dashboard(client, **params):
    return client.get(reverse("reports:dashboard"), params)


# Finding 5: a ministry focal point's own country, whatever is asked


def test_a_ministry_focal_point_has_no_country_to_choose(client, ministry):
    client.force_login(ministry)

    response = _dashboard(client)

    assert response.status_code == 200
    assert "country" not in response.context["form"].fields
    assert 'name="country"' not in response.content.decode()
    assert response.context["country"] == "CF"


def test_a_forged_country_in_the_address_still_shows_the_focal_point_its_own(
    client, ministry, caseworker, guinea
):
    _victims(caseworker, 6, OCTOBER.start)
    _victims(guinea["caseworker"], 9, OCTOBER.start, country="GN")
    client.force_login(ministry)

    response = _dashboard(client, period=OCTOBER.key, country="GN")

    assert response.status_code == 200
    assert response.context["country"] == "CF"
    assert response.context["cases"]["identified"] == 6


def test_a_region_of_another_country_is_refused_and_shows_nothing_of_it(client, ministry, guinea):
    _victims(guinea["caseworker"], 9, OCTOBER.start, country="GN", region=guinea["conakry"])
    client.force_login(ministry)

    response = _dashboard(client, period=OCTOBER.key, region=guinea["conakry"].pk)

    assert response.status_code == 400
    assert "region" in response.context["form"].errors
    assert response.context["country"] == "CF"
    assert response.context["region"] is None
    assert "Conakry" not in response.content.decode()


def test_the_regions_offered_to_a_focal_point_are_its_countrys(client, ministry, guinea):
    factories.region("CF", "Ouaka")
    client.force_login(ministry)

    regions = _dashboard(client).context["form"].fields["region"].queryset

    assert {r.country.code for r in regions} == {"CF"}


def test_mne_officers_keep_every_country(client, users, guinea):
    _victims(guinea["caseworker"], 9, OCTOBER.start, country="GN")
    client.force_login(users[Role.MNE])

    response = _dashboard(client, period=OCTOBER.key, country="GN")

    assert response.context["country"] == "GN"
    assert response.context["cases"]["identified"] == 9


@pytest.mark.parametrize(
    ("role", "kind", "expected"),
    [
        (Role.MINISTRY, "dashboard", {"CF"}),
        (Role.MINISTRY, "referral_statistics", {"CF"}),
        (Role.MINISTRY, "report_run", {"CF"}),
        (Role.MINISTRY, "training_totals", {"CF"}),
        (Role.MINISTRY, "project", {"CF"}),
        (Role.MNE, "dashboard", None),
        (Role.MNE, "report_run", None),
        (Role.MNE, "project", None),
        (Role.ADMIN, "dashboard", None),
        (Role.PROGRAMME, "training_totals", {"CF"}),
        (Role.PROGRAMME, "project", None),
        (Role.SUPERVISOR, "referral_statistics", {"CF"}),
        (Role.CASEWORKER, "dashboard", set()),
        (Role.PARTNER, "project", set()),
    ],
)
def test_the_policy_says_whose_countries_figures_each_role_sees(users, role, kind, expected):
    countries = statistics_countries(users[role], kind)

    assert countries == (None if expected is None else frozenset(expected))


def test_a_superuser_sees_every_country(db):
    assert statistics_countries(factories.superuser(), "dashboard") is None


def test_a_ministry_focal_point_sees_a_projects_figures_in_its_country_only(
    client, ministry, caseworker, guinea, org, other_org
):
    project = factories.project(
        code="SAHEL-1",
        countries=["CF", "GN"],
        organisations=[org, other_org],
        start_date=date(2025, 1, 1),
        end_date=date(2025, 12, 31),
    )
    Indicator.objects.create(
        project=project,
        code="1.1",
        name="Victims identified",
        computation=Computation.VICTIMS_IDENTIFIED,
        target=40,
    )
    _victims(caseworker, 6, OCTOBER.start, project=project)
    _victims(guinea["caseworker"], 9, OCTOBER.start, country="GN", project=project)
    client.force_login(ministry)
    mne = Client(headers={"accept-language": "en"})
    mne.force_login(factories.user(Role.MNE, organisation=org))

    ministry_rows = client.get(reverse("programmes:project_detail", args=[project.pk])).context
    mne_rows = mne.get(reverse("programmes:project_detail", args=[project.pk])).context

    assert ministry_rows["indicator_rows"][0]["value"] == 6
    assert ministry_rows["country"] == "CF"
    assert mne_rows["indicator_rows"][0]["value"] == 15


# Finding 4: calendar periods that have ended, and nested periods that cannot be subtracted


def test_windows_of_days_are_not_a_filter_any_more(client, ministry, caseworker):
    # Before: ?date_from=...&date_to=... a day apart gave one day's exact count.
    _victims(caseworker, 6, OCTOBER.start + timedelta(days=3))
    _victims(caseworker, 1, OCTOBER.start + timedelta(days=4))
    client.force_login(ministry)
    day = OCTOBER.start + timedelta(days=4)

    one = _dashboard(client, date_from=day.isoformat(), date_to=day.isoformat())
    two = _dashboard(
        client,
        date_from=(day - timedelta(days=1)).isoformat(),
        date_to=day.isoformat(),
    )

    assert one.status_code == two.status_code == 200
    assert one.context["period"] == two.context["period"]
    assert one.context["cases"] == two.context["cases"]
    assert one.context["period"].unit in (Unit.MONTH, Unit.QUARTER, Unit.YEAR)


def test_a_period_that_has_not_ended_is_refused(client, ministry):
    client.force_login(ministry)
    this_month = periods.containing(timezone.localdate(), Unit.MONTH)

    for key in (this_month.key, str(timezone.localdate().year), "2025-13", "yesterday"):
        response = _dashboard(client, period=key)
        assert response.status_code == 400, key
        assert response.context["period"].is_complete(timezone.localdate())


def test_the_default_period_is_the_last_complete_year_with_data(client, ministry, caseworker):
    last_year = periods.last_complete(Unit.YEAR, timezone.localdate())
    _victims(caseworker, 6, last_year.start + timedelta(days=40))
    client.force_login(ministry)

    response = _dashboard(client)

    assert response.context["period"] == last_year
    assert response.context["form"].initial["period"] == last_year.key


def test_a_year_does_not_give_away_a_month_it_hides(client, ministry, caseworker):
    # July: 2 victims (hidden in its month); October: 14. The year's 16 minus October's 14
    # and the other months' 0 would be July's 2: the year is hidden.
    _victims(caseworker, 2, date(2025, 7, 15))
    _victims(caseworker, 14, OCTOBER.start + timedelta(days=1))
    client.force_login(ministry)

    july = _dashboard(client, period="2025-07").context["cases"]
    october = _dashboard(client, period=OCTOBER.key).context["cases"]
    year = _dashboard(client, period=YEAR.key).context["cases"]

    assert july["identified"] == "<5"
    assert october["identified"] == 14
    assert not isinstance(year["identified"], int)
    # The year's months read as in their own views (the zeros beside July's too).
    months = dict(year["by_month"])
    assert months["2025-07"] == "<5"
    assert months["2025-10"] == 14
    assert months["2025-01"] == "<5"


def test_a_year_shows_what_its_hidden_months_hold_when_they_protect_each_other(
    client, ministry, caseworker
):
    # July 2 and October 3: both hidden, their quarters too; the year gives 5 + 12 without
    # saying how the 5 fall.
    _victims(caseworker, 2, date(2025, 7, 15))
    _victims(caseworker, 3, OCTOBER.start)
    _victims(caseworker, 12, date(2025, 3, 10))
    client.force_login(ministry)

    year = _dashboard(client, period=YEAR.key).context["cases"]
    third = _dashboard(client, period="2025-Q3").context["cases"]

    assert year["identified"] == 17
    assert third["identified"] == "<5"


def test_a_region_shows_its_row_of_the_countrys_table_and_no_breakdown(
    client, ministry, caseworker
):
    bangui, ouaka = factories.region("CF", "Bangui"), factories.region("CF", "Ouaka")
    _victims(caseworker, 11, OCTOBER.start, region=bangui)
    _victims(caseworker, 3, OCTOBER.start, region=ouaka)
    client.force_login(ministry)

    country = _dashboard(client, period=OCTOBER.key).context
    region = _dashboard(client, period=OCTOBER.key, region=bangui.pk).context

    # Bangui's 11 is hidden in the country's table (beside Ouaka's 3): hidden here too.
    assert country["cases"]["by_region"]["Bangui"] == "*"
    assert region["cases"]["identified"] == "*"
    assert "by_sex" not in region["cases"]
    assert region["referrals"] is None


def test_plan_indicators_end_at_the_last_complete_month(client, ministry, caseworker):
    today = timezone.localdate()
    plan = ActionPlan.objects.create(
        code="CF-NAP",
        country="CF",
        title="Plan d'action national",
        period_start=date(2020, 3, 13),
        period_end=date(2030, 12, 31),
    )
    Indicator.objects.create(
        plan=plan,
        code="P1",
        name="Victims identified",
        computation=Computation.VICTIMS_IDENTIFIED,
        target=100,
    )
    last_month = periods.last_complete(Unit.MONTH, today)
    _victims(caseworker, 6, last_month.start)
    _victims(caseworker, 3, today)  # this month: not in a figure until the month ends
    client.force_login(ministry)

    response = client.get(reverse("reports:plan_detail", args=[plan.pk]))

    assert response.context["window"] == (date(2020, 3, 1), last_month.end)
    assert response.context["indicator_rows"][0]["value"] == 6
    assert Case.objects.count() == 9


def test_a_region_of_another_country_is_refused_to_an_mne_officer_too(client, users, guinea):
    # No country asked for: the officer's own (CF); Conakry is not in it.
    client.force_login(users[Role.MNE])

    response = _dashboard(client, period=OCTOBER.key, region=guinea["conakry"].pk)

    assert response.status_code == 400
    assert response.context["region"] is None
