"""A referral's packet does not outlive the consent that let it go out. When the person's
consent to referral and sharing ends (withdrawn, or a refusal recorded), and when a referral
is cancelled, the copy of the person's details it shared is erased at once; the referral's
metadata stays, the partner is told by an e-mail without personal data, and each step is
audited. A referral still waiting for an answer is cancelled; an accepted or in-progress
one stays open without the details. Consenting again restores nothing."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from cases.models import Consent
from cases.services import records
from cases.services import workflow as case_workflow
from referrals import services
from referrals.models import PacketWithdrawal, Referral, ReferralStatus
from tests import factories
from traffick_cm import codebooks as v

from .steps import consent_to_referral, draft, english_client, messages_of, send


@pytest.fixture(autouse=True)
def english_by_default(settings):
    # The assertions read the English wording; emails and pages without an Accept-Language
    # use LANGUAGE_CODE (French in production).
    settings.LANGUAGE_CODE = "en"


S = ReferralStatus
REASON = "Needs a safe place to stay tonight"  # the reason the conftest's drafts give
PERSONAL = ("Amina", "Diallo", "+23675123456")
ALL_FIELDS = ["case_number", "first_name", "sex", "age_group", "contact"]


def _inbox_detail(client, referral):
    return client.get(reverse("referrals:inbox_detail", kwargs={"pk": referral.pk}))


def _withdraw(case, actor) -> Consent:
    consent = case.consents.get(scope="referral_sharing", withdrawn_on__isnull=True)
    return records.consent_withdraw(actor=actor, consent=consent, withdrawn_on=timezone.localdate())


def _fresh(referral: Referral) -> Referral:
    return Referral.objects.get(pk=referral.pk)


@pytest.fixture
def referrals(consented_case, caseworker, partner_org, focal_point, rival_org):
    """One referral per stage: waiting for an answer, accepted, in progress, completed,
    a draft, and one to an organisation outside the system."""
    sent = send(consented_case, caseworker, partner_org, packet_fields=ALL_FIELDS)
    accepted = send(consented_case, caseworker, partner_org, packet_fields=ALL_FIELDS)
    services.referral_respond(actor=focal_point, referral=accepted, accept=True)
    started = send(consented_case, caseworker, partner_org, packet_fields=ALL_FIELDS)
    services.referral_respond(actor=focal_point, referral=started, accept=True)
    services.referral_start(actor=focal_point, referral=started)
    completed = send(consented_case, caseworker, partner_org, packet_fields=ALL_FIELDS)
    services.referral_respond(actor=focal_point, referral=completed, accept=True)
    services.referral_complete(actor=focal_point, referral=completed, outcome="Placed")
    return {
        "sent": sent,
        "accepted": accepted,
        "started": started,
        "completed": completed,
        "draft": draft(consented_case, caseworker, rival_org, service_type="medical"),
        "external": send(
            consented_case,
            caseworker,
            external_organisation="Barreau de Bangui",
            packet_fields=ALL_FIELDS,
        ),
    }


# The service


def test_withdrawing_consent_erases_every_shared_packet_at_once(
    caseworker, consented_case, referrals
):
    _withdraw(consented_case, caseworker)

    for name in ("sent", "accepted", "started", "completed", "external"):
        referral = _fresh(referrals[name])
        assert referral.packet == "", name
        assert referral.packet_withdrawn_at is not None, name
        assert referral.packet_withdrawn_because == PacketWithdrawal.CONSENT_WITHDRAWN
        # The metadata stays: number, service, dates, which fields had been shared.
        assert referral.service_type == "shelter"
        assert referral.sent_at is not None
        assert list(referral.packet_fields) == ALL_FIELDS
    draft_referral = _fresh(referrals["draft"])
    assert draft_referral.status == S.DRAFT
    assert draft_referral.packet_withdrawn_at is None


def test_the_packet_is_erased_in_the_database_not_only_hidden(
    caseworker, consented_case, referrals
):
    from django.db import connection

    _withdraw(consented_case, caseworker)

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT packet FROM referrals_referral WHERE case_id = %s", [consented_case.pk]
        )
        assert {row[0] for row in cursor.fetchall()} == {""}


def test_a_referral_waiting_for_an_answer_is_cancelled(caseworker, consented_case, referrals):
    _withdraw(consented_case, caseworker)

    sent = _fresh(referrals["sent"])
    assert sent.status == S.CANCELLED
    assert sent.closed_at is not None
    assert sent.events.last().to_status == S.CANCELLED
    # So no reminder ever asks the partner to answer it.
    assert services.reminders_send(now=timezone.now() + timedelta(days=30)) == 0


def test_an_active_referral_stays_open_without_the_packet_and_can_be_completed(
    caseworker, consented_case, referrals, focal_point
):
    _withdraw(consented_case, caseworker)

    accepted, started = _fresh(referrals["accepted"]), _fresh(referrals["started"])
    assert (accepted.status, started.status) == (S.ACCEPTED, S.IN_PROGRESS)
    services.referral_complete(actor=focal_point, referral=started, outcome="Placed")
    assert _fresh(started).status == S.COMPLETED
    assert _fresh(started).packet == ""


def test_each_referral_and_the_withdrawal_are_audited(caseworker, consented_case, referrals):
    consent = _withdraw(consented_case, caseworker)

    affected = sorted(
        referrals[name].pk for name in ("sent", "accepted", "started", "completed", "external")
    )
    entry = AuditEntry.objects.get(action="cases.consent.withdrawn")
    assert entry.data["referrals_withdrawn"] == affected
    assert sorted(r.pk for r in consent.referrals_withdrawn) == affected
    per_referral = AuditEntry.objects.filter(action="referrals.referral.packet_withdrawn")
    assert sorted(int(e.target_id) for e in per_referral) == affected
    for each in per_referral:
        assert each.actor == caseworker
        assert each.data["because"] == "consent_withdrawn"
        assert each.data["fields"] == ALL_FIELDS
        assert not any(value in json.dumps(each.data) for value in PERSONAL)


def test_the_partner_is_told_by_an_email_without_personal_data(
    caseworker, consented_case, referrals, mailoutbox, django_capture_on_commit_callbacks
):
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        _withdraw(consented_case, caseworker)

    told = {
        message.subject: message
        for message in mailoutbox
        if message.to == ["focal@mae.example.org"]
    }
    for name in ("sent", "accepted", "started", "completed"):
        reference = f"R-{referrals[name].pk:06d}"
        assert f"Referral {reference}: consent withdrawn" in told, name
    # Nobody is e-mailed about the draft (never sent) or the organisation outside the system.
    assert len(mailoutbox) == 4
    accepted = told[f"Referral R-{referrals['accepted'].pk:06d}: consent withdrawn"].body
    assert "withdrew their consent" in accepted
    assert "Delete any copy you made" in accepted
    assert "The referral stays open" in accepted
    sent = told[f"Referral R-{referrals['sent'].pk:06d}: consent withdrawn"].body
    assert "The referral is cancelled." in sent
    for message in mailoutbox:
        for value in (*PERSONAL, consented_case.case_number, REASON):
            assert value not in message.subject + message.body


def test_the_partner_sees_that_the_details_were_withdrawn_instead_of_the_packet(
    caseworker, consented_case, referrals, focal_point
):
    client = english_client(focal_point)
    before = _inbox_detail(client, referrals["accepted"]).content.decode()
    assert "Amina" in before and "+23675123456" in before and REASON in before

    _withdraw(consented_case, caseworker)

    for name in ("sent", "accepted", "completed"):
        response = _inbox_detail(client, referrals[name])
        page = response.content.decode()
        assert response.status_code == 200
        assert 'data-testid="packet-withdrawn"' in page
        assert "Shared details withdrawn on" in page
        assert "the person withdrew their consent" in page
        for value in (*PERSONAL, consented_case.case_number, REASON):
            assert value not in page, (name, value)
        # The metadata stays.
        assert f"R-{referrals[name].pk:06d}" in page
        assert "Shelter and safe accommodation" in page
        assert "no-store" in response["Cache-Control"]


def test_the_inbox_list_marks_the_withdrawn_referrals(
    caseworker, consented_case, referrals, focal_point
):
    _withdraw(consented_case, caseworker)

    page = english_client(focal_point).get(reverse("referrals:inbox")).content.decode()

    assert page.count('data-testid="packet-withdrawn-badge"') == 4
    assert "shared details withdrawn on" in page
    # And the partner's home page no longer lists the cancelled one as waiting.
    home = english_client(focal_point).get(reverse("home"))
    assert home.context["inbox_new"] == []


def test_the_referrer_sees_what_had_been_shared_not_the_current_file(
    caseworker, consented_case, referrals
):
    _withdraw(consented_case, caseworker)

    page = (
        english_client(caseworker)
        .get(reverse("referrals:referral_detail", kwargs={"pk": referrals["accepted"].pk}))
        .content.decode()
    )

    assert 'data-testid="packet-withdrawn"' in page
    assert 'data-testid="packet"' not in page
    assert "What had been shared:" in page
    assert "First name or alias, Sex, Age group" in page
    assert "to share again, make a new referral" in page


def test_the_withdrawal_confirmation_lists_the_affected_referrals(
    client_for, caseworker, consented_case, referrals
):
    consent = consented_case.consents.get(scope="referral_sharing")

    response = client_for(caseworker).post(
        reverse("cases:consent_withdraw", kwargs={"consent_pk": consent.pk}), follow=True
    )

    shown = messages_of(response)
    assert (
        f"Consent withdrawn for {consented_case.case_number}: Referral and sharing with partners."
        in shown
    )
    numbers = ", ".join(
        f"R-{referrals[name].pk:06d}"
        for name in ("sent", "accepted", "started", "completed", "external")
    )
    assert f"The details shared in referrals {numbers} were withdrawn and their partners told." in (
        shown
    )
    assert (
        f"Cancelled, as they were still waiting for an answer: R-{referrals['sent'].pk:06d}, "
        in (" ".join(shown))
    )
    assert (
        f"Tell the organisations outside the system yourself: "
        f"R-{referrals['external'].pk:06d} (Barreau de Bangui)." in shown
    )


def test_consenting_again_does_not_restore_the_packet(
    caseworker, consented_case, referrals, focal_point
):
    _withdraw(consented_case, caseworker)

    consent_to_referral(consented_case, caseworker)

    accepted = _fresh(referrals["accepted"])
    assert accepted.packet == ""
    assert accepted.packet_withdrawn_at is not None
    page = _inbox_detail(english_client(focal_point), accepted).content.decode()
    assert "Amina" not in page
    # Sharing again is a new referral, through the consent gate.
    again = send(consented_case, caseworker, accepted.to_organisation)
    assert json.loads(again.packet)["first_name"] == "Amina"


def test_recording_a_refusal_ends_sharing_like_a_withdrawal(
    caseworker, consented_case, referrals, client_for
):
    response = client_for(caseworker).post(
        reverse("cases:record_add", kwargs={"pk": consented_case.pk, "kind": "consent"}),
        {
            "scope": "referral_sharing",
            "given_by": "person",
            "method": "verbal",
            "given_on": timezone.localdate().isoformat(),
        },
        follow=True,
    )

    assert any(m.startswith("The details shared in referrals") for m in messages_of(response))
    assert _fresh(referrals["accepted"]).packet == ""
    entry = AuditEntry.objects.get(action="cases.consent.recorded", data__granted=False)
    assert len(entry.data["referrals_withdrawn"]) == 5


def test_withdrawing_consent_to_data_collection_ends_sharing_too(
    caseworker, consented_case, referrals
):
    consent = consented_case.consents.get(scope="data_collection")

    records.consent_withdraw(actor=caseworker, consent=consent, withdrawn_on=timezone.localdate())

    assert _fresh(referrals["accepted"]).packet == ""


def test_withdrawing_a_consent_that_is_not_about_sharing_keeps_the_packets(
    caseworker, consented_case, referrals
):
    contact = records.consent_record(
        actor=caseworker,
        case=consented_case,
        scope="contact",
        granted=True,
        given_by="person",
        method="verbal",
        given_on=consented_case.identified_on,
    )

    records.consent_withdraw(actor=caseworker, consent=contact, withdrawn_on=timezone.localdate())

    assert _fresh(referrals["accepted"]).packet != ""
    assert _fresh(referrals["sent"]).status == S.SENT


def test_withdrawing_an_older_consent_while_a_newer_one_stands_keeps_the_packets(
    caseworker, consented_case, referrals
):
    older = consented_case.consents.get(scope="referral_sharing")
    consent_to_referral(consented_case, caseworker)  # renewed the same day, recorded later

    records.consent_withdraw(actor=caseworker, consent=older, withdrawn_on=timezone.localdate())

    assert _fresh(referrals["accepted"]).packet != ""


def test_consent_can_be_withdrawn_on_a_closed_case_and_ends_sharing(
    client_for, caseworker, supervisor, consented_case, partner_org, focal_point
):
    referral = send(consented_case, caseworker, partner_org)
    services.referral_respond(actor=focal_point, referral=referral, accept=True)
    services.referral_complete(actor=focal_point, referral=referral, outcome="Placed")
    closure = case_workflow.closure_request(
        actor=caseworker, case=consented_case, reason="ServicesCompleted"
    )
    case_workflow.closure_decide(actor=supervisor, closure=closure, approve=True)
    consented_case.refresh_from_db()
    assert consented_case.status in v.TERMINAL_STATUSES
    consent = consented_case.consents.get(scope="referral_sharing")

    case_page = client_for(caseworker).get(
        reverse("cases:case_detail", kwargs={"pk": consented_case.pk})
    )
    assert reverse("cases:consent_withdraw", kwargs={"consent_pk": consent.pk}) in (
        case_page.content.decode()
    )
    response = client_for(caseworker).post(
        reverse("cases:consent_withdraw", kwargs={"consent_pk": consent.pk}), follow=True
    )

    assert (
        f"Consent withdrawn for {consented_case.case_number}: Referral and sharing with partners."
        in messages_of(response)
    )
    assert _fresh(referral).packet == ""


# Cancelling


def test_cancelling_a_referral_erases_its_packet_and_tells_the_partner(
    client_for,
    caseworker,
    referral,
    focal_point,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker).post(
            reverse("referrals:referral_cancel", kwargs={"pk": referral.pk}),
            {"reason": "Duplicate"},
            follow=True,
        )

    assert messages_of(response) == [
        f"Referral {referral.reference} to Maison d'accueil Espoir cancelled."
    ]
    cancelled = _fresh(referral)
    assert cancelled.status == S.CANCELLED
    assert cancelled.packet == ""
    assert cancelled.packet_withdrawn_because == PacketWithdrawal.CANCELLED
    entry = AuditEntry.objects.get(action="referrals.referral.cancelled")
    assert entry.data["packet_withdrawn"] is True
    [message] = mailoutbox
    assert message.subject == f"Referral R-{referral.pk:06d} was cancelled"
    assert "were removed from the system" in message.body
    assert "Amina" not in message.body
    page = _inbox_detail(english_client(focal_point), referral).content.decode()
    assert "Amina" not in page
    assert REASON not in page
    assert "the referral was cancelled" in page


def test_cancelling_a_draft_withdraws_nothing_and_tells_nobody(
    caseworker, consented_case, partner_org, mailoutbox, django_capture_on_commit_callbacks
):
    referral = draft(consented_case, caseworker, partner_org)

    with django_capture_on_commit_callbacks(execute=True):
        services.referral_cancel(actor=caseworker, referral=referral, reason="Mistake")

    assert _fresh(referral).packet_withdrawn_at is None
    assert mailoutbox == []


def test_a_second_case_keeps_its_referrals(caseworker, consented_case, referrals, partner_org):
    other = factories.case(caseworker=caseworker, first_name="Zara")
    consent_to_referral(other, caseworker)
    kept = send(other, caseworker, partner_org)

    _withdraw(consented_case, caseworker)

    assert _fresh(kept).packet != ""
    assert _fresh(kept).status == S.SENT
