"""Private files are encrypted at rest with the key ring of the personal fields: the bytes
under MEDIA_ROOT are never the document; the views that apply the access policy serve the
exact original bytes and length; files of earlier versions (plaintext) stay readable until
`rotate_encryption_keys` encrypts them; rotation re-encrypts under the newest key, one file
at a time, atomically, and can be run again; a file no key opens is a clear error, never a
document in clear nor a traceback shown to the user."""

from __future__ import annotations

import hashlib
import io
import logging
import os
import uuid
from datetime import date
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import models
from django.test import Client, override_settings
from django.urls import reverse

from accounts.roles import Role
from cases.models import CaseDocument
from cases.services import records
from reports.models import ActionPlan, ActionPoint, Pillar, ReportRun
from reports.services import plans, runs
from tests import factories
from traffick_cm import storage as private_storage
from traffick_cm.celery import app as celery_app
from trainings.models import SessionAttachment
from trainings.services import sessions as training_sessions

SECRET = b"Amina Diallo, passport CF7788990"
ORIGINAL_NAME = "Amina-Diallo-passport.pdf"
# A small document, and one of several chunks whose length is not a multiple of a chunk.
DOCUMENT = b"%PDF-1.4\n% " + SECRET + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
LARGE_DOCUMENT = b"%PDF-1.4\n" + (b"% " + SECRET + b"\n") * 7000 + b"%%EOF\n"
KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()
# The rows (cases, persons) stay under the suite's key; the files' keys go in front of it.
SUITE_KEYS = list(django_settings.FIELD_ENCRYPTION_KEYS)


def _ring(*keys: str):
    return override_settings(FIELD_ENCRYPTION_KEYS=[*keys, *SUITE_KEYS])


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return settings.MEDIA_ROOT


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def case(caseworker):
    return factories.case(caseworker=caseworker, first_name="Aïssatou", last_name="Ndiaye")


@pytest.fixture
def session(users, org):
    return training_sessions.session_record(
        actor=users[Role.PROGRAMME],
        organiser=org,
        title="Training",
        session_type="training",
        start_date=date(2025, 3, 1),
        end_date=date(2025, 3, 2),
        country="CF",
        audiences=["police"],
        topics=["tip_basics"],
        participants_female=3,
        participants_male=4,
    )


def _signed_in(user) -> Client:
    client = Client(headers={"accept-language": "en"})
    client.force_login(user)
    return client


def _upload_document(caseworker, case, content: bytes = DOCUMENT) -> CaseDocument:
    response = _signed_in(caseworker).post(
        reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "document"}),
        {"kind": "consent_form", "upload": SimpleUploadedFile(ORIGINAL_NAME, content)},
    )
    assert response.status_code == 302
    return CaseDocument.objects.get()


def _upload_attachment(users, session, content: bytes = DOCUMENT) -> SessionAttachment:
    response = _signed_in(users[Role.PROGRAMME]).post(
        reverse("trainings:attachment_upload", kwargs={"pk": session.pk}),
        {"kind": "attendance_sheet", "upload": SimpleUploadedFile("attendance.pdf", content)},
    )
    assert response.status_code == 302
    return SessionAttachment.objects.get()


def _on_disk(media: Path, name: str) -> bytes:
    return (media / name).read_bytes()


def _download_document(user, document):
    return _signed_in(user).get(
        reverse("cases:document_download", kwargs={"document_pk": document.pk})
    )


def _rotate() -> str:
    out = io.StringIO()
    call_command("rotate_encryption_keys", stdout=out, stderr=io.StringIO())
    return out.getvalue()


def _assert_not_the_document(stored: bytes) -> None:
    assert SECRET not in stored
    assert b"Amina" not in stored
    assert b"%PDF" not in stored
    assert stored.startswith(private_storage.MAGIC)


# What lies on disk


def test_every_file_field_of_the_app_stores_through_the_encrypting_storage():
    fields = [
        field
        for model in apps.get_models()
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    ]

    assert {f"{f.model._meta.label}.{f.name}" for f in fields} >= {
        "cases.CaseDocument.file",
        "trainings.SessionAttachment.file",
        "reports.ProgressUpdate.evidence",
        "reports.ReportFile.file",
    }
    for field in fields:
        assert isinstance(field.storage, private_storage.EncryptedFileSystemStorage), field


