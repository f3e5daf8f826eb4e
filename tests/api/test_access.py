"""The API's role x endpoint x method table (tests/api_access/) against the API: every route
and method has a row, and every role's token gets what its row says."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

import tests.api_access
from accounts.roles import Role
from api import tokens
from tests import factories
from tests.api_access import ANON, SUPER

# Served to anyone: the schema and its docs hold no data; an unknown address is a 404.
PUBLIC = {"api:schema", "api:docs", "api:not_found"}


def _rows():
    rows = []
    for module in pkgutil.iter_modules(tests.api_access.__path__):
        rows += importlib.import_module(f"tests.api_access.{module.name}").ROWS
    return rows


ROWS = _rows()


def _api_routes() -> set[tuple[str, str]]:
    """Every (route name, method) the API answers."""
    (api,) = [
        p
        for p in get_resolver().url_patterns
        if isinstance(p, URLResolver) and p.namespace == "api"
    ]
    routes = set()

    def walk(resolver):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern)
            elif isinstance(pattern, URLPattern) and f"api:{pattern.name}" not in PUBLIC:
                actions = getattr(pattern.callback, "actions", None) or {"get": "get"}
                # HEAD answers as GET does.
                routes.update(
                    (f"api:{pattern.name}", method) for method in actions if method != "head"
                )

    walk(api)
    return routes


def test_every_api_route_and_method_has_a_row():
    covered = {(row.route, row.method) for row in ROWS}

    assert sorted(_api_routes() - covered) == []
    assert sorted(covered - _api_routes()) == []


def _subjects():
    return [ANON, SUPER, *[str(r) for r in Role]]


@pytest.mark.parametrize("row", ROWS, ids=lambda row: f"{row.method}-{row.route}")
def test_each_role_gets_what_its_row_says(ctx, row):
    """Every subject in turn, with a read-write token, each on the same records as they
    were: what one subject's request changes is rolled back before the next."""
    wrong = []
    for subject in _subjects():
        with transaction.atomic():
            client = APIClient()
            if subject != ANON:
                user = factories.superuser() if subject == SUPER else ctx["users"][Role(subject)]
                text = tokens.token_create(actor=None, user=user, name="t", read_only=False)[1]
                client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
            url = reverse(row.route, kwargs=row.kwargs(ctx))
            data = row.data(ctx) if callable(row.data) else row.data
            headers = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in row.headers.items()}
            if row.method == "get":
                response = client.get(url, row.query, **headers)
            else:
                response = getattr(client, row.method)(url, data, format="json", **headers)
            if response.status_code != row.expect[subject]:
                wrong.append(
                    f"{subject} {row.method.upper()} {url}: got {response.status_code}, "
                    f"expected {row.expect[subject]}: {response.content[:200]!r}"
                )
            transaction.set_rollback(True)
    assert not wrong, "\n".join(wrong)
