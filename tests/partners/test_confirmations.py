"""After a change to the directory or the pathways, the confirmation says what happened and
to what ("Clinique juridique de Bangui (CJB) created"), never a bare "Saved."; the partner
lists are tables on a wide screen and cards on a phone, their small buttons tap targets."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from partners.models import Contact, PathwayStep
from tests import factories


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def test_creating_an_organisation_names_it(client_for, users):
    response = client_for(users[Role.ADMIN]).post(
        reverse("partners:organisation_create"),
        {
            "name": "Clinique juridique de Bangui",
            "acronym": "CJB",
            "type": "LegalService",
            "country": "CF",
            "is_active": "on",
        },
        follow=True,
    )

    assert _messages(response) == ["Organisation Clinique juridique de Bangui (CJB) created."]


def test_editing_an_organisation_names_it(client_for, users, org):
    response = client_for(users[Role.ADMIN]).post(
        reverse("partners:organisation_edit", kwargs={"pk": org.pk}),
        {"name": org.name, "acronym": org.acronym, "type": org.type, "phone": "+236 70 00 00 00"},
        follow=True,
    )

    assert _messages(response) == ["Changes to IOM Central African Republic (IOM CAR) saved."]


def test_adding_and_removing_a_contact_name_the_contact_and_the_organisation(
    client_for, users, org
):
    client = client_for(users[Role.ADMIN])

    added = client.post(
        reverse("partners:contact_add", kwargs={"pk": org.pk}),
        {"name": "Odette Kossi", "function": "Coordinator", "is_focal_point": "on"},
        follow=True,
    )
    contact = Contact.objects.get()
    removed = client.post(
        reverse("partners:contact_remove", kwargs={"contact_pk": contact.pk}), follow=True
    )

    assert _messages(added) == [
        "Odette Kossi added to the contacts of IOM Central African Republic (IOM CAR)."
    ]
    assert _messages(removed) == [
        "Odette Kossi removed from the contacts of IOM Central African Republic (IOM CAR)."
    ]
    assert not Contact.objects.exists()


def test_pathway_changes_name_the_partner_the_service_and_the_place(client_for, users):
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    bangui = factories.region("CF", "Bangui")
    client = client_for(users[Role.SUPERVISOR])

    added = client.post(
        reverse("partners:pathway_list"),
        {"service_type": "shelter", "region": bangui.pk, "partner": partner.pk, "rank": "1"},
        follow=True,
    )
    step = PathwayStep.objects.get()
    removed = client.post(reverse("partners:pathway_remove", kwargs={"pk": step.pk}), follow=True)
    country_wide = client.post(
        reverse("partners:pathway_list"),
        {"service_type": "legal", "partner": partner.pk, "rank": "1"},
        follow=True,
    )

    assert _messages(added) == [
        "Maison d'accueil Espoir (MAE) added to the pathway for shelter and safe accommodation "
        "in Bangui."
    ]
    assert _messages(removed) == [
        "Maison d'accueil Espoir (MAE) removed from the pathway for shelter and safe "
        "accommodation in Bangui."
    ]
    assert _messages(country_wide) == [
        "Maison d'accueil Espoir (MAE) added to the pathway for legal assistance and "
        "accompaniment in the whole country."
    ]


def test_the_pathway_list_is_cards_on_a_phone_with_a_tappable_remove(client_for, users):
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    PathwayStep.objects.create(service_type="shelter", country="CF", partner=partner, rank=1)

    page = client_for(users[Role.SUPERVISOR]).get(reverse("partners:pathway_list"))
    html = page.content.decode()

    assert "table-cards" in html
    assert "table-responsive" not in html
    assert 'data-label="Region"' in html
    assert '<td class="card-actions" data-label="">' in html
    assert 'class="btn btn-sm btn-outline-secondary" type="submit"' in html


def test_the_directory_is_cards_on_a_phone_and_says_whole_country(client_for, users, org):
    html = client_for(users[Role.CASEWORKER]).get(reverse("partners:organisation_list"))
    html = html.content.decode()

    assert "table-cards" in html
    assert "table-responsive" not in html
    assert 'data-label="Regions covered"' in html
    assert "Whole country" in html
