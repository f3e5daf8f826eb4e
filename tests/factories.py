"""Test data in one place. Plain functions: each makes one valid record."""

from __future__ import annotations

import itertools
from datetime import date

from accounts import services as account_services
from accounts.models import User
from accounts.roles import Role
from partners.models import Organisation, OrganisationType, Region
from programmes.models import Donor, Project

PASSWORD = "correct-horse-battery-staple"
_seq = itertools.count(1)


def organisation(**fields) -> Organisation:
    n = next(_seq)
    defaults = {
        "name": f"Organisation {n}",
        "acronym": f"ORG{n}",
        "type": OrganisationType.NGO,
        "country": "CF",
    }
    return Organisation.objects.create(**{**defaults, **fields})


def region(country: str = "CF", name: str = "Bangui") -> Region:
    return Region.objects.get_or_create(country=country, name=name)[0]


def user(*roles: Role, organisation: Organisation | None = None, **fields) -> User:
    n = next(_seq)
    return account_services.user_create(
        actor=None,
        username=fields.pop("username", f"user{n}"),
        organisation=organisation or globals()["organisation"](),
        roles=roles or [Role.CASEWORKER],
        password=PASSWORD,
        first_name=fields.pop("first_name", "Test"),
        last_name=fields.pop("last_name", f"User{n}"),
        **fields,
    )


def superuser() -> User:
    n = next(_seq)
    return User.objects.create_superuser(username=f"root{n}", password=PASSWORD)


def donor(**fields) -> Donor:
    n = next(_seq)
    return Donor.objects.create(**{"name": f"Donor {n}", "acronym": f"D{n}", **fields})


def project(*, organisations: list[Organisation] = (), **fields) -> Project:
    n = next(_seq)
    defaults = {
        "code": f"PRJ-{n}",
        "title": f"Project {n}",
        "donor": fields.pop("donor", None) or donor(),
        "countries": ["CF"],
        "start_date": date(2025, 1, 1),
        "end_date": date(2027, 12, 31),
    }
    p = Project.objects.create(**{**defaults, **fields})
    p.organisations.set(organisations)
    return p


def case(*, caseworker: User, **overrides):
    """A registered case in the caseworker's organisation, assigned to them."""
    from django.utils import timezone

    from cases.services import case as case_services

    person = {
        "first_name": overrides.pop("first_name", "Amina"),
        "last_name": overrides.pop("last_name", "Diallo"),
        "date_of_birth": overrides.pop("date_of_birth", date(1998, 5, 17)),
        "phone": overrides.pop("phone", "+23675000000"),
        "address": overrides.pop("address", "Quartier Boy-Rabe, Bangui"),
    }
    case_data = {
        "identified_on": overrides.pop("identified_on", timezone.localdate()),
        "identified_country": overrides.pop("identified_country", "CF"),
        "identification_method": overrides.pop("identification_method", "ngo"),
        "exploitation_types": overrides.pop("exploitation_types", ["ForcedLabour"]),
        **overrides.pop("case_data", {}),
    }
    return case_services.case_register(
        actor=caseworker,
        case_data=case_data,
        person_data={**person, **overrides.pop("person_data", {})},
        sex=overrides.pop("sex", "female"),
        citizenships=overrides.pop("citizenships", ["CF"]),
        consent_given_by=overrides.pop("consent_given_by", "person"),
        consent_method="written",
        consent_given_on=case_data["identified_on"],
        **overrides,
    )


PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def sign_in(client, username: str, password: str) -> bool:
    """Sign in through the real login form (django-axes needs the request), as a person
    would; True when the form accepted the credentials."""
    from django.urls import reverse

    response = client.post(reverse("accounts:login"), {"username": username, "password": password})
    return response.status_code == 302 and response["Location"] != reverse("accounts:login")


# A screening interview whose answers show act, means and purpose for an adult (an agent
# recruited the person, holds their papers, and the work could not be left).
SCREENING_ANSWERS = {
    "recruiter": "Unaquainted",
    "recruitment_methods": ["ThroughFriendsOrSocialEvents"],
    "journey_arranged_by": "recruiter",
    "documents_held_by": "other",
    "debt": "owes",
    "exploitation_types": ["ForcedLabour"],
    "labour_industry": "B_MiningAndQuarrying",
    "could_leave": "no",
    "methods_of_control": ["DebtBondage", "WithholdsDocuments"],
    "recruitment_country": "CF",
    "exploitation_country": "CM",
}


def screening(*, actor: User, answers: dict | None = None, **fields):
    """A screening recorded by `actor` in their organisation (anonymous unless named)."""
    from django.utils import timezone

    from screening import services as screening_services

    data = {
        "screened_at": fields.pop("screened_at", timezone.now()),
        "identified_country": fields.pop("identified_country", "CF"),
        "identified_locality": fields.pop("identified_locality", "Beloko"),
        "place_type": fields.pop("place_type", "flow_monitoring_point"),
        "sex": fields.pop("sex", "female"),
        "age_group": fields.pop("age_group", "24-26"),
        "citizenship": fields.pop("citizenship", "CF"),
        **fields,
    }
    return screening_services.screening_create(
        actor=actor,
        data=data,
        answers=SCREENING_ANSWERS if answers is None else answers,
        consented=True,
    )
