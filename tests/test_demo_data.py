"""seed_demo: the demo organisations, donors, projects and one user per role, loaded only
on a demo system and safe to run again."""

from __future__ import annotations

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from accounts.models import User, UserRole
from accounts.roles import Role
from partners.models import Organisation, OrganisationType
from programmes.models import Donor, Project
from tests import factories

DEMO_PASSWORD = "traffick-demo"


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {
        "organisations": Organisation.objects.count(),
        "organisation regions": Organisation.regions.through.objects.count(),
        "donors": Donor.objects.count(),
        "projects": Project.objects.count(),
        "implementers": Project.organisations.through.objects.count(),
        "users": User.objects.count(),
        "roles": UserRole.objects.count(),
    }


@pytest.fixture
def seeded(db):
    with override_settings(DEMO=True):
        _seed()


@override_settings(DEMO=False, DEBUG=False)
def test_seed_demo_refuses_on_a_system_that_is_not_a_demo(db):
    with pytest.raises(CommandError, match="DEMO=1"):
        _seed()

    assert not User.objects.exists()
    assert not Project.objects.exists()


@pytest.mark.parametrize("role", list(Role))
def test_seed_demo_creates_a_user_per_role_who_signs_in_with_the_demo_password(seeded, role):
    user = User.objects.get(username=str(role))

    assert user.roles == {role}
    assert user.is_active
    assert factories.sign_in(Client(), str(role), DEMO_PASSWORD)


def test_seed_demo_prints_the_credentials(db):
    with override_settings(DEMO=True):
        out = _seed()

    for role in Role:
        assert str(role) in out
    assert DEMO_PASSWORD in out


def test_seed_demo_creates_the_organisations_of_the_seed_documents(seeded):
    iom_car = Organisation.objects.get(acronym="IOM CAR")
    committee = Organisation.objects.get(acronym="CNLTPPA")

    assert iom_car.name == "IOM Central African Republic"
    assert iom_car.country == "CF"
    assert iom_car.regions.filter(name="Bangui").exists()
    assert Organisation.objects.get(acronym="UNODC").type == OrganisationType.UN_AGENCY
    assert Organisation.objects.get(acronym="MINUSCA").country == "CF"
    assert committee.type == OrganisationType.NATIONAL_COMMITTEE
    assert committee.country == "GN"


def test_seed_demo_creates_the_donors_of_the_seed_documents(seeded):
    names = set(Donor.objects.values_list("name", flat=True))

    assert {
        "U.S. Department of State Office to Monitor and Combat Trafficking in Persons",
        "United Nations Peacebuilding Fund",
        "United Nations Trust Fund for Human Security",
        "Government of Canada",
    } <= names
    assert Donor.objects.get(acronym="TIP Office").country == "US"


def test_seed_demo_creates_the_guinea_human_security_project(seeded):
    project = Project.objects.get(code="GN-UNTFHS-2023")

    assert project.start_date == date(2023, 3, 1)
    assert project.end_date == date(2024, 6, 30)
    assert project.donor.acronym == "UNTFHS"
    assert [c.code for c in project.countries] == ["GN"]
    assert {o.acronym for o in project.organisations.all()} == {"IOM GN", "OHCHR"}


def test_running_seed_demo_twice_creates_no_duplicates(seeded):
    before = _counts()

    with override_settings(DEMO=True):
        _seed()

    assert _counts() == before


def test_running_seed_demo_again_restores_a_changed_demo_password(seeded):
    user = User.objects.get(username="caseworker")
    user.set_password("someone-changed-it-99")
    user.save()
    assert not factories.sign_in(Client(), "caseworker", DEMO_PASSWORD)

    with override_settings(DEMO=True):
        _seed()

    assert factories.sign_in(Client(), "caseworker", DEMO_PASSWORD)


def test_running_seed_demo_again_reactivates_a_deactivated_demo_user(seeded):
    User.objects.filter(username="supervisor").update(is_active=False)

    with override_settings(DEMO=True):
        _seed()

    assert User.objects.get(username="supervisor").is_active
    assert factories.sign_in(Client(), "supervisor", DEMO_PASSWORD)


def test_running_seed_demo_again_restores_the_role_of_its_name(seeded):
    partner = User.objects.get(username="partner")
    UserRole.objects.create(user=partner, role=Role.ADMIN)

    with override_settings(DEMO=True):
        _seed()

    assert User.objects.get(username="partner").roles == {Role.PARTNER}


@override_settings(DEMO=False, DEBUG=True)
def test_seed_demo_runs_on_a_debug_laptop(db):
    _seed()

    assert User.objects.filter(username="admin", is_active=True).exists()
