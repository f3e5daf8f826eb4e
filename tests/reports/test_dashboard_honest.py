"""A dashboard that does not mislead (issue 14, item 6): counts are whole numbers in French
and English; a chart whose cells are all hidden, or that has no data, says so instead of
drawing empty axes, and charts are drawn on the server (SVG, no script); with no period
chosen, the dashboard shows the newest data and says which period it shows; every indicator
says its period and reads as on its plan's page for the same period; a median over no data
reads "—", never "0,0 h"."""

from __future__ import annotations

import html
import itertools
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import ngettext

from accounts.roles import Role
from referrals.models import Referral, ReferralStatus
from reports import selectors, statistics
from reports.models import ActionPlan, ActionPoint, ActionPointStatus, Computation, Indicator
from reports.statistics import Scope
from tests import factories
from tests.reports.steps import PAGE_LIMIT, chart_svg, drawn_bars, page_weight
from traffick_cm import periods, suppression
from traffick_cm.periods import Period, Unit, Window
from trainings.services import sessions as training_sessions

K = 5
OCTOBER = Period(2025, Unit.MONTH, 10)
FOURTH = Period(2025, Unit.QUARTER, 4)  # October to December 2025: a chart of three months
_people = itertools.count(1)


def _client(lang: str) -> Client:
    return Client(headers={"accept-language": lang})


@pytest.fixture
def client():
    return _client("en")


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def ministry(users):
    return users[Role.MINISTRY]  # organisation in CF


def _victims(caseworker, n: int, on: date) -> None:
    for _ in range(n):
        i = next(_people)
        factories.case(
            caseworker=caseworker, first_name=f"Awa{i}", last_name=f"Ngaba{i}", identified_on=on
        )


def _session(org, on: date, *, audiences=("magistrates",), topics=("legal_framework",)):
    return training_sessions.session_record(
        actor=None,
        organiser=org,
        title=f"Training of {on}",
        session_type="training",
        audiences=list(audiences),
        topics=list(topics),
        country="CF",
        start_date=on,
        end_date=on,
        participants_female=4,
        participants_male=6,
    )


def _referral(
    case, org, partner, caseworker, sent_on: date, *, answered_after: timedelta | None = None
):
    sent = datetime.combine(sent_on, time(10), tzinfo=timezone.get_current_timezone())
    return Referral.objects.create(
        case=case,
        from_organisation=org,
        to_organisation=partner,
        service_type="shelter",
        reason="Needs a safe place",
        destination_country="CF",
        status=ReferralStatus.SENT if answered_after is None else ReferralStatus.ACCEPTED,
        packet_fields=["case_number"],
        created_by=caseworker,
        sent_at=sent,
        responded_at=None if answered_after is None else sent + answered_after,
    )


@pytest.fixture
def plan(db):
    plan = ActionPlan.objects.create(
        code="CF-NAP",
        country="CF",
        title="Plan d'action national",
        period_start=date(2020, 3, 13),
        period_end=date(2030, 12, 31),
    )
    pillar = plan.pillars.create(code="prosecution", name="Prosecution", order=3)
    for number in ("3.1", "3.2"):
        ActionPoint.objects.create(
            plan=plan,
            pillar=pillar,
            number=number,
            text="Train magistrates",
            status=ActionPointStatus.COMPLETED,
        )
    for code, name, computation, target in [
        ("NAP-1", "Victims identified", Computation.VICTIMS_IDENTIFIED, 100),
        ("NAP-2", "People trained", Computation.PEOPLE_TRAINED, 30),
        ("NAP-3", "Sessions on the legal framework", Computation.SESSIONS_ON_TOPIC, 10),
        ("NAP-4", "Action points completed", Computation.ACTION_POINTS_COMPLETED, 44),
    ]:
        Indicator.objects.create(
            plan=plan,
            code=code,
            name=name,
            computation=computation,
            parameter="legal_framework" if code == "NAP-3" else "",
            target=target,
        )
    return plan


def _dashboard(client, **params):
    return client.get(reverse("reports:dashboard"), params)


def _text(fragment: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment))).strip()


def _cell(page: str, testid: str) -> list[str]:
    """The text of every element with this data-testid."""
    found = re.findall(rf'data-testid="{testid}"[^>]*>(.*?)</(?:td|p|span)>', page, re.S)
    return [_text(cell) for cell in found]


