"""Need to know: caseworkers reach the cases they are assigned to, supervisors all of their
organisation's, nobody else any case-level page. Out of scope answers 404."""

from __future__ import annotations

from datetime import date, timedelta
from urllib.parse import unquote_plus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.forms import is_case_number
from cases.models import CaseNote
from cases.services import records
from cases.services import workflow as case_workflow
from tests import factories
from traffick_cm import codebooks as v


def _listed(response) -> set[str]:
    assert response.status_code == 200
    return {case.case_number for case in response.context["page"].object_list}


def _list(client, **params):
    """The list as a user gets it. A search (`q`) is posted, as the search form does, and
    the answer followed: a name never appears in the addresses on the way."""
    if "q" not in params:
        return client.get(reverse("cases:case_list"), params)
    response = client.post(reverse("cases:case_list"), params, follow=True)
    assert response.redirect_chain, "a search answers with a redirect"
    if not is_case_number(params["q"]):
        for address, _status in response.redirect_chain:
            assert params["q"].lower() not in unquote_plus(address).lower(), address
    return response


@pytest.fixture
def document(caseworker, case):
    return records.document_upload(
        actor=caseworker,
        case=case,
        kind="identity",
        upload=SimpleUploadedFile("id.pdf", factories.PDF_BYTES),
    )


# Who reaches a case


@pytest.mark.parametrize(
    "url_name",
    ["cases:case_detail", "cases:case_edit", "cases:exploitation_edit", "cases:case_pdf"],
)
def test_a_caseworker_not_assigned_to_a_case_gets_404(client_for, colleague, case, url_name):
    response = client_for(colleague).get(reverse(url_name, kwargs={"pk": case.pk}))

    assert response.status_code == 404


def test_a_caseworker_not_assigned_cannot_add_a_record(client_for, colleague, case):
    response = client_for(colleague).post(
        reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "note"}),
        {"body": "Not my case."},
    )

    assert response.status_code == 404
    assert not CaseNote.objects.filter(case=case).exists()


def test_a_caseworker_not_assigned_cannot_download_a_document(client_for, colleague, document):
    response = client_for(colleague).get(
        reverse("cases:document_download", kwargs={"document_pk": document.pk})
    )

    assert response.status_code == 404


def test_a_caseworker_not_assigned_cannot_move_the_case(client_for, colleague, case):
    response = client_for(colleague).post(
        reverse("cases:case_transition", kwargs={"pk": case.pk}), {"to_status": "open"}
    )

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == v.CaseStatus.SCREENING


def test_the_assigned_caseworker_reaches_the_case(client_for, caseworker, case, document):
    client = client_for(caseworker)

    assert client.get(reverse("cases:case_detail", kwargs={"pk": case.pk})).status_code == 200
    assert client.get(reverse("cases:case_edit", kwargs={"pk": case.pk})).status_code == 200
    download = reverse("cases:document_download", kwargs={"document_pk": document.pk})
    assert client.get(download).status_code == 200


def test_assigning_a_caseworker_gives_them_the_case(client_for, colleague, supervisor, case):
    case_workflow.case_assign(
        actor=supervisor, case=case, caseworkers=[colleague], primary=colleague
    )

    response = client_for(colleague).get(reverse("cases:case_detail", kwargs={"pk": case.pk}))

    assert response.status_code == 200


def test_a_supervisor_reaches_every_case_of_the_organisation(client_for, supervisor, colleague):
    case = factories.case(caseworker=colleague)

    response = client_for(supervisor).get(reverse("cases:case_detail", kwargs={"pk": case.pk}))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url_name", "kwargs"),
    [
        ("cases:case_detail", {}),
        ("cases:case_edit", {}),
        ("cases:case_reopen", {}),
        ("cases:case_assign", {}),
        ("cases:record_add", {"kind": "note"}),
    ],
)
def test_a_supervisor_of_another_organisation_gets_404(
    client_for, outside_supervisor, case, url_name, kwargs
):
    response = client_for(outside_supervisor).get(
        reverse(url_name, kwargs={"pk": case.pk, **kwargs})
    )

    assert response.status_code == 404


def test_a_supervisor_of_another_organisation_cannot_download_a_document(
    client_for, outside_supervisor, document
):
    response = client_for(outside_supervisor).get(
        reverse("cases:document_download", kwargs={"document_pk": document.pk})
    )

    assert response.status_code == 404


def test_a_supervisor_of_another_organisation_cannot_decide_a_closure(
    client_for, caseworker, outside_supervisor, case
):
    closure = case_workflow.closure_request(actor=caseworker, case=case, reason="Reintegrated")

    response = client_for(outside_supervisor).post(
        reverse("cases:closure_decide", kwargs={"closure_pk": closure.pk}), {"approve": "1"}
    )

    assert response.status_code == 404
    case.refresh_from_db()
    assert not case.is_closed


