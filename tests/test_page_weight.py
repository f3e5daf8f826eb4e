"""Every role's main pages weigh 100 KB or less compressed on a cold cache, assets included
(issue 14: the slow, expensive connections of field offices; the dashboard included, whose
charts are drawn on the server as SVG: tests/reports/test_svg_charts.py weighs it with both)."""

from __future__ import annotations

import gzip
import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.roles import Role
from tests import factories

LIMIT = 100 * 1024
ASSET = re.compile(r'(?:src|href)="(/static/[^"?#]+)"')


def _weight(html: bytes) -> tuple[int, list[str]]:
    total = len(gzip.compress(html))
    assets = sorted(set(ASSET.findall(html.decode())))
    for url in assets:
        path = finders.find(url.removeprefix("/static/"))
        assert path, f"missing static file {url}"
        with open(path, "rb") as stream:
            total += len(gzip.compress(stream.read()))
    return total, assets


PAGES = [
    (Role.CASEWORKER, "home", {}),
    (Role.CASEWORKER, "cases:case_list", {}),
    (Role.CASEWORKER, "cases:case_register", {}),
    (Role.CASEWORKER, "referrals:referral_list", {}),
    (Role.SUPERVISOR, "home", {}),
    (Role.SUPERVISOR, "cases:approvals", {}),
    (Role.PARTNER, "home", {}),
    (Role.PARTNER, "referrals:inbox", {}),
    (Role.PROGRAMME, "home", {}),
    (Role.PROGRAMME, "trainings:session_list", {}),
    (Role.PROGRAMME, "trainings:session_create", {}),
    (Role.MNE, "home", {}),
    (Role.MNE, "reports:dashboard", {}),
    (Role.MNE, "reports:run_list", {}),
    (Role.MINISTRY, "home", {}),
    (Role.MINISTRY, "reports:dashboard", {}),
    (Role.MINISTRY, "referrals:statistics", {}),
    (Role.MINISTRY, "reports:plan_list", {}),
    (Role.ADMIN, "home", {}),
    (Role.ADMIN, "accounts:user_list", {}),
    (Role.ADMIN, "partners:organisation_list", {}),
]


@pytest.mark.parametrize(("role", "url_name", "kwargs"), PAGES)
def test_main_page_first_load_is_at_most_100_kb_compressed(client, users, role, url_name, kwargs):
    client.force_login(users[role])
    response = client.get(reverse(url_name, kwargs=kwargs))
    assert response.status_code == 200
    weight, assets = _weight(response.content)
    assert weight <= LIMIT, f"{url_name}: {weight / 1024:.0f} KB with {assets}"


def test_case_detail_first_load_is_at_most_100_kb_compressed(client, users):
    case = factories.case(caseworker=users[Role.CASEWORKER])
    client.force_login(users[Role.CASEWORKER])
    response = client.get(reverse("cases:case_detail", kwargs={"pk": case.pk}))
    weight, assets = _weight(response.content)
    assert weight <= LIMIT, f"case detail: {weight / 1024:.0f} KB with {assets}"


def test_login_page_first_load_is_at_most_100_kb_compressed(client, db):
    response = client.get(reverse("accounts:login"))
    weight, _assets = _weight(response.content)
    assert weight <= LIMIT