def _indicator_values(page: str) -> dict[str, str]:
    """Indicator code -> the text of its value cell, as the page shows it."""
    rows = re.findall(r"<tr>\s*<td class=\"card-title\">(.*?)</td>(.*?)</tr>", page, re.S)
    values = {}
    for title, cells in rows:
        value = re.search(r'data-testid="indicator-value"[^>]*>(.*?)</td>', cells, re.S)
        if value:
            values[_text(title).split()[0]] = _text(value.group(1))
    return values


# Counts are whole numbers, in French and in English


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_counts_read_as_whole_numbers_on_the_dashboard_and_the_plan_page(lang, ministry, org, plan):
    _session(org, date(2025, 3, 10))
    _session(org, date(2025, 6, 2))
    client = _client(lang)
    client.force_login(ministry)

    dashboard = _dashboard(client, period="2025").content.decode()
    plan_page = client.get(
        reverse("reports:plan_detail", args=[plan.pk]), {"period": "2025"}
    ).content.decode()

    for page in (dashboard, plan_page):
        values = _indicator_values(page)
        # Two sessions on the legal framework, two action points completed, 20 trained:
        # never "2,0" or "2.0".
        assert values["NAP-3"] == "2"
        assert values["NAP-4"] == "2"
        assert values["NAP-2"] == "20"
    summary = _cell(dashboard, "trainings-summary")[0]
    with translation.override(lang):
        sessions = ngettext("%(counter)s session", "%(counter)s sessions", 2) % {"counter": 2}
    assert summary.startswith(sessions)


def test_the_charts_write_whole_numbers(ministry, caseworker, org):
    _victims(caseworker, 6, OCTOBER.start)
    _session(org, OCTOBER.start, audiences=("magistrates", "police"))
    client = _client("fr")
    client.force_login(ministry)

    page = _dashboard(client, period=FOURTH.key).content.decode()

    identified = [bar.value for bar in drawn_bars(chart_svg(page, "identified-chart"))]
    audiences = [bar.value for bar in drawn_bars(chart_svg(page, "audiences-chart"))]
    assert identified == ["6", "0", "0"]
    assert audiences == ["10", "10"]


def test_a_manual_value_keeps_its_decimals_and_a_whole_one_reads_whole(users, ministry, plan):
    officer = users[Role.MNE]
    indicator = Indicator.objects.create(
        plan=plan, code="NAP-9", name="Share of cases prosecuted", unit="%", target=50
    )
    indicator.values.create(
        period_start=date(2025, 1, 1),
        period_end=date(2025, 6, 30),
        value="12.50",
        entered_by=officer,
    )
    other = Indicator.objects.create(plan=plan, code="NAP-8", name="Database online", target=1)
    other.values.create(
        period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), value="1", entered_by=officer
    )
    client = _client("fr")
    client.force_login(ministry)

    page = client.get(reverse("reports:plan_detail", args=[plan.pk]), {"period": "2025"})

    values = _indicator_values(page.content.decode())
    assert values["NAP-9"] == "12,5"
    assert values["NAP-8"] == "1"


# A median over no data


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_a_median_over_no_answer_reads_as_a_dash_with_words_for_screen_readers(
    lang, ministry, caseworker, org
):
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    for _ in range(6):
        i = next(_people)
        case = factories.case(
            caseworker=caseworker,
            first_name=f"Awa{i}",
            last_name=f"Ngaba{i}",
            identified_on=OCTOBER.start,
        )
        # Sent, never answered.
        _referral(case, org, partner, caseworker, OCTOBER.start + timedelta(days=2))
    client = _client(lang)
    client.force_login(ministry)

    response = _dashboard(client, period=OCTOBER.key)

    assert response.context["referrals"]["made"] == 6
    assert response.context["referrals"]["median_response_hours"] is None
    cell = re.search(
        r'data-testid="median-response"[^>]*>(.*?)</td>', response.content.decode(), re.S
    ).group(1)
    assert '<span aria-hidden="true">—</span>' in cell
    assert re.search(r'class="visually-hidden">\s*\S', cell)
    assert "0,0" not in cell and "0.0" not in cell


