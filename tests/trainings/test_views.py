"""A programme officer records a session through the form, corrects it, and attaches its
files; each page also refuses those who may not use it."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from accounts.models import AuditEntry
from accounts.roles import Role
from tests import factories
from trainings.models import SessionAttachment, TrainingSession
from trainings.services import register as training_register
from trainings.services import sessions as training_sessions


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    # Attachments go to a throwaway folder, not the shared test media root.
    settings.MEDIA_ROOT = tmp_path / "private"


@pytest.fixture
def client():
    # English, so that the assertions read the pages as an English speaker sees them.
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def programme(users):
    return users[Role.PROGRAMME]


@pytest.fixture
def project(org):
    return factories.project(organisations=[org], code="CF-TIP-2025")


def session_data(**changes: object) -> dict[str, object]:
    """A valid POST of the session form."""
    data: dict[str, object] = {
        "title": "Formation des OPJ sur l'identification des victimes",
        "session_type": "training",
        "topics": ["tip_basics", "victim_identification"],
        "audiences": ["police", "gendarmerie"],
        "facilitators": "Jean-Baptiste Mbaïkoua",
        "country": "CF",
        "locality": "Bangui",
        "venue": "École nationale de police",
        "start_date": "2025-03-10",
        "end_date": "2025-03-12",
        "participants_female": "12",
        "participants_male": "9",
        "participants_other": "1",
        "notes": "Trois jours.",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


@pytest.fixture
def session(programme, org):
    return training_sessions.session_record(
        actor=programme,
        organiser=org,
        title="Sensibilisation à Bimbo",
        session_type="awareness",
        start_date=date(2025, 4, 2),
        end_date=date(2025, 4, 2),
        country="CF",
        audiences=["community_leaders"],
        topics=["tip_basics"],
        participants_female=40,
        participants_male=35,
        participants_other=5,
    )


def _edit_post(session: TrainingSession, **changes: object) -> dict[str, object]:
    """What the edit page posts back for `session`, with `changes` typed in."""
    data = {
        "title": session.title,
        "session_type": session.session_type,
        "topics": session.topics,
        "audiences": session.audiences,
        "country": str(session.country),
        "locality": session.locality,
        "start_date": session.start_date.isoformat(),
        "end_date": session.end_date.isoformat(),
        "participants_female": str(session.participants_female),
        "participants_male": str(session.participants_male),
        "participants_other": str(session.participants_other),
    }
    data.update(changes)
    return data


# Recording a session


def test_programme_officer_opens_the_form_with_the_organisations_country(client, programme):
    client.force_login(programme)

    response = client.get(reverse("trainings:session_create"))

    assert response.status_code == 200
    form = response.context["form"]
    assert form["country"].initial == "CF"
    assert "participants_total" not in form.fields
    assert 'id="participants-total"' in response.content.decode()


def test_programme_officer_records_a_session_with_counts_by_sex(
    client, programme, org, other_org, project
):
    client.force_login(programme)

    response = client.post(
        reverse("trainings:session_create"),
        session_data(partners=[other_org.pk], project=project.pk),
    )

    session = TrainingSession.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:session_detail", kwargs={"pk": session.pk})
    assert session.organiser == org
    assert session.created_by == programme
    assert list(session.partners.all()) == [other_org]
    assert session.project == project
    assert session.audiences == ["police", "gendarmerie"]
    assert session.topics == ["tip_basics", "victim_identification"]
    assert (session.participants_female, session.participants_male) == (12, 9)
    assert session.participants_other == 1
    assert session.participants_total == 22
    entry = AuditEntry.objects.get(action="trainings.session.recorded")
    assert (entry.actor, entry.target_id) == (programme, str(session.pk))

    page = client.get(response["Location"]).content.decode()
    # What happened, with the session's title and day (English dates day first).
    assert (
        escape(
            "Session “Formation des OPJ sur l'identification des victimes” on 10/03/2025 recorded."
        )
        in page
    )
    assert "22 (12 women and girls, 9 men and boys, 1 other or not stated)" in page
    assert "Other NGO" in page


def test_a_total_typed_into_the_form_is_ignored(client, programme):
    client.force_login(programme)

    client.post(reverse("trainings:session_create"), session_data(participants_total="500"))

    assert TrainingSession.objects.get().participants_total == 22


def test_organiser_is_always_the_officers_own_organisation(client, programme, org, other_org):
    client.force_login(programme)

    client.post(reverse("trainings:session_create"), session_data(organiser=other_org.pk))

    assert TrainingSession.objects.get().organiser == org


def test_pre_and_post_test_averages_give_the_knowledge_gain(client, programme):
    client.force_login(programme)

    response = client.post(
        reverse("trainings:session_create"),
        session_data(pre_test_average="42.5", post_test_average="78"),
        follow=True,
    )

    session = TrainingSession.objects.get()
    assert float(session.knowledge_gain) == 35.5
    assert "42.5% before, 78.0% after: +35.5 points" in response.content.decode()


def test_participants_scores_give_the_knowledge_gain_without_session_averages(programme, session):
    for name, pre, post in [("Awa Touré", 40, 80), ("Didier Yakité", 60, 70)]:
        training_register.participant_add(
            actor=programme, session=session, name=name, sex="other", pre_score=pre, post_score=post
        )

    session.refresh_from_db()
    assert session.knowledge_gain is not None
    assert float(session.knowledge_gain) == 25.0


def test_age_groups_are_shown_on_the_session_page(client, programme):
    client.force_login(programme)

    response = client.post(
        reverse("trainings:session_create"),
        session_data(age_under_18="2", age_18_24="5", age_25_plus="15"),
        follow=True,
    )

    page = response.content.decode()
    assert "under 18: 2 – 18 to 24: 5 – 25 and over: 15" in " ".join(page.split())


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"audiences": None}, "audiences", "Choose at least one target audience."),
        ({"participants_male": "-3"}, "participants_male", None),
        ({"title": ""}, "title", None),
        ({"session_type": "seminar"}, "session_type", None),
    ],
    ids=["no_audience", "negative_count", "no_title", "unknown_type"],
)
def test_form_refuses_an_invalid_session(client, programme, changes, field, message):
    client.force_login(programme)

    response = client.post(reverse("trainings:session_create"), session_data(**changes))

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    assert not TrainingSession.objects.exists()


def test_a_session_ending_before_it_starts_is_refused_on_the_end_date(client, programme):
    client.force_login(programme)

    response = client.post(reverse("trainings:session_create"), session_data(end_date="2025-03-01"))

    assert response.status_code == 200
    assert response.context["form"].errors == {
        "end_date": ["The end date comes before the start date."]
    }
    assert not TrainingSession.objects.exists()


def test_start_date_more_than_a_year_ahead_is_refused(client, programme):
    client.force_login(programme)
    ahead = (timezone.localdate() + timedelta(days=400)).isoformat()

    response = client.post(
        reverse("trainings:session_create"), session_data(start_date=ahead, end_date=ahead)
    )

    assert response.context["form"].errors["start_date"] == [
        "The start date is more than a year ahead."
    ]
    assert not TrainingSession.objects.exists()


def test_the_same_session_cannot_be_recorded_twice(client, programme):
    client.force_login(programme)
    client.post(reverse("trainings:session_create"), session_data())

    response = client.post(reverse("trainings:session_create"), session_data())

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert TrainingSession.objects.count() == 1


@pytest.mark.parametrize("role", [Role.MNE, Role.MINISTRY, Role.CASEWORKER, Role.ADMIN])
def test_only_programme_officers_record_sessions(client, users, role):
    client.force_login(users[role])

    assert client.get(reverse("trainings:session_create")).status_code == 403
    assert client.post(reverse("trainings:session_create"), session_data()).status_code == 403
    assert not TrainingSession.objects.exists()


# Editing


def test_programme_officer_corrects_the_counts(client, programme, session):
    client.force_login(programme)
    assert client.get(reverse("trainings:session_edit", kwargs={"pk": session.pk})).status_code == (
        200
    )

    response = client.post(
        reverse("trainings:session_edit", kwargs={"pk": session.pk}),
        _edit_post(session, participants_female="45", participants_other="0", notes="Corrigé."),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.participants_female, session.participants_male) == (45, 35)
    assert session.participants_other == 0
    assert session.participants_total == 80
    assert session.notes == "Corrigé."
    entry = AuditEntry.objects.get(action="trainings.session.changed")
    assert entry.actor == programme
    assert entry.data["participants_female"] == {"before": "40", "after": "45"}
    assert entry.data["participants_other"] == {"before": "5", "after": "0"}


def test_edit_keeps_the_organiser(client, programme, session, org, other_org):
    client.force_login(programme)

    client.post(
        reverse("trainings:session_edit", kwargs={"pk": session.pk}),
        _edit_post(session, organiser=other_org.pk, title="Sensibilisation à Bimbo (2)"),
    )

    session.refresh_from_db()
    assert session.title == "Sensibilisation à Bimbo (2)"
    assert session.organiser == org


def test_an_invalid_edit_changes_nothing(client, programme, session):
    client.force_login(programme)

    response = client.post(
        reverse("trainings:session_edit", kwargs={"pk": session.pk}),
        _edit_post(session, participants_female="10", age_under_18="3"),
    )

    assert response.status_code == 200
    assert "age_under_18" in response.context["form"].errors
    session.refresh_from_db()
    assert (session.participants_female, session.age_under_18) == (40, None)
    assert not AuditEntry.objects.filter(action="trainings.session.changed").exists()


def test_a_colleague_programme_officer_edits_the_organisations_session(client, org, session):
    colleague = factories.user(Role.PROGRAMME, organisation=org)
    client.force_login(colleague)

    response = client.post(
        reverse("trainings:session_edit", kwargs={"pk": session.pk}),
        _edit_post(session, participants_male="36"),
    )

    assert response.status_code == 302
    session.refresh_from_db()
    assert session.participants_total == 81


# Attachments


def _attach(client: Client, session, name: str, content: bytes, kind: str = "attendance_sheet"):
    return client.post(
        reverse("trainings:attachment_upload", kwargs={"pk": session.pk}),
        {"kind": kind, "upload": SimpleUploadedFile(name, content)},
    )


def _stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_programme_officer_attaches_a_pdf(client, programme, session):
    client.force_login(programme)

    response = _attach(client, session, "Liste de présence.pdf", factories.PDF_BYTES)

    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:session_detail", kwargs={"pk": session.pk})
    attachment = SessionAttachment.objects.get()
    assert attachment.session == session
    assert attachment.kind == "attendance_sheet"
    assert attachment.content_type == "application/pdf"
    assert attachment.original_name == "Liste de présence.pdf"
    assert attachment.size == len(factories.PDF_BYTES)
    assert attachment.uploaded_by == programme
    # Stored privately: under MEDIA_ROOT (not served), under a random name, encrypted (the
    # download below returns the exact bytes).
    [stored] = _stored_files()
    assert factories.PDF_BYTES not in stored.read_bytes()
    assert "présence" not in str(stored)
    assert AuditEntry.objects.filter(action="trainings.attachment.uploaded").exists()

    page = client.get(response["Location"]).content.decode()
    assert "File attached to the session “Sensibilisation à Bimbo” (Attendance sheet)." in page
    assert "Liste de présence.pdf" in page
    download = client.get(
        reverse("trainings:attachment_download", kwargs={"attachment_pk": attachment.pk})
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == factories.PDF_BYTES
    assert (
        f"session-{session.pk}-attendance_sheet-{attachment.pk}.pdf"
        in (download["Content-Disposition"])
    )


@pytest.mark.parametrize(
    "content",
    [b"This is a plain text file, not a PDF.\n", b"MZ\x90\x00\x03\x00\x00\x00"],
    ids=["text", "executable"],
)
def test_a_file_named_pdf_that_is_not_a_pdf_is_refused(client, programme, session, content):
    client.force_login(programme)

    response = _attach(client, session, "rapport.pdf", content)

    assert response.status_code == 200
    errors = response.context["form"].errors["upload"]
    assert errors == ["Only these kinds of file can be attached: DOCX, JPEG, PDF, PNG, XLSX."]
    assert not SessionAttachment.objects.exists()
    assert _stored_files() == []


def test_an_empty_file_is_refused(client, programme, session):
    client.force_login(programme)

    response = _attach(client, session, "vide.pdf", b"")

    assert response.status_code == 200
    assert "upload" in response.context["form"].errors
    assert not SessionAttachment.objects.exists()


@pytest.mark.parametrize("role", [Role.MNE, Role.MINISTRY])
def test_only_programme_officers_attach_files(client, users, session, role):
    client.force_login(users[role])

    response = _attach(client, session, "agenda.pdf", factories.PDF_BYTES)

    assert response.status_code == 403
    assert not SessionAttachment.objects.exists()
