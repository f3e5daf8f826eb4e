"""Uploads: limited in size; the type is read from the content, never the name, against an
allow-list; stored under random names outside any public URL; served only through views
that apply the access policy, as attachments."""

from __future__ import annotations

import io
import re
import struct
import zipfile
import zlib
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import Resolver404, resolve, reverse

from accounts.roles import Role
from cases.models import CaseDocument
from tests import factories
from trainings.models import SessionAttachment
from trainings.services import sessions as training_sessions

ORIGINAL_NAME = "Amina-Diallo-passport.pdf"
HTML_PAYLOAD = b"<!DOCTYPE html><html><script>alert(document.cookie)</script></html>"


def _png() -> bytes:
    """A real 1x1 PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def _office(part: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(f"{part}/document.xml", "<x/>")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Each test stores its files in its own folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def case(caseworker):
    return factories.case(caseworker=caseworker)


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
    client = Client()
    client.force_login(user)
    return client


def _attach_to_case(client: Client, case, name: str, content: bytes):
    return client.post(
        reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "document"}),
        {"kind": "consent_form", "upload": SimpleUploadedFile(name, content)},
    )


def _attach_to_session(client: Client, session, name: str, content: bytes):
    return client.post(
        reverse("trainings:attachment_upload", kwargs={"pk": session.pk}),
        {"kind": "agenda", "upload": SimpleUploadedFile(name, content)},
    )


def _stored_files(media: Path) -> list[Path]:
    return [p for p in media.rglob("*") if p.is_file()]


# Size


def test_file_over_the_size_limit_is_refused_and_nothing_is_stored(
    settings, client_for, caseworker, case, media
):
    settings.MAX_UPLOAD_MB = 1
    big = factories.PDF_BYTES + b"0" * (2 * 1024 * 1024)

    response = _attach_to_case(client_for(caseworker), case, "big.pdf", big)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert not CaseDocument.objects.exists()
    assert _stored_files(media) == []


def test_file_just_under_the_size_limit_is_accepted(settings, client_for, caseworker, case):
    settings.MAX_UPLOAD_MB = 1
    content = factories.PDF_BYTES + b"0" * (1024 * 1024 - len(factories.PDF_BYTES))

    response = _attach_to_case(client_for(caseworker), case, "ok.pdf", content)

    assert response.status_code == 302
    assert CaseDocument.objects.get().size == 1024 * 1024


# Type from the content


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("x.pdf", HTML_PAYLOAD),
        ("x.pdf", b"<script>alert(1)</script>"),
        ("x.png", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
        ("x.jpg", b"MZ\x90\x00\x03\x00\x00\x00 an executable"),
        ("x.pdf", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
        ("x.docx", _office("word")),  # an allowed type elsewhere, not on a case file
        ("x.pdf", b"     %PDF-1.4 with leading spaces"),
    ],
)
def test_file_whose_content_is_not_allowed_is_refused_whatever_its_name(
    client_for, caseworker, case, media, name, content
):
    response = _attach_to_case(client_for(caseworker), case, name, content)

    assert response.status_code == 200
    assert "upload" in response.context["form"].errors
    assert not CaseDocument.objects.exists()
    assert _stored_files(media) == []


def test_png_named_pdf_is_stored_and_served_as_png(client_for, caseworker, case):
    client = client_for(caseworker)

    assert _attach_to_case(client, case, "scan.pdf", _png()).status_code == 302

    document = CaseDocument.objects.get()
    assert document.content_type == "image/png"
    response = client.get(reverse("cases:document_download", kwargs={"document_pk": document.pk}))
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"].endswith('.png"')


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("sheet.pdf", _office("xl"), "application/vnd.openxmlformats-officedocument"),
        ("notes.xlsx", _office("word"), "application/vnd.openxmlformats-officedocument"),
        ("agenda.docx", factories.PDF_BYTES, "application/pdf"),
    ],
)
def test_training_attachment_type_comes_from_the_content(
    users, session, name, content, content_type
):
    client = _signed_in(users[Role.PROGRAMME])

    assert _attach_to_session(client, session, name, content).status_code == 302

    assert SessionAttachment.objects.get().content_type.startswith(content_type)


@pytest.mark.parametrize(
    "content",
    [HTML_PAYLOAD, b"PK\x03\x04 not really a zip", _office("ppt"), b"{\\rtf1 a document}"],
)
def test_training_attachment_outside_the_allow_list_is_refused(users, session, media, content):
    client = _signed_in(users[Role.PROGRAMME])

    response = _attach_to_session(client, session, "agenda.docx", content)

    assert response.status_code == 200
    assert not SessionAttachment.objects.exists()
    assert _stored_files(media) == []


# Storage names


def test_case_document_is_stored_under_a_random_name(client_for, caseworker, case, media):
    _attach_to_case(client_for(caseworker), case, ORIGINAL_NAME, factories.PDF_BYTES)

    document = CaseDocument.objects.get()
    assert re.fullmatch(r"case-documents/[0-9a-f]{32}", document.file.name)
    assert "Amina" not in document.file.name
    assert [p.name for p in _stored_files(media)] == [document.file.name.split("/")[1]]
    # The original name is kept, encrypted.
    assert document.original_name == ORIGINAL_NAME
    with connection.cursor() as cursor:
        cursor.execute("SELECT original_name FROM cases_casedocument WHERE id = %s", [document.pk])
        (raw,) = cursor.fetchone()
    assert "Amina" not in raw


def test_two_uploads_of_the_same_name_get_different_storage_names(client_for, caseworker, case):
    client = client_for(caseworker)
    _attach_to_case(client, case, ORIGINAL_NAME, factories.PDF_BYTES)
    _attach_to_case(client, case, ORIGINAL_NAME, factories.PDF_BYTES)

    names = set(CaseDocument.objects.values_list("file", flat=True))

    assert len(names) == 2


def test_training_attachment_is_stored_under_a_random_name(users, session):
    _attach_to_session(
        _signed_in(users[Role.PROGRAMME]), session, "attendance-Amina.pdf", factories.PDF_BYTES
    )

    name = SessionAttachment.objects.get().file.name
    assert re.fullmatch(r"training-attachments/[0-9a-f]{32}", name)


# Serving


@pytest.fixture
def document(caseworker, case):
    from cases.services import records

    return records.document_upload(
        actor=caseworker,
        case=case,
        kind="consent_form",
        upload=SimpleUploadedFile(ORIGINAL_NAME, factories.PDF_BYTES),
    )


@pytest.fixture
def attachment(users, session):
    return training_sessions.attachment_upload(
        actor=users[Role.PROGRAMME],
        session=session,
        kind="attendance_sheet",
        upload=SimpleUploadedFile("attendance.pdf", factories.PDF_BYTES),
    )


def test_case_document_is_downloaded_as_an_attachment_by_its_caseworker(caseworker, document):
    response = _signed_in(caseworker).get(
        reverse("cases:document_download", kwargs={"document_pk": document.pk})
    )

    assert response.status_code == 200
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert "Amina" not in disposition
    assert document.case.case_number in disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == factories.PDF_BYTES


@pytest.mark.parametrize(("who", "status"), [("colleague", 404), ("partner", 403), ("other", 404)])
def test_case_document_is_refused_to_everyone_else(users, org, other_org, document, who, status):
    subject = {
        "colleague": factories.user(Role.CASEWORKER, organisation=org),  # not assigned
        "partner": users[Role.PARTNER],
        "other": factories.user(Role.SUPERVISOR, organisation=other_org),
    }[who]

    response = _signed_in(subject).get(
        reverse("cases:document_download", kwargs={"document_pk": document.pk})
    )

    assert response.status_code == status


def test_case_document_is_refused_to_anonymous_visitors(client, document):
    response = client.get(reverse("cases:document_download", kwargs={"document_pk": document.pk}))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_training_attachment_is_downloaded_as_an_attachment_by_programme_staff(users, attachment):
    response = _signed_in(users[Role.PROGRAMME]).get(
        reverse("trainings:attachment_download", kwargs={"attachment_pk": attachment.pk})
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert "attendance.pdf" not in response["Content-Disposition"]


@pytest.mark.parametrize(("role", "status"), [(Role.MNE, 403), (Role.PARTNER, 403)])
def test_training_attachment_is_refused_to_other_roles(users, attachment, role, status):
    response = _signed_in(users[role]).get(
        reverse("trainings:attachment_download", kwargs={"attachment_pk": attachment.pk})
    )

    assert response.status_code == status


@pytest.mark.parametrize("prefix", ["/media/", "/static/", "/", "/var/test-private/"])
@pytest.mark.parametrize("signed_in", [False, True])
def test_stored_files_are_not_reachable_under_any_public_url(
    client, caseworker, document, attachment, prefix, signed_in
):
    if signed_in:
        client.force_login(caseworker)

    for stored in (document.file.name, attachment.file.name):
        response = client.get(prefix + stored)
        assert response.status_code == 404, prefix + stored


def test_no_url_pattern_serves_the_private_files(settings):
    with pytest.raises(Resolver404):
        resolve("/media/case-documents/0123456789abcdef0123456789abcdef")
    media = Path(settings.MEDIA_ROOT).resolve()
    for public in [settings.STATIC_ROOT, *settings.STATICFILES_DIRS]:
        assert not media.is_relative_to(Path(public).resolve())
