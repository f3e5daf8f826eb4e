"""Who sees what of a session. The participant register and the attendance sheets list
people: only programme staff of the organising organisation reach them. M&E officers read
every session; ministry focal points see totals only; programme officers change their own
organisation's sessions and nobody else's. Exports hold the filtered rows in scope."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from accounts.models import AuditEntry
from accounts.roles import Role
from tests import factories
from trainings.models import TrainingSession
from trainings.services import register as training_register
from trainings.services import sessions as training_sessions
from trainings.services.transfer import COLUMNS

PEOPLE = [
    {
        "name": "Clarisse Ngaïkoua",
        "sex": "female",
        "phone": "+236 75 11 22 33",
        "email": "clarisse.ngaikoua@example.org",
    },
    {"name": "Didier Yakité", "sex": "male", "phone": "+236 72 44 55 66", "email": ""},
]


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
def mne(users):
    return users[Role.MNE]


@pytest.fixture
def ministry(users):
    return users[Role.MINISTRY]


@pytest.fixture
def outside_programme(other_org):
    """A programme officer of another organisation."""
    return factories.user(Role.PROGRAMME, organisation=other_org, username="outside_programme")


def _record(actor, organiser, **fields) -> TrainingSession:
    data = {
        "session_type": "training",
        "start_date": date(2025, 3, 10),
        "end_date": date(2025, 3, 11),
        "country": "CF",
        "audiences": ["police"],
        "topics": ["tip_basics"],
    }
    return training_sessions.session_record(actor=actor, organiser=organiser, **{**data, **fields})


@pytest.fixture
def session(programme, org):
    """Our organisation's session, with a register and an attendance sheet."""
    session = _record(
        programme,
        org,
        title="Formation des OPJ",
        participants_female=1,
        participants_male=1,
    )
    for person in PEOPLE:
        training_register.participant_add(actor=programme, session=session, **person)
    training_sessions.attachment_upload(
        actor=programme,
        session=session,
        kind="attendance_sheet",
        upload=SimpleUploadedFile("liste-de-presence.pdf", factories.PDF_BYTES),
    )
    return session


@pytest.fixture
def attachment(session):
    return session.attachments.get()


@pytest.fixture
def others_session(outside_programme, other_org):
    """Another organisation's session in Guinea, which ours did not co-organise."""
    return _record(
        outside_programme,
        other_org,
        title="Atelier des magistrats",
        session_type="workshop",
        country="GN",
        audiences=["magistrates"],
        participants_female=4,
        participants_male=6,
    )


@pytest.fixture
def co_organised(outside_programme, other_org, org):
    """Another organisation's session in CAR, co-organised with ours, with a register."""
    session = _record(
        outside_programme,
        other_org,
        title="Sensibilisation des leaders communautaires",
        session_type="awareness",
        audiences=["community_leaders", "police"],
        participants_other=40,
    )
    session.partners.set([org])
    training_register.participant_add(
        actor=outside_programme, session=session, name="Awa Touré", sex="female"
    )
    return session


def _url(name: str, obj) -> str:
    key = "attachment_pk" if name == "attachment_download" else "pk"
    return reverse(f"trainings:{name}", kwargs={key: obj.pk})


# The register and the attendance sheets


def test_programme_officer_of_the_organiser_reads_the_register(client, programme, session):
    client.force_login(programme)

    response = client.get(_url("register", session))

    assert response.status_code == 200
    page = response.content.decode()
    for person in PEOPLE:
        assert person["name"] in page
        assert person["phone"] in page


def test_programme_officer_of_the_organiser_downloads_the_attendance_sheet(
    client, programme, attachment
):
    client.force_login(programme)

    response = client.get(_url("attachment_download", attachment))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == factories.PDF_BYTES
    assert response["Content-Type"] == "application/pdf"
    assert AuditEntry.objects.filter(
        action="trainings.attachment.downloaded", actor=programme
    ).exists()


def test_mne_officer_is_refused_the_register(client, mne, session):
    client.force_login(mne)

    assert client.get(_url("register", session)).status_code == 403
    assert client.get(_url("register_import", session)).status_code == 403


