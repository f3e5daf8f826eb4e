"""The case file page in a fixed, small number of queries (issue 15, item 6): at most 15,
the same for a case with one record of each kind as with five. The sections a caseworker
seldom opens (documents, legal proceedings, status history) show how many records they
hold and load when opened, through the same policy as the page, and the opening is recorded
as a view of the case file."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.audit import log_read
from accounts.models import AuditEntry, User
from accounts.roles import Role
from cases.models import Case, DuplicateFlag
from cases.services import records
from cases.services import workflow as case_workflow
from referrals import services as referral_services
from tests import factories

LIMIT = 15


def _referral(case: Case, actor: User, to=None) -> None:
    referral = referral_services.referral_create(
        actor=actor,
        case=case,
        service_type="shelter" if to else "legal",
        urgency="normal",
        reason="Needs a safe place",
        packet_fields=["case_number", "first_name", "sex"],
        to_organisation=to,
        external_organisation="" if to else "Barreau de Bangui",
    )
    referral_services.referral_send(actor=actor, referral=referral)


def _fill(case: Case, *, supervisor: User, n: int) -> None:
    """`n` of every record the case file shows, each by a new colleague with new related
    rows (partners, projects, other cases), ending with a pending closure request."""
    today = timezone.localdate()
    org = case.organisation
    for i in range(n):
        colleague = factories.user(Role.CASEWORKER, organisation=org)
        team = [*case.caseworkers.all(), colleague]
        case_workflow.case_assign(
            actor=supervisor, case=case, caseworkers=team, primary=case.primary_caseworker
        )
        partner = factories.organisation(services=["shelter", "medical"])
        factories.user(Role.PARTNER, organisation=partner)
        records.consent_record(
            actor=colleague,
            case=case,
            scope="referral_sharing",
            granted=True,
            given_by="person",
            method="written",
            given_on=today,
        )
        records.note_add(actor=colleague, case=case, body=f"Visit {i}")
        records.service_record(
            actor=colleague,
            case=case,
            service_type="medical",
            delivered_on=today,
            provider=partner,
            project=factories.project(organisations=[org]),
            cost=Decimal("1500"),
        )
        records.event_add(actor=colleague, case=case, type="Transit", country="CM")
        records.assessment_add(
            actor=colleague, case=case, assessed_on=today, needs=["medical"], risk_level="high"
        )
        records.support_plan_add(actor=colleague, case=case, type="Health", objectives="Recover")
        records.follow_up_add(
            actor=colleague, case=case, due_on=today, purpose=f"Call {i}", assigned_to=colleague
        )
        records.document_upload(
            actor=colleague,
            case=case,
            kind="other",
            upload=SimpleUploadedFile(f"report-{i}.pdf", factories.PDF_BYTES),
        )
        records.legal_proceeding_save(
            actor=colleague, case=case, stage="complaint", person_role="witness"
        )
        _referral(case, colleague, to=partner)
        _referral(case, colleague)
        status = Case.objects.values_list("status", flat=True).get(pk=case.pk)
        to_status = sorted(case_workflow.TRANSITIONS[status])[0]
        case_workflow.case_transition(actor=colleague, case=case, to_status=to_status)
        closure = case_workflow.closure_request(actor=colleague, case=case, reason="LostContact")
        case_workflow.closure_decide(actor=supervisor, closure=closure, approve=False, note="No")
        # A possible duplicate the caseworker may open, and one in another organisation.
        same = factories.case(caseworker=case.primary_caseworker, last_name=f"Sow{i}")
        elsewhere = factories.case(caseworker=factories.user(Role.CASEWORKER), last_name=f"Sow{i}")
        DuplicateFlag.objects.create(case=case, other_case=same, same_organisation=True)
        DuplicateFlag.objects.create(case=case, other_case=elsewhere, same_organisation=False)
    case_workflow.closure_request(actor=case.primary_caseworker, case=case, reason="Reintegrated")


def _count(client, url: str) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


@pytest.fixture
def filled(caseworker, supervisor):
    """A case with one record of each kind and one with five."""
    one = factories.case(caseworker=caseworker)
    five = factories.case(caseworker=caseworker, first_name="Binta")
    _fill(one, supervisor=supervisor, n=1)
    _fill(five, supervisor=supervisor, n=5)
    return one, five


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR])
def test_the_case_file_runs_at_most_15_queries_with_one_or_five_records_of_each_kind(
    client_for, users, filled, role
):
    one, five = filled
    client = client_for(users[role])
    client.get(reverse("cases:case_list"))  # a signed-in user's second page

    with_one, page_one = _count(client, reverse("cases:case_detail", kwargs={"pk": one.pk}))
    with_five, page_five = _count(client, reverse("cases:case_detail", kwargs={"pk": five.pk}))

    assert with_one == with_five
    assert with_five <= LIMIT
    # What the page shows grows with the records; the sections loaded on demand say how
    # many records they hold.
    assert page_five.count("Visit ") == 5 and page_one.count("Visit ") == 1
    assert "Closure requested by" in page_five
    assert page_five.count('data-testid="duplicate-warning"') == 10
    assert "5 documents attached" in page_five and "1 document attached" in page_one
    assert "5 legal proceedings recorded" in page_five


@pytest.mark.parametrize("section", ["documents", "legal", "status-history"])
def test_a_section_runs_the_same_queries_with_one_or_five_records(
    client_for, caseworker, filled, section
):
    one, five = filled
    client = client_for(caseworker)
    client.get(reverse("cases:case_list"))

    counts = [
        _count(client, reverse("cases:case_section", kwargs={"pk": case.pk, "section": section}))[0]
        for case in (one, five)
    ]

    assert counts[0] == counts[1]


def test_the_page_holds_no_document_name_until_the_documents_are_opened(
    client_for, caseworker, case
):
    records.document_upload(
        actor=caseworker,
        case=case,
        kind="other",
        upload=SimpleUploadedFile("Amina_passport.pdf", factories.PDF_BYTES),
    )
    client = client_for(caseworker)
    section = reverse("cases:case_section", kwargs={"pk": case.pk, "section": "documents"})

    page = client.get(reverse("cases:case_detail", kwargs={"pk": case.pk})).content.decode()
    loaded = client.get(section, headers={"HX-Request": "true"}).content.decode()

    assert "Amina_passport.pdf" not in page
    assert "1 document attached" in page
    # htmx loads it on the first opening; the link opens it without scripts.
    assert f'hx-get="{section}"' in page and 'hx-trigger="toggle once"' in page
    assert f'href="{section}"' in page
    assert "Amina_passport.pdf" in loaded
    assert reverse("cases:document_download", kwargs={"document_pk": case.documents.get().pk}) in (
        loaded
    )
    assert "<html" not in loaded


def test_without_scripts_a_section_opens_as_a_page_that_leads_back(client_for, caseworker, case):
    records.legal_proceeding_save(
        actor=caseworker, case=case, stage="complaint", person_role="witness"
    )
    url = reverse("cases:case_section", kwargs={"pk": case.pk, "section": "legal"})

    response = client_for(caseworker).get(url)

    page = response.content.decode()
    assert "<html" in page
    assert "<h1>Legal proceedings</h1>" in page
    assert "Complaint filed" in page
    assert f'href="{reverse("cases:case_detail", kwargs={"pk": case.pk})}#legal"' in page


def test_sections_without_records_say_so_and_load_nothing(client_for, caseworker, case):
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"pk": case.pk}))

    text = page.content.decode()
    assert "No document attached." in text
    assert "No legal proceeding recorded." in text
    assert 'data-testid="on-demand-documents"' not in text
    assert 'data-testid="on-demand-legal"' not in text
    # Every case has a status history: its registration.
    assert 'data-testid="on-demand-status-history"' in text


def test_the_status_history_lists_each_change_and_who_made_it(client_for, caseworker, case):
    case_workflow.case_transition(actor=caseworker, case=case, to_status="open")
    url = reverse("cases:case_section", kwargs={"pk": case.pk, "section": "status-history"})

    loaded = client_for(caseworker).get(url, headers={"HX-Request": "true"}).content.decode()

    assert "Open" in loaded and "Screening" in loaded
    assert caseworker.get_full_name() in loaded


@pytest.mark.parametrize("who", ["caseworker", "supervisor"])
def test_opening_a_section_is_recorded_as_a_view_of_the_case_file(client_for, users, case, who):
    user = users[Role(who)]
    url = reverse("cases:case_section", kwargs={"pk": case.pk, "section": "documents"})

    assert client_for(user).get(url).status_code == 200

    entry = AuditEntry.objects.filter(action="cases.case.viewed", actor=user).get()
    assert (entry.target_type, entry.target_id) == ("cases.case", str(case.pk))
    assert entry.data == {"section": "documents"}


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("colleague", 404),  # a caseworker of the organisation not assigned to the case
        ("outside_supervisor", 404),
        ("outside_caseworker", 404),
        ("partner", 403),
        ("admin", 403),
    ],
)
def test_a_section_is_refused_to_whom_the_case_file_is(
    request, client_for, users, case, who, status
):
    user = users[Role(who)] if who in ("partner", "admin") else request.getfixturevalue(who)
    for section in ("documents", "legal", "status-history"):
        url = reverse("cases:case_section", kwargs={"pk": case.pk, "section": section})
        assert client_for(user).get(url).status_code == status, section
    assert not AuditEntry.objects.filter(action="cases.case.viewed").exists()


def test_a_signed_out_visitor_is_sent_to_sign_in(client, case):
    url = reverse("cases:case_section", kwargs={"pk": case.pk, "section": "documents"})

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_section_is_not_found(client_for, caseworker, case):
    url = reverse("cases:case_section", kwargs={"pk": case.pk, "section": "notes"})

    assert client_for(caseworker).get(url).status_code == 404
    assert not AuditEntry.objects.filter(action="cases.case.viewed").exists()


def test_a_read_is_recorded_in_one_statement(caseworker, case, django_assert_num_queries):
    actor = User.objects.get(pk=caseworker.pk)  # as a request loads it: no organisation

    with django_assert_num_queries(1):
        log_read("cases.case.viewed", actor=actor, target=case)

    assert AuditEntry.objects.filter(action="cases.case.viewed").get().organisation_id == (
        caseworker.organisation_id
    )
