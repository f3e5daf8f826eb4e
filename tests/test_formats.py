"""Formats of the place (issue 14, item 7): English writes dates day first with a 24-hour
clock (en-GB style, traffick_cm/formats/en/), French stays French, and no page shows a year
as a number with a thousands separator ("2 026", "2,026")."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import formats, translation

from accounts.roles import Role
from reports.models import CtdcRelease
from tests import factories
from tests.access_table import ANON, SUPER, TABLE

DAY = date(2026, 3, 12)
MOMENT = datetime(2026, 3, 12, 14, 30)  # noqa: DTZ001 - a wall-clock time to format


@pytest.mark.parametrize(
    ("lang", "fmt", "expected"),
    [
        ("en", "DATE_FORMAT", "12 March 2026"),
        ("en", "SHORT_DATE_FORMAT", "12/03/2026"),
        ("en", "YEAR_MONTH_FORMAT", "March 2026"),
        ("fr", "DATE_FORMAT", "12 mars 2026"),
        ("fr", "SHORT_DATE_FORMAT", "12/03/2026"),
        ("fr", "YEAR_MONTH_FORMAT", "mars 2026"),
    ],
)
def test_dates_are_written_day_first(lang, fmt, expected):
    with translation.override(lang):
        assert formats.date_format(DAY, fmt) == expected


@pytest.mark.parametrize(
    ("lang", "fmt", "expected"),
    [
        ("en", "TIME_FORMAT", "14:30"),
        ("en", "DATETIME_FORMAT", "12 March 2026, 14:30"),
        ("en", "SHORT_DATETIME_FORMAT", "12/03/2026 14:30"),
        ("fr", "TIME_FORMAT", "14:30"),
        ("fr", "DATETIME_FORMAT", "12 mars 2026 14:30"),
        ("fr", "SHORT_DATETIME_FORMAT", "12/03/2026 14:30"),
    ],
)
def test_times_use_a_24_hour_clock(lang, fmt, expected):
    with translation.override(lang):
        shown = formats.date_format(MOMENT, fmt)
    assert shown == expected
    assert "p.m." not in shown and "PM" not in shown


class _DateForm(forms.Form):
    day = forms.DateField()


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("typed", ["12/03/2026", "2026-03-12"])
def test_dates_typed_day_first_or_iso_are_read_alike(lang, typed):
    with translation.override(lang):
        form = _DateForm({"day": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["day"] == DAY


def test_an_english_date_is_never_read_month_first():
    with translation.override("en"):
        # 03/12/2026 is the 3rd of December, as everywhere but the United States.
        form = _DateForm({"day": "03/12/2026"})
        assert form.is_valid()
        assert form.cleaned_data["day"] == date(2026, 12, 3)
        assert not _DateForm({"day": "12/31/2026"}).is_valid()


def test_numbers_keep_the_separators_of_each_language(settings):
    assert settings.USE_THOUSAND_SEPARATOR
    with translation.override("en"):
        assert formats.localize(12345) == "12,345"
    with translation.override("fr"):
        assert formats.localize(12345) == "12\xa0345"


def test_a_year_printed_as_a_number_would_be_grouped_and_unlocalize_keeps_it_whole():
    """Why templates print years through |unlocalize (or as strings): the trap itself."""
    template = Template("{% load l10n %}{{ year }}|{{ year|unlocalize }}")
    with translation.override("fr"):
        grouped, whole = template.render(Context({"year": 2026})).split("|")
    assert grouped == "2\xa0026"
    assert whole == "2026"


# Every page, in French: no year with a thousands separator. Dates go through the date
# filter; a bare year (an int) would show as "2 026".

# 1 900 to 2 099, with a space, no-break space, narrow no-break space, comma or point.
GROUPED_YEAR = re.compile(r"\b(?:1[\u00a0\u202f ,.]9|2[\u00a0\u202f ,.]0)\d\d\b")


def _reader(row) -> str | None:
    """A subject that gets the page (200), a role before a superuser."""
    for subject in [*[str(r) for r in Role], SUPER, ANON]:
        if row.expect.get(subject) == 200:
            return subject
    return None


def _text(html: str) -> str:
    # Visible text and attribute values; scripts and styles hold no dates to read.
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_no_page_shows_a_year_as_a_grouped_number(ctx):
    # Records whose pages print a year on their own.
    factories.project(organisations=[ctx["org"]], start_date=date(2026, 1, 1))
    CtdcRelease.objects.create(
        year=2024, k=11, file="ctdc/2024.csv", checksum="0", size=1, records=0, left_out=0
    )
    shown_wrong = []
    for url_name, row in sorted(TABLE.items()):
        subject = _reader(row)
        if row.method != "get" or subject is None:
            continue
        client = Client(headers={"accept-language": "fr"})
        if subject == SUPER:
            client.force_login(factories.superuser())
        elif subject != ANON:
            client.force_login(ctx["users"][Role(subject)])
        data = row.data(ctx) if callable(row.data) else row.data
        response = client.get(reverse(url_name, kwargs=row.kwargs(ctx)), data)
        if "text/html" not in response.get("Content-Type", ""):
            continue
        found = GROUPED_YEAR.findall(_text(response.content.decode()))
        if found:
            shown_wrong.append(f"{url_name} ({subject}): {found}")
    assert not shown_wrong, "\n".join(shown_wrong)
