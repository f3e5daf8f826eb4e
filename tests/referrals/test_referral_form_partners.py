"""The partner list of the referral form: the partners of the chosen service and the case's
region (nearest first when none covers it), each with its free shelter beds and its
languages, not every organisation of every country. A new service refreshes the list: by
htmx, or without JavaScript by posting the form back unsaved. A partner that does not offer
the service is refused."""

from __future__ import annotations

from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from partners.models import OrganisationType, PathwayStep
from referrals.models import Referral
from tests import factories
from tests.referrals.steps import draft, messages_of


@pytest.fixture
def directory(partner_org, rival_org, bangui):
    """Next to the shelter (MAE: shelter and MHPSS in Bangui) and the clinic (CMSA: medical
    care in Bangui): a shelter in Guinea, and an organisation with no directory entry."""
    partner_org.beds_free = 6
    partner_org.languages = ["fra", "sag"]
    partner_org.save()
    guinea = factories.organisation(
        name="Refuge de Conakry",
        acronym="RC",
        type=OrganisationType.SHELTER,
        country="GN",
        services=["shelter"],
    )
    guinea.regions.set([factories.region("GN", "Conakry")])
    unlisted = factories.organisation(name="Mission sans annuaire")
    return {"MAE": partner_org, "CMSA": rival_org, "GUINEA": guinea, "UNLISTED": unlisted}


def _url(case) -> str:
    return reverse("referrals:referral_create", kwargs={"case_pk": case.pk})


def _options(form) -> list[str]:
    """The partner list's options, as (group, label) pairs flattened to their labels."""
    labels = []
    for _value, label in form.fields["to_organisation"].choices:
        if isinstance(label, list | tuple):
            labels += [text for _pk, text in label]
        elif _value:
            labels.append(label)
    return labels


def _form(**overrides) -> dict:
    return {
        "service_type": "shelter",
        "urgency": "normal",
        "reason": "Needs a safe place",
        "packet_fields": ["case_number", "first_name"],
        **overrides,
    }


def test_the_list_offers_the_partners_of_the_service_in_the_cases_region_only(
    client_for, caseworker, case, directory
):
    response = client_for(caseworker).get(_url(case), {"service_type": "shelter"})

    form = response.context["form"]
    assert _options(form) == ["Maison d'accueil Espoir (MAE) – 6 beds free – French, Sango"]
    assert not form.fallback
    page = unescape(response.content.decode())
    assert "Refuge de Conakry" not in page
    assert "Mission sans annuaire" not in page
    assert '<optgroup label="Covers the case\'s region">' in page


def test_a_full_shelter_is_marked_full(client_for, caseworker, case, directory):
    directory["MAE"].beds_free = 0
    directory["MAE"].save()

    form = client_for(caseworker).get(_url(case)).context["form"]

    assert _options(form) == ["Maison d'accueil Espoir (MAE) – full – French, Sango"]


def test_beds_are_shown_for_shelter_only(client_for, caseworker, case, directory):
    form = client_for(caseworker).get(_url(case), {"service_type": "mhpss"}).context["form"]

    assert _options(form) == ["Maison d'accueil Espoir (MAE) – French, Sango"]


def test_with_no_partner_in_the_region_the_list_offers_the_fallbacks_marked(
    client_for, caseworker, case, directory
):
    directory["MAE"].is_active = False
    directory["MAE"].save()

    response = client_for(caseworker).get(_url(case), {"service_type": "shelter"})

    form = response.context["form"]
    assert form.fallback
    assert _options(form) == ["Refuge de Conakry (RC) – Guinea"]
    page = unescape(response.content.decode())
    assert '<optgroup label="Cross-border">' in page
    assert "No partner in this system covers the case's region for this service" in page


def test_htmx_asks_for_the_list_of_another_service_alone(client_for, caseworker, case, directory):
    response = client_for(caseworker).get(
        _url(case), {"service_type": "medical"}, headers={"HX-Request": "true"}
    )

    page = unescape(response.content.decode())
    assert response.status_code == 200
    assert page.lstrip().startswith('<div id="partner-choice"')
    assert "<html" not in page
    assert "Centre médical Sainte-Anne (CMSA)" in page
    assert "Maison d'accueil Espoir" not in page
    assert "HX-Request" in response["Vary"]


