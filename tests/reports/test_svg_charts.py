"""The dashboard's charts, drawn on the server as SVG (issue 14, item 8: the dashboard within
100 KB compressed, so no chart library): bars in proportion to the counts, a hidden count
drawn as its label and never as a bar, an image with an accessible name, short months and
whole numbers in the page's language, no script at all."""

from __future__ import annotations

import itertools
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from accounts.roles import Role
from reports import charts
from tests import factories
from tests.reports.steps import PAGE_LIMIT, chart_svg, drawn_bars, page_weight, tick_labels
from traffick_cm.periods import Period, Unit
from trainings.services import sessions as training_sessions
from trainings.vocabularies import Audience

K = 5
OCTOBER = Period(2025, Unit.MONTH, 10)
FOURTH = Period(2025, Unit.QUARTER, 4)  # October to December 2025: three bars
_people = itertools.count(1)


@pytest.fixture
def ministry(users):
    return users[Role.MINISTRY]  # organisation in CF


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


def _client(lang: str, user) -> Client:
    client = Client(headers={"accept-language": lang})
    client.force_login(user)
    return client


def _victims(caseworker, n: int, on: date) -> None:
    for _ in range(n):
        i = next(_people)
        factories.case(
            caseworker=caseworker, first_name=f"Awa{i}", last_name=f"Ngaba{i}", identified_on=on
        )


def _session(org, on: date, audiences: tuple[str, ...], *, female: int = 4, male: int = 6):
    training_sessions.session_record(
        actor=None,
        organiser=org,
        title=f"Training of {on} for {len(audiences)} audiences",
        session_type="training",
        audiences=list(audiences),
        topics=["legal_framework"],
        country="CF",
        start_date=on,
        end_date=on,
        participants_female=female,
        participants_male=male,
    )


def _dashboard(client, period: Period = FOURTH) -> str:
    response = client.get(reverse("reports:dashboard"), {"period": period.key})
    assert response.status_code == 200
    return response.content.decode()


# The geometry


def test_gridlines_are_whole_numbers_up_to_a_round_maximum():
    assert charts.ticks(0) == [0, 1]
    assert charts.ticks(1) == [0, 1]
    assert charts.ticks(6) == [0, 2, 4, 6]
    assert charts.ticks(37) == [0, 10, 20, 30, 40]
    assert charts.ticks(100) == [0, 50, 100]
    assert charts.ticks(1234) == [0, 500, 1000, 1500]


def test_column_heights_are_in_proportion_to_the_counts():
    chart = charts.columns([("Oct", 12), ("Nov", 6), ("Dec", 9)])

    heights = [bar.box.height for bar in chart.bars]
    assert heights[1] == pytest.approx(heights[0] / 2, abs=0.1)
    assert heights[2] == pytest.approx(heights[0] * 3 / 4, abs=0.1)
    # Every bar stands on the axis, and the tallest reaches the top gridline (12).
    assert {round(bar.box.y + bar.box.height, 1) for bar in chart.bars} == {chart.axis.y1}
    assert [tick.value for tick in chart.ticks] == [0, 5, 10, 15]
    assert chart.bars[0].box.y == pytest.approx(
        chart.axis.y1 - (chart.axis.y1 - chart.ticks[-1].line.y1) * 12 / 15, abs=0.1
    )


def test_a_hidden_count_has_no_bar_and_its_label_is_written_at_the_base():
    chart = charts.columns([("Oct", 6), ("Nov", f"<{K}"), ("Dec", "*"), ("Jan", 0)])

    october, november, december, january = chart.bars
    assert october.box is not None and not october.hidden
    for bar in (november, december):
        assert bar.hidden and bar.box is None
        assert bar.figure.y == pytest.approx(chart.axis.y1 - charts.GAP)
    assert january.box is None and not january.hidden  # a zero: no bar, "0" written
    assert [bar.value for bar in chart.bars] == [6, f"<{K}", "*", 0]


def test_bar_lengths_are_in_proportion_and_long_labels_are_cut():
    long = "Migrants and people who have returned home"
    chart = charts.bars([(long, 20), ("Police", 10), ("Magistrates", f"<{K}")])

    migrants, police, magistrates = chart.bars
    assert police.box.width == pytest.approx(migrants.box.width / 2, abs=0.1)
    assert magistrates.box is None and magistrates.figure.x > police.box.x
    assert migrants.title == long
    assert migrants.label == "Migrants and peop…"
    assert len(migrants.label) == charts.LABEL_CHARS
    assert police.label == police.title == "Police"


def test_twelve_month_labels_are_turned_so_that_they_do_not_overlap():
    months = [(f"Month {m:02d}", m) for m in range(1, 13)]

    turned = charts.columns(months)
    flat = charts.columns(months[:3])

    assert all(bar.name.transform.startswith("rotate(-45 ") for bar in turned.bars)
    assert all(bar.name.transform == "" for bar in flat.bars)
    assert turned.height > flat.height  # room below the axis for the turned labels


