"""Referral pathways of the SOP: for each service and region, the partners to refer to, in
order. On a case, the pathway finder suggests partners for the assessed needs where the
case was identified, and falls back to the directory's partners offering the service."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.services import records
from partners import services
from partners.models import Organisation, OrganisationType, PathwayStep
from partners.selectors import Reach
from referrals.selectors import pathway_suggestions
from tests import factories


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def regions(db):
    return {"bangui": factories.region("CF", "Bangui"), "ouham": factories.region("CF", "Ouham")}


def _partner(acronym: str, services: list[str], regions_covered=(), **fields) -> Organisation:
    org = factories.organisation(
        name=fields.pop("name", f"Partner {acronym}"),
        acronym=acronym,
        type=fields.pop("type", OrganisationType.NGO),
        services=services,
        **fields,
    )
    org.regions.set(regions_covered)
    return org


@pytest.fixture
def partners(regions):
    bangui, ouham = regions["bangui"], regions["ouham"]
    return {
        "MAE": _partner("MAE", ["shelter"], [bangui], type=OrganisationType.SHELTER),
        "REFUGE": _partner("REFUGE", ["shelter"], [bangui], type=OrganisationType.SHELTER),
        "NATIONAL": _partner("NATIONAL", ["shelter"], [bangui, ouham]),
        "CMSA": _partner("CMSA", ["medical"], [bangui, ouham], type=OrganisationType.HEALTH),
        "CJB": _partner("CJB", ["legal"], [ouham], type=OrganisationType.LEGAL),
    }


def _step(service_type, partner, rank, region=None, country="CF") -> PathwayStep:
    return PathwayStep.objects.create(
        service_type=service_type, country=country, region=region, partner=partner, rank=rank
    )


@pytest.fixture
def pathway(partners, regions):
    """Shelter in Bangui: REFUGE then MAE; shelter in Ouham: NATIONAL; medical in Ouham:
    CMSA; legal aid, whole country: CJB."""
    bangui, ouham = regions["bangui"], regions["ouham"]
    return [
        _step("shelter", partners["MAE"], 2, bangui),
        _step("shelter", partners["REFUGE"], 1, bangui),
        _step("shelter", partners["NATIONAL"], 1, ouham),
        _step("medical", partners["CMSA"], 1, ouham),
        _step("legal", partners["CJB"], 1),
    ]


def _rows(response) -> list[tuple]:
    return [
        (s.service_type, s.region.name if s.region else None, s.rank, s.partner.acronym)
        for s in response.context["steps"]
    ]


# The pathways page


def test_pathways_list_the_partners_per_service_and_region_in_order(client_for, users, pathway):
    response = client_for(users[Role.CASEWORKER]).get(reverse("partners:pathway_list"))

    assert response.status_code == 200
    assert _rows(response) == [
        ("legal", None, 1, "CJB"),
        ("medical", "Ouham", 1, "CMSA"),
        ("shelter", "Bangui", 1, "REFUGE"),
        ("shelter", "Bangui", 2, "MAE"),
        ("shelter", "Ouham", 1, "NATIONAL"),
    ]
    assert "Whole country" in response.content.decode()


def test_pathways_of_another_country_are_not_shown(client_for, users, pathway, other_org):
    _step("shelter", other_org, 1, country="GN")

    response = client_for(users[Role.SUPERVISOR]).get(reverse("partners:pathway_list"))

    assert ("shelter", None, 1, "ONGO") not in _rows(response)
    assert len(_rows(response)) == len(pathway)


def test_supervisor_adds_a_pathway_step_and_it_is_audited(client_for, users, partners, regions):
    supervisor = users[Role.SUPERVISOR]

    response = client_for(supervisor).post(
        reverse("partners:pathway_list"),
        {
            "service_type": "mhpss",
            "region": regions["bangui"].pk,
            "partner": partners["CMSA"].pk,
            "rank": "1",
            "notes": "Ask for the psychologist",
        },
    )

    assert response.status_code == 302
    step = PathwayStep.objects.get()
    assert (step.country, step.service_type, step.region, step.partner, step.rank) == (
        "CF",
        "mhpss",
        regions["bangui"],
        partners["CMSA"],
        1,
    )
    entry = AuditEntry.objects.get(action="partners.pathway.added")
    assert entry.actor == supervisor
    assert entry.data["partner"] == partners["CMSA"].pk


def test_a_partner_is_listed_once_per_service_and_region(
    client_for, users, pathway, partners, regions
):
    response = client_for(users[Role.SUPERVISOR]).post(
        reverse("partners:pathway_list"),
        {
            "service_type": "shelter",
            "region": regions["bangui"].pk,
            "partner": partners["MAE"].pk,
            "rank": "3",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors
    assert PathwayStep.objects.filter(partner=partners["MAE"]).count() == 1


def test_caseworker_sees_the_pathways_but_cannot_change_them(client_for, users, pathway, partners):
    client = client_for(users[Role.CASEWORKER])

    page = client.get(reverse("partners:pathway_list"))
    added = client.post(
        reverse("partners:pathway_list"),
        {"service_type": "legal", "partner": partners["MAE"].pk, "rank": "2"},
    )
    removed = client.post(reverse("partners:pathway_remove", kwargs={"pk": pathway[0].pk}))

    assert page.context["form"] is None
    assert added.status_code == 404
    assert removed.status_code == 403
    assert PathwayStep.objects.count() == len(pathway)


def test_supervisor_removes_a_pathway_step(client_for, users, pathway):
    response = client_for(users[Role.SUPERVISOR]).post(
        reverse("partners:pathway_remove", kwargs={"pk": pathway[0].pk})
    )

    assert response.status_code == 302
    assert not PathwayStep.objects.filter(pk=pathway[0].pk).exists()
    assert AuditEntry.objects.filter(action="partners.pathway.removed").exists()


def test_supervisor_cannot_remove_another_countrys_step(client_for, users, other_org):
    step = _step("shelter", other_org, 1, country="GN")

    response = client_for(users[Role.SUPERVISOR]).post(
        reverse("partners:pathway_remove", kwargs={"pk": step.pk})
    )

    assert response.status_code == 404
    assert PathwayStep.objects.filter(pk=step.pk).exists()


# The pathway finder on a case


@pytest.fixture
def case(users, regions):
    caseworker = users[Role.CASEWORKER]
    case = factories.case(caseworker=caseworker, case_data={"identified_region": regions["bangui"]})
    records.assessment_add(
        actor=caseworker,
        case=case,
        assessed_on=timezone.localdate(),
        needs=["shelter", "medical"],
        risk_level="high",
    )
    return case


def _suggested(case, needs) -> dict[str, list[str]]:
    return {
        need: [s.organisation.acronym for s in suggestions]
        for need, suggestions in pathway_suggestions(case=case, needs=needs)
    }


def test_pathway_finder_suggests_the_regions_partners_in_order_then_the_whole_countrys(
    case, pathway, partners
):
    _step("shelter", partners["NATIONAL"], 1)  # whole country

    assert _suggested(case, ["shelter"]) == {"shelter": ["REFUGE", "MAE", "NATIONAL"]}


def test_pathway_finder_falls_back_to_directory_partners_offering_the_service_in_the_region(
    case, pathway, partners
):
    # No pathway for medical care in Bangui: the directory's clinics covering Bangui.
    _partner("CLINIQUE", ["medical"], [case.identified_region], name="A Clinique de Bimbo")
    _partner("FAR", ["medical"], [factories.region("CF", "Ouham")])

    assert _suggested(case, ["medical"]) == {"medical": ["CLINIQUE", "CMSA"]}


def test_pathway_finder_leaves_out_closed_partners(case, pathway, partners):
    Organisation.objects.filter(pk=partners["REFUGE"].pk).update(is_active=False)
    _partner("SHUT", ["medical"], [case.identified_region], is_active=False)

    assert _suggested(case, ["shelter", "medical"]) == {
        "shelter": ["MAE"],
        "medical": ["CMSA"],
    }


def test_pathway_finder_never_suggests_the_cases_own_organisation(case, regions):
    own = case.organisation
    own.services = ["education"]
    own.save()
    own.regions.set([regions["bangui"]])

    assert _suggested(case, ["education"]) == {"education": []}


def test_pathway_finder_ignores_other_countries_pathways(case, other_org):
    other_org.services = ["legal"]
    other_org.save()
    _step("legal", other_org, 1, country="GN")

    # Guinea's pathway is not the case's: its partner comes only as a cross-border fallback.
    ((_need, suggestions),) = pathway_suggestions(case=case, needs=["legal"])
    assert [(s.organisation.acronym, s.reach) for s in suggestions] == [
        ("ONGO", Reach.CROSS_BORDER)
    ]


def test_the_referral_form_shows_the_pathway_for_the_cases_assessed_needs(
    client_for, users, case, pathway
):
    response = client_for(users[Role.CASEWORKER]).get(
        reverse("referrals:referral_create", kwargs={"case_pk": case.pk})
    )

    suggestions = {
        need: [s.organisation.acronym for s in ps] for need, ps in response.context["suggestions"]
    }
    assert suggestions == {"shelter": ["REFUGE", "MAE"], "medical": ["CMSA"]}
    assert response.context["form"].initial["service_type"] == "shelter"
    assert "Pathway for the assessed needs" in response.content.decode()


def test_a_service_asked_for_on_the_form_joins_the_suggestions(client_for, users, case, pathway):
    response = client_for(users[Role.CASEWORKER]).get(
        reverse("referrals:referral_create", kwargs={"case_pk": case.pk}), {"service": "legal"}
    )

    suggestions = response.context["suggestions"]
    assert [need for need, _ in suggestions] == ["legal", "shelter", "medical"]
    assert [s.organisation.acronym for s in suggestions[0][1]] == ["CJB"]
    assert response.context["form"].initial["service_type"] == "legal"


# The services hold the country rule too, whatever view calls them


def test_the_pathway_services_refuse_another_countrys_pathway(users, partners, other_org):
    supervisor = users[Role.SUPERVISOR]
    with pytest.raises(PermissionDenied):
        services.pathway_step_add(
            actor=supervisor, country="GN", service_type="shelter", partner=partners["MAE"]
        )
    step = _step("shelter", other_org, 1, country="GN")
    with pytest.raises(PermissionDenied):
        services.pathway_step_remove(actor=supervisor, step=step)

    assert PathwayStep.objects.filter(country="GN").count() == 1


def test_a_pathway_step_in_a_region_of_another_country_is_refused(client_for, users, partners):
    conakry = factories.region("GN", "Conakry")
    with pytest.raises(ValidationError) as refused:
        services.pathway_step_add(
            actor=users[Role.SUPERVISOR],
            country="CF",
            service_type="shelter",
            partner=partners["MAE"],
            region=conakry,
        )

    assert "region" in refused.value.message_dict
    assert not PathwayStep.objects.exists()