@pytest.mark.parametrize(
    "role", [Role.PARTNER, Role.PROGRAMME, Role.MNE, Role.MINISTRY, Role.ADMIN]
)
@pytest.mark.parametrize("url_name", ["cases:case_list", "cases:case_detail"])
def test_roles_without_case_access_get_403(client_for, users, case, role, url_name):
    kwargs = {"pk": case.pk} if url_name == "cases:case_detail" else {}

    response = client_for(users[role]).get(reverse(url_name, kwargs=kwargs))

    assert response.status_code == 403


def test_a_superuser_without_case_roles_gets_403(client_for, case):
    client = client_for(factories.superuser())

    assert client.get(reverse("cases:case_list")).status_code == 403
    assert client.get(reverse("cases:case_detail", kwargs={"pk": case.pk})).status_code == 403


def test_a_partner_cannot_export_a_case(client_for, users, case):
    response = client_for(users[Role.PARTNER]).get(
        reverse("cases:case_export"), {"case": case.pk, "format": "csv"}
    )

    assert response.status_code == 403


# The case list


@pytest.fixture
def three_cases(caseworker, colleague):
    """Two cases of the caseworker, one of a colleague in the same organisation."""
    mine = factories.case(caseworker=caseworker, first_name="Amina")
    also_mine = factories.case(caseworker=caseworker, first_name="Binta")
    theirs = factories.case(caseworker=colleague, first_name="Chantal")
    return mine, also_mine, theirs


def test_a_caseworker_lists_only_the_cases_assigned_to_them(client_for, caseworker, three_cases):
    mine, also_mine, theirs = three_cases

    listed = _listed(_list(client_for(caseworker)))

    assert listed == {mine.case_number, also_mine.case_number}
    assert theirs.case_number not in listed


def test_a_caseworkers_own_cases_are_their_mine_view(client_for, caseworker, three_cases):
    mine, also_mine, _theirs = three_cases

    listed = _listed(_list(client_for(caseworker), view="mine"))

    assert listed == {mine.case_number, also_mine.case_number}


def test_a_supervisor_lists_every_case_of_the_organisation_and_no_other(
    client_for, supervisor, outside_caseworker, three_cases
):
    outside = factories.case(caseworker=outside_caseworker)

    listed = _listed(_list(client_for(supervisor)))

    assert listed == {c.case_number for c in three_cases}
    assert outside.case_number not in listed


def test_the_mine_view_of_a_supervising_caseworker_shows_only_their_cases(
    client_for, org, caseworker
):
    lead = factories.user(Role.CASEWORKER, Role.SUPERVISOR, organisation=org)
    theirs = factories.case(caseworker=lead)
    other = factories.case(caseworker=caseworker)
    client = client_for(lead)

    assert _listed(_list(client)) == {theirs.case_number, other.case_number}
    assert _listed(_list(client, view="mine")) == {theirs.case_number}


def test_the_follow_ups_view_shows_cases_with_a_follow_up_due_this_week(
    client_for, caseworker, three_cases
):
    mine, also_mine, _theirs = three_cases
    today = timezone.localdate()
    records.follow_up_add(
        actor=caseworker, case=mine, due_on=today + timedelta(days=3), purpose="Home visit"
    )
    records.follow_up_add(
        actor=caseworker, case=also_mine, due_on=today + timedelta(days=30), purpose="Call"
    )

    listed = _listed(_list(client_for(caseworker), view="follow_ups"))

    assert listed == {mine.case_number}


def test_a_done_follow_up_leaves_the_follow_ups_view(client_for, caseworker, case):
    today = timezone.localdate()
    follow_up = records.follow_up_add(actor=caseworker, case=case, due_on=today, purpose="Visit")
    records.follow_up_done(actor=caseworker, follow_up=follow_up, done_on=today)

    assert _listed(_list(client_for(caseworker), view="follow_ups")) == set()


@pytest.fixture
def varied_cases(caseworker):
    bangui = factories.region("CF", "Bangui")
    today = timezone.localdate()
    adult = factories.case(
        caseworker=caseworker,
        first_name="Aïssatou",
        last_name="Bâ",
        citizenships=["CF"],
        case_data={"identified_region": bangui, "urgent_medical_need": True},
    )
    child = factories.case(
        caseworker=caseworker,
        first_name="Moussa",
        last_name="Traoré",
        sex="male",
        date_of_birth=date(today.year - 12, 1, 1),
        consent_given_by="guardian",
        citizenships=["ML"],
        exploitation_types=["ForcedBegging"],
    )
    case_workflow.case_transition(actor=caseworker, case=child, to_status="open")
    return {"adult": adult, "child": child, "bangui": bangui}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "open"}, {"child"}),
        ({"status": "screening"}, {"adult"}),
        ({"exploitation_type": "ForcedBegging"}, {"child"}),
        ({"exploitation_type": "ForcedLabour"}, {"adult"}),
        ({"sex": "male"}, {"child"}),
        ({"sex": "female"}, {"adult"}),
        ({"age_group": "9-17"}, {"child"}),
        ({"citizenship": "ML"}, {"child"}),
        ({"citizenship": "CF"}, {"adult"}),
        ({"flags": ["is_child"]}, {"child"}),
        ({"flags": ["urgent_medical_need"]}, {"adult"}),
        ({"flags": ["security_risk"]}, set()),
        ({"trafficking_status": "PossibleVictimOfTrafficking"}, {"adult", "child"}),
        ({"q": "Ba Aissatou"}, {"adult"}),
        ({"q": "aïssatou"}, {"adult"}),
        ({"q": "TRAORE moussa"}, {"child"}),
        ({"q": "Moussa Ba"}, set()),
        ({"q": "Ndiaye"}, set()),
    ],
)
def test_the_list_filters(client_for, caseworker, varied_cases, params, expected):
    listed = _listed(_list(client_for(caseworker), **params))

    assert listed == {varied_cases[name].case_number for name in expected}


