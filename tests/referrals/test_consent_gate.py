"""No referral leaves without a current recorded consent to referral and data sharing. In
an emergency, a caseworker with the override permission may send one anyway, with a
written justification; the override is audited and shown on the referral."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.services import records
from referrals import services
from referrals.models import ReferralStatus
from tests import factories

from .steps import consent_to_referral, draft, english_client, grant_override, messages_of

S = ReferralStatus
JUSTIFICATION = "Bleeding, found at night at the border post; she cannot be asked now."


def _send(client, referral, **data):
    return client.post(
        reverse("referrals:referral_send", kwargs={"pk": referral.pk}), data, follow=True
    )


def _detail(client, referral):
    return client.get(reverse("referrals:referral_detail", kwargs={"pk": referral.pk}))


@pytest.fixture
def emergency(case, caseworker, partner_org):
    """An emergency draft for a case whose person has not consented to referral."""
    return draft(case, caseworker, partner_org, urgency="emergency")


@pytest.fixture
def overrider(org, case):
    """A second caseworker on the case, who holds the emergency override permission."""
    colleague = factories.user(Role.CASEWORKER, organisation=org, username="overrider")
    case.caseworkers.add(colleague)
    return grant_override(colleague)


def _assert_still_a_draft(referral):
    referral.refresh_from_db()
    assert referral.status == S.DRAFT
    assert referral.sent_at is None
    assert referral.packet == ""
    assert not referral.events.filter(to_status=S.SENT).exists()


def test_sending_without_consent_is_refused(
    client_for, caseworker, case, partner_org, mailoutbox, django_capture_on_commit_callbacks
):
    # The case has the consent to data collection given at registration, and no other.
    referral = draft(case, caseworker, partner_org)

    with pytest.raises(ValidationError) as error:
        services.referral_send(actor=caseworker, referral=referral)
    with django_capture_on_commit_callbacks(execute=True):
        response = _send(client_for(caseworker), referral)

    message = (
        "There is no current consent to referral and data sharing. "
        "Record the person's consent first."
    )
    assert error.value.messages == [message]
    assert message in messages_of(response)
    _assert_still_a_draft(referral)
    assert mailoutbox == []


def test_the_draft_page_asks_for_consent_instead_of_offering_to_send(
    client_for, caseworker, case, partner_org
):
    referral = draft(case, caseworker, partner_org)

    response = _detail(client_for(caseworker), referral)

    page = response.content.decode()
    assert response.context["consented"] is False
    assert "There is no current consent to referral and data sharing." in page
    assert "Send the referral" not in page


def test_sending_with_a_current_consent_succeeds(client_for, caseworker, case, partner_org):
    consent_to_referral(case, caseworker)
    referral = draft(case, caseworker, partner_org)

    response = _send(client_for(caseworker), referral)

    assert messages_of(response) == [
        f"Referral {referral.reference} sent to Maison d'accueil Espoir."
    ]
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert referral.consent_override is False


def test_a_refused_consent_keeps_the_gate_closed(caseworker, case, partner_org):
    consent_to_referral(case, caseworker, granted=False)
    referral = draft(case, caseworker, partner_org)

    with pytest.raises(ValidationError):
        services.referral_send(actor=caseworker, referral=referral)

    _assert_still_a_draft(referral)


def test_a_withdrawn_consent_closes_the_gate_again(caseworker, case, partner_org):
    consent = consent_to_referral(case, caseworker)
    records.consent_withdraw(actor=caseworker, consent=consent, withdrawn_on=case.identified_on)
    referral = draft(case, caseworker, partner_org)

    with pytest.raises(ValidationError):
        services.referral_send(actor=caseworker, referral=referral)

    _assert_still_a_draft(referral)


def test_the_latest_consent_decides(caseworker, case, partner_org):
    consent_to_referral(case, caseworker)
    records.consent_record(
        actor=caseworker,
        case=case,
        scope="referral_sharing",
        granted=False,
        given_by="person",
        method="verbal",
        given_on=case.identified_on,
    )
    referral = draft(case, caseworker, partner_org)

    with pytest.raises(ValidationError):
        services.referral_send(actor=caseworker, referral=referral)

    _assert_still_a_draft(referral)


def test_a_referral_to_an_organisation_outside_the_system_needs_consent_too(caseworker, case):
    referral = draft(case, caseworker, external_organisation="Barreau de Bangui")

    with pytest.raises(ValidationError):
        services.referral_send(actor=caseworker, referral=referral)

    _assert_still_a_draft(referral)


# The emergency override


def test_override_needs_its_own_permission(client_for, caseworker, emergency):
    with pytest.raises(PermissionDenied):
        services.referral_send(
            actor=caseworker, referral=emergency, override_justification=JUSTIFICATION
        )
    response = _send(client_for(caseworker), emergency, override_justification=JUSTIFICATION)

    assert "You may not send a referral without the person's consent." in messages_of(response)
    _assert_still_a_draft(emergency)
    assert not AuditEntry.objects.filter(action="referrals.referral.consent_overridden").exists()


def test_the_permission_alone_is_not_enough_for_a_partner_or_a_superuser(db):
    partner = grant_override(factories.user(Role.PARTNER))
    superuser = factories.superuser()

    assert services.can_override_consent(partner) is False
    assert services.can_override_consent(superuser) is False


@pytest.mark.parametrize("justification", ["", "Urgent.", " " * 40])
def test_override_needs_a_written_justification(overrider, emergency, justification):
    with pytest.raises(ValidationError):
        services.referral_send(
            actor=overrider, referral=emergency, override_justification=justification
        )

    _assert_still_a_draft(emergency)


def test_override_is_only_for_an_emergency_referral(overrider, case, partner_org):
    referral = draft(case, overrider, partner_org, urgency="high")

    with pytest.raises(ValidationError) as error:
        services.referral_send(
            actor=overrider, referral=referral, override_justification=JUSTIFICATION
        )

    assert error.value.messages == [
        "Sending without consent is possible only for an emergency referral."
    ]
    _assert_still_a_draft(referral)


def test_the_override_form_is_offered_only_to_users_with_the_permission(
    caseworker, overrider, emergency
):
    without = _detail(english_client(caseworker), emergency).content.decode()
    with_permission = _detail(english_client(overrider), emergency).content.decode()

    assert 'name="override_justification"' not in without
    assert 'name="override_justification"' in with_permission
    assert "Send without consent (audited)" in with_permission


def test_override_is_audited_and_shown_on_the_referral(
    client_for, overrider, emergency, focal_point
):
    response = _send(client_for(overrider), emergency, override_justification=JUSTIFICATION)

    assert messages_of(response) == [
        f"Referral {emergency.reference} sent to Maison d'accueil Espoir."
    ]
    emergency.refresh_from_db()
    assert emergency.status == S.SENT
    assert emergency.consent_override is True
    assert emergency.override_justification == JUSTIFICATION

    entry = AuditEntry.objects.get(action="referrals.referral.consent_overridden")
    assert entry.actor == overrider
    assert (entry.target_type, entry.target_id) == ("referrals.referral", str(emergency.pk))
    assert entry.data["case"] == emergency.case_id
    assert entry.data["justification_length"] == len(JUSTIFICATION)

    referrer_page = _detail(english_client(overrider), emergency).content.decode()
    assert "sent without consent (emergency)" in referrer_page
    assert "Sent without consent because" in referrer_page
    assert JUSTIFICATION in referrer_page
    partner_page = english_client(focal_point).get(
        reverse("referrals:inbox_detail", kwargs={"pk": emergency.pk})
    )
    assert "sent without consent (emergency)" in partner_page.content.decode()


def test_a_referral_sent_with_consent_writes_no_override_entry(
    caseworker, consented_case, partner_org
):
    referral = draft(consented_case, caseworker, partner_org, urgency="emergency")

    services.referral_send(actor=caseworker, referral=referral, override_justification="")

    referral.refresh_from_db()
    assert referral.consent_override is False
    assert not AuditEntry.objects.filter(action="referrals.referral.consent_overridden").exists()