def test_a_median_over_enough_answers_keeps_one_decimal(ministry, caseworker, org):
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    for hours in (1, 2, 3.5, 4, 5, 6):
        i = next(_people)
        case = factories.case(
            caseworker=caseworker,
            first_name=f"Awa{i}",
            last_name=f"Ngaba{i}",
            identified_on=OCTOBER.start,
        )
        _referral(
            case, org, partner, caseworker, OCTOBER.start, answered_after=timedelta(hours=hours)
        )
    client = _client("fr")
    client.force_login(ministry)

    page = _dashboard(client, period=OCTOBER.key).content.decode()

    assert _cell(page, "median-response") == ["3,8"]


# Charts: drawn only with something to show, on the server


def test_a_chart_whose_months_are_all_hidden_says_so_and_draws_nothing(
    client, ministry, caseworker
):
    _victims(caseworker, 2, OCTOBER.start)
    client.force_login(ministry)

    response = _dashboard(client, period=FOURTH.key)

    page = response.content.decode()
    assert response.context["cases"]["identified"] == f"<{K}"
    assert chart_svg(page, "identified-chart") is None
    assert _cell(page, "identified-chart-empty") == [
        f"All counts in this chart are below {K} and are hidden to protect the people counted."
    ]
    # No training either: nothing is drawn, and the charts' styles are not loaded.
    assert _cell(page, "audiences-chart-empty") == ["No data for this period."]
    assert "<svg" not in page
    assert "charts.css" not in page


def test_a_period_without_data_says_so(client, ministry):
    client.force_login(ministry)

    page = _dashboard(client, period=FOURTH.key).content.decode()

    assert _cell(page, "identified-chart-empty") == ["No data for this period."]
    assert _cell(page, "audiences-chart-empty") == ["No data for this period."]
    assert "<svg" not in page


def test_a_chart_is_drawn_as_svg_without_a_script(client, ministry, caseworker, org):
    _victims(caseworker, 6, OCTOBER.start)
    client.force_login(ministry)

    page = _dashboard(client, period=FOURTH.key).content.decode()

    assert chart_svg(page, "identified-chart") is not None
    assert "charts.css" in page
    assert [s for s in re.findall(r"<script\b[^>]*>", page) if "chart" in s] == []
    # The trainings chart has nothing to draw: its sentence, not empty axes.
    assert chart_svg(page, "audiences-chart") is None
    assert _cell(page, "audiences-chart-empty") == ["No data for this period."]


def test_one_month_or_one_audience_is_a_figure_not_a_chart(client, ministry, caseworker, org):
    # One bar says no more than the figure beside it: no chart.
    _victims(caseworker, 6, OCTOBER.start)
    _session(org, OCTOBER.start)
    client.force_login(ministry)

    page = _dashboard(client, period=OCTOBER.key).content.decode()

    assert _cell(page, "identified-total") == ["6"]
    assert "Magistrates" in _text(page)  # the audience's line of the table, shown
    assert "<svg" not in page


def test_a_trainings_chart_is_drawn_alone(client, ministry, org):
    _session(org, OCTOBER.start, audiences=("magistrates", "police"))
    client.force_login(ministry)

    page = _dashboard(client, period=FOURTH.key).content.decode()

    assert chart_svg(page, "audiences-chart") is not None
    assert chart_svg(page, "identified-chart") is None


def test_the_dashboard_without_a_chart_weighs_under_100_kb_compressed(client, ministry):
    client.force_login(ministry)

    total, assets = page_weight(_dashboard(client).content)

    assert total <= PAGE_LIMIT, f"{total / 1024:.0f} KB with {assets}"


# The default period: the newest data


def test_with_data_two_years_old_only_the_default_period_holds_it(client, ministry, caseworker):
    today = timezone.localdate()
    long_ago = today.replace(year=today.year - 2, day=1)
    _victims(caseworker, 6, long_ago)
    client.force_login(ministry)

    response = _dashboard(client)

    period = response.context["period"]
    assert period.start <= long_ago <= period.end
    assert period.is_complete(today)
    assert response.context["cases"]["identified"] == 6
    page = response.content.decode()
    assert _cell(page, "dashboard-period")[0].startswith(str(period.label))
    assert _cell(page, "dashboard-default-period")
    assert response.context["form"].initial["period"] == period.key


