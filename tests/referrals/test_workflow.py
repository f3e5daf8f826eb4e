"""A referral goes from a case to a partner for one service, or to an organisation outside
the system: drafted, sent, accepted or declined, in progress, completed or closed without
service, or cancelled by the referrer. Every change is recorded with who and when, and the
partner's answer comes back to the case."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from cases.models import ServiceDelivery
from cases.services import records
from cases.services import workflow as case_workflow
from referrals import services
from referrals.models import DEFAULT_PACKET, Referral, ReferralStatus

from .steps import answer, draft, english_client, messages_of, send

S = ReferralStatus


def _create_url(case) -> str:
    return reverse("referrals:referral_create", kwargs={"case_pk": case.pk})


def _detail_url(referral) -> str:
    return reverse("referrals:referral_detail", kwargs={"pk": referral.pk})


def _form(**overrides):
    data = {
        "service_type": "shelter",
        "to_organisation": "",
        "external_organisation": "",
        "destination_country": "",
        "urgency": "high",
        "reason": "Sleeping outside the bus station",
        "packet_fields": ["case_number", "first_name", "age_group"],
    }
    return {**data, **overrides}


# Drafting


def test_caseworker_drafts_a_referral_to_a_partner_for_one_service(
    client_for, caseworker, case, partner_org
):
    response = client_for(caseworker).post(_create_url(case), _form(to_organisation=partner_org.pk))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == _detail_url(referral)
    assert (referral.case, referral.to_organisation) == (case, partner_org)
    assert referral.from_organisation == caseworker.organisation
    assert (referral.service_type, referral.urgency) == ("shelter", "high")
    assert referral.status == S.DRAFT
    assert referral.sent_at is None and referral.respond_by is None
    assert referral.created_by == caseworker
    assert AuditEntry.objects.filter(
        action="referrals.referral.created", target_id=str(referral.pk), actor=caseworker
    ).exists()


def test_caseworker_refers_to_an_organisation_outside_the_system(client_for, caseworker, case):
    response = client_for(caseworker).post(
        _create_url(case), _form(external_organisation="Barreau de Bangui", service_type="legal")
    )

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert referral.is_external
    assert referral.to_organisation is None
    assert referral.recipient_name == "Barreau de Bangui"
    # Outside the system: the destination is the country where the case was identified.
    assert referral.destination_country == "CF"
    page = client_for(caseworker).get(_detail_url(referral)).content.decode()
    assert "Barreau de Bangui" in page
    assert "outside the system" in page


@pytest.mark.parametrize(
    "recipient",
    [{}, {"to_organisation": "PARTNER", "external_organisation": "Barreau de Bangui"}],
    ids=["neither", "both"],
)
def test_a_referral_names_either_a_partner_or_an_outside_organisation(
    client_for, caseworker, case, partner_org, recipient
):
    data = {k: (partner_org.pk if v == "PARTNER" else v) for k, v in recipient.items()}

    response = client_for(caseworker).post(_create_url(case), _form(**data))

    assert response.status_code == 200
    assert response.context["form"].errors["to_organisation"] == [
        "Choose a partner, or name an organisation outside the system (not both)."
    ]
    assert not Referral.objects.exists()


def test_a_referral_is_not_made_to_the_cases_own_organisation(caseworker, case):
    with pytest.raises(ValidationError) as error:
        draft(case, caseworker, caseworker.organisation)

    assert "Refer to another organisation." in error.value.messages
    assert not Referral.objects.exists()


def test_a_referral_needs_a_reason_and_something_to_share(caseworker, case, partner_org):
    with pytest.raises(ValidationError) as no_reason:
        draft(case, caseworker, partner_org, reason="  ")
    with pytest.raises(ValidationError) as nothing_shared:
        draft(case, caseworker, partner_org, packet_fields=[])

    assert "reason" in no_reason.value.message_dict
    assert "packet_fields" in nothing_shared.value.message_dict
    assert not Referral.objects.exists()


def test_a_closed_case_cannot_be_referred(caseworker, supervisor, case, partner_org):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")
    case_workflow.closure_decide(actor=supervisor, closure=closure, approve=True)
    case.refresh_from_db()

    with pytest.raises(ValidationError) as error:
        draft(case, caseworker, partner_org)

    assert "This case is closed: reopen it before referring." in error.value.messages


def test_the_form_proposes_the_minimal_default_packet(client_for, caseworker, case):
    response = client_for(caseworker).get(_create_url(case))

    initial = response.context["form"].fields["packet_fields"].initial
    assert initial == list(DEFAULT_PACKET)
    assert "last_name" not in initial
    assert "date_of_birth" not in initial


# The packet


def test_the_packet_holds_only_the_fields_the_caseworker_chose(
    caseworker, consented_case, partner_org
):
    referral = send(
        consented_case, caseworker, partner_org, packet_fields=["case_number", "age_group"]
    )

    packet = json.loads(referral.packet)
    assert packet == {
        "case_number": consented_case.case_number,
        "age_group": consented_case.age_group,
    }


def test_the_packet_puts_the_referred_service_first_among_the_needs(
    caseworker, consented_case, partner_org
):
    records.assessment_add(
        actor=caseworker,
        case=consented_case,
        assessed_on=timezone.localdate(),
        needs=["medical", "shelter", "legal"],
        risk_level="high",
    )

    referral = send(consented_case, caseworker, partner_org, packet_fields=["needs"])

    assert json.loads(referral.packet) == {"needs": ["shelter", "medical", "legal"]}


def test_the_packet_is_frozen_when_the_referral_is_sent(caseworker, consented_case, partner_org):
    referral = send(consented_case, caseworker, partner_org, packet_fields=["contact"])
    person = consented_case.person
    person.phone = "+23672999999"
    person.save()

    referral.refresh_from_db()
    assert json.loads(referral.packet) == {"contact": "+23675123456"}


def test_the_draft_shows_what_the_partner_will_see(client_for, caseworker, case, partner_org):
    referral = draft(case, caseworker, partner_org, packet_fields=["first_name"])

    response = client_for(caseworker).get(_detail_url(referral))

    page = response.content.decode()
    assert response.context["packet"] == {"first_name": "Amina"}
    assert "What the partner will see" in page
    assert "Diallo" not in page


# Deadlines


@pytest.mark.parametrize(("urgency", "hours"), [("emergency", 24), ("high", 72), ("normal", 168)])
def test_urgency_sets_the_response_deadline(
    caseworker, consented_case, partner_org, urgency, hours
):
    referral = send(consented_case, caseworker, partner_org, urgency=urgency)

    assert referral.status == S.SENT
    assert referral.respond_by - referral.sent_at == timedelta(hours=hours)
    assert abs(timezone.now() - referral.sent_at) < timedelta(minutes=1)


def test_the_deadlines_come_from_the_settings(settings, caseworker, consented_case, partner_org):
    settings.REFERRAL_DEADLINE_HOURS = {"emergency": 6, "high": 48, "normal": 120}

    referral = send(consented_case, caseworker, partner_org, urgency="high")

    assert referral.respond_by - referral.sent_at == timedelta(hours=48)


def test_only_a_draft_can_be_sent(caseworker, referral):
    with pytest.raises(ValidationError) as error:
        services.referral_send(actor=caseworker, referral=referral)

    assert "Only a draft can be sent." in error.value.messages
    assert referral.events.filter(to_status=S.SENT).count() == 1


# Cross-border


def test_a_cross_border_referral_carries_the_destination_country(
    client_for, caseworker, consented_case, partner_org
):
    client = client_for(caseworker)
    client.post(
        _create_url(consented_case),
        _form(to_organisation=partner_org.pk, destination_country="NG", service_type="shelter"),
    )
    referral = Referral.objects.get()

    assert referral.destination_country == "NG"
    assert "Nigeria" in client.get(_detail_url(referral)).content.decode()


def test_the_destination_defaults_to_the_partners_country(caseworker, case, other_org):
    referral = draft(case, caseworker, other_org)

    assert referral.destination_country == "GN"


# Answering


def test_partner_accepts_starts_and_completes_a_referral(focal_point, referral):
    client = english_client(focal_point)

    accepted = answer(client, referral, step="respond", accept="1")
    referral.refresh_from_db()
    assert messages_of(accepted) == [
        f"Referral {referral.reference} accepted by Maison d'accueil Espoir."
    ]
    assert referral.status == S.ACCEPTED
    assert referral.responded_by == focal_point
    assert referral.responded_at is not None

    started = answer(client, referral, step="start")
    referral.refresh_from_db()
    assert referral.status == S.IN_PROGRESS
    assert messages_of(started) == [
        f"Referral {referral.reference}: Maison d'accueil Espoir started the service."
    ]

    completed = answer(
        client, referral, step="complete", outcome="Placed in the shelter", feedback="Safe"
    )
    referral.refresh_from_db()
    assert messages_of(completed) == [
        f"Referral {referral.reference} completed by Maison d'accueil Espoir."
    ]
    assert referral.status == S.COMPLETED
    assert referral.outcome == "Placed in the shelter"
    assert referral.feedback == "Safe"
    assert referral.closed_at is not None


def test_declining_needs_a_reason(focal_point, referral):
    with pytest.raises(ValidationError) as error:
        services.referral_respond(actor=focal_point, referral=referral, accept=False, reason=" ")
    response = answer(english_client(focal_point), referral, step="respond", accept="0")

    assert error.value.message_dict == {"reason": ["Give the reason for declining."]}
    assert "Give the reason for declining." in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == S.SENT
    assert referral.responded_at is None
    assert not referral.events.filter(to_status=S.DECLINED).exists()


def test_a_declined_referral_is_closed_with_its_reason_shown_to_the_referrer(
    client_for, caseworker, focal_point, referral
):
    declined = answer(
        english_client(focal_point), referral, step="respond", accept="0", reason="No bed free"
    )

    referral.refresh_from_db()
    assert messages_of(declined) == [
        f"Referral {referral.reference} declined by Maison d'accueil Espoir."
    ]
    assert referral.status == S.DECLINED
    assert referral.decline_reason == "No bed free"
    assert referral.closed_at == referral.responded_at
    page = client_for(caseworker).get(_detail_url(referral)).content.decode()
    assert "Declined because" in page
    assert "No bed free" in page


def test_partner_closes_an_accepted_referral_without_service(focal_point, referral):
    client = english_client(focal_point)
    answer(client, referral, step="respond", accept="1")

    response = answer(client, referral, step="close", outcome="The person did not come")

    referral.refresh_from_db()
    assert messages_of(response) == [
        f"Referral {referral.reference} closed by Maison d'accueil Espoir without service."
    ]
    assert referral.status == S.CLOSED_NO_SERVICE
    assert referral.outcome == "The person did not come"
    assert not ServiceDelivery.objects.exists()


def test_closing_without_service_needs_a_reason(focal_point, referral):
    services.referral_respond(actor=focal_point, referral=referral, accept=True)

    response = answer(english_client(focal_point), referral, step="close", outcome="")

    assert "Say why no service was given." in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED


def test_a_referral_is_completed_only_after_it_was_accepted(focal_point, referral):
    with pytest.raises(ValidationError) as error:
        services.referral_complete(actor=focal_point, referral=referral, outcome="Done")

    assert "Only an accepted referral can be completed." in error.value.messages
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_a_service_cannot_be_delivered_in_the_future(focal_point, referral):
    services.referral_respond(actor=focal_point, referral=referral, accept=True)

    with pytest.raises(ValidationError) as error:
        services.referral_complete(
            actor=focal_point,
            referral=referral,
            outcome="Done",
            delivered_on=timezone.localdate() + timedelta(days=1),
        )

    assert "delivered_on" in error.value.message_dict
    assert not ServiceDelivery.objects.exists()


def test_the_referrer_cannot_answer_for_a_partner_in_the_system(client_for, caseworker, referral):
    with pytest.raises(PermissionDenied):
        services.referral_respond(actor=caseworker, referral=referral, accept=True)
    response = client_for(caseworker).post(
        reverse("referrals:referral_record_answer", kwargs={"pk": referral.pk}),
        {"step": "respond", "accept": "1"},
    )

    assert response.status_code == 403
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_referrer_records_the_answers_of_an_organisation_outside_the_system(
    client_for, caseworker, consented_case
):
    referral = send(consented_case, caseworker, external_organisation="Barreau de Bangui")
    client = client_for(caseworker)
    url = reverse("referrals:referral_record_answer", kwargs={"pk": referral.pk})

    client.post(url, {"step": "respond", "accept": "1"})
    client.post(url, {"step": "complete", "outcome": "Lawyer assigned"})

    referral.refresh_from_db()
    assert referral.status == S.COMPLETED
    assert referral.responded_by == caseworker
    assert referral.outcome == "Lawyer assigned"


# Cancelling


def test_referrer_cancels_a_sent_referral_and_the_partner_is_told(
    client_for, caseworker, focal_point, referral, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(caseworker).post(
            reverse("referrals:referral_cancel", kwargs={"pk": referral.pk}),
            {"reason": "The person moved to Bambari"},
            follow=True,
        )

    referral.refresh_from_db()
    assert messages_of(response) == [
        f"Referral {referral.reference} to Maison d'accueil Espoir cancelled."
    ]
    assert referral.status == S.CANCELLED
    assert referral.closed_at is not None
    assert referral.events.last().note == "The person moved to Bambari"
    assert [m.to for m in mailoutbox] == [["focal@mae.example.org"]]
    # E-mails go out in the site's language; they link to the partner's inbox page.
    assert reverse("referrals:inbox_detail", kwargs={"pk": referral.pk}) in mailoutbox[0].body


def test_cancelling_needs_a_reason(client_for, caseworker, referral):
    response = client_for(caseworker).post(
        reverse("referrals:referral_cancel", kwargs={"pk": referral.pk}),
        {"reason": ""},
        follow=True,
    )

    assert "Give the reason for cancelling." in messages_of(response)
    referral.refresh_from_db()
    assert referral.status == S.SENT


def test_a_closed_referral_cannot_be_cancelled(caseworker, focal_point, referral):
    services.referral_respond(actor=focal_point, referral=referral, accept=False, reason="Full")

    with pytest.raises(ValidationError) as error:
        services.referral_cancel(actor=caseworker, referral=referral, reason="Changed my mind")

    assert "This referral is already closed." in error.value.messages
    referral.refresh_from_db()
    assert referral.status == S.DECLINED


def test_only_the_referring_side_may_cancel(focal_point, referral):
    with pytest.raises(PermissionDenied):
        services.referral_cancel(actor=focal_point, referral=referral, reason="Not ours")

    referral.refresh_from_db()
    assert referral.status == S.SENT


# History and audit


def test_referral_history_is_complete(
    client_for, caseworker, focal_point, consented_case, partner_org
):
    before = timezone.now()
    referral = draft(consented_case, caseworker, partner_org)
    services.referral_send(actor=caseworker, referral=referral)
    services.referral_respond(actor=focal_point, referral=referral, accept=True)
    services.referral_start(actor=focal_point, referral=referral)
    services.referral_complete(actor=focal_point, referral=referral, outcome="Placed")

    events = list(referral.events.all())
    assert [(e.from_status, e.to_status, e.by) for e in events] == [
        ("", S.DRAFT, caseworker),
        (S.DRAFT, S.SENT, caseworker),
        (S.SENT, S.ACCEPTED, focal_point),
        (S.ACCEPTED, S.IN_PROGRESS, focal_point),
        (S.IN_PROGRESS, S.COMPLETED, focal_point),
    ]
    times = [e.at for e in events]
    assert all(before <= at <= timezone.now() for at in times)
    assert times == sorted(times)
    history = client_for(caseworker).get(_detail_url(referral)).content.decode()
    for label in ("Draft", "Sent", "Accepted", "In progress", "Completed"):
        assert label in history


def test_every_change_is_audited_with_its_actor(
    caseworker, focal_point, consented_case, partner_org
):
    referral = send(consented_case, caseworker, partner_org)
    services.referral_respond(actor=focal_point, referral=referral, accept=True)
    services.referral_close_without_service(actor=focal_point, referral=referral, outcome="Gone")

    entries = AuditEntry.objects.filter(
        target_type="referrals.referral", target_id=str(referral.pk)
    )
    assert sorted((e.action, e.actor) for e in entries) == sorted(
        [
            ("referrals.referral.created", caseworker),
            ("referrals.referral.sent", caseworker),
            ("referrals.referral.accepted", focal_point),
            ("referrals.referral.closed_without_service", focal_point),
        ]
    )


# Back to the case


def test_completed_referral_counts_as_a_service_delivered(focal_point, referral, partner_org):
    services.referral_respond(actor=focal_point, referral=referral, accept=True)
    delivered_on = timezone.localdate() - timedelta(days=2)

    services.referral_complete(
        actor=focal_point, referral=referral, outcome="Placed", delivered_on=delivered_on
    )

    service = ServiceDelivery.objects.get()
    assert service.referral == referral
    assert service.case == referral.case
    assert service.provider == partner_org
    assert service.service_type == "shelter"
    assert service.delivered_on == delivered_on
    assert service.recorded_by == focal_point


def test_the_partners_outcome_and_feedback_return_to_the_case(
    client_for, caseworker, focal_point, referral
):
    services.referral_respond(actor=focal_point, referral=referral, accept=True)
    services.referral_complete(
        actor=focal_point,
        referral=referral,
        outcome="Placed in the shelter",
        feedback="She asks for a Sango-speaking counsellor.",
    )
    client = client_for(caseworker)

    case_page = client.get(reverse("cases:case_detail", kwargs={"pk": referral.case_id}))
    referral_page = client.get(_detail_url(referral)).content.decode()

    case_html = case_page.content.decode()
    assert "Placed in the shelter" in case_html
    assert "Maison d&#x27;accueil Espoir" in case_html
    assert "She asks for a Sango-speaking counsellor." in referral_page


# E-mails, after commit


def test_the_partner_is_emailed_only_once_the_referral_is_saved(
    caseworker,
    focal_point,
    consented_case,
    partner_org,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        referral = send(consented_case, caseworker, partner_org)
    assert mailoutbox == []

    for callback in callbacks:
        callback()

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["focal@mae.example.org"]
    assert f"R-{referral.pk:06d}" in mailoutbox[0].subject


def test_the_referrer_is_emailed_when_the_partner_answers(
    caseworker, focal_point, referral, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.referral_respond(actor=focal_point, referral=referral, accept=True)

    assert [m.to for m in mailoutbox] == [["caseworker@iom.example.org"]]
    assert _detail_url(referral) in mailoutbox[0].body


def test_referral_emails_carry_no_name_or_packet_data(
    caseworker,
    focal_point,
    consented_case,
    partner_org,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        referral = send(
            consented_case,
            caseworker,
            partner_org,
            packet_fields=["case_number", "first_name", "contact"],
            reason="Amina fled her employer",
        )
        services.referral_respond(actor=focal_point, referral=referral, accept=True)

    assert len(mailoutbox) == 2
    for message in mailoutbox:
        text = message.subject + message.body
        for secret in ("Amina", "Diallo", "+23675123456", consented_case.case_number):
            assert secret not in text
        assert f"R-{referral.pk:06d}" in text
