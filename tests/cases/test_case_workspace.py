"""The case file as a workspace: jump links to its sections, and the next useful steps at the
top, for the case's state and what it lacks, each one only for a user the policy lets take
it; confirmations that name the case."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.policy import RULES, Action
from cases import selectors
from cases.models import Consent
from cases.services import records
from cases.services import workflow as case_workflow
from traffick_cm import codebooks as v

from .steps import form_post, load_edit_form

ACTION = re.compile(r'data-action="([a-z_]+)"')


def _page(client, case) -> str:
    response = client.get(reverse("cases:case_detail", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    return response.content.decode()


def _actions(client, case) -> list[str]:
    return ACTION.findall(_page(client, case))


def _messages(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def _share(case, actor) -> None:
    records.consent_record(
        actor=actor,
        case=case,
        scope=v.ConsentScope.REFERRAL,
        granted=True,
        given_by=v.ConsentGiver.PERSON,
        method=v.ConsentMethod.WRITTEN,
        given_on=timezone.localdate(),
    )


def _move(case, actor, *statuses) -> None:
    for status in statuses:
        case_workflow.case_transition(actor=actor, case=case, to_status=status)


def _close(case, caseworker, supervisor) -> None:
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")
    case_workflow.closure_decide(actor=supervisor, closure=closure, approve=True)


# Section navigation


def test_the_section_links_lead_to_sections_of_the_page(client_for, caseworker, case):
    page = _page(client_for(caseworker), case)

    nav = page[page.index('data-testid="case-sections"') :]
    nav = nav[: nav.index("</nav>")]
    targets = re.findall(r'href="#([a-z-]+)"', nav)
    assert targets[:4] == ["person", "identification", "consents", "exploitation"]
    for expected in ("referrals", "follow-ups", "notes", "documents", "legal", "workflow"):
        assert expected in targets
    for target in targets:
        assert f'id="{target}"' in page, target


# Next steps


def test_a_new_case_without_consent_to_share_asks_for_it_and_offers_no_referral(
    client_for, caseworker, case
):
    page = _page(client_for(caseworker), case)
    actions = ACTION.findall(page)

    assert actions == ["record_consent", "assess", "follow_up"]
    consent_link = reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "consent"})
    assert f'href="{consent_link}?scope=referral_sharing"' in page
    assert "Record consent to share with partners" in page


def test_the_consent_link_opens_the_form_with_the_scope_chosen(client_for, caseworker, case):
    url = reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "consent"})

    response = client_for(caseworker).get(f"{url}?scope=referral_sharing")

    assert response.status_code == 200
    assert response.context["form"]["scope"].value() == "referral_sharing"


def test_without_consent_to_data_collection_only_that_consent_is_asked(
    client_for, caseworker, case
):
    collected = Consent.objects.get(case=case, scope=v.ConsentScope.DATA_COLLECTION)
    records.consent_withdraw(actor=caseworker, consent=collected, withdrawn_on=timezone.localdate())

    page = _page(client_for(caseworker), case)

    assert ACTION.findall(page) == ["record_consent"]
    assert "scope=data_collection" in page


def test_with_consent_to_share_the_case_can_be_referred(client_for, caseworker, case):
    _share(case, caseworker)
    client = client_for(caseworker)

    page = _page(client, case)

    assert ACTION.findall(page) == ["assess", "refer", "follow_up"]
    refer = reverse("referrals:referral_create", kwargs={"case_pk": case.pk})
    assert f'href="{refer}"' in page
    assert client.get(refer).status_code == 200


def test_what_is_done_leaves_the_next_steps(client_for, caseworker, case):
    _share(case, caseworker)
    today = timezone.localdate()
    records.assessment_add(
        actor=caseworker, case=case, assessed_on=today, needs=["shelter"], risk_level="low"
    )
    records.follow_up_add(
        actor=caseworker, case=case, due_on=today + timedelta(days=7), purpose="Visit"
    )

    assert _actions(client_for(caseworker), case) == ["refer"]


def test_closing_is_suggested_at_the_end_of_the_path_until_it_is_requested(
    client_for, caseworker, supervisor, case
):
    _share(case, caseworker)
    _move(case, caseworker, v.CaseStatus.OPEN, v.CaseStatus.ASSISTANCE)
    client = client_for(caseworker)
    assert "request_closure" not in _actions(client, case)

    _move(case, caseworker, v.CaseStatus.FOLLOW_UP)
    assert _actions(client, case)[-1] == "request_closure"

    case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")
    assert "request_closure" not in _actions(client, case)
    assert "decide_closure" not in _actions(client, case)
    assert _actions(client_for(supervisor), case)[0] == "decide_closure"


def test_a_closed_case_offers_the_caseworker_nothing_and_the_supervisor_reopening(
    client_for, caseworker, supervisor, case
):
    _close(case, caseworker, supervisor)

    as_caseworker = _page(client_for(caseworker), case)
    assert ACTION.findall(as_caseworker) == []
    assert "The case is closed. A supervisor can reopen it." in as_caseworker
    assert reverse("cases:case_reopen", kwargs={"pk": case.pk}) not in as_caseworker

    as_supervisor = _page(client_for(supervisor), case)
    assert ACTION.findall(as_supervisor) == ["reopen"]


def test_a_user_the_policy_does_not_let_refer_is_not_offered_to(
    monkeypatch, client_for, caseworker, case
):
    _share(case, caseworker)
    monkeypatch.setitem(RULES["referral"], Action.CREATE, frozenset())

    page = _page(client_for(caseworker), case)

    assert "refer" not in ACTION.findall(page)
    assert reverse("referrals:referral_create", kwargs={"case_pk": case.pk}) not in page


def test_a_user_the_policy_does_not_let_change_the_case_is_offered_nothing(
    monkeypatch, caseworker, case
):
    monkeypatch.setitem(RULES["case"], Action.CHANGE, frozenset())
    loaded = selectors.case_for_view(actor=caseworker, pk=case.pk)

    assert selectors.next_actions(actor=caseworker, case=loaded) == []


def test_the_next_steps_run_no_query_of_their_own(
    caseworker, supervisor, case, django_assert_num_queries
):
    _share(case, caseworker)
    loaded = selectors.case_for_view(actor=caseworker, pk=case.pk)
    assert caseworker.roles  # the user's roles are read once per request, by the policy

    with django_assert_num_queries(0):
        keys = [a.key for a in selectors.next_actions(actor=caseworker, case=loaded)]

    assert keys == ["assess", "refer", "follow_up"]


# Confirmations name the case


def test_recording_a_consent_says_which_case_and_which_consent(client_for, caseworker, case):
    url = reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "consent"})
    data = {
        "scope": "referral_sharing",
        "given_by": "person",
        "method": "verbal",
        "given_on": timezone.localdate().isoformat(),
    }

    granted = client_for(caseworker).post(url, {**data, "granted": "on"}, follow=True)
    refused = client_for(caseworker).post(url, data, follow=True)

    scope = "Referral and sharing with partners"
    assert _messages(granted) == [f"Consent recorded for {case.case_number}: {scope}."]
    assert _messages(refused) == [f"Refusal of consent recorded for {case.case_number}: {scope}."]


def test_adding_a_note_says_to_which_case(client_for, caseworker, case):
    response = client_for(caseworker).post(
        reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "note"}),
        {"body": "Seen at the shelter."},
        follow=True,
    )

    assert _messages(response) == [f"Note added to {case.case_number}."]


def test_ending_records_says_on_which_case(client_for, caseworker, case):
    today = timezone.localdate()
    follow_up = records.follow_up_add(actor=caseworker, case=case, due_on=today, purpose="Call")
    plan = records.support_plan_add(actor=caseworker, case=case, type="Health", objectives="Care")
    client = client_for(caseworker)

    done = client.post(
        reverse("cases:follow_up_done", kwargs={"follow_up_pk": follow_up.pk}), follow=True
    )
    ended = client.post(reverse("cases:plan_end", kwargs={"plan_pk": plan.pk}), follow=True)

    assert _messages(done) == [f"Follow-up marked as done for {case.case_number}."]
    assert _messages(ended) == [f"Support plan ended for {case.case_number}."]


def test_workflow_confirmations_name_the_case(client_for, caseworker, supervisor, case):
    number = case.case_number
    requested = client_for(caseworker).post(
        reverse("cases:closure_request", kwargs={"pk": case.pk}),
        {"reason": "Reintegrated"},
        follow=True,
    )
    closure = case.closure_requests.get()
    returned = client_for(supervisor).post(
        reverse("cases:closure_decide", kwargs={"closure_pk": closure.pk}),
        {"approve": "0", "note": "Plan a last visit first."},
        follow=True,
    )

    assert _messages(requested) == [
        f"Closure of case {number} requested: a supervisor will review it."
    ]
    assert _messages(returned) == [f"Closure request for case {number} returned to the caseworker."]


def test_editing_the_case_says_which_case_was_changed(client_for, caseworker, case):
    client = client_for(caseworker)
    initial = load_edit_form(client, case)

    response = client.post(
        reverse("cases:case_edit", kwargs={"pk": case.pk}),
        form_post(initial, identified_locality="PK5"),
        follow=True,
    )

    assert _messages(response) == [f"Changes to case {case.case_number} saved."]


@pytest.mark.parametrize("role", ["partner", "programme", "ministry"])
def test_the_case_file_and_its_next_steps_stay_closed_to_other_roles(client_for, users, case, role):
    response = client_for(users[role]).get(reverse("cases:case_detail", kwargs={"pk": case.pk}))

    assert response.status_code == 403
