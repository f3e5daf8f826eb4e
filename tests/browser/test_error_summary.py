"""Errors you can find, on a phone, in French (issue 14, item 2): after a failed submit the
error summary at the top of the page has the focus, its links lead to their fields, and
the browser's own validation blocks no form (the server validates everything)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from demo.data.users import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]

LANG = "fr"
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
FOCUSED_SUMMARY = "document.activeElement.hasAttribute('data-error-summary')"
EVERY_FORM_NOVALIDATE = (
    "[...document.forms].length > 0 && [...document.forms].every(f => f.noValidate)"
)


def tr(message: str) -> str:
    with translation.override(LANG):
        return translation.gettext(message)


def sign_in_french(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    page.locator("footer select#language-select").select_option(LANG)
    page.locator("footer #language-select + button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=tr("Sign in"), exact=True).click()
    expect(page).to_have_url(live_server.url + "/")


def test_password_change_errors_take_the_focus_on_a_phone(
    new_page, live_server, demo_data, screenshot
):
    page = new_page(locale="en-GB", **PHONE)
    sign_in_french(page, live_server, "caseworker")
    # No form is left to the browser's validation, not even the footer's.
    assert page.evaluate(EVERY_FORM_NOVALIDATE)

    url = live_server.url + reverse("accounts:password_change")
    page.goto(url)
    assert page.evaluate(EVERY_FORM_NOVALIDATE)
    # Empty, required fields: the server answers, the browser does not stop the submit.
    page.locator("main form").get_by_role("button", name=tr("Change password")).click()
    expect(page).to_have_url(url)

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    assert page.evaluate(FOCUSED_SUMMARY)
    expect(summary).to_have_attribute("role", "alert")
    expect(page.get_by_role("alert", name=tr("There is a problem"))).to_be_visible()
    expect(summary).to_be_in_viewport()
    # Nothing wider than the phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "caseworker", LANG)

    links = summary.locator("a")
    expect(links).to_have_count(3)
    expect(links.first).to_contain_text(tr("This field is required."))
    # A link moves the focus to its field.
    links.nth(2).click()
    expect(page.locator("#id_new_password2")).to_be_focused()
    expect(page.locator("#id_new_password2")).to_be_in_viewport()


def test_registration_errors_take_the_focus_on_a_phone(new_page, live_server, demo_data):
    page = new_page(locale="en-GB", **PHONE)
    sign_in_french(page, live_server, "caseworker")
    url = live_server.url + reverse("cases:case_register")
    page.goto(url)
    page.get_by_role("button", name=tr("Register the case"), exact=True).click()
    expect(page).to_have_url(url)

    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    assert page.evaluate(FOCUSED_SUMMARY)
    first_name = summary.locator("a[href='#id_first_name']")
    expect(first_name).to_be_visible()
    first_name.click()
    expect(page.locator("#id_first_name")).to_be_focused()
    expect(page.locator("#id_first_name")).to_be_in_viewport()
