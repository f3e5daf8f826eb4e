"""The role x URL table (tests/access_table.py) against the project: every URL pattern has a
row, and every role gets what its row says, on the records of the `ctx` fixture
(tests/conftest.py). Django's own admin is checked separately (superusers only)."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.roles import Role
from tests import factories
from tests.access_table import ANON, SUPER, TABLE

# Django's admin site has its own gatekeeping (staff superusers here); see test below. The
# API answers tokens, not sessions: its own table is tests/api_access/ (tests/api/).
EXCLUDED_NAMESPACES = {"admin", "api"}


def _all_url_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    resolver = resolver or get_resolver()
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace
            if ns in EXCLUDED_NAMESPACES:
                continue
            prefix = f"{namespace}{ns}:" if ns else namespace
            names |= _all_url_names(pattern, prefix)
        elif isinstance(pattern, URLPattern):
            assert pattern.name, f"URL pattern {pattern.pattern} has no name"
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_pattern_has_a_row_in_the_role_table():
    missing = _all_url_names() - set(TABLE)
    stale = set(TABLE) - _all_url_names()
    assert not missing, f"URLs without access expectations: {sorted(missing)}"
    assert not stale, f"Rows for URLs that no longer exist: {sorted(stale)}"


def _subjects():
    return [ANON, SUPER, *[str(r) for r in Role]]


@pytest.mark.parametrize("url_name", sorted(TABLE))
def test_each_role_gets_the_expected_status(ctx, url_name):
    """Every subject in turn, each on the same records as they were: what one subject's
    request changes is rolled back before the next (a savepoint)."""
    row = TABLE[url_name]
    wrong = []
    for subject in _subjects():
        with transaction.atomic():
            client = Client()
            if subject == SUPER:
                client.force_login(factories.superuser())
            elif subject != ANON:
                client.force_login(ctx["users"][Role(subject)])
            url = reverse(url_name, kwargs=row.kwargs(ctx))
            data = row.data(ctx) if callable(row.data) else row.data
            response = getattr(client, row.method)(url, data)
            if response.status_code != row.expect[subject]:
                wrong.append(
                    f"{subject} {row.method.upper()} {url}: got {response.status_code}, "
                    f"expected {row.expect[subject]}"
                )
            login_redirect = subject == ANON and row.expect[ANON] == 302
            if login_redirect and url_name not in {"set_language", "accounts:logout", "favicon"}:
                location = response.get("Location", "")
                if not location.startswith(reverse("accounts:login")):
                    wrong.append(f"anonymous {url}: sent to {location!r}, not to sign in")
            transaction.set_rollback(True)
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("subject", [str(r) for r in Role])
def test_admin_site_is_for_superusers_only(client, users, subject):
    client.force_login(users[Role(subject)])
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_superuser_reaches_admin_site(client, db):
    client.force_login(factories.superuser())
    assert client.get("/admin/").status_code == 200
