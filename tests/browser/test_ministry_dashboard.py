"""The ministry focal point, in French, in a real browser: picks French with the footer's
switcher, signs in, opens the national dashboard from the navigation and reads its
headings and tables; every case page, typed directly, answers with the 403 page.

Expected labels come from the app's catalogue (gettext under override("fr")), so the
test follows whatever the French catalogue says; a separate check says whether the
dashboard's own words are translated at all."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from accounts.navigation import items_for
from cases.models import Case
from demo.data.users import DEMO_PASSWORD

LANG = "fr"
# The browser asks for English: only the footer's switcher can make the pages French.
BROWSER_LOCALE = "en-GB"
HEADINGS = ["Victims identified", "Who and how", "Referrals", "Trainings and people reached"]
CAPTIONS = ["Exploitation", "Sex", "Age group", "Citizenship", "Region"]


def tr(message: str) -> str:
    """`message` as the app's catalogue renders it in French."""
    with translation.override(LANG):
        return translation.gettext(message)


pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]


def choose_language(page: Page, lang: str) -> None:
    page.locator("footer select#language-select").select_option(lang)
    page.locator("footer #language-select + button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def sign_in_french(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    choose_language(page, LANG)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=tr("Sign in"), exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", LANG)


def nav_link(page: Page, label: str) -> Locator:
    return page.locator("#main-nav a.nav-link").filter(has_text=re.compile(rf"^\s*{label}\s*$"))


def expect_refused(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None
    assert response.status == 403, url
    expect(page.locator("main h1")).to_have_text(tr("Access refused"))
    expect(page.locator("html")).to_have_attribute("lang", LANG)


def test_ministry_user_reads_the_dashboard_in_french_and_reaches_no_case(
    new_page, live_server, demo_world, screenshot
):
    ministry = User.objects.get(username="ministry")
    with translation.override(LANG):
        nav = [str(item.label) for item in items_for(ministry)]
    assert tr("Dashboard") in nav
    assert tr("Cases") not in nav
    page = new_page(viewport={"width": 1280, "height": 900}, locale=BROWSER_LOCALE)

    sign_in_french(page, live_server, "ministry")
    expect(page.locator("#main-nav a.nav-link")).to_have_text(nav)
    nav_link(page, tr("Dashboard")).click()

    expect(page).to_have_url(live_server.url + reverse("reports:dashboard"))
    expect(page.locator("main h1")).to_have_text(tr("National dashboard"))
    for heading in HEADINGS:
        expect(page.get_by_role("heading", name=tr(heading), exact=True)).to_be_visible()
    for caption in CAPTIONS:
        table = page.locator("main table").filter(
            has=page.locator("caption", has_text=re.compile(rf"^\s*{tr(caption)}\s*$"))
        )
        expect(table).to_have_count(1)
        expect(table).to_be_visible()
    # The demo's victims in CF, by sex: each a count of 5 or more, "<5" (fewer, perhaps
    # none), or "*" (hidden so that a small count cannot be worked out from the total).
    by_sex = page.locator("main table").filter(has=page.locator("caption", has_text=tr("Sex")))
    counts = [c.strip() for c in by_sex.locator("td").all_inner_texts()]
    assert counts
    assert all(c in ("<5", "*") or (c.isdigit() and int(c) >= 5) for c in counts), counts
    total = page.get_by_test_id("identified-total").inner_text().strip()
    assert total in ("<5", "*", "0") or int(total.replace("\u202f", "")) >= 5, total
    # A calendar period that has ended, and no country to choose: the focal point's own.
    expect(page.locator("select#id_period")).to_be_visible()
    expect(page.locator("#id_country")).to_have_count(0)
    expect(page.get_by_role("heading", name="Plan d'action national", exact=False)).to_be_visible()
    screenshot(page, "ministry", LANG)

    # No case page, whatever is typed in the address bar.
    expect_refused(page, live_server.url + reverse("cases:case_list"))
    case = Case.objects.filter(identified_country="CF").order_by("pk").first()
    assert case is not None
    expect_refused(page, live_server.url + reverse("cases:case_detail", kwargs={"pk": case.pk}))
    expect_refused(page, live_server.url + reverse("cases:case_edit", kwargs={"pk": case.pk}))


def test_the_dashboard_words_are_translated_into_french():
    # Separate from the browser test, which follows the catalogue whatever it says: the
    # catalogue must actually hold French for the dashboard's own words.
    untranslated = [m for m in ["Dashboard", "National dashboard", *HEADINGS] if tr(m) == m]

    assert untranslated == []
