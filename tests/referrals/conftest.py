"""Fixtures shared by the referral tests: a caseworker's case in Bangui, a partner
organisation with two focal points, a rival partner, and helpers that take a referral
through its workflow with the services, as the views do."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from accounts.roles import Role
from partners.models import Organisation, OrganisationType
from referrals.models import Referral
from tests import factories
from tests.referrals.steps import consent_to_referral, send


@pytest.fixture
def client():
    # English, so that the assertions read the messages users see in English.
    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def english():
    # Services raise their messages in the active language: English, whatever ran before.
    with translation.override("en"):
        yield


@pytest.fixture
def caseworker(users):
    user = users[Role.CASEWORKER]
    user.email = "caseworker@iom.example.org"
    user.save(update_fields=["email"])
    return user


@pytest.fixture
def supervisor(users):
    return users[Role.SUPERVISOR]


@pytest.fixture
def bangui(db):
    return factories.region("CF", "Bangui")


@pytest.fixture
def partner_org(bangui) -> Organisation:
    org = factories.organisation(
        name="Maison d'accueil Espoir",
        acronym="MAE",
        type=OrganisationType.SHELTER,
        services=["shelter", "mhpss"],
    )
    org.regions.set([bangui])
    return org


@pytest.fixture
def focal_point(partner_org):
    return factories.user(
        Role.PARTNER,
        organisation=partner_org,
        username="focal_point",
        email="focal@mae.example.org",
    )


@pytest.fixture
def second_focal_point(partner_org):
    return factories.user(
        Role.PARTNER,
        organisation=partner_org,
        username="second_focal",
        email="second@mae.example.org",
    )


@pytest.fixture
def rival_org(bangui) -> Organisation:
    org = factories.organisation(
        name="Centre médical Sainte-Anne",
        acronym="CMSA",
        type=OrganisationType.HEALTH,
        services=["medical"],
    )
    org.regions.set([bangui])
    return org


@pytest.fixture
def rival_focal_point(rival_org):
    return factories.user(Role.PARTNER, organisation=rival_org, username="rival_focal")


@pytest.fixture
def case(caseworker, bangui):
    return factories.case(
        caseworker=caseworker,
        case_data={"identified_region": bangui},
        first_name="Amina",
        last_name="Diallo",
        phone="+23675123456",
    )


@pytest.fixture
def consented_case(case, caseworker):
    consent_to_referral(case, caseworker)
    return case


@pytest.fixture
def referral(consented_case, caseworker, partner_org) -> Referral:
    """A referral sent to the partner, waiting for its answer."""
    return send(consented_case, caseworker, partner_org)