def test_trainings_alone_set_the_default_period_too(client, ministry, org):
    # The demo's trainings were outside the default period: only cases counted for it.
    today = timezone.localdate()
    long_ago = today.replace(year=today.year - 2, day=1)
    _session(org, long_ago)
    client.force_login(ministry)

    response = _dashboard(client)

    period = response.context["period"]
    assert period.start <= long_ago <= period.end
    assert response.context["trainings"]["sessions"] == 1


def test_data_of_this_year_give_the_twelve_months_to_the_newest_complete_month(
    client, ministry, caseworker
):
    today = timezone.localdate()
    last_month = periods.last_complete(Unit.MONTH, today)
    _victims(caseworker, 6, last_month.start)
    _victims(caseworker, 2, today)  # this month: not in a figure until it ends
    client.force_login(ministry)

    response = _dashboard(client)

    period = response.context["period"]
    if last_month.year == today.year:
        assert period == Window(last_month)
        assert len(period.months()) == 12
        assert response.context["form"]["period"].value() == period.key
    else:  # in January, the year that has just ended holds the newest data
        assert period == Period(last_month.year, Unit.YEAR)
    assert period.end == last_month.end
    assert response.context["cases"]["identified"] == 6


def test_the_user_still_chooses_the_period(client, ministry, caseworker):
    _victims(caseworker, 6, OCTOBER.start)
    client.force_login(ministry)

    response = _dashboard(client, period="2025-Q3")

    assert response.context["period"] == Period(2025, Unit.QUARTER, 3)
    assert response.context["cases"]["identified"] == 0
    assert not _cell(response.content.decode(), "dashboard-default-period")


def test_twelve_months_that_have_not_ended_are_refused(client, ministry):
    this_month = periods.containing(timezone.localdate(), Unit.MONTH)
    client.force_login(ministry)

    for key in (Window(this_month).key, "2024-10..2025-10", "2025-01..2025-06"):
        response = _dashboard(client, period=key)
        assert response.status_code == 400, key
        assert response.context["period"].is_complete(timezone.localdate())


# Twelve months: the sum of their calendar units, hidden when any of them hides it


def test_twelve_months_say_nothing_their_calendar_units_do_not(caseworker):
    window = Window(OCTOBER)  # November 2024 to October 2025
    assert [p.key for p in window.parts()] == [
        "2024-11",
        "2024-12",
        "2025-Q1",
        "2025-Q2",
        "2025-Q3",
        "2025-10",
    ]
    _victims(caseworker, 6, date(2024, 11, 5))
    _victims(caseworker, 7, date(2025, 2, 5))
    scope = Scope(country="CF")

    shown = statistics.cases(scope, window, k=K)
    _victims(caseworker, 2, date(2025, 10, 5))  # October: hidden in its own month
    hidden = statistics.cases(scope, window, k=K)

    assert shown["identified"] == 13
    assert statistics.cases(scope, OCTOBER, k=K)["identified"] == f"<{K}"
    assert hidden["identified"] == "*"  # 15, but 15 - 13 would be October's 2
    assert dict(hidden["by_month"])["2025-10"] == f"<{K}"


@pytest.mark.parametrize("hidden", [0, 3])
def test_a_cell_hidden_over_twelve_months_is_labelled_from_what_its_units_show(hidden):
    # b is "<5" in November and in December, whether it holds 0 or 3 in each: summed, it
    # must not read "<5" for 0 and "*" for 6, which would tell a hidden 0 from a 3.
    layout = suppression.Layout("n", {"g": ["a", "b", "c"]})
    november, december = Period(2024, Unit.MONTH, 11), Period(2024, Unit.MONTH, 12)
    monthly = {m: {"n": 7 + hidden, "a": 6, "b": hidden, "c": 1} for m in (november, december)}
    parts = [suppression.release(layout, monthly, m, K) for m in (november, december)]

    assert [part.shown("b") for part in parts] == [f"<{K}", f"<{K}"]
    assert suppression.release_parts(layout, parts, Window(OCTOBER)).shown("b") == "*"
    assert suppression.release_window(layout, monthly, [november, december], "b", K) == "*"


