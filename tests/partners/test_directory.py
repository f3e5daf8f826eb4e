"""The partner directory: searchable and filterable by service, region, who is served and
language, and printable per region as a PDF, as national referral mechanisms publish it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from partners.models import Contact, Organisation, OrganisationType
from tests import factories


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def regions(db):
    return {"bangui": factories.region("CF", "Bangui"), "ouham": factories.region("CF", "Ouham")}


def _org(regions_covered, **fields) -> Organisation:
    org = factories.organisation(**fields)
    org.regions.set(regions_covered)
    return org


@pytest.fixture
def directory(org, regions):
    """Next to `org` (IOM CAR: no services, no region): a shelter and a clinic in Bangui,
    legal aid in Ouham, and a closed shelter in Bangui."""
    bangui, ouham = regions["bangui"], regions["ouham"]
    return {
        "MAE": _org(
            [bangui],
            name="Maison d'accueil Espoir",
            acronym="MAE",
            type=OrganisationType.SHELTER,
            services=["shelter", "mhpss"],
            languages=["fra", "sag"],
            serves_adults=False,
            serves_sex="female",
        ),
        "CMSA": _org(
            [bangui, ouham],
            name="Centre médical Sainte-Anne",
            acronym="CMSA",
            type=OrganisationType.HEALTH,
            services=["medical", "mhpss"],
            languages=["fra"],
            serves_children=False,
        ),
        "CJB": _org(
            [ouham],
            name="Clinique juridique de Bossangoa",
            acronym="CJB",
            type=OrganisationType.LEGAL,
            services=["legal"],
            languages=["fra", "eng"],
        ),
        "OLD": _org(
            [bangui],
            name="Ancien foyer",
            acronym="OLD",
            type=OrganisationType.SHELTER,
            services=["shelter"],
            is_active=False,
        ),
    }


@pytest.fixture
def caseworker_client(client, users):
    client.force_login(users[Role.CASEWORKER])
    return client


def _listed(client, **params) -> set[str]:
    response = client.get(reverse("partners:organisation_list"), params)
    assert response.status_code == 200
    return {o.acronym for o in response.context["page"].object_list}


# Searching and filtering


def test_the_directory_is_searchable_by_name_and_acronym(caseworker_client, directory):
    assert _listed(caseworker_client, q="sainte-anne") == {"CMSA"}
    assert _listed(caseworker_client, q="mae") == {"MAE"}


def test_the_directory_filters_by_service(caseworker_client, directory):
    assert _listed(caseworker_client, service="shelter") == {"MAE", "OLD"}
    assert _listed(caseworker_client, service="mhpss") == {"MAE", "CMSA"}
    assert _listed(caseworker_client, service="interpretation") == set()


def test_the_directory_filters_by_region(caseworker_client, directory, regions):
    assert _listed(caseworker_client, region=regions["ouham"].pk) == {"CMSA", "CJB"}
    assert _listed(caseworker_client, region=regions["bangui"].pk) == {"MAE", "CMSA", "OLD"}


def test_the_directory_filters_organisations_that_serve_children(caseworker_client, directory):
    listed = _listed(caseworker_client, serves="children")

    assert "CMSA" not in listed
    assert {"MAE", "CJB", "IOM CAR"} <= listed


def test_the_directory_filters_by_who_is_served(caseworker_client, directory):
    assert "MAE" not in _listed(caseworker_client, serves="adults")
    assert "MAE" not in _listed(caseworker_client, serves="male")
    assert "MAE" in _listed(caseworker_client, serves="female")


def test_the_directory_filters_by_language(caseworker_client, directory):
    assert _listed(caseworker_client, language="sag") == {"MAE"}
    assert _listed(caseworker_client, language="eng") == {"CJB"}


def test_the_directory_filters_combine(caseworker_client, directory, regions):
    listed = _listed(
        caseworker_client, service="mhpss", region=regions["bangui"].pk, serves="children"
    )

    assert listed == {"MAE"}


def test_active_organisations_come_before_closed_ones(caseworker_client, directory):
    response = caseworker_client.get(reverse("partners:organisation_list"), {"service": "shelter"})

    assert [o.acronym for o in response.context["page"].object_list] == ["MAE", "OLD"]
    assert "inactive" in response.content.decode()


@pytest.mark.parametrize("role", list(Role))
def test_every_role_searches_the_directory(client, users, directory, role):
    client.force_login(users[role])

    assert _listed(client, service="legal") == {"CJB"}


# Printing per region


def test_the_print_link_appears_once_a_region_is_chosen(caseworker_client, directory, regions):
    pdf_url = reverse("partners:directory_pdf")

    without = caseworker_client.get(reverse("partners:organisation_list")).content.decode()
    chosen = caseworker_client.get(
        reverse("partners:organisation_list"), {"region": regions["bangui"].pk}
    ).content.decode()

    assert pdf_url not in without
    assert f"{pdf_url}?region={regions['bangui'].pk}" in chosen


def test_the_directory_of_a_region_prints_as_a_pdf(caseworker_client, directory, regions):
    bangui = regions["bangui"]

    response = caseworker_client.get(reverse("partners:directory_pdf"), {"region": bangui.pk})

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="directory-CF-{bangui.pk}.pdf"' in response["Content-Disposition"]


def test_the_printed_directory_lists_the_active_partners_of_that_region(
    caseworker_client, directory, regions
):
    Contact.objects.create(
        organisation=directory["MAE"], name="Sœur Marie", phone="+236 72 00 00 01"
    )

    response = caseworker_client.get(
        reverse("partners:directory_pdf"), {"region": regions["bangui"].pk}
    )

    # The layout the PDF is made from: active organisations covering Bangui, by type.
    assert response.context["region"] == regions["bangui"]
    assert [o.acronym for o in response.context["organisations"]] == ["CMSA", "MAE"]
    mae = response.context["organisations"][1]
    assert [c.name for c in mae.contacts.all()] == ["Sœur Marie"]


def test_printing_without_a_region_sends_back_to_the_directory(caseworker_client):
    response = caseworker_client.get(reverse("partners:directory_pdf"), follow=True)

    assert response.redirect_chain == [(reverse("partners:organisation_list"), 302)]
    assert "Choose a region to print its directory." in [
        str(m) for m in response.context["messages"]
    ]


def test_printing_an_unknown_region_is_not_found(caseworker_client, db):
    response = caseworker_client.get(reverse("partners:directory_pdf"), {"region": 999999})

    assert response.status_code == 404


def test_the_printed_directory_needs_a_sign_in(client, regions):
    response = client.get(reverse("partners:directory_pdf"), {"region": regions["bangui"].pk})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# A partner keeps its directory entry up to date


def _profile(**overrides):
    data = {
        "phone": "+236 75 00 00 00",
        "email": "contact@mae.example.org",
        "address": "Boy-Rabe",
        "services": ["shelter", "mhpss", "interpretation"],
        "serves_children": "on",
        "serves_adults": "",
        "serves_sex": "female",
        "languages": ["fra", "sag"],
        "opening_hours": "24/7",
        "capacity_note": "12 beds",
        "beds_free": "4",
    }
    return {**data, **overrides}


def test_partner_focal_point_updates_their_directory_entry_and_it_is_found(
    directory, caseworker_client
):
    mae = directory["MAE"]
    focal_point = factories.user(Role.PARTNER, organisation=mae)
    partner_client = Client(headers={"accept-language": "en"})
    partner_client.force_login(focal_point)

    response = partner_client.post(
        reverse("partners:organisation_edit", kwargs={"pk": mae.pk}), _profile()
    )

    assert response.status_code == 302
    mae.refresh_from_db()
    assert mae.services == ["shelter", "mhpss", "interpretation"]
    assert mae.beds_free == 4
    assert _listed(caseworker_client, service="interpretation") == {"MAE"}


def test_partner_focal_point_cannot_edit_another_organisations_entry(client, directory):
    focal_point = factories.user(Role.PARTNER, organisation=directory["MAE"])
    client.force_login(focal_point)
    cmsa = directory["CMSA"]

    response = client.post(
        reverse("partners:organisation_edit", kwargs={"pk": cmsa.pk}),
        _profile(services=["shelter"]),
    )

    assert response.status_code == 404
    cmsa.refresh_from_db()
    assert cmsa.services == ["medical", "mhpss"]
