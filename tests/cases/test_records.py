"""What a case file accumulates: consents, assessments, plans, services, follow-ups,
documents, legal proceedings and trafficking events."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from cases.models import (
    Assessment,
    Case,
    CaseDocument,
    Consent,
    FollowUp,
    LegalProceeding,
    ServiceDelivery,
    SupportPlan,
)
from cases.selectors import consent_state
from cases.services import records
from tests import factories
from traffick_cm import codebooks as v

from .steps import register_data


def _add(client, case, kind: str, data: dict, **extra):
    return client.post(
        reverse("cases:record_add", kwargs={"pk": case.pk, "kind": kind}), data, **extra
    )


def _state(case) -> dict[str, bool]:
    return {s.scope: s.granted for s in consent_state(list(case.consents.all()))}


@pytest.fixture
def child_case(caseworker):
    today = timezone.localdate()
    return factories.case(
        caseworker=caseworker,
        first_name="Moussa",
        date_of_birth=date(today.year - 11, 1, 1),
        consent_given_by="guardian",
    )


@pytest.fixture
def today():
    return timezone.localdate()


# Consent


def test_registration_records_consent_to_data_collection_only(case):
    assert _state(case) == {
        v.ConsentScope.DATA_COLLECTION: True,
        v.ConsentScope.REFERRAL: False,
        v.ConsentScope.CONTACT: False,
        v.ConsentScope.DOCUMENTS: False,
    }


def test_granting_then_withdrawing_referral_consent_leaves_it_not_granted(
    client_for, caseworker, case, today
):
    client = client_for(caseworker)
    _add(
        client,
        case,
        "consent",
        {
            "scope": "referral_sharing",
            "granted": "on",
            "given_by": "person",
            "method": "verbal",
            "given_on": today.isoformat(),
        },
    )
    assert _state(case)[v.ConsentScope.REFERRAL] is True
    consent = Consent.objects.get(case=case, scope="referral_sharing")

    response = client.post(
        reverse("cases:consent_withdraw", kwargs={"consent_pk": consent.pk}), follow=True
    )

    assert f"Consent withdrawn for {case.case_number}: Referral and sharing with partners." in [
        str(m) for m in response.context["messages"]
    ]
    consent.refresh_from_db()
    assert consent.withdrawn_on == today
    assert consent.withdrawn_by == caseworker
    assert _state(case)[v.ConsentScope.REFERRAL] is False
    # The record is kept: consent history is derived, never overwritten.
    assert case.consents.filter(scope="referral_sharing").count() == 1


def test_a_later_refusal_overrides_an_earlier_consent(caseworker, case, today):
    for granted, given_on in ((True, today - timedelta(days=5)), (False, today)):
        records.consent_record(
            actor=caseworker,
            case=case,
            scope="contact",
            granted=granted,
            given_by="person",
            method="verbal",
            given_on=given_on,
        )

    assert _state(case)[v.ConsentScope.CONTACT] is False


def test_a_consent_cannot_be_withdrawn_twice(caseworker, case, today):
    consent = case.consents.get()
    records.consent_withdraw(actor=caseworker, consent=consent, withdrawn_on=today)

    with pytest.raises(ValidationError):
        records.consent_withdraw(actor=caseworker, consent=consent, withdrawn_on=today)


def test_a_childs_consent_given_by_the_child_alone_is_refused(
    client_for, caseworker, child_case, today
):
    response = _add(
        client_for(caseworker),
        child_case,
        "consent",
        {
            "scope": "referral_sharing",
            "granted": "on",
            "given_by": "person",
            "method": "written",
            "given_on": today.isoformat(),
        },
    )

    assert response.status_code == 200
    assert "given_by" in response.context["form"].errors
    assert not child_case.consents.filter(scope="referral_sharing").exists()


def test_a_childs_consent_given_by_a_guardian_is_recorded(caseworker, child_case, today):
    records.consent_record(
        actor=caseworker,
        case=child_case,
        scope="referral_sharing",
        granted=True,
        given_by="guardian",
        method="written",
        given_on=today,
    )

    assert _state(child_case)[v.ConsentScope.REFERRAL] is True


def test_registering_a_child_through_the_form_refuses_the_childs_own_consent(
    client_for, caseworker, today
):
    response = client_for(caseworker).post(
        reverse("cases:case_register"),
        register_data(date_of_birth=date(today.year - 10, 1, 1).isoformat()),
    )

    assert response.status_code == 200
    assert "given_by" in str(response.context["form"].errors.as_data())
    assert not Case.objects.exists()


def test_a_consent_dated_in_the_future_is_refused(caseworker, case, today):
    with pytest.raises(ValidationError):
        records.consent_record(
            actor=caseworker,
            case=case,
            scope="contact",
            granted=True,
            given_by="person",
            method="verbal",
            given_on=today + timedelta(days=1),
        )


# Assessments, plans, services, follow-ups


def test_an_assessment_sets_the_case_risk_level(client_for, caseworker, case, today):
    response = _add(
        client_for(caseworker),
        case,
        "assessment",
        {
            "assessed_on": today.isoformat(),
            "needs": ["shelter", "mhpss"],
            "risk_level": "high",
            "risks": "The recruiter knows where her family lives.",
        },
    )

    assert response.status_code == 302
    assessment = Assessment.objects.get(case=case)
    assert assessment.needs == ["shelter", "mhpss"]
    assert assessment.assessed_by == caseworker
    case.refresh_from_db()
    assert case.risk_level == "high"


def test_a_support_plan_is_recorded(client_for, caseworker, case):
    response = _add(
        client_for(caseworker),
        case,
        "plan",
        {
            "type": "Livelihood",
            "objectives": "Start a tailoring business",
            "planned_services": ["livelihood", "cash"],
        },
    )

    assert response.status_code == 302
    plan = SupportPlan.objects.get(case=case)
    assert (plan.type, plan.planned_services) == ("Livelihood", ["livelihood", "cash"])
    assert plan.created_by == caseworker


def test_ending_a_support_plan_dates_it_today(client_for, caseworker, case, today):
    plan = records.support_plan_add(
        actor=caseworker, case=case, type="Health", objectives="Recover"
    )

    client_for(caseworker).post(reverse("cases:plan_end", kwargs={"plan_pk": plan.pk}))

    plan.refresh_from_db()
    assert plan.actual_end_on == today


def test_a_service_defaults_to_the_organisation_and_the_case_project(caseworker, org, case, today):
    project = factories.project(organisations=[org])
    case.project = project
    case.save(update_fields=["project"])

    service = records.service_record(
        actor=caseworker, case=case, service_type="medical", delivered_on=today
    )

    assert service.provider == org
    assert service.project == project
    assert service.recorded_by == caseworker


def test_the_service_form_proposes_the_organisation_and_the_case_project(
    client_for, caseworker, org, case
):
    project = factories.project(organisations=[org])
    case.project = project
    case.save(update_fields=["project"])

    response = client_for(caseworker).get(
        reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "service"})
    )

    form = response.context["form"]
    assert form.fields["provider"].initial == org.pk
    assert form.fields["project"].initial == project.pk


def test_a_service_delivered_by_a_partner_is_recorded(
    client_for, caseworker, other_org, case, today
):
    response = _add(
        client_for(caseworker),
        case,
        "service",
        {
            "service_type": "mhpss",
            "delivered_on": today.isoformat(),
            "provider": other_org.pk,
            "cost": "15000",
            "currency": "XAF",
        },
    )

    assert response.status_code == 302
    service = ServiceDelivery.objects.get(case=case)
    assert service.provider == other_org
    assert service.cost == Decimal("15000")


def test_a_negative_cost_is_refused(caseworker, case, today):
    with pytest.raises(ValidationError):
        records.service_record(
            actor=caseworker,
            case=case,
            service_type="medical",
            delivered_on=today,
            cost=Decimal("-1"),
        )


def test_a_follow_up_is_planned_and_marked_done(client_for, caseworker, case, today):
    client = client_for(caseworker)
    _add(
        client,
        case,
        "follow_up",
        {"due_on": (today + timedelta(days=7)).isoformat(), "purpose": "Home visit"},
    )
    follow_up = FollowUp.objects.get(case=case)
    assert follow_up.done_on is None

    client.post(reverse("cases:follow_up_done", kwargs={"follow_up_pk": follow_up.pk}))

    follow_up.refresh_from_db()
    assert (follow_up.done_on, follow_up.done_by) == (today, caseworker)


def test_a_follow_up_cannot_be_done_twice(caseworker, case, today):
    follow_up = records.follow_up_add(actor=caseworker, case=case, due_on=today, purpose="Call")
    records.follow_up_done(actor=caseworker, follow_up=follow_up, done_on=today)

    with pytest.raises(ValidationError):
        records.follow_up_done(actor=caseworker, follow_up=follow_up, done_on=today)


def test_a_new_record_moves_the_case_version(caseworker, case):
    version = case.version

    records.note_add(actor=caseworker, case=case, body="Called.")

    case.refresh_from_db()
    assert case.version == version + 1


def test_an_empty_note_is_refused(client_for, caseworker, case):
    response = _add(client_for(caseworker), case, "note", {"body": "   "})

    assert response.status_code == 200
    assert not case.notes.exists()


# Documents


def _upload(client, case, name: str, content: bytes, kind: str = "identity"):
    return _add(
        client, case, "document", {"kind": kind, "upload": SimpleUploadedFile(name, content)}
    )


def test_a_pdf_is_attached_under_a_random_file_name(client_for, caseworker, case):
    response = _upload(
        client_for(caseworker), case, "Amina_Diallo_passport.pdf", factories.PDF_BYTES
    )

    assert response.status_code == 302
    document = CaseDocument.objects.get(case=case)
    assert document.content_type == "application/pdf"
    assert document.original_name == "Amina_Diallo_passport.pdf"
    assert document.size == len(factories.PDF_BYTES)
    stored = document.file.name
    assert "Amina" not in stored
    assert "passport" not in stored
    assert not stored.endswith(".pdf")
    with document.file.open("rb") as stored_file:
        assert stored_file.read() == factories.PDF_BYTES


def test_two_uploads_of_the_same_file_get_different_stored_names(caseworker, case):
    names = {
        records.document_upload(
            actor=caseworker,
            case=case,
            kind="other",
            upload=SimpleUploadedFile("same.pdf", factories.PDF_BYTES),
        ).file.name
        for _ in range(2)
    }

    assert len(names) == 2


def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(client_for, caseworker, case):
    response = _upload(
        client_for(caseworker), case, "report.pdf", b"MZ\x90\x00 this is an executable"
    )

    assert response.status_code == 200
    assert "upload" in response.context["form"].errors
    assert not CaseDocument.objects.exists()


def test_an_empty_file_is_refused(client_for, caseworker, case):
    response = _upload(client_for(caseworker), case, "empty.pdf", b"")

    assert response.status_code == 200
    assert "upload" in response.context["form"].errors
    assert not CaseDocument.objects.exists()


def test_the_service_refuses_an_empty_file_too(caseworker, case):
    with pytest.raises(ValidationError) as error:
        records.document_upload(
            actor=caseworker, case=case, kind="other", upload=SimpleUploadedFile("e.pdf", b"")
        )

    assert "upload" in error.value.message_dict


@override_settings(MAX_UPLOAD_MB=1)
def test_a_file_over_the_size_limit_is_refused(client_for, caseworker, case):
    content = factories.PDF_BYTES + b"0" * (1024 * 1024)

    response = _upload(client_for(caseworker), case, "scan.pdf", content)

    assert response.status_code == 200
    errors = response.context["form"].errors["upload"]
    assert any("1 MB" in e for e in errors)
    assert not CaseDocument.objects.exists()


@override_settings(MAX_UPLOAD_MB=1)
def test_a_file_just_under_the_size_limit_is_accepted(caseworker, case):
    content = factories.PDF_BYTES + b"0" * (1024 * 1024 - len(factories.PDF_BYTES))

    document = records.document_upload(
        actor=caseworker, case=case, kind="medical", upload=SimpleUploadedFile("s.pdf", content)
    )

    assert document.size == 1024 * 1024


@pytest.mark.parametrize(
    ("content", "content_type"),
    [
        (b"\xff\xd8\xff\xe0" + b"\x00" * 32, "image/jpeg"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 32, "image/png"),
    ],
)
def test_a_photo_is_attached_by_its_content(caseworker, case, content, content_type):
    document = records.document_upload(
        actor=caseworker,
        case=case,
        kind="identity",
        upload=SimpleUploadedFile("photo.bin", content),
    )

    assert document.content_type == content_type


def test_a_download_is_an_attachment_named_without_personal_data(client_for, caseworker, case):
    document = records.document_upload(
        actor=caseworker,
        case=case,
        kind="identity",
        upload=SimpleUploadedFile("Amina_Diallo_passport.pdf", factories.PDF_BYTES),
    )

    response = client_for(caseworker).get(
        reverse("cases:document_download", kwargs={"document_pk": document.pk})
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert f"{case.case_number}-identity-{document.pk}.pdf" in disposition
    assert "Amina" not in disposition
    assert b"".join(response.streaming_content) == factories.PDF_BYTES


# Legal proceedings and trafficking events


def test_a_legal_proceeding_is_recorded(client_for, caseworker, case, today):
    response = _add(
        client_for(caseworker),
        case,
        "legal",
        {
            "stage": "prosecution",
            "complaint_on": (today - timedelta(days=60)).isoformat(),
            "prosecution_on": today.isoformat(),
            "outcome": "pending",
            "person_role": "civil_party",
            "compensation_amount": "",
            "notes": "Hearing set at the Bangui criminal court.",
        },
    )

    assert response.status_code == 302
    proceeding = LegalProceeding.objects.get(case=case)
    assert (proceeding.stage, proceeding.person_role) == ("prosecution", "civil_party")
    assert proceeding.recorded_by == caseworker


def test_updating_a_legal_proceeding_is_audited_as_a_change(caseworker, case, today):
    proceeding = records.legal_proceeding_save(
        actor=caseworker, case=case, stage="complaint", person_role="complainant"
    )

    records.legal_proceeding_save(
        actor=caseworker,
        case=case,
        proceeding=proceeding,
        stage="judgment",
        judgment_on=today,
        outcome="conviction",
    )

    proceeding.refresh_from_db()
    assert (proceeding.stage, proceeding.outcome) == ("judgment", "conviction")
    assert LegalProceeding.objects.filter(case=case).count() == 1
    assert AuditEntry.objects.filter(action="cases.legal.changed").count() == 1


def test_a_negative_compensation_is_refused(caseworker, case):
    with pytest.raises(ValidationError):
        records.legal_proceeding_save(
            actor=caseworker,
            case=case,
            stage="judgment",
            person_role="civil_party",
            compensation_awarded=True,
            compensation_amount=Decimal("-5"),
        )


def test_events_in_the_persons_own_country_keep_the_case_internal(caseworker, case):
    # The factory's person is a citizen of CF.
    records.event_add(actor=caseworker, case=case, type="Recruitment", country="CF")
    records.event_add(actor=caseworker, case=case, type="Exploitation", country="CF")

    case.refresh_from_db()
    assert case.is_transnational is False


def test_an_event_in_another_country_makes_the_case_transnational(client_for, caseworker, case):
    records.event_add(actor=caseworker, case=case, type="Recruitment", country="CF")

    _add(
        client_for(caseworker),
        case,
        "event",
        {"type": "Exploitation", "country": "LY", "place": "Sabha"},
    )

    case.refresh_from_db()
    assert case.is_transnational is True


def test_removing_the_foreign_event_makes_the_case_internal_again(client_for, caseworker, case):
    records.event_add(actor=caseworker, case=case, type="Recruitment", country="CF")
    foreign = records.event_add(actor=caseworker, case=case, type="Transit", country="CM")

    client_for(caseworker).post(reverse("cases:event_delete", kwargs={"event_pk": foreign.pk}))

    case.refresh_from_db()
    assert case.is_transnational is False


def test_an_event_dated_in_the_future_is_refused(caseworker, case, today):
    with pytest.raises(ValidationError):
        records.event_add(
            actor=caseworker,
            case=case,
            type="Transit",
            country="CM",
            date=today + timedelta(days=2),
        )