@pytest.mark.parametrize("content", [DOCUMENT, LARGE_DOCUMENT], ids=["small", "large"])
def test_an_uploaded_case_document_is_not_on_disk_in_clear(caseworker, case, media, content):
    document = _upload_document(caseworker, case, content)

    stored = _on_disk(media, document.file.name)

    _assert_not_the_document(stored)
    assert document.size == len(content)
    assert document.file.size == len(content)  # the document's size, not the ciphertext's


def test_an_uploaded_training_attachment_is_not_on_disk_in_clear(users, session, media):
    attachment = _upload_attachment(users, session)

    _assert_not_the_document(_on_disk(media, attachment.file.name))


def test_action_plan_evidence_is_not_on_disk_in_clear(users, media):
    plan = ActionPlan.objects.create(
        code="CF-NAP-TEST",
        country="CF",
        title="National action plan",
        period_start=date(2020, 3, 13),
        period_end=date(2030, 12, 31),
        adopted_on=date(2020, 3, 13),
    )
    pillar = Pillar.objects.create(plan=plan, code="protection", name="Protection", order=1)
    point = ActionPoint.objects.create(plan=plan, pillar=pillar, number="2.1", text="Shelter")
    update = plans.progress_record(
        actor=users[Role.MNE],
        action_point=point,
        status="in_progress",
        narrative="Shelter opened",
        on=date(2025, 3, 1),
        evidence=SimpleUploadedFile("minutes.pdf", DOCUMENT),
    )

    _assert_not_the_document(_on_disk(media, update.evidence.name))
    response = _signed_in(users[Role.MINISTRY]).get(
        reverse("reports:evidence_download", kwargs={"pk": update.pk})
    )
    assert b"".join(response.streaming_content) == DOCUMENT


def test_report_files_are_encrypted_and_their_checksums_describe_the_report(
    users, media, django_capture_on_commit_callbacks
):
    before = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = True
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run, _ = runs.run_request(
                kind="operational",
                parameters={"country": "CF"},
                period_from=date(2026, 1, 1),
                period_to=date(2026, 1, 31),
                trigger=ReportRun.Trigger.PERSON,
            )
    finally:
        celery_app.conf.task_always_eager = before
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE, run.error

    client = _signed_in(users[Role.MNE])
    for report_file in run.files.all():
        stored = _on_disk(media, report_file.file.name)
        assert stored.startswith(private_storage.MAGIC)
        response = client.get(
            reverse("reports:run_download", kwargs={"pk": run.pk, "fmt": report_file.format})
        )
        content = b"".join(response.streaming_content)
        assert int(response["Content-Length"]) == report_file.size == len(content)
        assert report_file.checksum == hashlib.sha256(content).hexdigest()
        assert report_file.checksum != hashlib.sha256(stored).hexdigest()


def test_stored_files_are_readable_by_the_apps_user_only(caseworker, case, media):
    document = _upload_document(caseworker, case)

    assert (media / document.file.name).stat().st_mode & 0o077 == 0


def test_an_upload_of_allowed_size_is_never_spooled_to_a_plaintext_temporary_file(
    caseworker, case, monkeypatch
):
    from django.core.files import uploadhandler

    spooled = []

    class Recording(uploadhandler.TemporaryUploadedFile):
        def __init__(self, *args, **kwargs):
            spooled.append(args)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(uploadhandler, "TemporaryUploadedFile", Recording)
    # Over Django's default 2.5 MB spooling threshold, under the 10 MB upload limit.
    content = b"%PDF-1.4\n" + b"0" * (4 * 1024 * 1024)

    document = _upload_document(caseworker, case, content)

    assert spooled == []
    assert document.size == len(content)


# Serving


@pytest.mark.parametrize("content", [DOCUMENT, LARGE_DOCUMENT], ids=["small", "large"])
def test_the_caseworker_downloads_the_exact_bytes_of_the_document(caseworker, case, content):
    document = _upload_document(caseworker, case, content)

    response = _download_document(caseworker, document)

    assert response.status_code == 200
    assert int(response["Content-Length"]) == len(content)
    assert b"".join(response.streaming_content) == content


