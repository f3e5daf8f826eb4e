"""The partner directory: everyone finds organisations; an administrator keeps their own
organisation's profile up to date."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import Role
from partners import services
from partners.models import Organisation, OrganisationType
from tests import factories


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def admin_client(client_for, users):
    return client_for(users[Role.ADMIN])


@pytest.fixture
def directory(org, other_org):
    """Organisations of several countries and types, next to `org` (IOM CAR, NGO, CF) and
    `other_org` (ONGO, NGO, GN)."""
    return {
        "shelter": factories.organisation(
            name="Maison d'accueil Espoir", acronym="MAE", type=OrganisationType.SHELTER
        ),
        "police": factories.organisation(
            name="Office de protection du genre",
            acronym="OPROGEM",
            type=OrganisationType.LAW_ENFORCEMENT,
            country="GN",
        ),
    }


def _listed(client, **params) -> set[str]:
    response = client.get(reverse("partners:organisation_list"), params)
    assert response.status_code == 200
    return {o.acronym for o in response.context["page"].object_list}


def _form(**overrides):
    data = {
        "name": "Clinique juridique de Bangui",
        "acronym": "CJB",
        "type": OrganisationType.LEGAL,
        "country": "CF",
        "regions": [factories.region("CF", "Bangui").pk],
        "phone": "+236 70 00 00 00",
        "email": "contact@cjb.example.org",
        "address": "Avenue Boganda",
        "is_active": "on",
    }
    return {**data, **overrides}


def _edit_form(org: Organisation, **overrides):
    data = {
        "name": org.name,
        "acronym": org.acronym,
        "type": org.type,
        "country": org.country.code,
        "regions": [r.pk for r in org.regions.all()],
        "phone": org.phone,
        "email": org.email,
        "address": org.address,
        "is_active": "on" if org.is_active else "",
    }
    return {**data, **overrides}


# The list and its filters


def test_every_role_lists_all_organisations(client_for, users, directory):
    client = client_for(users[Role.PARTNER])

    assert _listed(client) == {"IOM CAR", "ONGO", "MAE", "OPROGEM"}


def test_search_finds_organisations_by_name_or_acronym(client_for, users, directory):
    client = client_for(users[Role.CASEWORKER])

    assert _listed(client, q="accueil") == {"MAE"}
    assert _listed(client, q="oprogem") == {"OPROGEM"}


def test_country_filter_keeps_organisations_of_that_country(client_for, users, directory):
    client = client_for(users[Role.CASEWORKER])

    assert _listed(client, country="GN") == {"ONGO", "OPROGEM"}


def test_type_filter_keeps_organisations_of_that_type(client_for, users, directory):
    client = client_for(users[Role.CASEWORKER])

    assert _listed(client, type=OrganisationType.NGO) == {"IOM CAR", "ONGO"}
    assert _listed(client, type=OrganisationType.SHELTER, country="GN") == set()


def test_detail_shows_the_profile_and_regions(client_for, users, other_org):
    other_org.regions.set([factories.region("GN", "Conakry"), factories.region("GN", "Labé")])

    response = client_for(users[Role.PARTNER]).get(
        reverse("partners:organisation_detail", kwargs={"pk": other_org.pk})
    )

    content = response.content.decode()
    assert response.status_code == 200
    assert "Other NGO (ONGO)" in content
    assert "Conakry" in content
    assert "Labé" in content
    assert "Guinea" in content


def test_admin_is_offered_to_edit_only_their_own_organisation(admin_client, org, other_org):
    own = admin_client.get(reverse("partners:organisation_detail", kwargs={"pk": org.pk}))
    other = admin_client.get(reverse("partners:organisation_detail", kwargs={"pk": other_org.pk}))

    edit_own = reverse("partners:organisation_edit", kwargs={"pk": org.pk})
    edit_other = reverse("partners:organisation_edit", kwargs={"pk": other_org.pk})
    assert own.context["can_change"] is True
    assert edit_own in own.content.decode()
    assert other.context["can_change"] is False
    assert edit_other not in other.content.decode()


# Creating and editing


def test_admin_creates_an_organisation(admin_client):
    response = admin_client.post(reverse("partners:organisation_create"), _form())

    created = Organisation.objects.get(acronym="CJB")
    assert response.status_code == 302
    assert response["Location"] == reverse(
        "partners:organisation_detail", kwargs={"pk": created.pk}
    )
    assert created.type == OrganisationType.LEGAL
    assert [r.name for r in created.regions.all()] == ["Bangui"]


def test_organisation_creation_is_audited(admin_client, users):
    admin_client.post(reverse("partners:organisation_create"), _form())

    created = Organisation.objects.get(acronym="CJB")
    entry = AuditEntry.objects.get(
        action="partners.organisation.created", target_id=str(created.pk)
    )
    assert entry.actor == users[Role.ADMIN]
    assert entry.target_type == "partners.organisation"
    assert entry.data["acronym"] == "CJB"
    assert entry.data["type"] == OrganisationType.LEGAL
    assert entry.data["country"] == "CF"
    assert entry.data["regions"] == [factories.region("CF", "Bangui").pk]


def test_admin_edits_their_own_organisation_and_the_changes_are_audited(admin_client, org):
    ouham = factories.region("CF", "Ouham")

    response = admin_client.post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}),
        _edit_form(org, acronym="OIM RCA", type=OrganisationType.IOM_MISSION, regions=[ouham.pk]),
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.acronym == "OIM RCA"
    assert list(org.regions.all()) == [ouham]
    entry = AuditEntry.objects.get(action="partners.organisation.changed", target_id=str(org.pk))
    assert entry.data == {
        "acronym": {"before": "IOM CAR", "after": "OIM RCA"},
        "type": {"before": OrganisationType.NGO, "after": OrganisationType.IOM_MISSION},
        "regions": {"before": [], "after": [ouham.pk]},
    }


def test_admin_cannot_edit_another_organisation(admin_client, other_org):
    url = reverse("partners:organisation_edit", kwargs={"pk": other_org.pk})

    assert admin_client.get(url).status_code == 404
    assert admin_client.post(url, _edit_form(other_org, acronym="HACKED")).status_code == 404
    other_org.refresh_from_db()
    assert other_org.acronym == "ONGO"
    assert not AuditEntry.objects.filter(action="partners.organisation.changed").exists()


@pytest.mark.parametrize("role", [r for r in Role if r not in (Role.ADMIN, Role.PARTNER)])
def test_only_an_admin_or_its_partner_focal_point_may_edit_their_organisation(
    client_for, users, org, role
):
    response = client_for(users[role]).post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}),
        _edit_form(org, acronym="CHANGED"),
    )

    assert response.status_code == 403
    org.refresh_from_db()
    assert org.acronym == "IOM CAR"


def test_regions_of_another_country_are_refused_with_a_field_error(admin_client):
    conakry = factories.region("GN", "Conakry")

    response = admin_client.post(
        reverse("partners:organisation_create"), _form(regions=[conakry.pk])
    )

    assert response.status_code == 200
    assert response.context["form"].errors["regions"] == [
        "These regions are not in the chosen country: Conakry"
    ]
    assert "These regions are not in the chosen country: Conakry" in response.content.decode()
    assert not Organisation.objects.filter(acronym="CJB").exists()


def test_editing_in_regions_of_another_country_changes_nothing(admin_client, org):
    bangui, conakry = factories.region("CF", "Bangui"), factories.region("GN", "Conakry")
    org.regions.set([bangui])

    response = admin_client.post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}),
        _edit_form(org, acronym="OIM RCA", regions=[bangui.pk, conakry.pk]),
    )

    assert response.status_code == 200
    assert "regions" in response.context["form"].errors
    org.refresh_from_db()
    assert org.acronym == "IOM CAR"
    assert list(org.regions.all()) == [bangui]


# What an organisation's users reach follows its country: only a superuser moves it


def test_the_country_is_read_only_on_an_administrators_edit_form(admin_client, org):
    response = admin_client.get(reverse("partners:organisation_edit", kwargs={"pk": org.pk}))

    assert response.context["form"].fields["country"].disabled is True
    assert "Only a superuser can change the country." in response.content.decode()


def test_an_administrator_cannot_move_its_organisation_to_another_country(admin_client, org):
    response = admin_client.post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}),
        _edit_form(org, country="GN", acronym="MOVED"),
    )

    assert response.status_code == 200
    assert any(
        "Only a superuser can move an organisation to another country" in message
        for message in response.context["form"].non_field_errors()
    )
    org.refresh_from_db()
    assert (org.country.code, org.acronym) == ("CF", "IOM CAR")
    assert not AuditEntry.objects.filter(action="partners.organisation.changed").exists()


def test_after_a_refused_move_the_administrator_still_sees_only_its_countrys_pathways(
    admin_client, users, org
):
    from partners.models import PathwayStep

    conakry_partner = factories.organisation(name="Conakry shelter", country="GN")
    PathwayStep.objects.create(service_type="shelter", country="GN", partner=conakry_partner)
    admin_client.post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}), _edit_form(org, country="GN")
    )

    response = admin_client.get(reverse("partners:pathway_list"))

    assert list(response.context["steps"]) == []


def test_the_update_service_refuses_a_country_change_by_an_administrator(users, org):
    with pytest.raises(ValidationError) as refused:
        services.organisation_update(actor=users[Role.ADMIN], organisation=org, country="GN")

    assert "country" in refused.value.message_dict
    org.refresh_from_db()
    assert org.country.code == "CF"


def test_a_superuser_moves_an_organisation_to_another_country(client, org):
    client.force_login(factories.superuser())
    conakry = factories.region("GN", "Conakry")

    response = client.post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}),
        _edit_form(org, country="GN", regions=[conakry.pk]),
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.country.code == "GN"
    assert list(org.regions.all()) == [conakry]


def test_a_country_changed_by_an_operator_keeps_no_region_of_the_old_one(org):
    org.regions.set([factories.region("CF", "Bangui")])

    with pytest.raises(ValidationError) as refused:
        services.organisation_update(actor=None, organisation=org, country="GN")

    assert "regions" in refused.value.message_dict


def test_the_services_refuse_regions_of_another_country(users, org):
    conakry = factories.region("GN", "Conakry")

    with pytest.raises(ValidationError):
        services.organisation_update(actor=users[Role.ADMIN], organisation=org, regions=[conakry])
    with pytest.raises(ValidationError):
        services.organisation_create(
            actor=users[Role.ADMIN], name="X", type="NGO", country="CF", regions=[conakry]
        )

    assert list(org.regions.all()) == []
    assert not Organisation.objects.filter(name="X").exists()


def test_an_administrator_may_rename_and_retype_its_organisation_within_its_country(
    admin_client, org
):
    # Name and type reach nothing (no scope reads them); the country stays.
    response = admin_client.post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}),
        _edit_form(org, name="OIM Centrafrique", type=OrganisationType.UN_AGENCY),
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert (org.name, org.type, org.country.code) == (
        "OIM Centrafrique",
        OrganisationType.UN_AGENCY,
        "CF",
    )


def test_the_update_service_refuses_another_organisation(users, other_org):
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=users[Role.ADMIN], organisation=other_org, acronym="HACKED"
        )
    with pytest.raises(PermissionDenied):
        services.contact_add(actor=users[Role.ADMIN], organisation=other_org, name="Intruder")

    other_org.refresh_from_db()
    assert other_org.acronym == "ONGO"
    assert not other_org.contacts.exists()


# A partner focal point keeps its directory entry, never who or where it is


@pytest.fixture
def focal_point(org):
    return factories.user(Role.PARTNER, organisation=org)


def test_a_partner_focal_point_posting_country_type_or_regions_changes_none_of_them(
    client_for, focal_point, org
):
    conakry = factories.region("GN", "Conakry")

    response = client_for(focal_point).post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}),
        {
            "country": "GN",
            "type": OrganisationType.NATIONAL_COMMITTEE,
            "regions": [conakry.pk],
            "name": "Renamed",
            "phone": "+236 70 00 00 01",
            "serves_sex": "all",
        },
    )

    assert response.status_code == 302
    org.refresh_from_db()
    assert org.phone == "+236 70 00 00 01"
    assert (org.country.code, org.type, org.name) == (
        "CF",
        OrganisationType.NGO,
        "IOM Central African Republic",
    )
    assert list(org.regions.all()) == []


@pytest.mark.parametrize(
    "change",
    [
        {"country": "GN"},
        {"type": OrganisationType.NATIONAL_COMMITTEE},
        {"name": "Renamed"},
        {"is_active": False},
        {"receives_referrals": False},
    ],
)
def test_the_update_service_refuses_a_partner_focal_point_beyond_its_entry(
    focal_point, org, change
):
    with pytest.raises(PermissionDenied):
        services.organisation_update(actor=focal_point, organisation=org, **change)

    org.refresh_from_db()
    assert org.country.code == "CF"
    assert org.type == OrganisationType.NGO
    assert org.name == "IOM Central African Republic"
    assert org.is_active is True


def test_the_update_service_refuses_regions_from_a_partner_focal_point(focal_point, org):
    with pytest.raises(PermissionDenied):
        services.organisation_update(
            actor=focal_point, organisation=org, regions=[factories.region("CF", "Ouham")]
        )

    assert list(org.regions.all()) == []


def test_the_update_service_accepts_a_partner_focal_points_directory_entry(focal_point, org):
    services.organisation_update(actor=focal_point, organisation=org, beds_free=3, phone="+236")

    org.refresh_from_db()
    assert (org.beds_free, org.phone) == (3, "+236")
