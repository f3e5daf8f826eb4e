"""The partner finder is never a dead end: when no partner on the pathway or in the
directory covers the case's region for a service, it offers partners of a neighbouring
region, of another region of the country, with national coverage, then in other countries,
each marked as such; and when no partner offers the service anywhere, the referral form
says so and links to the directory."""

from __future__ import annotations

from html import unescape

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from accounts.roles import Role
from cases.services import records
from partners import selectors
from partners.models import Organisation, PathwayStep, Region
from partners.regions import NEIGHBOURS, REGIONS, neighbours
from partners.selectors import FALLBACK_LIMIT, Reach
from tests import factories


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def regions(db) -> dict[str, Region]:
    return {
        name: factories.region(country, name)
        for country, name in [
            ("CF", "Bangui"),
            ("CF", "Ombella-M'Poko"),
            ("CF", "Ouham"),
            ("CF", "Ouaka"),
            ("GN", "Conakry"),
        ]
    }


def _partner(acronym: str, services: list[str], covered=(), **fields) -> Organisation:
    org = factories.organisation(
        name=fields.pop("name", f"Partner {acronym}"), acronym=acronym, services=services, **fields
    )
    org.regions.set(covered)
    return org


@pytest.fixture
def case(users, regions):
    caseworker = users[Role.CASEWORKER]
    case = factories.case(caseworker=caseworker, case_data={"identified_region": regions["Bangui"]})
    records.assessment_add(
        actor=caseworker,
        case=case,
        assessed_on=timezone.localdate(),
        needs=["shelter"],
        risk_level="high",
    )
    return case


@pytest.fixture
def far_and_wide(regions):
    """No shelter in Bangui. One in Ombella-M'Poko (Bangui's neighbour), one in Ouham (same
    country), one with national coverage (no region listed), one in Guinea."""
    return {
        "NEAR": _partner("NEAR", ["shelter"], [regions["Ombella-M'Poko"]]),
        "FAR": _partner("FAR", ["shelter", "medical"], [regions["Ouham"], regions["Ouaka"]]),
        "NATIONAL": _partner("NATIONAL", ["shelter"]),
        "ABROAD": _partner("ABROAD", ["shelter"], [regions["Conakry"]], country="GN"),
        "CLINIC": _partner("CLINIC", ["medical"], [regions["Bangui"]]),
    }


def _find(case, service="shelter", **options) -> list[tuple[str, Reach, str]]:
    return [
        (s.organisation.acronym, s.reach, s.note)
        for s in selectors.partner_finder(
            service=service,
            country=case.identified_country.code,
            region=case.identified_region,
            exclude=case.organisation_id,
            **options,
        )
    ]


def test_with_no_partner_in_the_region_the_finder_offers_the_nearest_then_national_then_abroad(
    case, far_and_wide
):
    assert _find(case) == [
        ("NEAR", Reach.NEIGHBOUR, "Covers a neighbouring region: Ombella-M'Poko"),
        ("FAR", Reach.OTHER_REGION, "Covers another region: Ouaka, Ouham"),
        ("NATIONAL", Reach.NATIONAL, "National coverage"),
        ("ABROAD", Reach.CROSS_BORDER, "Cross-border: Guinea"),
    ]


def test_a_partner_covering_the_region_leaves_no_fallback(case, far_and_wide, regions):
    _partner("HERE", ["shelter"], [regions["Bangui"]])

    assert _find(case) == [("HERE", Reach.REGION, "Covers the case's region")]


def test_the_pathway_comes_before_the_directory_and_says_so(case, far_and_wide, regions):
    # The SOP names the partner of Ouham for Bangui, and the national one for the country.
    PathwayStep.objects.create(
        service_type="shelter",
        country="CF",
        region=regions["Bangui"],
        partner=far_and_wide["FAR"],
        rank=1,
    )
    PathwayStep.objects.create(
        service_type="shelter", country="CF", partner=far_and_wide["NATIONAL"], rank=1
    )

    assert _find(case) == [
        ("FAR", Reach.PATHWAY, "On the referral pathway for Bangui"),
        ("NATIONAL", Reach.PATHWAY_COUNTRY, "On the referral pathway for the whole country"),
    ]


def test_the_fallbacks_leave_out_closed_partners_the_cases_own_and_other_services(case, regions):
    _partner("CLOSED", ["shelter"], [regions["Ombella-M'Poko"]], is_active=False)
    _partner("MEDICAL", ["medical"], [regions["Ombella-M'Poko"]])
    own = case.organisation
    own.services = ["shelter"]
    own.save()

    assert _find(case) == []


def test_the_referral_forms_list_keeps_only_partners_answering_here(case, far_and_wide):
    Organisation.objects.filter(pk=far_and_wide["NEAR"].pk).update(receives_referrals=False)

    assert [a for a, _reach, _note in _find(case)] == ["NEAR", "FAR", "NATIONAL", "ABROAD"]
    assert [a for a, _reach, _note in _find(case, receiving_only=True)] == [
        "FAR",
        "NATIONAL",
        "ABROAD",
    ]


def test_each_fallback_is_capped(case, regions):
    for n in range(FALLBACK_LIMIT + 2):
        _partner(f"ABROAD{n}", ["shelter"], [regions["Conakry"]], country="GN")

    found = _find(case)

    assert len(found) == FALLBACK_LIMIT
    assert {reach for _a, reach, _note in found} == {Reach.CROSS_BORDER}


def test_a_case_without_a_region_gets_the_partners_of_its_country(users, far_and_wide):
    case = factories.case(caseworker=users[Role.CASEWORKER])
    assert case.identified_region is None

    assert [(a, reach) for a, reach, _note in _find(case, "medical")] == [
        ("CLINIC", Reach.COUNTRY),
        ("FAR", Reach.COUNTRY),
    ]


def test_the_neighbours_table_names_real_regions_both_ways():
    for country, pairs in NEIGHBOURS.items():
        for a, b in pairs:
            assert {a, b} <= set(REGIONS[country]), (country, a, b)
            assert b in neighbours(country, a) and a in neighbours(country, b)
    assert neighbours("CF", "Ouham") == set()


# On the referral form


def test_the_pathway_card_marks_each_fallback(client_for, users, case, far_and_wide):
    page = unescape(
        client_for(users[Role.CASEWORKER])
        .get(reverse("referrals:referral_create", kwargs={"case_pk": case.pk}))
        .content.decode()
    )

    assert "No partner covers the case's region for this service. The nearest:" in page
    for note in (
        "Covers a neighbouring region: Ombella-M'Poko",
        "Covers another region: Ouaka, Ouham",
        "National coverage",
        "Cross-border: Guinea",
    ):
        assert note in page
    assert 'data-testid="partner-fallback"' in page


def test_when_no_partner_offers_the_service_the_form_says_so_and_links_to_the_directory(
    client_for, users, case
):
    response = client_for(users[Role.CASEWORKER]).get(
        reverse("referrals:referral_create", kwargs={"case_pk": case.pk})
    )
    page = response.content.decode()

    assert response.context["suggestions"] == [("shelter", [])]
    assert "No partner offers this service in the directory." in page
    assert "No partner in this system offers this service." in page
    directory = reverse("partners:organisation_list") + "?service=shelter"
    assert f'href="{directory}"' in page
    assert 'name="external_organisation"' in page
