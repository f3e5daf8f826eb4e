"""Fixtures shared by the referral tests: a caseworker's case in Bangui, a partner
organisation with two focal points, a rival partner, and helpers that take a referral
through its workflow with the services, as the views do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from cases.services import records
from partners.models import Organisation, OrganisationType
from referrals import services
from referrals.models import Referral
from tests import factories


@pytest.fixture
def client():
    # English, so that the assertions read the messages users see in English.
    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def english():
    # Services raise their messages in the active language: English, whatever ran before.
    with translation.override("en"):
        yield


def english_client(user=None) -> Client:
    """A separate signed-in client, for tests that need two browsers at once."""
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


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


def consent_to_referral(case, actor, *, granted: bool = True):
    return records.consent_record(
        actor=actor,
        case=case,
        scope="referral_sharing",
        granted=granted,
        given_by="person",
        method="written",
        given_on=case.identified_on,
    )


@pytest.fixture
def consented_case(case, caseworker):
    consent_to_referral(case, caseworker)
    return case


def draft(case, actor, to: Organisation | None = None, **overrides) -> Referral:
    fields = {
        "service_type": "shelter",
        "urgency": "normal",
        "reason": "Needs a safe place to stay tonight",
        "packet_fields": ["case_number", "first_name", "sex", "age_group"],
        "to_organisation": to,
        **overrides,
    }
    return services.referral_create(actor=actor, case=case, **fields)


def send(case, actor, to: Organisation | None = None, **overrides) -> Referral:
    return services.referral_send(actor=actor, referral=draft(case, actor, to, **overrides))


@pytest.fixture
def referral(consented_case, caseworker, partner_org) -> Referral:
    """A referral sent to the partner, waiting for its answer."""
    return send(consented_case, caseworker, partner_org)


def grant_override(user):
    """The emergency override permission; a fresh user object, so no permission cache."""
    user.user_permissions.add(
        Permission.objects.get(
            codename="override_referral_consent", content_type__app_label="referrals"
        )
    )
    return type(user).objects.get(pk=user.pk)


def make_overdue(referral: Referral, hours: int = 1) -> Referral:
    Referral.objects.filter(pk=referral.pk).update(
        respond_by=timezone.now() - timedelta(hours=hours)
    )
    referral.refresh_from_db()
    return referral


def answer(client, referral, **data):
    """A focal point's answer posted from the inbox page, following the redirect."""
    return client.post(
        reverse("referrals:inbox_answer", kwargs={"pk": referral.pk}), data, follow=True
    )


def messages_of(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]
