"""Each demo role signs in through the real login form, in English and in French, and
lands on its own home page with exactly the navigation it may use."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Page, expect

from accounts.models import User
from accounts.navigation import items_for
from accounts.roles import Role
from demo.data.users import DEMO_PASSWORD

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread. (pytest-django runs these
    # after the other database tests, so the flush at the end harms none of them.)
    pytest.mark.django_db(transaction=True),
]

ROLES = [str(role) for role in Role]
LANGUAGES = ["en", "fr"]
# The language the browser asks for is the other one, so that only the language
# switcher can explain the language the page ends up in.
BROWSER_LOCALE = {"en": "fr-FR", "fr": "en-GB"}
# The agreed French wording of the words every page shows.
FRENCH = {
    "Sign in": "Se connecter",
    "Sign out": "Se déconnecter",
    "Home": "Accueil",
    "Organisations": "Organisations",
    "Partner directory": "Annuaire des partenaires",
    "Trainings": "Formations",
    "People reached": "Personnes atteintes",
    "Dashboard": "Tableau de bord",
    "Action plans": "Plans d'action",
    "Reports": "Rapports",
    "Pathways": "Circuits de référencement",
    "Referrals": "Référencements",
    "Referral inbox": "Référencements reçus",
    "Referral statistics": "Statistiques des référencements",
    "Projects": "Projets",
    "Donors": "Bailleurs",
    "Users": "Utilisateurs",
    "Webhooks": "Webhooks",
    "Cases": "Cas",
    "Screenings": "Dépistages",
    "Approvals": "Approbations",
}


def tr(message: str, lang: str) -> str:
    """`message` as the app's catalogue renders it in `lang`."""
    with translation.override(lang):
        return translation.gettext(message)


def nav_labels(user: User, lang: str) -> list[str]:
    with translation.override(lang):
        return [str(item.label) for item in items_for(user)]


def choose_language(page: Page, lang: str) -> None:
    """Use the footer's language switcher, as a person would."""
    page.locator("footer select#language-select").select_option(lang)
    page.locator("footer #language-select + button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("footer select#language-select")).to_have_value(lang)


def sign_in(page: Page, username: str, password: str, lang: str) -> None:
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form").get_by_role("button", name=tr("Sign in", lang), exact=True).click()


def open_login(page: Page, live_server, lang: str) -> str:
    login_url = live_server.url + reverse("accounts:login")
    page.goto(login_url)
    choose_language(page, lang)
    expect(page).to_have_url(login_url)
    return login_url


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("role", ROLES)
def test_role_home(new_page, live_server, demo_data, screenshot, role, lang):
    user = User.objects.get(username=role)
    expected_nav = nav_labels(user, lang)
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE[lang])

    login_url = open_login(page, live_server, lang)
    expect(page.locator("main h1")).to_have_text(tr("Sign in", lang))
    sign_in(page, role, DEMO_PASSWORD, lang)

    expect(page).to_have_url(live_server.url + "/")
    # Bootstrap's script is deferred: the dropdown works once the page has loaded.
    page.wait_for_load_state("load")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.get_by_test_id(f"home-{role}")).to_be_visible()
    # Only this role's section: no other role's card.
    expect(page.locator("main section[data-testid^='home-']")).to_have_count(1)

    nav_links = page.locator("#main-nav a.nav-link")
    expect(nav_links).to_have_text(expected_nav)
    shown_nav = [text.strip() for text in nav_links.all_inner_texts()]
    expect(page.locator("#main-nav a[aria-current='page']")).to_have_text(tr("Home", lang))
    expect(page.locator("button.navbar-toggler")).to_be_hidden()

    screenshot(page, role, lang)

    account_menu = page.locator("#account-menu")
    expect(account_menu).to_have_text(role)
    account_menu.click()
    logout = page.get_by_test_id("logout")
    expect(logout).to_be_visible()
    expect(logout).to_have_text(tr("Sign out", lang))
    signout_label = logout.inner_text().strip()
    logout.click()

    expect(page).to_have_url(login_url)
    expect(page.locator("#id_username")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", lang)

    if lang == "fr":
        # Separate from the checks above, which follow the catalogue whatever it says:
        # the French catalogue must actually translate the app's own strings.
        assert signout_label != "Sign out", (
            "French page shows the English sign-out label: "
            "locale/fr/LC_MESSAGES/django.po is not translated or not compiled"
        )
        assert signout_label == FRENCH["Sign out"]
        assert shown_nav == [FRENCH[label] for label in nav_labels(user, "en")]


def test_role_home_phone(new_page, live_server, demo_data, screenshot):
    role, lang = "caseworker", "fr"
    user = User.objects.get(username=role)
    page = new_page(
        viewport={"width": 375, "height": 667},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
        locale=BROWSER_LOCALE[lang],
    )

    login_url = open_login(page, live_server, lang)
    sign_in(page, role, DEMO_PASSWORD, lang)
    expect(page).to_have_url(live_server.url + "/")
    page.wait_for_load_state("load")
    expect(page.get_by_test_id(f"home-{role}")).to_be_visible()

    nav_links = page.locator("#main-nav a.nav-link")
    toggler = page.locator("button.navbar-toggler")
    expect(toggler).to_be_visible()
    expect(toggler).to_have_attribute("aria-expanded", "false")
    expect(nav_links.first).to_be_hidden()

    toggler.click()
    expect(toggler).to_have_attribute("aria-expanded", "true")
    # Bootstrap swaps "collapsing" for "show" once the opening transition is over.
    expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
    expect(page.locator("#account-menu")).to_be_visible()
    expect(nav_links).to_have_text(nav_labels(user, lang))
    for link in nav_links.all():
        expect(link).to_be_visible()
        expect(link).to_be_in_viewport()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    screenshot(page, role, lang)

    page.locator("#account-menu").click()
    page.get_by_test_id("logout").click()
    expect(page).to_have_url(login_url)


def test_wrong_password_fr(page, live_server, demo_data, screenshot):
    lang = "fr"
    username_field = User._meta.get_field(User.USERNAME_FIELD)
    with translation.override(lang):
        expected_error = AuthenticationForm.error_messages["invalid_login"] % {
            "username": username_field.verbose_name
        }
    with translation.override("en"):
        english_error = AuthenticationForm.error_messages["invalid_login"] % {
            "username": username_field.verbose_name
        }

    login_url = open_login(page, live_server, lang)
    sign_in(page, "caseworker", "not-the-password", lang)

    errors = page.locator("#login-errors")
    expect(errors).to_be_visible()
    expect(errors).to_have_text(expected_error)
    expect(errors).not_to_have_text(english_error)
    expect(page).to_have_url(login_url)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    expect(page.locator("#id_username")).to_have_value("caseworker")
    expect(page.locator("#id_username")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_password")).to_have_value("")
    expect(page.locator("#main-nav")).to_have_count(0)
    screenshot(page, "caseworker", lang)

    # The app's own strings, in French (separate: they need the project's catalogue).
    expect(page.locator("main h1")).to_have_text("Se connecter")
