"""The caseworker's menu holds a caseworker's work: no donor list, no project list (issue 14).
The policy refuses both lists to caseworkers and the menu follows it; the programme side keeps
both, and a caseworker still reads the projects of their organisation from the home page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.navigation import items_for
from accounts.roles import Role
from tests import factories

PROGRAMME_PAGES = {"programmes:project_list", "programmes:donor_list"}


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def _main(response) -> str:
    """The page's own content, without the menu."""
    page = response.content.decode()
    return page[page.index('<main id="main"') : page.index("</main>")]


def _menu(client: Client) -> list[str]:
    """The addresses of the main navigation's links, as the page shows them."""
    page = client.get(reverse("home")).content.decode()
    menu = page[page.index('id="main-nav"') : page.index('id="account-menu"')]
    return re.findall(r'class="nav-link[^"]*"\s+href="([^"]+)"', menu)


def test_caseworker_menu_has_neither_donors_nor_projects(client, users):
    caseworker = users[Role.CASEWORKER]
    client.force_login(caseworker)

    shown = _menu(client)

    assert not {item.url_name for item in items_for(caseworker)} & PROGRAMME_PAGES
    assert reverse("programmes:project_list") not in shown
    assert reverse("programmes:donor_list") not in shown
    assert reverse("cases:case_list") in shown
    # The page shows what items_for says (tests/browser/test_roles_home.py relies on it).
    assert shown == [reverse(item.url_name) for item in items_for(caseworker)]


@pytest.mark.parametrize("role", [Role.PROGRAMME, Role.SUPERVISOR, Role.MNE])
def test_programme_side_menus_have_donors_and_projects(client, users, role):
    client.force_login(users[role])

    shown = _menu(client)

    assert reverse("programmes:project_list") in shown
    assert reverse("programmes:donor_list") in shown


def test_a_superuser_sees_donors_and_projects_in_the_menu(client, db):
    client.force_login(factories.superuser())

    shown = _menu(client)

    assert {reverse(name) for name in PROGRAMME_PAGES} <= set(shown)


def test_a_caseworker_who_is_also_a_supervisor_sees_them(client, org):
    both = factories.user(Role.CASEWORKER, Role.SUPERVISOR, organisation=org)
    client.force_login(both)

    assert reverse("programmes:project_list") in _menu(client)


@pytest.mark.parametrize("page", sorted(PROGRAMME_PAGES))
def test_caseworker_may_not_open_the_donor_or_project_list(client, users, page):
    client.force_login(users[Role.CASEWORKER])

    assert client.get(reverse(page)).status_code == 403


def test_caseworker_still_reads_the_projects_running_in_their_organisation(client, users, org):
    today = timezone.localdate()
    project = factories.project(
        organisations=[org],
        code="CF-TIP-2026",
        start_date=today - timedelta(days=30),
        end_date=today + timedelta(days=30),
    )
    client.force_login(users[Role.CASEWORKER])

    home = client.get(reverse("home")).content.decode()
    page = client.get(reverse("programmes:project_detail", kwargs={"pk": project.pk}))

    detail = reverse("programmes:project_detail", kwargs={"pk": project.pk})
    assert f'href="{detail}"' in home
    assert page.status_code == 200
    # The project's page does not lead them to the list they may not open.
    assert f'href="{reverse("programmes:project_list")}"' not in _main(page)


def test_the_project_page_leads_the_programme_side_to_all_projects(client, users, org):
    project = factories.project(organisations=[org])
    client.force_login(users[Role.PROGRAMME])

    page = client.get(reverse("programmes:project_detail", kwargs={"pk": project.pk}))

    assert f'href="{reverse("programmes:project_list")}"' in _main(page)
