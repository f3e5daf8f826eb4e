"""The benchmark's framework floor page (installed with BENCHMARK_TOOLS only): the policy
check of the page it stands for, then nothing."""

from __future__ import annotations

import pytest
from django.urls import include, path

from accounts.roles import Role
from traffick_cm.urls import urlpatterns as app_urlpatterns

urlpatterns = [*app_urlpatterns, path("bench/", include("bench.urls"))]
pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


def test_a_caseworker_gets_the_empty_page_behind_the_case_check(client_for, users):
    response = client_for(users[Role.CASEWORKER]).get("/bench/floor/case/view/")
    assert response.status_code == 200
    assert response.content.strip() == b""


def test_a_role_without_the_right_of_the_page_is_refused(client_for, users):
    response = client_for(users[Role.PARTNER]).get("/bench/floor/case/view/")
    assert response.status_code == 403


def test_signed_out_goes_to_the_login(client):
    response = client.get("/bench/floor/case/view/")
    assert response.status_code == 302
    assert "login" in response.url


def test_an_unknown_check_is_not_found(client_for, users):
    assert client_for(users[Role.ADMIN]).get("/bench/floor/nothing/view/").status_code == 404
    assert client_for(users[Role.ADMIN]).get("/bench/floor/case/destroy/").status_code == 404
