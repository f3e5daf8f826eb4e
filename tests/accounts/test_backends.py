"""The signed-in user is loaded with its roles in one query (accounts/backends.py): the
policy reads the roles on every request, and they are the roles held now."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import UserRole
from accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _role_reads(captured) -> list[str]:
    """The queries that read roles: on their own, or inside the one that loads the user."""
    return [q["sql"] for q in captured.captured_queries if 'FROM "accounts_userrole"' in q["sql"]]


def test_a_page_reads_the_roles_in_the_query_that_loads_the_user(client_for):
    user = factories.user(Role.CASEWORKER)
    client = client_for(user)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("cases:case_list"))
    assert response.status_code == 200
    (role_query,) = _role_reads(captured)
    assert role_query.startswith('SELECT "accounts_user"."id"')


def test_every_role_held_counts_and_a_role_removed_counts_no_more(client_for):
    user = factories.user(Role.CASEWORKER, Role.PROGRAMME)
    client = client_for(user)
    assert client.get(reverse("cases:case_list")).status_code == 200
    assert client.get(reverse("trainings:session_list")).status_code == 200
    UserRole.objects.filter(user=user, role=Role.CASEWORKER).delete()
    assert client.get(reverse("cases:case_list")).status_code == 403
    assert client.get(reverse("trainings:session_list")).status_code == 200


def test_a_user_without_roles_is_signed_in_and_reaches_no_case(client_for):
    user = factories.user(Role.CASEWORKER)
    UserRole.objects.filter(user=user).delete()
    client = client_for(user)
    assert client.get(reverse("cases:case_list")).status_code == 403


def test_a_deactivated_user_is_signed_out_on_the_next_request(client_for):
    user = factories.user(Role.CASEWORKER)
    client = client_for(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    response = client.get(reverse("cases:case_list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
