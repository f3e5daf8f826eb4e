"""The co-organising partners of a training session on a 360-pixel phone, in real Chromium:
checkboxes a finger can hit (44 px), a filter that finds "Sécurité" when "securite" is
typed, a live count, and the ticked partner saved (traffick_cm/widgets.py,
static/js/choices.js). Without JavaScript every checkbox shows."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from demo.data.users import DEMO_PASSWORD
from trainings.models import TrainingSession

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
SECURITY = "Ministère de la Sécurité et de la Protection Civile (MSPC-GN)"
JUSTICE = "Ministère de la Justice et des Droits de l'Homme (MJDH-GN)"


def selected(count: int) -> str:
    with translation.override("en"):
        return translation.ngettext("%(count)s selected", "%(count)s selected", count) % {
            "count": count
        }


def sign_in(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")


def partner(page: Page, label: str):
    return page.locator("#id_partners").get_by_label(label, exact=True)


def test_co_organising_partners_are_picked_by_touch_with_a_filter(
    new_page, live_server, demo_data, screenshot
):
    page = new_page(**PHONE, locale="en-GB")
    sign_in(page, live_server, "programme")
    page.goto(live_server.url + reverse("trainings:session_create"))
    group = page.locator("#id_partners")
    search = page.locator("#id_partners_filter")
    count = page.locator("#id_partners_count")
    options = group.locator("[data-choice-filter-option]")
    total = options.count()
    assert total >= 8

    # The script is there: the filter and the count show; every choice a 44 px row.
    expect(search).to_be_visible()
    expect(page.get_by_label("Filter the list")).to_be_visible()
    expect(count).to_have_text(selected(0))
    for row in options.all()[:5]:
        assert row.bounding_box()["height"] >= 44

    # Accents and case ignored; every word typed must be found.
    search.fill("SECURITE")
    expect(options.filter(visible=True)).to_have_count(1)
    partner(page, SECURITY).check()
    expect(count).to_have_text(selected(1))
    search.fill("ministere justice")
    expect(options.filter(visible=True)).to_have_count(1)
    search.press("Enter")  # never submits the form
    expect(page).to_have_url(live_server.url + reverse("trainings:session_create"))
    partner(page, JUSTICE).check()
    expect(count).to_have_text(selected(2))
    search.fill("no such partner")
    expect(page.get_by_text("No choice matches the filter.")).to_be_visible()
    search.press("Escape")
    expect(search).to_have_value("")
    expect(options.filter(visible=True)).to_have_count(total)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(page, "programme-partners", "en")

    # Ticked partners hidden by a filter are sent all the same.
    search.fill("securite")
    page.locator("#id_title").fill("Atelier de Bimbo")
    page.locator("#id_start_date").fill("2026-03-12")
    page.locator("#id_end_date").fill("2026-03-12")
    page.locator("#id_session_type").select_option("training")
    page.locator("input[name=audiences]").first.check()
    page.locator("#id_participants_female").fill("3")
    page.locator("main form button[type=submit]").click()

    expect(page.locator("main [role=alert]")).to_contain_text(
        "Session “Atelier de Bimbo” on 12/03/2026 recorded."
    )
    session = TrainingSession.objects.get(title="Atelier de Bimbo")
    assert sorted(str(p) for p in session.partners.all()) == sorted([JUSTICE, SECURITY])


def test_without_javascript_every_partner_shows_and_no_filter(new_page, live_server, demo_data):
    page = new_page(**PHONE, java_script_enabled=False)
    sign_in(page, live_server, "programme")
    page.goto(live_server.url + reverse("trainings:session_create"))

    options = page.locator("#id_partners [data-choice-filter-option]")
    expect(page.locator("#id_partners_filter")).to_be_hidden()
    expect(page.locator("#id_partners_count")).to_be_hidden()
    assert options.count() == options.filter(visible=True).count() >= 8