def test_programme_staff_download_the_exact_bytes_of_an_attachment(users, session):
    attachment = _upload_attachment(users, session, LARGE_DOCUMENT)

    response = _signed_in(users[Role.PROGRAMME]).get(
        reverse("trainings:attachment_download", kwargs={"attachment_pk": attachment.pk})
    )

    assert response.status_code == 200
    assert int(response["Content-Length"]) == len(LARGE_DOCUMENT)
    assert b"".join(response.streaming_content) == LARGE_DOCUMENT


@pytest.mark.parametrize(("who", "status"), [("colleague", 404), ("partner", 403)])
def test_a_refused_user_still_gets_no_document(users, org, caseworker, case, who, status):
    document = _upload_document(caseworker, case)
    subject = {
        "colleague": factories.user(Role.CASEWORKER, organisation=org),  # not assigned
        "partner": users[Role.PARTNER],
    }[who]

    response = _download_document(subject, document)

    assert response.status_code == status
    assert SECRET not in response.content


@pytest.mark.parametrize(("role", "status"), [(Role.MNE, 403), (Role.PARTNER, 403)])
def test_a_refused_user_still_gets_no_attachment(users, session, role, status):
    attachment = _upload_attachment(users, session)

    response = _signed_in(users[role]).get(
        reverse("trainings:attachment_download", kwargs={"attachment_pk": attachment.pk})
    )

    assert response.status_code == status
    assert SECRET not in response.content


def test_an_opened_file_can_be_read_again_and_seeks_in_plaintext(caseworker, case):
    document = _upload_document(caseworker, case, LARGE_DOCUMENT)

    with document.file.open("rb") as stream:
        stream.seek(70_000)
        assert stream.read(100) == LARGE_DOCUMENT[70_000:70_100]
        assert stream.tell() == 70_100
        stream.seek(-10, io.SEEK_END)
        assert stream.read() == LARGE_DOCUMENT[-10:]
    with document.file.open("rb") as stream:
        assert stream.read() == LARGE_DOCUMENT


def test_stored_files_cannot_be_opened_for_writing(caseworker, case):
    document = _upload_document(caseworker, case)

    with pytest.raises(ValueError, match="reading"):
        default_storage.open(document.file.name, "wb")


# Damaged files and missing keys


def test_a_damaged_file_does_not_open(caseworker, case, media):
    document = _upload_document(caseworker, case, LARGE_DOCUMENT)
    path = media / document.file.name
    stored = bytearray(path.read_bytes())
    stored[-100] ^= 1
    path.write_bytes(bytes(stored))

    with pytest.raises(private_storage.StoredFileError, match="does not authenticate"):
        document.file.open("rb")


def test_a_file_cut_at_a_chunk_boundary_does_not_open(caseworker, case, media):
    document = _upload_document(caseworker, case, LARGE_DOCUMENT)
    path = media / document.file.name
    one_chunk = private_storage.HEADER_SIZE + private_storage.CHUNK_SIZE + private_storage.TAG_SIZE
    path.write_bytes(path.read_bytes()[:one_chunk])

    with pytest.raises(private_storage.StoredFileError):
        document.file.open("rb")


def test_a_file_no_key_opens_answers_the_generic_error_page_and_logs_no_personal_data(
    caseworker, case, caplog
):
    document = _document_under_lost_key(caseworker, case)
    client = _signed_in(caseworker)
    client.raise_request_exception = False

    with caplog.at_level(logging.ERROR):
        response = client.get(
            reverse("cases:document_download", kwargs={"document_pk": document.pk})
        )

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page
    assert "Traceback" not in page
    assert "StoredFileError" not in page
    assert document.file.name in caplog.text
    assert "not in FIELD_ENCRYPTION_KEY" in caplog.text
    for personal in ("Aïssatou", "Ndiaye", "Amina", ORIGINAL_NAME, SECRET.decode()):
        assert personal not in caplog.text


# Rotation


