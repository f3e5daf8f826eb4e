"""The case history reads as sentences in the reader's language (issue 14, item 5): who did
what in words, one person's views of a day in one line, and never a raw code."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import formats, timezone, translation

from accounts.models import AuditEntry
from accounts.roles import Role
from cases import history
from cases.services import records, workflow
from partners.models import OrganisationType
from referrals import services as referral_services
from tests import factories


@pytest.fixture
def aicha(org):
    return factories.user(
        Role.CASEWORKER, organisation=org, first_name="Aïcha", last_name="Dembélé"
    )


@pytest.fixture
def case(aicha):
    return factories.case(caseworker=aicha)


def _history(client, case) -> str:
    response = client.get(reverse("cases:case_history", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def _view(client, case) -> None:
    assert client.get(reverse("cases:case_detail", kwargs={"pk": case.pk})).status_code == 200


def test_a_status_change_names_the_person_and_both_statuses(client_for, supervisor, aicha, case):
    workflow.case_transition(actor=aicha, case=case, to_status="open")

    page = _history(client_for(supervisor), case)

    assert "Aïcha D. moved the case from Screening to Open." in page


def test_record_additions_name_the_kind_of_record(client_for, supervisor, aicha, case):
    records.note_add(actor=aicha, case=case, body="Called her sister in Bimbo.")
    records.consent_record(
        actor=aicha,
        case=case,
        scope="referral_sharing",
        granted=True,
        given_by="person",
        method="written",
        given_on=case.identified_on,
    )

    page = _history(client_for(supervisor), case)

    assert "Aïcha D. added a case note." in page
    assert "Aïcha D. recorded consent to share with partners." in page
    assert "Bimbo" not in page  # the note's text stays in the case file


def test_a_referral_sent_is_named_by_its_number_and_partner(client_for, supervisor, aicha, case):
    shelter = factories.organisation(
        name="Maison d'accueil Espoir", type=OrganisationType.SHELTER, services=["shelter"]
    )
    records.consent_record(
        actor=aicha,
        case=case,
        scope="referral_sharing",
        granted=True,
        given_by="person",
        method="written",
        given_on=case.identified_on,
    )
    referral = referral_services.referral_create(
        actor=aicha,
        case=case,
        service_type="shelter",
        urgency="normal",
        reason="Needs a safe place tonight",
        packet_fields=["case_number", "sex"],
        to_organisation=shelter,
    )
    referral_services.referral_send(actor=aicha, referral=referral)

    page = _history(client_for(supervisor), case)

    number = f"R-{referral.pk:06d}"
    assert f"Aïcha D. sent referral {number} to Maison d'accueil Espoir." in page
    assert "safe place" not in page


def test_views_of_one_person_on_one_day_make_one_line(
    client_for, supervisor, aicha, case, monkeypatch
):
    client = Client(headers={"accept-language": "en"})
    client.force_login(aicha)
    # Audit entries cannot be changed (on PostgreSQL a trigger refuses it): the first view
    # is recorded as made the day before.
    a_day_ago = timezone.now() - timedelta(days=1)

    def recorded_a_day_ago(entry, add):
        entry.at = a_day_ago
        return a_day_ago

    with monkeypatch.context() as m:
        m.setattr(AuditEntry._meta.get_field("at"), "pre_save", recorded_a_day_ago)
        _view(client, case)
    _view(client, case)
    _view(client, case)

    response = client_for(supervisor).get(reverse("cases:case_history", kwargs={"pk": case.pk}))
    page = html.unescape(response.content.decode())

    views = [line for line in response.context["page"] if line.action == "cases.case.viewed"]
    assert [line.count for line in views] == [2, 1]
    assert page.count("Aïcha D. viewed the case file 2 times.") == 1
    assert page.count("Aïcha D. viewed the case file.") == 1
    yesterday = timezone.localdate() - timedelta(days=1)
    assert formats.date_format(yesterday, "DATE_FORMAT") in page


def test_views_of_two_people_on_one_day_make_two_lines(client_for, supervisor, aicha, case):
    for user in (aicha, supervisor):
        client = Client(headers={"accept-language": "en"})
        client.force_login(user)
        _view(client, case)

    page = _history(client_for(supervisor), case)

    assert "Aïcha D. viewed the case file." in page
    assert f"{supervisor.first_name} {supervisor.last_name[0]}. viewed the case file." in page


def test_the_newest_line_comes_first(client_for, supervisor, aicha, case):
    workflow.case_transition(actor=aicha, case=case, to_status="open")
    records.note_add(actor=aicha, case=case, body="Follow-up call.")

    response = client_for(supervisor).get(reverse("cases:case_history", kwargs={"pk": case.pk}))

    actions = [line.action for line in response.context["page"]]
    assert actions[:3] == ["cases.note.added", "cases.case.status_changed", "cases.case.created"]


def test_no_raw_code_or_record_id_appears(client_for, supervisor, aicha, case):
    client = Client(headers={"accept-language": "en"})
    client.force_login(aicha)
    _view(client, case)
    note = records.note_add(actor=aicha, case=case, body="Met at the bus station.")
    workflow.case_transition(actor=aicha, case=case, to_status="open")

    page = _history(client_for(supervisor), case)

    for code in ("cases.case.viewed", "cases.note.added", "cases.case.status_changed", "record:"):
        assert code not in page
    assert "casenote" not in page
    assert f"id: {note.pk}" not in page
    assert "Amina" not in page and "Diallo" not in page  # the victim's name


def test_an_unknown_action_still_reads_as_a_sentence(client_for, supervisor, aicha, case):
    AuditEntry.objects.create(
        action="cases.case.recalculated",
        actor=aicha,
        target_type="cases.case",
        target_id=str(case.pk),
        data={"record": "casenote", "id": 10},
    )

    page = _history(client_for(supervisor), case)

    assert "Aïcha D. made a change to the case file." in page
    assert "cases.case.recalculated" not in page
    assert "record:" not in page


def test_the_history_in_french_shows_french_labels_and_dates(supervisor, aicha, case):
    workflow.case_transition(actor=aicha, case=case, to_status="open")
    client = Client(headers={"accept-language": "fr"})
    client.force_login(supervisor)

    page = _history(client, case)

    assert '<html lang="fr"' in page
    assert "Examen préliminaire" in page and "Ouvert" in page
    assert "Screening" not in page
    with translation.override("fr"):
        today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    assert today in page


def test_a_caseworker_is_refused_the_history(client_for, aicha, case):
    response = client_for(aicha).get(reverse("cases:case_history", kwargs={"pk": case.pk}))

    assert response.status_code == 403


# Every action code the app writes against a case or its referrals, with the data its
# service writes (cases/services/, referrals/services.py, cases/selectors.py).
CASE_ENTRIES = {
    "cases.case.created": {"case_number": "CF-2026-00001", "status": "screening"},
    "cases.case.viewed": {},
    "cases.case.exported": {"format": "pdf"},
    "cases.case.changed": {"risk_level": {"before": "low", "after": "high"}},
    "cases.case.status_changed": {"from": "open", "to": "assistance"},
    "cases.case.closure_requested": {"reason": "Reintegrated"},
    "cases.case.closure_approved": {"reason": "Reintegrated"},
    "cases.case.closure_returned": {"reason": "Reintegrated"},
    "cases.case.assigned": {"before": [], "after": [], "primary": None},
    "cases.consent.recorded": {"scope": "contact", "granted": True, "given_by": "guardian"},
    "cases.consent.withdrawn": {"scope": "referral_sharing", "referrals_withdrawn": [3]},
    "cases.event.added": {"record": "traffickingevent", "id": 4, "type": "Transit"},
    "cases.event.deleted": {"record": "traffickingevent", "id": 4},
    "cases.assessment.added": {"record": "assessment", "id": 5, "risk_level": "high"},
    "cases.support_plan.added": {"record": "supportplan", "id": 6, "type": "Health"},
    "cases.support_plan.ended": {"record": "supportplan", "id": 6},
    "cases.service.recorded": {"record": "servicedelivery", "id": 7, "service_type": "medical"},
    "cases.note.added": {"record": "casenote", "id": 10},
    "cases.follow_up.added": {"record": "followup", "id": 8, "due_on": "2026-03-12"},
    "cases.follow_up.done": {"record": "followup", "id": 8},
    "cases.document.uploaded": {"record": "casedocument", "id": 9, "kind": "identity"},
    "cases.document.downloaded": {"record": "casedocument", "id": 9},
    "cases.legal.added": {
        "record": "legalproceeding",
        "id": 11,
        "stage": "complaint",
        "outcome": "pending",
    },
    "cases.legal.changed": {
        "record": "legalproceeding",
        "id": 11,
        "stage": "judgment",
        "outcome": "conviction",
    },
}
REFERRAL_VERBS = [
    "created",
    "sent",
    "consent_overridden",
    "accepted",
    "declined",
    "started",
    "completed",
    "closed_without_service",
    "cancelled",
    "packet_withdrawn",
    "reminder_sent",
    "viewed",
]


@pytest.mark.parametrize("action", sorted(CASE_ENTRIES))
def test_every_case_action_reads_as_a_sentence_without_codes(aicha, action):
    entry = AuditEntry(
        action=action,
        actor=aicha,
        target_type="cases.case",
        target_id="1",
        data=CASE_ENTRIES[action],
    )

    with translation.override("en"):
        text = history.sentence(entry)

    assert text.startswith("Aïcha D. ") and text.endswith(".")
    assert action not in text
    assert "made a change" not in text  # each known code has its own sentence
    for code in ("record:", "casenote", "id:", "{", "_", "unknown"):
        assert code not in text


@pytest.mark.parametrize("verb", REFERRAL_VERBS)
def test_every_referral_action_reads_as_a_sentence_without_codes(verb):
    entry = AuditEntry(
        action=f"referrals.referral.{verb}",
        actor=None,
        target_type="referrals.referral",
        target_id="15",
        data={"case": 1, "status": "sent"},
    )

    with translation.override("en"):
        text = history.sentence(entry)

    assert text.startswith("The system ") and "R-000015" in text
    assert "made a change" not in text
    assert "referrals." not in text and "_" not in text