def test_mne_officer_cannot_download_the_attendance_sheet(client, mne, attachment):
    client.force_login(mne)

    response = client.get(_url("attachment_download", attachment))

    # The register's rule: a role that reads no register is refused, as on the register.
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action="trainings.attachment.downloaded").exists()


def test_mne_officer_sees_the_session_but_no_register_or_attachment(client, mne, session):
    client.force_login(mne)

    response = client.get(_url("session_detail", session))

    assert response.status_code == 200
    page = response.content.decode()
    assert session.title in page
    assert _url("register", session) not in page
    assert "liste-de-presence.pdf" not in page
    for person in PEOPLE:
        assert person["name"] not in page


def test_programme_officer_of_another_organisation_gets_404_on_register_and_sheet(
    client, outside_programme, session, attachment
):
    client.force_login(outside_programme)

    assert client.get(_url("register", session)).status_code == 404
    assert client.get(_url("register_import", session)).status_code == 404
    assert client.get(_url("attachment_download", attachment)).status_code == 404
    response = client.post(_url("register", session), {"name": "Intrus", "sex": "male"})
    assert response.status_code == 404
    assert session.participants.count() == 2


def test_co_organising_programme_officer_sees_the_session_but_not_its_register(
    client, programme, co_organised
):
    client.force_login(programme)

    detail = client.get(_url("session_detail", co_organised))
    assert detail.status_code == 200
    assert _url("register", co_organised) not in detail.content.decode()
    assert "Awa Touré" not in detail.content.decode()
    assert client.get(_url("register", co_organised)).status_code == 404


def test_ministry_focal_point_is_refused_the_register_and_the_sheet(
    client, ministry, session, attachment
):
    client.force_login(ministry)

    assert client.get(_url("register", session)).status_code == 403
    assert client.get(_url("attachment_download", attachment)).status_code == 403


def test_register_names_are_stored_encrypted(session):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, phone, email FROM trainings_participant WHERE session_id = %s",
            [session.pk],
        )
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)

    for person in PEOPLE:
        assert person["name"] not in stored
        assert person["phone"] not in stored
    assert "clarisse" not in stored.lower()


# Ministry focal points: totals only


def test_ministry_focal_point_is_refused_session_records(client, ministry, session):
    client.force_login(ministry)

    assert client.get(reverse("trainings:session_list")).status_code == 403
    assert client.get(_url("session_detail", session)).status_code == 403
    assert client.get(reverse("trainings:session_export"), {"format": "csv"}).status_code == 403
    assert client.get(_url("session_edit", session)).status_code == 403


def test_ministry_focal_point_sees_totals_without_any_participant_name(
    client, ministry, session, co_organised, others_session
):
    client.force_login(ministry)

    response = client.get(reverse("trainings:session_totals"))

    assert response.status_code == 200
    totals = response.context["totals"]
    # The sessions of the focal point's country (CAR): ours and the co-organised one.
    assert (totals["sessions"], totals["total"]) == (2, 42)
    page = response.content.decode()
    assert '<div class="fs-4" data-testid="total-participants">42</div>' in page
    for name in [*(person["name"] for person in PEOPLE), "Awa Touré"]:
        assert name not in page
    for person in PEOPLE:
        assert person["phone"] not in page
    assert "clarisse.ngaikoua@example.org" not in page
    assert _url("session_detail", session) not in page


def test_ministry_totals_follow_the_filters(client, ministry, session, co_organised):
    client.force_login(ministry)

    response = client.get(reverse("trainings:session_totals"), {"session_type": "awareness"})

    assert (response.context["totals"]["sessions"], response.context["totals"]["total"]) == (
        1,
        40,
    )


# Changing sessions


def test_programme_officer_cannot_edit_a_session_of_another_organisation(
    client, programme, others_session
):
    client.force_login(programme)

    assert client.get(_url("session_edit", others_session)).status_code == 404
    response = client.post(
        _url("session_edit", others_session),
        {"title": "Changé", "session_type": "training", "participants_female": "99"},
    )
    assert response.status_code == 404
    others_session.refresh_from_db()
    assert (others_session.title, others_session.participants_female) == (
        "Atelier des magistrats",
        4,
    )