@pytest.mark.parametrize(
    ("newest", "shown"),
    [
        (None, "2025-11..2026-10"),  # no data: the last twelve complete months
        (date(2026, 11, 20), "2025-11..2026-10"),  # this month has not ended
        (date(2026, 6, 3), "2025-07..2026-06"),
        (date(2025, 2, 10), "2025"),  # a year that has ended holds the newest record
        (date(2024, 11, 30), "2024"),
    ],
)
def test_the_default_period_is_the_newest_data(newest, shown):
    assert periods.latest(date(2026, 11, 30), newest).key == shown


def test_a_window_key_names_twelve_months():
    window = periods.parse_span("2024-11..2025-10")

    assert window == Window(OCTOBER)
    assert (window.start, window.end) == (date(2024, 11, 1), date(2025, 10, 31))
    assert periods.parse_span("2025-Q3") == Period(2025, Unit.QUARTER, 3)
    for key in ("2024-10..2025-10", "2025-10..2025-10", "2024-11..", "2024-11..2025-Q4"):
        with pytest.raises(ValueError):
            periods.parse_span(key)


# Each indicator says its period and reads as on its plan's page


def test_an_indicator_reads_the_same_on_the_dashboard_and_its_plan_page(
    client, ministry, caseworker, org, plan
):
    _victims(caseworker, 6, date(2024, 11, 5))
    _victims(caseworker, 7, date(2025, 2, 5))
    _session(org, date(2025, 5, 5))
    client.force_login(ministry)
    window = Window(OCTOBER)

    dashboard = _dashboard(client, period=window.key)
    plan_page = client.get(reverse("reports:plan_detail", args=[plan.pk]), {"period": window.key})

    on_dashboard = {row["code"]: row for row in dashboard.context["plans"][0]["indicators"]}
    on_plan = {row["code"]: row for row in plan_page.context["indicator_rows"]}
    assert on_dashboard["NAP-1"]["value"] == on_plan["NAP-1"]["value"] == 13
    assert dashboard.context["cases"]["identified"] == 13  # the victims card agrees
    assert on_dashboard["NAP-2"]["value"] == on_plan["NAP-2"]["value"] == 10
    assert on_dashboard == on_plan
    # The pages say so, and the dashboard links to the plan's page for the same period.
    dashboard_page, plan_html = dashboard.content.decode(), plan_page.content.decode()
    assert _indicator_values(dashboard_page) == _indicator_values(plan_html)
    assert f"{reverse('reports:plan_detail', args=[plan.pk])}?period={window.key}" in (
        dashboard_page
    )


def test_every_indicator_says_its_period_in_words(client, ministry, plan):
    client.force_login(ministry)

    page = _dashboard(client, period="2025-Q3").content.decode()

    # Flows over the quarter; action points completed: a status, today's.
    assert _cell(page, "indicator-period") == ["Q3 2025", "Q3 2025", "Q3 2025", "today"]
    sections = _cell(page, "section-period")
    assert sections and set(sections) == {"Q3 2025"}


def test_a_plan_page_to_date_says_its_window(client, ministry, plan):
    client.force_login(ministry)
    today = timezone.localdate()

    response = client.get(reverse("reports:plan_detail", args=[plan.pk]))

    last = periods.last_complete(Unit.MONTH, today)
    assert response.context["window"] == (date(2020, 3, 1), last.end)
    periods_shown = _cell(response.content.decode(), "indicator-period")
    assert periods_shown[0] == f"March 2020 to {last.label}"


def test_the_plan_page_for_a_period_is_refused_to_another_countrys_focal_point(
    client, plan, other_org
):
    client.force_login(factories.user(Role.MINISTRY, organisation=other_org))

    response = client.get(reverse("reports:plan_detail", args=[plan.pk]), {"period": "2025"})

    assert response.status_code == 404


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER])
def test_the_dashboard_stays_refused_to_the_case_team_and_partners(client, users, role):
    client.force_login(users[role])

    assert _dashboard(client).status_code == 403


def test_the_selector_gives_the_plan_page_and_the_api_one_reading(plan, caseworker):
    _victims(caseworker, 6, date(2024, 11, 5))
    records = list(plan.indicators.select_related("plan"))

    api_rows = selectors.plan_indicator_rows(records)
    page_rows = selectors.plan_indicators([plan])[plan.pk]["rows"]

    assert {r["code"]: r["value"] for r in page_rows} == {
        record.code: api_rows[record.pk]["value"] for record in records
    }