def test_the_list_filters_by_region(client_for, caseworker, varied_cases):
    listed = _listed(_list(client_for(caseworker), region=varied_cases["bangui"].pk))

    assert listed == {varied_cases["adult"].case_number}


def test_the_list_filters_by_the_adults_age_group(client_for, caseworker, varied_cases):
    adult = varied_cases["adult"]

    listed = _listed(_list(client_for(caseworker), age_group=adult.age_group))

    assert listed == {adult.case_number}


def test_the_list_finds_a_case_by_its_number(client_for, caseworker, varied_cases):
    number = varied_cases["child"].case_number

    assert _listed(_list(client_for(caseworker), q=number.lower())) == {number}


def test_name_search_does_not_reach_beyond_the_users_scope(
    client_for, caseworker, colleague, varied_cases
):
    factories.case(caseworker=colleague, first_name="Aïssatou", last_name="Bâ")

    listed = _listed(_list(client_for(caseworker), q="Aissatou Ba"))

    assert listed == {varied_cases["adult"].case_number}


def test_a_case_number_of_another_organisation_finds_nothing(
    client_for, caseworker, outside_caseworker
):
    outside = factories.case(caseworker=outside_caseworker)

    assert _listed(_list(client_for(caseworker), q=outside.case_number)) == set()


def test_the_htmx_list_answers_only_the_rows(client_for, caseworker, case):
    response = client_for(caseworker).get(
        reverse("cases:case_list"), headers={"HX-Request": "true"}
    )

    assert response.templates[0].name == "cases/_case_rows.html"
    assert case.case_number in response.content.decode()


# Queries do not grow with the number of rows


def _fill(case, actor, n: int) -> None:
    today = timezone.localdate()
    project = factories.project(organisations=[case.organisation])
    for i in range(n):
        records.note_add(actor=actor, case=case, body=f"Note {i}")
        records.service_record(
            actor=actor, case=case, service_type="medical", delivered_on=today, project=project
        )
        records.event_add(actor=actor, case=case, type="Transit", country="CM")
        records.follow_up_add(actor=actor, case=case, due_on=today, purpose=f"Visit {i}")
        records.assessment_add(
            actor=actor, case=case, assessed_on=today, needs=["medical"], risk_level="high"
        )
        records.support_plan_add(actor=actor, case=case, type="Health", objectives="Recover")
        records.consent_record(
            actor=actor,
            case=case,
            scope="contact",
            granted=True,
            given_by="person",
            method="verbal",
            given_on=today,
        )
        records.legal_proceeding_save(
            actor=actor, case=case, stage="complaint", person_role="witness"
        )
        records.document_upload(
            actor=actor,
            case=case,
            kind="other",
            upload=SimpleUploadedFile(f"d{i}.pdf", factories.PDF_BYTES),
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_the_case_page_uses_the_same_number_of_queries_for_1_or_5_records(client_for, caseworker):
    small = factories.case(caseworker=caseworker)
    large = factories.case(caseworker=caseworker, first_name="Binta")
    _fill(small, caseworker, 1)
    _fill(large, caseworker, 5)
    client = client_for(caseworker)
    client.get(reverse("cases:case_list"))  # the session is warm for both measurements

    with_one = _queries(client, reverse("cases:case_detail", kwargs={"pk": small.pk}))
    with_five = _queries(client, reverse("cases:case_detail", kwargs={"pk": large.pk}))

    assert with_one == with_five


def test_the_case_list_uses_the_same_number_of_queries_for_1_or_5_cases(
    client_for, org, caseworker
):
    client = client_for(caseworker)
    factories.case(caseworker=caseworker)
    client.get(reverse("cases:case_list"))
    with_one = _queries(client, reverse("cases:case_list"))

    region = factories.region("CF", "Bimbo")
    for name in ("Binta", "Chantal", "Djeneba", "Edwige"):
        factories.case(
            caseworker=caseworker, first_name=name, case_data={"identified_region": region}
        )
    with_five = _queries(client, reverse("cases:case_list"))

    assert with_one == with_five