def test_programme_officer_cannot_see_a_session_their_organisation_had_no_part_in(
    client, programme, others_session
):
    client.force_login(programme)

    assert client.get(_url("session_detail", others_session)).status_code == 404


def test_co_organiser_cannot_edit_or_attach_to_the_session(client, programme, co_organised):
    client.force_login(programme)

    assert client.get(_url("session_edit", co_organised)).status_code == 404
    response = client.post(
        _url("attachment_upload", co_organised),
        {"kind": "report", "upload": SimpleUploadedFile("r.pdf", factories.PDF_BYTES)},
    )
    assert response.status_code == 404
    assert not co_organised.attachments.exists()


def test_mne_officer_reads_but_cannot_record_or_edit(client, mne, session):
    client.force_login(mne)

    assert client.get(reverse("trainings:session_create")).status_code == 403
    assert client.get(_url("session_edit", session)).status_code == 403
    assert client.get(_url("attachment_upload", session)).status_code == 403


# Lists


def test_mne_officer_sees_every_organisations_sessions(
    client, mne, session, co_organised, others_session
):
    client.force_login(mne)

    response = client.get(reverse("trainings:session_list"))

    assert response.status_code == 200
    assert {s.title for s in response.context["page"]} == {
        session.title,
        co_organised.title,
        others_session.title,
    }
    assert response.context["totals"]["total"] == 2 + 40 + 10
    assert client.get(_url("session_detail", others_session)).status_code == 200


def test_programme_officer_lists_own_and_co_organised_sessions_only(
    client, programme, session, co_organised, others_session
):
    client.force_login(programme)

    response = client.get(reverse("trainings:session_list"))

    assert {s.title for s in response.context["page"]} == {session.title, co_organised.title}
    assert response.context["totals"]["total"] == 42


# Exports


def _csv_rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.DictReader(io.StringIO(text)))


def _xlsx_rows(response) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    header, *rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(header, row, strict=True)) for row in rows]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_holds_the_filtered_rows_only(
    client, mne, session, co_organised, others_session, fmt
):
    client.force_login(mne)

    response = client.get(
        reverse("trainings:session_export"), {"audience": "police", "country": "CF", "format": fmt}
    )

    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    assert list(rows[0]) == [*COLUMNS, "participants_total"]
    assert sorted(row["title"] for row in rows) == sorted([session.title, co_organised.title])
    by_title = {row["title"]: row for row in rows}
    awareness = by_title[co_organised.title]
    assert str(awareness["participants_other"]) == "40"
    assert str(awareness["participants_total"]) == "40"
    assert awareness["audiences"] == "community_leaders;police"
    assert awareness["organiser"] == "Other NGO"
    assert awareness["partners"] == "IOM Central African Republic"
    entry = AuditEntry.objects.get(action="trainings.sessions.exported")
    assert entry.actor == mne
    assert entry.data == {"format": fmt, "count": 2}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_programme_officers_export_holds_only_the_sessions_in_their_scope(
    client, programme, session, co_organised, others_session, fmt
):
    client.force_login(programme)

    response = client.get(reverse("trainings:session_export"), {"format": fmt})

    rows = _csv_rows(response) if fmt == "csv" else _xlsx_rows(response)
    assert sorted(row["title"] for row in rows) == sorted([session.title, co_organised.title])


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_holds_no_participant_name(client, programme, session, fmt):
    client.force_login(programme)

    response = client.get(reverse("trainings:session_export"), {"format": fmt})

    if fmt == "csv":
        content = response.content.decode("utf-8-sig")
    else:
        content = " ".join(str(value) for row in _xlsx_rows(response) for value in row.values())
    assert session.title in content
    for person in PEOPLE:
        assert person["name"] not in content


def test_export_with_a_filter_matching_nothing_has_only_the_header(client, mne, session):
    client.force_login(mne)

    response = client.get(
        reverse("trainings:session_export"), {"session_type": "webinar", "format": "csv"}
    )

    assert response.content.decode("utf-8-sig").splitlines() == [
        ",".join([*COLUMNS, "participants_total"])
    ]


def test_export_in_an_unknown_format_is_not_found(client, mne, session):
    client.force_login(mne)

    response = client.get(reverse("trainings:session_export"), {"format": "pdf"})

    assert response.status_code == 404
