"""Registration records the consent to share with partners together with the consent to
data collection, in the same transaction, so a new case can be referred at once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from cases.models import Case, Consent, Person
from cases.services import case as case_services
from referrals import services as referral_services
from referrals.models import ReferralStatus
from traffick_cm import codebooks as v

from .steps import register_data


def _register(client, **overrides):
    return client.post(reverse("cases:case_register"), register_data(**overrides), follow=True)


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _refer(case, actor):
    draft = referral_services.referral_create(
        actor=actor,
        case=case,
        service_type="shelter",
        urgency="normal",
        reason="Needs a safe place to stay",
        packet_fields=["case_number", "first_name"],
        external_organisation="Centre d'écoute de Bimbo",
    )
    return referral_services.referral_send(actor=actor, referral=draft)


def test_registering_with_consent_to_share_records_both_consents(client_for, caseworker):
    given_on = timezone.localdate() - timedelta(days=1)

    response = _register(
        client_for(caseworker),
        share_consent="on",
        consent_method="verbal",
        consent_given_on=given_on.isoformat(),
    )

    case = Case.objects.get()
    consents = {c.scope: c for c in Consent.objects.filter(case=case)}
    assert set(consents) == {v.ConsentScope.DATA_COLLECTION, v.ConsentScope.REFERRAL}
    shared = consents[v.ConsentScope.REFERRAL]
    assert (shared.granted, shared.given_by, shared.method, shared.given_on) == (
        True,
        v.ConsentGiver.PERSON,
        v.ConsentMethod.VERBAL,
        given_on,
    )
    assert shared.recorded_by == caseworker
    assert _messages(response) == [
        f"Case {case.case_number} registered, with consent to data collection and to sharing "
        "with partners: it can be referred."
    ]
    entry = AuditEntry.objects.get(action="cases.consent.recorded")
    assert entry.data["scope"] == v.ConsentScope.REFERRAL
    assert entry.actor == caseworker


def test_a_case_registered_with_consent_to_share_is_referred_at_once(client_for, caseworker):
    client = client_for(caseworker)
    _register(client, share_consent="on")
    case = Case.objects.get()

    page = client.get(reverse("referrals:referral_create", kwargs={"case_pk": case.pk}))
    referral = _refer(case, caseworker)

    assert page.status_code == 200
    assert referral.status == ReferralStatus.SENT
    assert not referral.consent_override


def test_without_consent_to_share_the_new_case_cannot_be_sent_to_a_partner(client_for, caseworker):
    response = _register(client_for(caseworker))
    case = Case.objects.get()

    assert _messages(response) == [f"Case {case.case_number} registered."]
    assert list(Consent.objects.filter(case=case).values_list("scope", flat=True)) == [
        v.ConsentScope.DATA_COLLECTION
    ]
    with pytest.raises(ValidationError, match="no current consent to referral"):
        _refer(case, caseworker)


def test_the_form_offers_the_consent_to_share(client_for, caseworker):
    page = client_for(caseworker).get(reverse("cases:case_register")).content.decode()

    assert 'name="share_consent"' in page
    assert "They also consented to referral" in page


def test_a_refused_registration_writes_nothing(client_for, caseworker):
    # A child cannot consent alone: neither consent, nor the case, nor the person is kept.
    today = timezone.localdate()
    response = _register(
        client_for(caseworker),
        share_consent="on",
        date_of_birth=date(today.year - 12, 1, 1).isoformat(),
        consent_given_by="person",
    )

    assert response.status_code == 200
    assert "consent_given_by" in response.context["form"].errors
    assert Case.objects.count() == Person.objects.count() == Consent.objects.count() == 0


def test_consent_to_share_needs_the_consent_to_data_collection(client_for, caseworker):
    data = register_data(share_consent="on")
    del data["consent_confirmed"]

    response = client_for(caseworker).post(reverse("cases:case_register"), data)

    assert "consent_confirmed" in response.context["form"].errors
    assert Case.objects.count() == Consent.objects.count() == 0


def test_a_consent_the_service_refuses_undoes_the_whole_registration(caseworker):
    """The consents are written after the case and the person: a refusal there leaves no
    case without its consents behind."""
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        case_services.case_register(
            actor=caseworker,
            case_data={
                "identified_on": today,
                "identified_country": "CF",
                "identification_method": "ngo",
            },
            person_data={"first_name": "Awa", "estimated_age": 30},
            sex="female",
            citizenships=["CF"],
            consent_given_by=v.ConsentGiver.PERSON,
            consent_method="carrier pigeon",
            consent_given_on=today,
            share_consent=True,
            submission_token=None,
        )

    assert Case.objects.count() == Person.objects.count() == Consent.objects.count() == 0


def test_the_service_refuses_a_childs_own_consent(caseworker):
    today = timezone.localdate()
    with pytest.raises(ValidationError) as refused:
        case_services.case_register(
            actor=caseworker,
            case_data={
                "identified_on": today,
                "identified_country": "CF",
                "identification_method": "ngo",
            },
            person_data={"first_name": "Awa", "estimated_age": 12},
            sex="female",
            citizenships=["CF"],
            consent_given_by=v.ConsentGiver.PERSON,
            consent_method=v.ConsentMethod.WRITTEN,
            consent_given_on=today,
            share_consent=True,
        )

    assert "consent_given_by" in refused.value.message_dict
    assert Case.objects.count() == Consent.objects.count() == 0


def test_a_partner_cannot_register_a_case(client_for, users):
    response = client_for(users["partner"]).post(
        reverse("cases:case_register"), register_data(share_consent="on")
    )

    assert response.status_code == 403
    assert Case.objects.count() == 0