def test_the_service_select_asks_htmx_for_the_list(client_for, caseworker, case, directory):
    page = client_for(caseworker).get(_url(case)).content.decode()

    assert f'hx-get="{_url(case)}"' in page
    assert 'hx-target="#partner-choice"' in page
    # Without JavaScript, a button posts the form back for the new service's list.
    noscript = page[page.index("<noscript>") : page.index("</noscript>")]
    assert 'name="refresh"' in noscript


def test_without_javascript_the_form_comes_back_for_the_new_service_unsaved(
    client_for, caseworker, case, directory
):
    response = client_for(caseworker).post(
        _url(case), _form(service_type="medical", reason="Fever since Monday", refresh="1")
    )

    assert response.status_code == 200
    assert not Referral.objects.exists()
    form = response.context["form"]
    assert not form.is_bound
    assert _options(form) == ["Centre médical Sainte-Anne (CMSA)"]
    page = response.content.decode()
    assert "Fever since Monday" in page
    assert "This field is required" not in page


def test_a_partner_that_does_not_offer_the_service_is_refused(
    client_for, caseworker, case, directory
):
    response = client_for(caseworker).post(
        _url(case), _form(service_type="medical", to_organisation=directory["MAE"].pk)
    )

    assert response.status_code == 200
    assert not Referral.objects.exists()
    assert response.context["form"].errors["to_organisation"] == [
        "Maison d'accueil Espoir (MAE) does not offer Medical care."
    ]


def test_the_service_refuses_it_too_but_not_a_partner_that_lists_no_service(
    caseworker, case, directory
):
    with pytest.raises(ValidationError) as refused:
        draft(case, caseworker, directory["MAE"], service_type="legal")
    assert refused.value.message_dict == {
        "to_organisation": [
            "Maison d'accueil Espoir (MAE) does not offer Legal assistance and accompaniment."
        ]
    }
    # An organisation whose directory entry lists no service has not said: not refused.
    assert draft(case, caseworker, directory["UNLISTED"], service_type="legal").pk


def test_drafting_says_which_referral_to_whom(client_for, caseworker, case, directory):
    response = client_for(caseworker).post(
        _url(case), _form(to_organisation=directory["MAE"].pk), follow=True
    )

    referral = Referral.objects.get()
    assert messages_of(response) == [
        f"Referral {referral.reference} to Maison d'accueil Espoir drafted: check it, then send it."
    ]


def test_the_list_is_only_for_the_case_team(client_for, case, focal_point, directory):
    other_caseworker = factories.user(organisation=case.organisation)

    refused_partner = client_for(focal_point).get(
        _url(case), {"service_type": "medical"}, headers={"HX-Request": "true"}
    )
    not_on_the_case = client_for(other_caseworker).get(
        _url(case), {"service_type": "medical"}, headers={"HX-Request": "true"}
    )

    assert refused_partner.status_code == 403
    assert not_on_the_case.status_code == 404


def test_the_pathway_comes_first_then_the_regions_other_partners(
    client_for, caseworker, case, directory, bangui
):
    other_shelter = factories.organisation(
        name="Abri des femmes", acronym="ADF", services=["shelter"]
    )
    other_shelter.regions.set([bangui])
    PathwayStep.objects.create(
        service_type="shelter", country="CF", region=bangui, partner=directory["MAE"], rank=1
    )

    response = client_for(caseworker).get(_url(case), {"service_type": "shelter"})

    groups = [
        (str(group), [label for _pk, label in options])
        for group, options in response.context["form"].fields["to_organisation"].choices
        if isinstance(options, list)
    ]
    assert groups == [
        ("Referral pathway", ["Maison d'accueil Espoir (MAE) – 6 beds free – French, Sango"]),
        ("Covers the case's region", ["Abri des femmes (ADF)"]),
    ]
