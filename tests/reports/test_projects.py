"""Projects: staff find them; M&E officers and administrators keep the projects their
organisation implements up to date; the home page shows what runs today."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from programmes.models import Project
from tests import factories


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def mne(users):
    return users[Role.MNE]


@pytest.fixture
def mne_client(client_for, mne):
    return client_for(mne)


@pytest.fixture
def today():
    return timezone.localdate()


@pytest.fixture
def donors(db):
    return {
        "tip": factories.donor(name="TIP Office", acronym="TIP"),
        "pbf": factories.donor(name="Peacebuilding Fund", acronym="PBF"),
    }


@pytest.fixture
def portfolio(org, other_org, donors, today):
    """Projects of several countries, donors and periods."""
    return {
        "running": factories.project(
            code="CF-TIP-2025",
            title="Protection of victims in Bangui",
            donor=donors["tip"],
            countries=["CF"],
            organisations=[org],
            start_date=today - timedelta(days=100),
            end_date=today + timedelta(days=100),
        ),
        "finished": factories.project(
            code="CF-PBF-2019",
            title="Community protection networks",
            donor=donors["pbf"],
            countries=["CF"],
            organisations=[org],
            start_date=date(2019, 1, 1),
            end_date=today - timedelta(days=1),
        ),
        "guinea": factories.project(
            code="GN-TIP-2024",
            title="Return and reintegration in Conakry",
            donor=donors["tip"],
            countries=["GN", "ML"],
            organisations=[other_org],
            start_date=today - timedelta(days=10),
            end_date=today + timedelta(days=10),
        ),
    }


def _listed(client, **params) -> set[str]:
    response = client.get(reverse("programmes:project_list"), params)
    assert response.status_code == 200
    return {p.code for p in response.context["page"].object_list}


def _form(donor, **overrides):
    data = {
        "code": "CF-CAN-2026",
        "title": "Shelter capacity in Ouaka",
        "donor": donor.pk,
        "countries": ["CF"],
        "organisations": [],
        "start_date": "2026-01-01",
        "end_date": "2027-12-31",
    }
    return {**data, **overrides}


def _edit_form(project: Project, **overrides):
    data = {
        "code": project.code,
        "title": project.title,
        "donor": project.donor_id,
        "countries": [c.code for c in project.countries],
        "organisations": [o.pk for o in project.organisations.all()],
        "start_date": project.start_date.isoformat(),
        "end_date": project.end_date.isoformat(),
    }
    return {**data, **overrides}


# The list and its filters


def test_staff_list_all_projects(client_for, users, portfolio):
    client = client_for(users[Role.MINISTRY])

    assert _listed(client) == {"CF-TIP-2025", "CF-PBF-2019", "GN-TIP-2024"}


def test_search_finds_projects_by_code_or_title(client_for, users, portfolio):
    client = client_for(users[Role.PROGRAMME])

    assert _listed(client, q="conakry") == {"GN-TIP-2024"}
    assert _listed(client, q="cf-") == {"CF-TIP-2025", "CF-PBF-2019"}


def test_country_filter_finds_projects_covering_that_country(client_for, users, portfolio):
    client = client_for(users[Role.PROGRAMME])

    assert _listed(client, country="ML") == {"GN-TIP-2024"}
    assert _listed(client, country="CF") == {"CF-TIP-2025", "CF-PBF-2019"}


def test_donor_filter_keeps_projects_of_that_donor(client_for, users, donors, portfolio):
    client = client_for(users[Role.PROGRAMME])

    assert _listed(client, donor=donors["pbf"].pk) == {"CF-PBF-2019"}


def test_running_today_filter_leaves_out_finished_projects(client_for, users, portfolio):
    client = client_for(users[Role.PROGRAMME])

    assert _listed(client, current="on") == {"CF-TIP-2025", "GN-TIP-2024"}
    assert _listed(client, current="on", country="CF") == {"CF-TIP-2025"}


# A caseworker reads the projects running in their organisation from the home page.
@pytest.mark.parametrize("role", [Role.PARTNER, Role.CASEWORKER])
def test_partners_and_caseworkers_cannot_list_projects(client_for, users, portfolio, role):
    response = client_for(users[role]).get(reverse("programmes:project_list"))

    assert response.status_code == 403


def test_detail_shows_donor_countries_and_implementers(client_for, users, portfolio):
    project = portfolio["guinea"]

    response = client_for(users[Role.CASEWORKER]).get(
        reverse("programmes:project_detail", kwargs={"pk": project.pk})
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "GN-TIP-2024 – Return and reintegration in Conakry" in content
    assert "TIP Office" in content
    assert "Guinea" in content
    assert "Mali" in content
    assert "Other NGO (ONGO)" in content
    assert response.context["can_change"] is False


# Creating


def test_mne_officer_creates_a_project(mne_client, donors):
    response = mne_client.post(reverse("programmes:project_create"), _form(donors["tip"]))

    created = Project.objects.get(code="CF-CAN-2026")
    assert response.status_code == 302
    assert response["Location"] == reverse("programmes:project_detail", kwargs={"pk": created.pk})
    assert created.donor == donors["tip"]
    assert created.start_date == date(2026, 1, 1)
    assert created.end_date == date(2027, 12, 31)


def test_project_creation_is_audited(mne_client, mne, donors):
    mne_client.post(reverse("programmes:project_create"), _form(donors["tip"]))

    created = Project.objects.get(code="CF-CAN-2026")
    entry = AuditEntry.objects.get(action="reports.project.created", target_id=str(created.pk))
    assert entry.actor == mne
    assert entry.target_type == "programmes.project"
    assert entry.data["code"] == "CF-CAN-2026"
    assert entry.data["start_date"] == "2026-01-01"
    assert entry.data["end_date"] == "2027-12-31"
    assert entry.data["organisations"] == [mne.organisation_id]


def test_project_created_by_a_non_superuser_lists_their_organisation_as_implementer(
    mne_client, org, other_org, donors
):
    mne_client.post(
        reverse("programmes:project_create"),
        _form(donors["tip"], organisations=[other_org.pk]),
    )

    created = Project.objects.get(code="CF-CAN-2026")
    assert set(created.organisations.all()) == {org, other_org}


def test_project_created_by_a_superuser_lists_only_the_chosen_implementers(
    client_for, other_org, donors
):
    client_for(factories.superuser()).post(
        reverse("programmes:project_create"),
        _form(donors["tip"], organisations=[other_org.pk]),
    )

    assert list(Project.objects.get(code="CF-CAN-2026").organisations.all()) == [other_org]


def test_project_ending_before_it_starts_is_refused_and_nothing_is_saved(mne_client, donors):
    response = mne_client.post(
        reverse("programmes:project_create"),
        _form(donors["tip"], start_date="2026-06-01", end_date="2026-05-31"),
    )

    assert response.status_code == 200
    assert response.context["form"].errors["end_date"] == [
        "The end date comes before the start date."
    ]
    assert not Project.objects.filter(code="CF-CAN-2026").exists()
    assert not AuditEntry.objects.filter(action="reports.project.created").exists()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.PROGRAMME, Role.MINISTRY])
def test_only_mne_officers_and_admins_create_projects(client_for, users, donors, role):
    response = client_for(users[role]).post(
        reverse("programmes:project_create"), _form(donors["tip"])
    )

    assert response.status_code == 403
    assert not Project.objects.filter(code="CF-CAN-2026").exists()


# Editing


def test_mne_officer_edits_a_project_of_their_organisation_and_the_changes_are_audited(
    mne_client, mne, portfolio, today
):
    project = portfolio["running"]
    new_end = today + timedelta(days=400)

    response = mne_client.post(
        reverse("programmes:project_edit", kwargs={"pk": project.pk}),
        _edit_form(project, title="Protection of victims in Bangui and Bimbo", end_date=new_end),
    )

    assert response.status_code == 302
    project.refresh_from_db()
    assert project.title == "Protection of victims in Bangui and Bimbo"
    assert project.end_date == new_end
    entry = AuditEntry.objects.get(action="reports.project.changed", target_id=str(project.pk))
    assert entry.actor == mne
    assert entry.data == {
        "title": {
            "before": "Protection of victims in Bangui",
            "after": "Protection of victims in Bangui and Bimbo",
        },
        "end_date": {
            "before": (today + timedelta(days=100)).isoformat(),
            "after": new_end.isoformat(),
        },
    }


def test_mne_officer_cannot_edit_a_project_their_organisation_does_not_implement(
    mne_client, portfolio
):
    project = portfolio["guinea"]
    url = reverse("programmes:project_edit", kwargs={"pk": project.pk})

    assert mne_client.get(url).status_code == 404
    assert mne_client.post(url, _edit_form(project, title="Changed")).status_code == 404
    project.refresh_from_db()
    assert project.title == "Return and reintegration in Conakry"


def test_mne_officer_is_offered_to_edit_only_projects_of_their_organisation(mne_client, portfolio):
    own = mne_client.get(
        reverse("programmes:project_detail", kwargs={"pk": portfolio["running"].pk})
    )
    other = mne_client.get(
        reverse("programmes:project_detail", kwargs={"pk": portfolio["guinea"].pk})
    )

    assert own.context["can_change"] is True
    assert other.context["can_change"] is False


def test_editing_a_project_to_end_before_it_starts_changes_nothing(mne_client, portfolio):
    project = portfolio["running"]
    end_before = project.end_date

    response = mne_client.post(
        reverse("programmes:project_edit", kwargs={"pk": project.pk}),
        _edit_form(project, title="Changed", end_date=project.start_date - timedelta(days=1)),
    )

    assert response.status_code == 200
    assert "end_date" in response.context["form"].errors
    project.refresh_from_db()
    assert project.title == "Protection of victims in Bangui"
    assert project.end_date == end_before
    assert not AuditEntry.objects.filter(action="reports.project.changed").exists()


# The home page


def test_home_page_lists_running_projects_of_the_users_organisation_or_country(
    client_for, org, donors, portfolio, today
):
    neighbour = factories.organisation(name="UNODC", acronym="UNODC", country="CF")
    same_country = factories.project(
        code="CF-UNODC-2025",
        donor=donors["pbf"],
        countries=["CF"],
        organisations=[neighbour],
        start_date=today,
        end_date=today,
    )
    future = factories.project(
        code="CF-TIP-2030",
        countries=["CF"],
        organisations=[org],
        start_date=today + timedelta(days=1),
        end_date=today + timedelta(days=900),
    )
    abroad_but_ours = factories.project(
        code="ML-XB-2025",
        countries=["ML"],
        organisations=[org],
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=1),
    )
    caseworker = factories.user(Role.CASEWORKER, organisation=org)

    response = client_for(caseworker).get(reverse("home"))

    shown = {p.code for p in response.context["projects"]}
    assert shown == {"CF-TIP-2025", same_country.code, abroad_but_ours.code}
    assert portfolio["finished"].code not in shown
    assert future.code not in shown
    assert portfolio["guinea"].code not in shown
    content = response.content.decode()
    assert "CF-TIP-2025 – Protection of victims in Bangui" in content
    assert "GN-TIP-2024" not in content


def test_home_page_shows_a_ministry_focal_point_the_projects_of_their_country(
    client_for, portfolio
):
    ministry = factories.user(Role.MINISTRY, organisation=factories.organisation(country="ML"))

    response = client_for(ministry).get(reverse("home"))

    assert [p.code for p in response.context["projects"]] == ["GN-TIP-2024"]


def test_home_page_of_a_partner_focal_point_has_no_project_section(client_for, users, portfolio):
    response = client_for(users[Role.PARTNER]).get(reverse("home"))

    assert "projects" not in response.context
    assert "CF-TIP-2025" not in response.content.decode()
