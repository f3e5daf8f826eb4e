"""Every access to a case file is recorded: who read it, changed it, exported it; the
history is for the organisation's supervisors and administrators."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.audit import MASK
from accounts.models import AuditEntry
from accounts.roles import Role
from cases.services import records
from tests import factories

from .steps import form_post, load_edit_form


def _entries(case, action: str):
    return AuditEntry.objects.filter(
        action=action, target_type="cases.case", target_id=str(case.pk)
    )


def _all_audit_data(case) -> str:
    entries = AuditEntry.objects.filter(target_type="cases.case", target_id=str(case.pk))
    return json.dumps([e.data for e in entries], ensure_ascii=False)


def test_viewing_a_case_is_recorded(client_for, caseworker, case):
    response = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"pk": case.pk}))

    assert response.status_code == 200
    entry = _entries(case, "cases.case.viewed").get()
    assert entry.actor == caseworker
    assert entry.organisation == caseworker.organisation


def test_each_view_is_a_new_entry(client_for, caseworker, case):
    client = client_for(caseworker)
    url = reverse("cases:case_detail", kwargs={"pk": case.pk})

    client.get(url)
    client.get(url)

    assert _entries(case, "cases.case.viewed").count() == 2


def test_a_refused_view_writes_no_view_entry(client_for, colleague, case):
    response = client_for(colleague).get(reverse("cases:case_detail", kwargs={"pk": case.pk}))

    assert response.status_code == 404
    assert not _entries(case, "cases.case.viewed").exists()


def test_editing_records_before_and_after_with_personal_values_masked(client_for, caseworker, case):
    client = client_for(caseworker)
    initial = load_edit_form(client, case)

    response = client.post(
        reverse("cases:case_edit", kwargs={"pk": case.pk}),
        form_post(initial, first_name="Zeinabou", phone="+23670998877", risk_level="high"),
    )

    assert response.status_code == 302
    entry = _entries(case, "cases.case.changed").get()
    assert entry.actor == caseworker
    assert entry.data["risk_level"] == {"before": "medium", "after": "high"}
    assert entry.data["first_name"] == {"before": MASK, "after": MASK}
    assert entry.data["phone"] == {"before": MASK, "after": MASK}
    assert set(entry.data) == {"first_name", "phone", "risk_level"}


def test_no_personal_value_reaches_the_audit_data(client_for, caseworker, case):
    client = client_for(caseworker)
    initial = load_edit_form(client, case)
    client.post(
        reverse("cases:case_edit", kwargs={"pk": case.pk}),
        form_post(
            initial,
            first_name="Zeinabou",
            last_name="Hamadou",
            address="Avenue des Martyrs",
            identity_documents="NIN 4455",
        ),
    )

    data = _all_audit_data(case)

    assert _entries(case, "cases.case.changed").exists()
    for value in (
        "Amina",
        "Diallo",
        "Zeinabou",
        "Hamadou",
        "Boy-Rabe",
        "Martyrs",
        "4455",
        "+23675000000",
    ):
        assert value not in data


def test_saving_without_a_change_writes_no_change_entry(client_for, caseworker, case):
    client = client_for(caseworker)
    initial = load_edit_form(client, case)

    response = client.post(reverse("cases:case_edit", kwargs={"pk": case.pk}), form_post(initial))

    assert response.status_code == 302
    assert not _entries(case, "cases.case.changed").exists()


def test_exporting_as_csv_is_recorded(client_for, caseworker, case):
    response = client_for(caseworker).get(
        reverse("cases:case_export"), {"case": case.pk, "format": "csv"}
    )

    assert response.status_code == 200
    entry = _entries(case, "cases.case.exported").get()
    assert entry.actor == caseworker
    assert entry.data == {"format": "csv"}


def test_exporting_the_pdf_summary_is_recorded(client_for, caseworker, case):
    response = client_for(caseworker).get(reverse("cases:case_pdf", kwargs={"pk": case.pk}))

    assert response.status_code == 200
    entry = _entries(case, "cases.case.exported").get()
    assert entry.actor == caseworker
    assert entry.data == {"format": "pdf"}


def test_downloading_a_document_is_recorded(client_for, caseworker, case):
    document = records.document_upload(
        actor=caseworker,
        case=case,
        kind="identity",
        upload=SimpleUploadedFile("passport.pdf", factories.PDF_BYTES),
    )

    response = client_for(caseworker).get(
        reverse("cases:document_download", kwargs={"document_pk": document.pk})
    )

    assert response.status_code == 200
    entry = _entries(case, "cases.document.downloaded").get()
    assert entry.actor == caseworker
    assert entry.data == {"record": "casedocument", "id": document.pk}


def test_recording_a_note_is_audited_without_its_text(caseworker, case):
    records.note_add(actor=caseworker, case=case, body="Threatened by her recruiter in Bangui.")

    entry = _entries(case, "cases.note.added").get()
    assert "Threatened" not in json.dumps(entry.data)


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.ADMIN])
def test_supervisor_and_administrator_read_the_case_history(client_for, users, case, role):
    response = client_for(users[role]).get(reverse("cases:case_history", kwargs={"pk": case.pk}))

    assert response.status_code == 200
    actions = [entry.action for entry in response.context["page"]]
    assert "cases.case.created" in actions
    assert "Amina" not in response.content.decode()


def test_the_history_lists_views_changes_and_exports(client_for, caseworker, supervisor, case):
    client = client_for(caseworker)
    client.get(reverse("cases:case_detail", kwargs={"pk": case.pk}))
    initial = load_edit_form(client, case)
    client.post(
        reverse("cases:case_edit", kwargs={"pk": case.pk}), form_post(initial, risk_level="low")
    )
    client.get(reverse("cases:case_export"), {"case": case.pk, "format": "csv"})

    response = client_for(supervisor).get(reverse("cases:case_history", kwargs={"pk": case.pk}))

    actions = {entry.action for entry in response.context["page"]}
    assert {"cases.case.viewed", "cases.case.changed", "cases.case.exported"} <= actions


def test_a_caseworker_cannot_read_the_case_history(client_for, caseworker, case):
    response = client_for(caseworker).get(reverse("cases:case_history", kwargs={"pk": case.pk}))

    assert response.status_code == 403


def test_an_administrator_of_another_organisation_gets_404_on_the_history(
    client_for, other_org, case
):
    outsider = factories.user(Role.ADMIN, organisation=other_org)

    response = client_for(outsider).get(reverse("cases:case_history", kwargs={"pk": case.pk}))

    assert response.status_code == 404