# The dashboard draws them


def test_the_months_chart_is_an_image_named_by_its_caption_with_french_months(ministry, caseworker):
    _victims(caseworker, 6, OCTOBER.start)
    _victims(caseworker, 2, date(2025, 11, 10))  # November: hidden

    page = _dashboard(_client("fr", ministry))

    svg = chart_svg(page, "identified-chart")
    assert svg is not None
    assert svg.get("role") == "img"
    caption_id = svg.get("aria-labelledby")
    with translation.override("fr"):
        caption = translation.gettext("Victims identified by month")
        month_format = translation.pgettext(
            "a month under a chart's bar: a Django date format", "M Y"
        )
        months = [formats.date_format(date(2025, m, 1), month_format) for m in (10, 11, 12)]
    assert re.search(rf'id="{caption_id}"[^>]*>\s*{re.escape(caption)}\s*<', page)
    bars = drawn_bars(svg)
    assert [bar.label for bar in bars] == months
    assert "Dec" not in months[2] and "2025" in months[2]  # French, and a year not "2 025"
    october, november, december = bars
    assert october.value == "6" and october.rect is not None and october.rect["height"] > 0
    assert november.value == f"<{K}" and november.rect is None
    # December's zero sits beside a hidden count: hidden too, so no bar either.
    assert december.rect is None and december.value in (f"<{K}", "*")
    assert all(label.isdigit() for label in tick_labels(svg))
    # The same numbers stay in the table beside the chart.
    assert "By month (table)" in page or "<details>" in page


def test_the_audiences_chart_writes_whole_numbers_in_french_and_names_cut_labels_whole(
    ministry, org
):
    _session(org, OCTOBER.start, ("magistrates", "migrants_returnees"), female=600, male=634)
    _session(org, OCTOBER.start, ("police",))

    page = _dashboard(_client("fr", ministry))

    svg = chart_svg(page, "audiences-chart")
    assert svg is not None
    assert svg.get("role") == "img"
    assert f'id="{svg.get("aria-labelledby")}"' in page
    bars = {bar.title: bar for bar in drawn_bars(svg)}
    with translation.override("fr"):
        migrants = str(Audience.MIGRANTS_RETURNEES.label)
        magistrates = str(Audience.MAGISTRATES.label)
        police = str(Audience.POLICE.label)
        thousands = formats.number_format(1234, force_grouping=True)
    assert set(bars) == {migrants, magistrates, police}
    assert bars[magistrates].value == thousands  # "1 234": grouped, never "1234,0"
    assert bars[police].value == "10"
    assert bars[police].rect["width"] == pytest.approx(
        bars[magistrates].rect["width"] * 10 / 1234, abs=0.1
    )
    if len(migrants) > charts.LABEL_CHARS:
        assert bars[migrants].label.endswith("…")
        assert migrants.startswith(bars[migrants].label[:-1])
    assert "," not in "".join(tick_labels(svg))


def test_the_dashboard_carries_no_chart_script(ministry, caseworker, org):
    _victims(caseworker, 6, OCTOBER.start)
    _session(org, OCTOBER.start, ("magistrates", "police"))

    page = _dashboard(_client("en", ministry))

    assert chart_svg(page, "identified-chart") is not None
    assert chart_svg(page, "audiences-chart") is not None
    scripts = re.findall(r"<script\b[^>]*>", page)
    assert [s for s in scripts if "chart" in s.lower() or "dashboard" in s] == []
    assert "<canvas" not in page
    assert 'href="/static/css/charts.css"' in page


def test_a_dashboard_without_a_chart_does_not_load_the_chart_styles(ministry):
    page = _dashboard(_client("en", ministry))

    assert chart_svg(page, "identified-chart") is None
    assert "charts.css" not in page


def test_the_dashboard_with_both_charts_weighs_at_most_100_kb_compressed(ministry, caseworker, org):
    # Twelve months: the widest chart of months.
    for month in range(1, 13):
        _victims(caseworker, 5 + month % 3, date(2025, month, 3))
    _session(org, OCTOBER.start, tuple(code for code, _label in Audience.choices))
    client = _client("fr", ministry)

    response = client.get(reverse("reports:dashboard"), {"period": "2025"})

    page = response.content.decode()
    assert len(drawn_bars(chart_svg(page, "identified-chart"))) == 12
    assert len(drawn_bars(chart_svg(page, "audiences-chart"))) == len(Audience.choices)
    weight, assets = page_weight(response.content)
    assert weight <= PAGE_LIMIT, f"{weight / 1024:.0f} KB with {assets}"