def test_rotation_re_encrypts_files_under_the_new_key_and_the_old_key_can_go(
    users, caseworker, case, session, media
):
    with _ring(KEY_A):
        document = _upload_document(caseworker, case, LARGE_DOCUMENT)
        attachment = _upload_attachment(users, session)
    before = {name: _on_disk(media, name) for name in (document.file.name, attachment.file.name)}

    with _ring(KEY_B, KEY_A):
        output = _rotate()

    assert "0 encrypted (were unencrypted), 2 re-encrypted, 0 already" in output
    for name, old in before.items():
        new = _on_disk(media, name)
        assert new != old
        _assert_not_the_document(new)
    with _ring(KEY_B):
        response = _download_document(caseworker, document)
        assert b"".join(response.streaming_content) == LARGE_DOCUMENT
        with attachment.file.open("rb") as stream:
            assert stream.read() == DOCUMENT
    with (
        _ring(KEY_A),
        pytest.raises(private_storage.StoredFileError),
    ):
        document.file.open("rb")


def test_rotation_run_again_leaves_files_as_they_are(caseworker, case, media):
    with _ring(KEY_A):
        document = _upload_document(caseworker, case)

    with _ring(KEY_B, KEY_A):
        _rotate()
        rotated = _on_disk(media, document.file.name)
        output = _rotate()

    assert "0 encrypted (were unencrypted), 0 re-encrypted, 1 already" in output
    assert _on_disk(media, document.file.name) == rotated


def _document_row(caseworker, case, name: str) -> CaseDocument:
    return CaseDocument.objects.create(
        case=case,
        kind="consent_form",
        file=name,
        original_name=ORIGINAL_NAME,
        content_type="application/pdf",
        size=len(DOCUMENT),
        uploaded_by=caseworker,
    )


def _legacy_document(caseworker, case, media: Path) -> CaseDocument:
    """A document as the previous version stored it: the bytes as uploaded."""
    name = f"case-documents/{uuid.uuid4().hex}"
    (media / "case-documents").mkdir(parents=True, exist_ok=True)
    (media / name).write_bytes(DOCUMENT)
    return _document_row(caseworker, case, name)


def _document_under_lost_key(caseworker, case) -> CaseDocument:
    """A document whose file was encrypted with a key since removed (its row is readable)."""
    with _ring(KEY_A):
        name = default_storage.save(f"case-documents/{uuid.uuid4().hex}", ContentFile(DOCUMENT))
    return _document_row(caseworker, case, name)


def test_a_plaintext_file_of_an_earlier_version_is_served_then_encrypted_by_rotation(
    caseworker, case, media, caplog
):
    document = _legacy_document(caseworker, case, media)

    with caplog.at_level(logging.WARNING, logger="traffick_cm.storage"):
        response = _download_document(caseworker, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == DOCUMENT
    assert f"{document.file.name} is not encrypted" in caplog.text

    output = _rotate()

    assert "1 encrypted (were unencrypted), 0 re-encrypted" in output
    _assert_not_the_document(_on_disk(media, document.file.name))
    response = _download_document(caseworker, document)
    assert int(response["Content-Length"]) == len(DOCUMENT)
    assert b"".join(response.streaming_content) == DOCUMENT


def test_a_rotation_that_fails_midway_leaves_the_file_as_it_was(
    caseworker, case, media, monkeypatch
):
    with _ring(KEY_A):
        document = _upload_document(caseworker, case)
    before = _on_disk(media, document.file.name)

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with _ring(KEY_B, KEY_A), pytest.raises(CommandError):
        _rotate()
    monkeypatch.undo()

    assert _on_disk(media, document.file.name) == before
    assert sorted(p.name for p in (media / "case-documents").iterdir()) == [
        document.file.name.split("/")[1]
    ]
    with _ring(KEY_A), document.file.open("rb") as stream:
        assert stream.read() == DOCUMENT


def test_rotation_reports_a_file_no_key_opens_and_leaves_it_alone(caseworker, case, media):
    lost = _document_under_lost_key(caseworker, case)
    kept = records.document_upload(
        actor=caseworker,
        case=case,
        kind="consent_form",
        upload=SimpleUploadedFile("other.pdf", DOCUMENT),
    )
    before = _on_disk(media, lost.file.name)
    errors = io.StringIO()

    with pytest.raises(CommandError, match="1 stored files could not be re-encrypted"):
        call_command("rotate_encryption_keys", stdout=io.StringIO(), stderr=errors)

    assert lost.file.name in errors.getvalue()
    assert "Amina" not in errors.getvalue()
    assert _on_disk(media, lost.file.name) == before
    with kept.file.open("rb") as stream:
        assert stream.read() == DOCUMENT
