"""French by default, English on request: the browser's language, then the user's choice."""

from __future__ import annotations

from datetime import date

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests import factories


def _login_page(client: Client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    return response


def test_login_page_is_in_french_for_a_french_browser(db):
    response = _login_page(Client(headers={"accept-language": "fr-FR,fr;q=0.9"}))

    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()
    assert "Se connecter" in response.content.decode()


def test_login_page_is_in_french_for_the_french_language_cookie(db):
    client = Client(headers={"accept-language": "en"})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"

    response = _login_page(client)

    assert response["Content-Language"] == "fr"
    assert "Se connecter" in response.content.decode()


def test_login_page_is_in_english_for_an_english_browser(db):
    response = _login_page(Client(headers={"accept-language": "en-GB,en;q=0.9"}))

    assert response["Content-Language"] == "en"
    assert '<html lang="en">' in response.content.decode()
    assert "Sign in" in response.content.decode()
    assert "Se connecter" not in response.content.decode()


def test_login_page_is_in_french_when_the_browser_asks_for_neither_language(db):
    response = _login_page(Client(headers={"accept-language": "de"}))

    assert response["Content-Language"] == "fr"


def test_choosing_english_sets_the_language_cookie_and_the_next_page_is_in_english(db):
    client = Client(headers={"accept-language": "fr"})
    login = reverse("accounts:login")

    response = client.post(reverse("set_language"), {"language": "en", "next": login})

    assert response.status_code == 302
    assert response["Location"] == login
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    page = _login_page(client)
    assert page["Content-Language"] == "en"
    assert '<html lang="en">' in page.content.decode()
    assert "Sign in" in page.content.decode()


def test_choosing_an_unknown_language_changes_nothing(db):
    client = Client(headers={"accept-language": "fr"})

    response = client.post(reverse("set_language"), {"language": "xx", "next": "/"})

    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies
    assert _login_page(client)["Content-Language"] == "fr"


@pytest.fixture
def guinea_project(org):
    return factories.project(
        code="GN-UNTFHS-2023",
        countries=["GN"],
        organisations=[org],
        start_date=date(2023, 3, 1),
        end_date=date(2024, 6, 30),
    )


@pytest.mark.parametrize(
    ("language", "start", "end", "country"),
    [
        ("fr", "1 mars 2023", "30 juin 2024", "Guinée"),
        ("en", "1 March 2023", "30 June 2024", "Guinea"),
    ],
)
def test_project_dates_and_countries_are_shown_in_the_users_language(
    users, guinea_project, language, start, end, country
):
    client = Client(headers={"accept-language": language})
    client.force_login(users[Role.PROGRAMME])

    response = client.get(reverse("programmes:project_detail", kwargs={"pk": guinea_project.pk}))

    content = response.content.decode()
    assert start in content
    assert end in content
    assert country in content
