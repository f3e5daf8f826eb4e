"""A case moves through screening, opening, assistance, reintegration and follow-up; it is
closed only with a reason and a supervisor's approval, and reopened only by a supervisor."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from cases.models import CaseNote, ClosureRequest, StatusChange
from cases.services import records
from cases.services import workflow as case_workflow
from traffick_cm import codebooks as v

S = v.CaseStatus


def _move(client, case, to_status, note=""):
    return client.post(
        reverse("cases:case_transition", kwargs={"pk": case.pk}),
        {"to_status": to_status, "note": note},
        follow=True,
    )


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _request_closure(client, case, reason, details=""):
    return client.post(
        reverse("cases:closure_request", kwargs={"pk": case.pk}),
        {"reason": reason, "details": details},
    )


def _decide(client, closure, approve: bool, note=""):
    return client.post(
        reverse("cases:closure_decide", kwargs={"closure_pk": closure.pk}),
        {"approve": "1" if approve else "0", "note": note},
        follow=True,
    )


def _closed(case, caseworker, supervisor, reason="ServicesCompleted"):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason=reason)
    case_workflow.closure_decide(actor=supervisor, closure=closure, approve=True)
    case.refresh_from_db()
    return case


def test_a_new_case_starts_in_screening_with_one_status_change(case):
    assert case.status == S.SCREENING
    change = case.status_changes.get()
    assert (change.from_status, change.to_status) == ("", S.SCREENING)


def test_caseworker_moves_a_case_from_screening_to_follow_up_step_by_step(
    client_for, caseworker, case
):
    client = client_for(caseworker)
    for to_status in (S.OPEN, S.ASSISTANCE, S.REINTEGRATION, S.FOLLOW_UP):
        response = _move(client, case, to_status)
        label = S(to_status).label
        assert f"Case {case.case_number} moved to: {label}." in _messages(response)
        case.refresh_from_db()
        assert case.status == to_status
    path = list(case.status_changes.order_by("pk").values_list("from_status", "to_status"))
    assert path == [
        ("", S.SCREENING),
        (S.SCREENING, S.OPEN),
        (S.OPEN, S.ASSISTANCE),
        (S.ASSISTANCE, S.REINTEGRATION),
        (S.REINTEGRATION, S.FOLLOW_UP),
    ]


def test_a_case_in_follow_up_can_go_back_to_assistance(caseworker, case):
    for to_status in (S.OPEN, S.ASSISTANCE, S.FOLLOW_UP, S.ASSISTANCE):
        case = case_workflow.case_transition(actor=caseworker, case=case, to_status=to_status)
    assert case.status == S.ASSISTANCE


def test_skipping_from_screening_to_assistance_is_refused_with_a_message(
    client_for, caseworker, case
):
    response = _move(client_for(caseworker), case, S.ASSISTANCE)

    assert response.redirect_chain[-1][0] == reverse("cases:case_detail", kwargs={"pk": case.pk})
    assert "A case in status “Screening” cannot move to “Assistance”." in _messages(response)
    case.refresh_from_db()
    assert case.status == S.SCREENING
    assert case.status_changes.count() == 1


def test_closing_directly_through_a_transition_is_refused(client_for, caseworker, case):
    case_workflow.case_transition(actor=caseworker, case=case, to_status=S.OPEN)

    response = _move(client_for(caseworker), case, S.CLOSED)

    assert "A case in status “Open” cannot move to “Closed”." in _messages(response)
    case.refresh_from_db()
    assert case.status == S.OPEN
    assert case.closed_on is None


def test_an_unknown_status_is_refused(client_for, caseworker, case):
    response = _move(client_for(caseworker), case, "archived")

    assert "Choose a valid status." in _messages(response)
    case.refresh_from_db()
    assert case.status == S.SCREENING


def test_closure_request_needs_a_reason(client_for, caseworker, case):
    response = _request_closure(client_for(caseworker), case, reason="")

    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert not ClosureRequest.objects.filter(case=case).exists()
    case.refresh_from_db()
    assert not case.is_closed


def test_a_closure_request_leaves_the_case_open_until_a_supervisor_approves(
    client_for, caseworker, case
):
    response = _request_closure(client_for(caseworker), case, reason="Reintegrated")

    assert response.status_code == 302
    closure = ClosureRequest.objects.get(case=case)
    assert closure.decision == ClosureRequest.Decision.PENDING
    assert closure.requested_by == caseworker
    case.refresh_from_db()
    assert case.status == S.SCREENING


def test_a_second_closure_request_is_refused_while_one_is_pending(client_for, caseworker, case):
    client = client_for(caseworker)
    _request_closure(client, case, reason="Reintegrated")

    response = _request_closure(client, case, reason="LostContact")

    assert response.status_code == 200
    assert "A closure request is already awaiting approval." in str(response.content, "utf-8")
    assert ClosureRequest.objects.filter(case=case).count() == 1


def test_a_caseworker_cannot_decide_a_closure(client_for, caseworker, case):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")

    response = client_for(caseworker).post(
        reverse("cases:closure_decide", kwargs={"closure_pk": closure.pk}), {"approve": "1"}
    )

    assert response.status_code == 403
    closure.refresh_from_db()
    assert closure.decision == ClosureRequest.Decision.PENDING
    case.refresh_from_db()
    assert not case.is_closed


def test_the_closure_service_refuses_a_caseworker_too(caseworker, case):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")

    with pytest.raises(PermissionDenied):
        case_workflow.closure_decide(actor=caseworker, closure=closure, approve=True)


def test_supervisor_approves_a_closure_and_the_case_closes(
    client_for, caseworker, supervisor, case
):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")

    response = _decide(client_for(supervisor), closure, approve=True)

    assert f"Closure of case {case.case_number} approved: the case is closed." in _messages(
        response
    )
    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert case.closed_on is not None
    closure.refresh_from_db()
    assert closure.decision == ClosureRequest.Decision.APPROVED
    assert closure.decided_by == supervisor
    assert case.status_changes.first().to_status == S.CLOSED


def test_returning_a_closure_request_needs_a_comment(client_for, caseworker, supervisor, case):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")

    response = _decide(client_for(supervisor), closure, approve=False, note="  ")

    assert "Say why the request is returned." in _messages(response)
    closure.refresh_from_db()
    assert closure.decision == ClosureRequest.Decision.PENDING


def test_a_returned_closure_request_keeps_the_case_open_with_the_comment(
    client_for, caseworker, supervisor, case
):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")

    _decide(client_for(supervisor), closure, approve=False, note="Plan a last home visit first.")

    closure.refresh_from_db()
    assert closure.decision == ClosureRequest.Decision.REJECTED
    assert closure.decision_note == "Plan a last home visit first."
    case.refresh_from_db()
    assert case.status == S.SCREENING
    # A new request may follow once the first was returned.
    case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")


def test_closing_as_not_a_victim_records_the_trafficking_status(
    client_for, caseworker, supervisor, case
):
    closure = case_workflow.closure_request(
        actor=caseworker, case=case, reason="NotAVictimOfTrafficking"
    )

    _decide(client_for(supervisor), closure, approve=True)

    case.refresh_from_db()
    assert case.status == S.NOT_A_VICTIM
    assert case.trafficking_status == v.TraffickingStatus.NOT_A_VICTIM
    assert case.is_closed


def test_closing_as_transferred_gives_the_transferred_status(
    client_for, caseworker, supervisor, case
):
    closure = case_workflow.closure_request(
        actor=caseworker, case=case, reason="TransferredToAnotherOrganisation"
    )

    _decide(client_for(supervisor), closure, approve=True)

    case.refresh_from_db()
    assert case.status == S.TRANSFERRED
    assert case.trafficking_status == v.TraffickingStatus.POSSIBLE
    assert case.htcds_status == "ClosedReferred"


def test_a_decided_closure_cannot_be_decided_again(caseworker, supervisor, case):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")
    case_workflow.closure_decide(actor=supervisor, closure=closure, approve=True)

    with pytest.raises(ValidationError):
        case_workflow.closure_decide(actor=supervisor, closure=closure, approve=False, note="No")


def test_supervisor_reopens_a_closed_case_and_the_history_is_kept(
    client_for, caseworker, supervisor, case
):
    case_workflow.case_transition(actor=caseworker, case=case, to_status=S.OPEN)
    _closed(case, caseworker, supervisor)
    history_before = list(StatusChange.objects.filter(case=case).values_list("pk", "to_status"))

    response = client_for(supervisor).post(
        reverse("cases:case_reopen", kwargs={"pk": case.pk}),
        {"note": "The person asked for help again."},
    )

    assert response.status_code == 302
    case.refresh_from_db()
    assert case.status == S.OPEN
    assert case.closed_on is None
    history_after = list(StatusChange.objects.filter(case=case).values_list("pk", "to_status"))
    assert len(history_after) == len(history_before) + 1
    assert set(history_before) <= set(history_after)
    latest = case.status_changes.first()
    assert (latest.from_status, latest.to_status) == (S.CLOSED, S.OPEN)
    assert latest.note == "The person asked for help again."


def test_reopening_needs_a_note(client_for, caseworker, supervisor, case):
    _closed(case, caseworker, supervisor)

    response = client_for(supervisor).post(
        reverse("cases:case_reopen", kwargs={"pk": case.pk}), {"note": ""}
    )

    assert response.status_code == 200
    assert "note" in response.context["form"].errors
    case.refresh_from_db()
    assert case.is_closed


def test_a_caseworker_cannot_reopen_a_case(client_for, caseworker, supervisor, case):
    _closed(case, caseworker, supervisor)

    response = client_for(caseworker).post(
        reverse("cases:case_reopen", kwargs={"pk": case.pk}), {"note": "Please"}
    )

    assert response.status_code == 403
    case.refresh_from_db()
    assert case.is_closed


def test_an_open_case_cannot_be_reopened(supervisor, case):
    with pytest.raises(ValidationError):
        case_workflow.case_reopen(actor=supervisor, case=case, note="Why not")


def test_adding_a_record_to_a_closed_case_is_refused(client_for, caseworker, supervisor, case):
    _closed(case, caseworker, supervisor)

    response = client_for(caseworker).post(
        reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "note"}),
        {"body": "Met the person at the shelter."},
        follow=True,
    )

    assert "This case is closed: reopen it before adding to it." in _messages(response)
    assert not CaseNote.objects.filter(case=case).exists()


def test_a_closed_case_cannot_be_closed_again(caseworker, supervisor, case):
    _closed(case, caseworker, supervisor)

    with pytest.raises(ValidationError):
        case_workflow.closure_request(actor=caseworker, case=case, reason="Other")


def test_removing_a_trafficking_event_from_a_closed_case_is_refused(
    client_for, caseworker, supervisor, case
):
    event = records.event_add(actor=caseworker, case=case, type="Exploitation", country="ML")
    _closed(case, caseworker, supervisor)

    client_for(caseworker).post(reverse("cases:event_delete", kwargs={"event_pk": event.pk}))

    assert case.events.filter(pk=event.pk).exists()
