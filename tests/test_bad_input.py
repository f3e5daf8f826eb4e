"""What a user sees when something goes wrong, and the headers every page carries."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path, reverse

from accounts.models import User
from accounts.roles import Role
from home import views as home_views
from tests import factories
from traffick_cm.urls import urlpatterns as project_urlpatterns

LEAK = "password=hunter2 host=10.20.30.40"


def _page_with_inline_script(request: HttpRequest) -> HttpResponse:
    return HttpResponse(f'<script nonce="{request.csp_nonce}">window.ready = true;</script>')


# The project's URLs plus one page with an inline script, for the nonce test.
urlpatterns = [path("inline-script/", _page_with_inline_script), *project_urlpatterns]


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def csrf_client():
    return Client(enforce_csrf_checks=True, headers={"accept-language": "en"})


@pytest.fixture
def admin(users):
    return users[Role.ADMIN]


def _user_form():
    return {
        "username": "fatou",
        "first_name": "Fatou",
        "last_name": "Camara",
        "roles": [Role.CASEWORKER],
        "password1": "blue-river-lantern-42",
        "password2": "blue-river-lantern-42",
    }


# Signing in


def test_wrong_password_shows_a_clear_error_and_signs_nobody_in(client, users):
    response = client.post(
        reverse("accounts:login"), {"username": "caseworker", "password": "not-the-password"}
    )

    assert response.status_code == 200
    assert "Please enter a correct username and password." in response.content.decode()
    assert settings.SESSION_COOKIE_NAME not in response.cookies
    assert not Session.objects.exists()


def test_right_password_signs_in(client, users):
    response = client.post(
        reverse("accounts:login"), {"username": "caseworker", "password": factories.PASSWORD}
    )

    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == users[Role.CASEWORKER].pk


# Forms without their CSRF token


def test_sign_in_without_csrf_token_shows_form_expired(csrf_client, users):
    response = csrf_client.post(
        reverse("accounts:login"), {"username": "caseworker", "password": factories.PASSWORD}
    )

    assert response.status_code == 403
    assert "Form expired" in response.content.decode()
    assert not Session.objects.exists()


def test_user_creation_without_csrf_token_shows_form_expired_and_creates_nobody(csrf_client, admin):
    csrf_client.force_login(admin)

    response = csrf_client.post(reverse("accounts:user_create"), _user_form())

    assert response.status_code == 403
    assert "Form expired" in response.content.decode()
    assert not User.objects.filter(username="fatou").exists()


def test_user_creation_with_its_csrf_token_is_accepted(csrf_client, admin):
    # The counterpart of the test above: the refusal is about the token, not the form.
    csrf_client.force_login(admin)
    csrf_client.get(reverse("accounts:user_create"))
    token = csrf_client.cookies["csrftoken"].value

    response = csrf_client.post(
        reverse("accounts:user_create"), {**_user_form(), "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert User.objects.filter(username="fatou").exists()


# Error pages


@pytest.mark.parametrize("signed_in", [False, True])
def test_unknown_url_shows_the_projects_404_page_without_echoing_the_address(
    client, users, signed_in
):
    if signed_in:
        client.force_login(users[Role.CASEWORKER])

    response = client.get("/no-such-page-xq7z/?ref=zz9plural")

    content = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in content
    assert "Back to the home page" in content
    assert "xq7z" not in content
    assert "zz9plural" not in content


def test_server_error_page_does_not_leak_the_error(monkeypatch, users):
    def broken(**kwargs):
        raise RuntimeError(LEAK)

    monkeypatch.setattr(home_views.programme_selectors, "current_projects", broken)
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    client.force_login(users[Role.CASEWORKER])

    response = client.get(reverse("home"))

    content = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in content
    assert "hunter2" not in content
    assert "10.20.30.40" not in content
    assert "RuntimeError" not in content
    assert "Traceback" not in content


# Headers


def _authenticated_urls(ctx) -> list[str]:
    return [
        reverse("home"),
        reverse("accounts:user_list"),
        reverse("accounts:user_detail", kwargs={"pk": ctx["admin"].pk}),
        reverse("accounts:password_change"),
        reverse("partners:organisation_list"),
        reverse("partners:organisation_detail", kwargs={"pk": ctx["org"].pk}),
        reverse("programmes:project_list"),
        reverse("programmes:project_detail", kwargs={"pk": ctx["project"].pk}),
        reverse("programmes:donor_list"),
        "/no-such-page/",
    ]


@pytest.fixture
def ctx(org, admin):
    return {"org": org, "admin": admin, "project": factories.project(organisations=[org])}


def test_every_page_seen_signed_in_is_marked_no_store(client, ctx):
    client.force_login(ctx["admin"])

    for url in _authenticated_urls(ctx):
        response = client.get(url)
        assert "no-store" in response.get("Cache-Control", ""), url


def test_refusals_and_redirects_seen_signed_in_are_marked_no_store(client, users):
    client.force_login(users[Role.PARTNER])

    refused = client.get(reverse("programmes:project_list"))
    redirected = client.get(reverse("accounts:login"))

    assert refused.status_code == 403
    assert "no-store" in refused["Cache-Control"]
    assert redirected.status_code == 302
    assert "no-store" in redirected["Cache-Control"]


def _script_src(policy: str) -> str:
    directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
    return directives["script-src"]


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_carry_a_content_security_policy_without_unsafe_inline(client, users, signed_in):
    if signed_in:
        client.force_login(users[Role.CASEWORKER])
    url = reverse("home") if signed_in else reverse("accounts:login")

    policy = client.get(url)["Content-Security-Policy"]

    assert "'self'" in _script_src(policy)
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


@pytest.mark.urls(__name__)
def test_a_script_nonce_used_by_a_page_is_allowed_by_its_policy(client, db):
    response = client.get("/inline-script/")

    nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
    assert f"'nonce-{nonce}'" in _script_src(response["Content-Security-Policy"])
    assert "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.urls(__name__)
def test_each_response_gets_a_fresh_script_nonce(client, db):
    first = client.get("/inline-script/")["Content-Security-Policy"]
    second = client.get("/inline-script/")["Content-Security-Policy"]

    assert _script_src(first) != _script_src(second)


@pytest.mark.parametrize("signed_in", [False, True])
def test_pages_refuse_framing_and_content_sniffing(client, users, signed_in):
    if signed_in:
        client.force_login(users[Role.CASEWORKER])
    url = reverse("home") if signed_in else reverse("accounts:login")

    response = client.get(url)

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


# Numbers and dates in imported files


@pytest.mark.parametrize("value", ["¹", "٣", "１２", "99999999999999999999"])
def test_a_count_in_another_script_is_a_row_error_not_a_server_error(value):
    from traffick_cm.imports import Cells, ImportReport

    report = ImportReport()
    assert Cells(2, {"participants_female": value}, report).count("participants_female") is None
    assert report.errors and report.errors[0][:2] == (2, "participants_female")


@pytest.mark.parametrize("value", ["¹", "٣", "１２"])
def test_a_case_number_column_in_another_script_is_a_row_error(value):
    from traffick_cm.imports import Cells, ImportReport

    report = ImportReport()
    row = Cells(2, {"prs_NumberOfChildren": value}, report)
    assert row.count("prs_NumberOfChildren", maximum=30) is None
    assert [(n, column) for n, column, _message in report.errors] == [(2, "prs_NumberOfChildren")]


@pytest.mark.parametrize("value", ["0001-01-01", "9999-12-31"])
def test_an_imported_date_out_of_range_is_a_row_error(value):
    from traffick_cm.imports import Cells, ImportReport

    report = ImportReport()
    assert Cells(3, {"start_date": value}, report).date("start_date") is None
    assert report.errors[0][:2] == (3, "start_date")
