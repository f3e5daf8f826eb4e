"""Sessions and participant registers in from CSV and XLSX files, by the command line and
by the import pages: all rows or none, every error named by row and column, a file
imported again creates nothing new, and --create-missing adds (and lists) what is
unknown."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import Workbook

from accounts.models import AuditEntry
from accounts.roles import Role
from partners.models import Organisation, Region
from programmes.models import Project
from tests import factories
from trainings import selectors
from trainings.models import Participant, TrainingSession
from trainings.services import register as training_register
from trainings.services import sessions as training_sessions
from trainings.services import transfer
from trainings.services.register import REGISTER_COLUMNS
from trainings.services.transfer import COLUMNS

GOOD_ROWS = [
    {
        "title": "Formation des OPJ sur la traite des personnes",
        "session_type": "training",
        "start_date": "2025-03-10",
        "end_date": "2025-03-12",
        "country": "CF",
        "region": "Bangui",
        "locality": "Bangui",
        # By acronym, in another case.
        "organiser": "iom car",
        # By name, in another case.
        "partners": "OTHER NGO",
        "project_code": "CF-TIP-2025",
        "audiences": "police;gendarmerie",
        "topics": "tip_basics;victim_identification",
        "participants_female": "12",
        "participants_male": "18",
        "participants_other": "0",
        "notes": "Deux jours à l'école de police.",
    },
    {
        "title": "Sensibilisation communautaire à Bimbo",
        "session_type": "awareness",
        "start_date": "2025-04-02",
        "end_date": "2025-04-02",
        "country": "CF",
        "region": "",
        "locality": "Bimbo",
        "organiser": "IOM Central African Republic",
        "partners": "",
        "project_code": "",
        "audiences": "community_leaders",
        "topics": "tip_basics",
        "participants_female": "40",
        "participants_male": "35",
        "participants_other": "5",
        "notes": "",
    },
    {
        "title": "Atelier des magistrats",
        "session_type": "workshop",
        "start_date": "2025-05-06",
        "end_date": "2025-05-07",
        "country": "gn",
        "region": "",
        "locality": "Conakry",
        "organiser": "ONGO",
        "partners": " IOM CAR ",
        "project_code": "",
        "audiences": "magistrates",
        "topics": "legal_framework;referral_mechanisms",
        "participants_female": "6",
        "participants_male": "9",
        "participants_other": "",
        "notes": "",
    },
]

# What a programme officer of `org` imports on the page: every session organised by their
# organisation (the command line, an operator's tool, may name any organiser).
OWN_ROWS = [
    GOOD_ROWS[0],
    GOOD_ROWS[1],
    {**GOOD_ROWS[2], "organiser": "IOM CAR", "partners": "ONGO"},
]

REGISTER_ROWS = [
    {
        "name": "Clarisse Ngaïkoua",
        "organisation": "Police nationale",
        "function": "OPJ",
        "sex": "female",
        "phone": "+236 75 00 00 01",
        "email": "",
        "pre_score": "40",
        "post_score": "75,5",
    },
    {
        "name": "Didier Yakité",
        "organisation": "Gendarmerie",
        "function": "Adjudant",
        "sex": "male",
        "phone": "",
        "email": "didier@example.org",
        "pre_score": "",
        "post_score": "",
    },
    {
        "name": "Awa Touré",
        "organisation": "",
        "function": "",
        "sex": "other",
        "phone": "",
        "email": "",
        "pre_score": "55",
        "post_score": "80",
    },
]


def _with(rows: list[dict[str, str]], row_number: int, **values: str) -> list[dict[str, str]]:
    """`rows` with `values` changed in file row `row_number` (the header is row 1)."""
    changed = [dict(row) for row in rows]
    changed[row_number - 2].update(values)
    return changed


def _csv(rows: list[dict[str, str]], header: list[str] = COLUMNS) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in header})
    return buffer.getvalue().encode()


def _xlsx(rows: list[dict[str, object]], header: list[str] = COLUMNS) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _as_spreadsheet(row: dict[str, str]) -> dict[str, object]:
    """The row as a spreadsheet holds it: real dates and numbers, not text."""
    typed: dict[str, object] = dict(row)
    for column in ("start_date", "end_date"):
        typed[column] = date.fromisoformat(row[column])
    for column in ("participants_female", "participants_male", "participants_other"):
        typed[column] = int(row[column]) if row[column] else None
    return typed


@pytest.fixture
def client():
    # English, so that the assertions read the messages users see in English.
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def reference_data(org, other_org):
    """What the good rows name: the region, the partner and the project."""
    factories.region("CF", "Bangui")
    return factories.project(organisations=[org], code="CF-TIP-2025")


@pytest.fixture
def write_file(tmp_path):
    def write(content: bytes, name: str = "sessions.csv") -> str:
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def _command(path: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    # The command speaks whatever language is active (French by default): read it in English.
    with translation.override("en"):
        call_command("import_trainings", path, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(path: str, *args: str) -> str:
    """Run the command expecting a refusal; returns what it wrote to stderr."""
    err = StringIO()
    with (
        translation.override("en"),
        pytest.raises(CommandError, match="nothing was imported"),
    ):
        call_command("import_trainings", path, *args, stdout=StringIO(), stderr=err)
    return err.getvalue()


def _import_view(client: Client, name: str, content: bytes, **data):
    return client.post(
        reverse("trainings:session_import"),
        {"upload": SimpleUploadedFile(name, content), **data},
    )


# Good files


def test_command_imports_a_good_csv_file(write_file, reference_data, org, other_org):
    out, err = _command(write_file(_csv(GOOD_ROWS)))

    assert "3 rows: 3 sessions created, 0 already recorded." in out
    assert err == ""
    police = TrainingSession.objects.get(title=GOOD_ROWS[0]["title"])
    assert police.organiser == org
    assert list(police.partners.all()) == [other_org]
    assert police.project == reference_data
    assert police.region.name == "Bangui"
    assert (police.start_date, police.end_date) == (date(2025, 3, 10), date(2025, 3, 12))
    assert police.audiences == ["police", "gendarmerie"]
    assert police.topics == ["tip_basics", "victim_identification"]
    assert (police.participants_female, police.participants_male) == (12, 18)
    assert police.participants_total == 30
    assert police.notes == "Deux jours à l'école de police."
    workshop = TrainingSession.objects.get(title="Atelier des magistrats")
    assert workshop.organiser == other_org
    assert str(workshop.country) == "GN"
    assert list(workshop.partners.all()) == [org]
    assert workshop.participants_total == 15
    assert TrainingSession.objects.get(locality="Bimbo").organiser == org


def test_command_imports_a_good_xlsx_file_with_real_dates_and_numbers(
    write_file, reference_data, org
):
    content = _xlsx([_as_spreadsheet(row) for row in GOOD_ROWS])

    out, _err = _command(write_file(content, "sessions.xlsx"))

    assert "3 rows: 3 sessions created, 0 already recorded." in out
    police = TrainingSession.objects.get(title=GOOD_ROWS[0]["title"])
    assert police.start_date == date(2025, 3, 10)
    assert police.participants_total == 30
    assert TrainingSession.objects.get(title="Atelier des magistrats").participants_other == 0


def test_csv_with_semicolons_as_separators_is_read(write_file, reference_data):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, delimiter=";")
    writer.writeheader()
    # One audience and one topic per row: the cell separator is the list separator too.
    rows = [
        {**row, "audiences": row["audiences"].split(";")[0], "topics": "tip_basics"}
        for row in GOOD_ROWS
    ]
    rows[2]["partners"] = "IOM CAR"
    writer.writerows(rows)

    out, _err = _command(write_file(buffer.getvalue().encode()))

    assert "3 sessions created" in out


def test_programme_officer_imports_a_csv_file_on_the_import_page(client, users, reference_data):
    programme = users[Role.PROGRAMME]
    client.force_login(programme)

    response = _import_view(client, "sessions.csv", _csv(OWN_ROWS))

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.rows, report.created, report.already_imported) == (3, 3, 0)
    page = " ".join(response.content.decode().split())
    assert "3 rows read. 3 sessions recorded." in page
    assert "already recorded and" not in page
    assert set(TrainingSession.objects.values_list("created_by", flat=True)) == {programme.pk}
    entry = AuditEntry.objects.get(action="trainings.import.completed")
    assert entry.actor == programme
    assert entry.data["created"] == 3


def test_programme_officer_imports_an_xlsx_file_on_the_import_page(client, users, reference_data):
    client.force_login(users[Role.PROGRAMME])

    response = _import_view(
        client, "sessions.xlsx", _xlsx([_as_spreadsheet(row) for row in OWN_ROWS])
    )

    assert response.status_code == 200
    assert response.context["report"].created == 3
    assert TrainingSession.objects.count() == 3


def test_import_page_is_refused_to_mne_and_ministry(client, users, reference_data):
    for role in (Role.MNE, Role.MINISTRY):
        client.force_login(users[role])

        response = _import_view(client, "sessions.csv", _csv(OWN_ROWS))

        assert response.status_code == 403
    assert not TrainingSession.objects.exists()


# Bad rows: nothing is created, and the report names row and column


def test_unknown_session_type_in_row_3_rejects_the_whole_file(write_file, reference_data):
    rows = _with(GOOD_ROWS, 3, session_type="seminar")

    err = _refused(write_file(_csv(rows)))

    assert "row 3, column session_type: Use one of: training, training_of_trainers" in err
    assert not TrainingSession.objects.exists()


def test_unknown_organiser_rejects_the_whole_file_and_creates_no_organisation(
    write_file, reference_data
):
    organisations = Organisation.objects.count()
    rows = _with(GOOD_ROWS, 4, organiser="Association des femmes juristes")

    err = _refused(write_file(_csv(rows)))

    assert "row 4, column organiser: Unknown organisation: Association des femmes juristes" in err
    assert not TrainingSession.objects.exists()
    assert Organisation.objects.count() == organisations


def test_unknown_project_code_rejects_the_whole_file(write_file, reference_data):
    rows = _with(GOOD_ROWS, 3, project_code="NO-SUCH-PROJECT")

    err = _refused(write_file(_csv(rows)))

    assert "row 3, column project_code: Unknown project code." in err
    assert not TrainingSession.objects.exists()
    assert not Project.objects.filter(code="NO-SUCH-PROJECT").exists()


def test_every_error_of_every_row_is_named(write_file, reference_data):
    rows = _with(GOOD_ROWS, 2, start_date="10/03/2025", participants_male="dix-huit")
    rows = _with(rows, 3, country="XX", audiences="police;pilots", partners="Nobody")
    rows = _with(rows, 4, end_date="2025-05-01")

    err = _refused(write_file(_csv(rows)))

    for expected in [
        "row 2, column start_date: “10/03/2025” is not a date as YYYY-MM-DD.",
        "row 2, column participants_male: “dix-huit” is not a whole number.",
        "row 3, column country: Not an ISO 3166-1 alpha-2 country code.",
        "row 3, column audiences: Unknown codes: pilots",
        "row 3, column partners: Unknown organisation: Nobody",
        "row 4, column end_date: The end date comes before the start date.",
    ]:
        assert expected in err
    assert not TrainingSession.objects.exists()


def test_a_row_refused_by_the_session_rules_undoes_the_rows_before_it(write_file, reference_data):
    # Rows 2 and 3 pass every check of the file and are saved before row 4 reaches the
    # session rules (a start date more than a year ahead): all of them must go.
    ahead = timezone.localdate() + timedelta(days=800)
    rows = _with(GOOD_ROWS, 4, start_date=ahead.isoformat(), end_date=ahead.isoformat())

    err = _refused(write_file(_csv(rows)))

    assert "row 4, column start_date: The start date is more than a year ahead." in err
    assert not TrainingSession.objects.exists()
    assert not AuditEntry.objects.filter(action="trainings.session.recorded").exists()


def test_a_required_value_left_empty_is_named(write_file, reference_data):
    rows = _with(GOOD_ROWS, 3, title="", audiences="")

    err = _refused(write_file(_csv(rows)))

    assert "row 3, column title: A value is required." in err
    assert "row 3, column audiences: Choose at least one target audience." in err


def test_bad_row_on_the_import_page_shows_row_and_column_and_creates_nothing(
    client, users, reference_data
):
    client.force_login(users[Role.PROGRAMME])
    rows = _with(OWN_ROWS, 3, session_type="seminar")

    response = _import_view(client, "sessions.csv", _csv(rows))

    assert response.status_code == 400
    report = response.context["report"]
    assert [(row, column) for row, column, _message in report.errors] == [(3, "session_type")]
    assert report.created == 0
    page = response.content.decode()
    assert "1 error: nothing was imported." in page
    assert re.search(r"<td[^>]*>3</td>", page)
    assert "<code>session_type</code>" in page
    assert not TrainingSession.objects.exists()


def test_bad_xlsx_row_on_the_import_page_creates_nothing(client, users, reference_data):
    client.force_login(users[Role.PROGRAMME])
    rows = [_as_spreadsheet(row) for row in OWN_ROWS]
    rows[1]["organiser"] = "Unknown organisation"

    response = _import_view(client, "sessions.xlsx", _xlsx(rows))

    assert response.status_code == 400
    assert [(r, c) for r, c, _m in response.context["report"].errors] == [(3, "organiser")]
    assert not TrainingSession.objects.exists()


# Columns


def test_a_missing_required_column_refuses_the_file(write_file, reference_data):
    header = [column for column in COLUMNS if column != "organiser"]

    err = _refused(write_file(_csv(GOOD_ROWS, header=header)))

    assert "row 1, column organiser: This required column is missing." in err
    assert not TrainingSession.objects.exists()


def test_an_unknown_column_refuses_the_file(write_file, reference_data):
    rows = [{**row, "participants_total": "30"} for row in GOOD_ROWS]

    err = _refused(write_file(_csv(rows, header=[*COLUMNS, "participants_total"])))

    assert "row 1, column participants_total: Unknown column." in err
    assert not TrainingSession.objects.exists()


def test_a_file_without_the_counts_by_sex_is_refused(write_file, reference_data):
    header = [column for column in COLUMNS if not column.startswith("participants_")]

    err = _refused(write_file(_csv(GOOD_ROWS, header=header)))

    for column in ("participants_female", "participants_male", "participants_other"):
        assert f"row 1, column {column}: This required column is missing." in err
    assert not TrainingSession.objects.exists()


def test_missing_column_on_the_import_page_is_reported(client, users, reference_data):
    client.force_login(users[Role.PROGRAMME])
    header = [column for column in COLUMNS if column != "start_date"]

    response = _import_view(client, "sessions.csv", _csv(OWN_ROWS, header=header))

    assert response.status_code == 400
    assert response.context["report"].errors == [
        (1, "start_date", "This required column is missing.")
    ]
    assert not TrainingSession.objects.exists()


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(write_file, client, users, db):
    with (
        translation.override("en"),
        pytest.raises(CommandError, match=r"Upload a \.csv or \.xlsx file\."),
    ):
        call_command("import_trainings", write_file(b"title\n", "sessions.txt"))

    client.force_login(users[Role.PROGRAMME])
    response = _import_view(client, "sessions.txt", b"title\n")
    assert response.status_code == 200
    assert response.context["form"].errors["upload"] == ["Upload a .csv or .xlsx file."]


# The same file again


def test_importing_the_same_file_again_creates_nothing(write_file, reference_data):
    path = write_file(_csv(GOOD_ROWS))
    _command(path)
    first = set(TrainingSession.objects.values_list("pk", flat=True))

    out, _err = _command(path)

    assert "3 rows: 0 sessions created, 3 already recorded." in out
    assert set(TrainingSession.objects.values_list("pk", flat=True)) == first


def test_a_session_recorded_by_hand_is_recognised_in_a_file(write_file, reference_data, org):
    training_sessions.session_record(
        actor=None,
        organiser=org,
        title=GOOD_ROWS[1]["title"],
        session_type="awareness",
        start_date=date(2025, 4, 2),
        end_date=date(2025, 4, 2),
        country="CF",
        audiences=["community_leaders"],
    )

    out, _err = _command(write_file(_csv(GOOD_ROWS)))

    assert "3 rows: 2 sessions created, 1 already recorded." in out
    assert TrainingSession.objects.count() == 3


def test_the_same_session_twice_in_one_file_is_created_once(write_file, reference_data):
    out, _err = _command(write_file(_csv([*GOOD_ROWS, GOOD_ROWS[0]])))

    assert "4 rows: 3 sessions created, 1 already recorded." in out
    assert TrainingSession.objects.count() == 3


def test_reimport_on_the_page_after_the_command_creates_nothing(
    write_file, client, users, reference_data
):
    _command(write_file(_csv(OWN_ROWS)))
    client.force_login(users[Role.PROGRAMME])

    response = _import_view(
        client, "sessions.xlsx", _xlsx([_as_spreadsheet(row) for row in OWN_ROWS])
    )

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.created, report.already_imported) == (0, 3)
    assert TrainingSession.objects.count() == 3


# --create-missing


def _with_unknowns() -> list[dict[str, str]]:
    rows = _with(GOOD_ROWS, 2, organiser="Association des femmes juristes de Centrafrique")
    return _with(rows, 3, project_code="CF-NEW-2026", partners="Radio Ndeke Luka")


def test_without_create_missing_unknown_organisations_and_projects_are_errors(
    write_file, reference_data
):
    organisations = Organisation.objects.count()

    err = _refused(write_file(_csv(_with_unknowns())))

    assert "row 2, column organiser: Unknown organisation" in err
    assert "row 3, column project_code: Unknown project code." in err
    assert "row 3, column partners: Unknown organisation: Radio Ndeke Luka" in err
    assert Organisation.objects.count() == organisations
    assert not Project.objects.filter(code="CF-NEW-2026").exists()


def test_create_missing_creates_and_lists_unknown_organisations_and_projects(
    write_file, reference_data
):
    out, _err = _command(write_file(_csv(_with_unknowns())), "--create-missing")

    assert (
        "Organisations created: Association des femmes juristes de Centrafrique, "
        "Radio Ndeke Luka" in out
    )
    assert "Projects created: CF-NEW-2026" in out
    assert "3 rows: 3 sessions created, 0 already recorded." in out
    lawyers = Organisation.objects.get(name="Association des femmes juristes de Centrafrique")
    assert TrainingSession.objects.get(title=GOOD_ROWS[0]["title"]).organiser == lawyers
    community = TrainingSession.objects.get(title=GOOD_ROWS[1]["title"])
    assert community.project.code == "CF-NEW-2026"
    assert [p.name for p in community.partners.all()] == ["Radio Ndeke Luka"]


def test_create_missing_twice_creates_nothing_more(write_file, reference_data):
    path = write_file(_csv(_with_unknowns()))
    _command(path, "--create-missing")
    organisations, projects = Organisation.objects.count(), Project.objects.count()

    out, _err = _command(path, "--create-missing")

    assert "Organisations created" not in out
    assert "Projects created" not in out
    assert "0 sessions created, 3 already recorded." in out
    assert (Organisation.objects.count(), Project.objects.count()) == (organisations, projects)


def test_create_missing_creates_nothing_when_another_row_is_bad(write_file, reference_data):
    organisations = Organisation.objects.count()
    rows = _with(_with_unknowns(), 4, session_type="seminar")

    err = _refused(write_file(_csv(rows)), "--create-missing")

    assert "row 4, column session_type" in err
    assert Organisation.objects.count() == organisations
    assert not Project.objects.filter(code="CF-NEW-2026").exists()
    assert not TrainingSession.objects.exists()


def test_an_administrator_creates_missing_partners_projects_and_regions_on_the_page(
    client, org, reference_data
):
    # Before: any programme officer could create reference data from the page. Now only a
    # user who may create it (an administrator, here one who also records trainings).
    client.force_login(factories.user(Role.PROGRAMME, Role.ADMIN, organisation=org))
    rows = _with(OWN_ROWS, 3, project_code="CF-NEW-2026", partners="Radio Ndeke Luka")
    rows = _with(rows, 2, region="Bimbo")

    response = _import_view(client, "sessions.csv", _csv(rows), create_missing="on")

    assert response.status_code == 200
    report = response.context["report"]
    assert report.created_organisations == ["Radio Ndeke Luka"]
    assert report.created_projects == ["CF-NEW-2026"]
    assert report.created_regions == ["Bimbo (CF)"]
    page = response.content.decode()
    assert "Organisations created: Radio Ndeke Luka" in page
    assert "Projects created: CF-NEW-2026" in page
    # The project is the importer's organisation's, so that its sessions may name it.
    assert list(Project.objects.get(code="CF-NEW-2026").organisations.all()) == [org]
    assert set(TrainingSession.objects.values_list("organiser", flat=True)) == {org.pk}


# Whose sessions: on the page, the importer's organisation's, with what the form offers


def _errors(response) -> list[tuple[int, str, str]]:
    assert response.status_code == 400
    return response.context["report"].errors


def test_a_row_naming_another_organiser_on_the_page_is_an_error_naming_the_column(
    client, users, reference_data
):
    client.force_login(users[Role.PROGRAMME])

    # Row 4 of the good file is organised by Other NGO.
    rows = _with(GOOD_ROWS, 4, partners="")
    response = _import_view(client, "sessions.csv", _csv(rows))

    assert _errors(response) == [
        (
            4,
            "organiser",
            "The organiser must be your organisation, IOM Central African Republic; "
            "this row names ONGO.",
        )
    ]
    assert not TrainingSession.objects.exists()


def test_the_organiser_is_named_by_the_importers_name_or_acronym(client, users, reference_data):
    client.force_login(users[Role.PROGRAMME])
    rows = _with(OWN_ROWS, 2, organiser="iom central african republic")

    response = _import_view(client, "sessions.csv", _csv(rows))

    assert response.context["report"].created == 3
    assert {s.organiser for s in TrainingSession.objects.all()} == {
        users[Role.PROGRAMME].organisation
    }


def test_an_unknown_organiser_is_never_created_on_the_page_even_by_an_administrator(
    client, org, reference_data
):
    client.force_login(factories.user(Role.PROGRAMME, Role.ADMIN, organisation=org))
    organisations = Organisation.objects.count()
    rows = _with(OWN_ROWS, 2, organiser="Association des femmes juristes")

    response = _import_view(client, "sessions.csv", _csv(rows), create_missing="on")

    assert [(r, c) for r, c, _m in _errors(response)] == [(2, "organiser")]
    assert Organisation.objects.count() == organisations
    assert not TrainingSession.objects.exists()


def test_a_project_of_another_organisation_is_refused_on_the_page(
    client, users, reference_data, other_org
):
    factories.project(organisations=[other_org], code="GN-UNTFHS-2023")
    client.force_login(users[Role.PROGRAMME])
    rows = _with(OWN_ROWS, 3, project_code="GN-UNTFHS-2023")

    response = _import_view(client, "sessions.csv", _csv(rows))

    assert _errors(response) == [(3, "project_code", "This is not a project of your organisation.")]
    assert not TrainingSession.objects.exists()


def test_the_import_and_the_session_form_offer_the_same_projects_and_partners(
    users, reference_data, other_org, org
):
    from trainings.forms import SessionForm

    factories.project(organisations=[other_org], code="GN-UNTFHS-2023")
    factories.organisation(name="Closed NGO", acronym="CLOSED", is_active=False)
    programme = users[Role.PROGRAMME]
    form = SessionForm(actor=programme)

    assert list(form.fields["project"].queryset) == list(selectors.project_choices(actor=programme))
    assert [p.code for p in form.fields["project"].queryset] == ["CF-TIP-2025"]
    assert list(form.fields["partners"].queryset) == list(
        selectors.partner_choices(actor=programme)
    )
    assert other_org in form.fields["partners"].queryset
    assert org not in form.fields["partners"].queryset
    assert not form.fields["partners"].queryset.filter(acronym="CLOSED").exists()


@pytest.mark.parametrize(
    ("partners", "message"),
    [
        ("IOM CAR", "IOM CAR cannot be named as a co-organising partner."),
        ("CLOSED", "CLOSED cannot be named as a co-organising partner."),
        ("Radio Ndeke Luka", "Unknown organisation: Radio Ndeke Luka"),
    ],
)
def test_a_partner_the_form_would_not_offer_is_refused_on_the_page(
    client, users, reference_data, partners, message
):
    factories.organisation(name="Closed NGO", acronym="CLOSED", is_active=False)
    client.force_login(users[Role.PROGRAMME])
    rows = _with(OWN_ROWS, 2, partners=partners)

    response = _import_view(client, "sessions.csv", _csv(rows))

    assert _errors(response) == [(2, "partners", message)]
    assert not TrainingSession.objects.exists()


def test_a_region_must_exist_in_the_sessions_country(client, users, reference_data):
    factories.region("GN", "Conakry")
    client.force_login(users[Role.PROGRAMME])
    rows = _with(OWN_ROWS, 2, region="Conakry")

    response = _import_view(client, "sessions.csv", _csv(rows))

    assert _errors(response) == [(2, "region", "Unknown region for this country.")]


def test_the_import_page_offers_create_missing_to_administrators_only(client, users, org):
    client.force_login(users[Role.PROGRAMME])
    assert (
        "create_missing"
        not in client.get(reverse("trainings:session_import")).context["form"].fields
    )

    client.force_login(factories.user(Role.PROGRAMME, Role.ADMIN, organisation=org))
    assert (
        "create_missing" in client.get(reverse("trainings:session_import")).context["form"].fields
    )


def test_a_programme_officer_forging_create_missing_creates_nothing(client, users, reference_data):
    client.force_login(users[Role.PROGRAMME])
    organisations, projects = Organisation.objects.count(), Project.objects.count()
    rows = _with(OWN_ROWS, 3, project_code="CF-NEW-2026", partners="Radio Ndeke Luka")
    rows = _with(rows, 2, region="Bimbo")

    response = _import_view(client, "sessions.csv", _csv(rows), create_missing="on")

    assert sorted((r, c) for r, c, _m in _errors(response)) == [
        (2, "region"),
        (3, "partners"),
        (3, "project_code"),
    ]
    assert (Organisation.objects.count(), Project.objects.count()) == (organisations, projects)
    assert not Region.objects.filter(name="Bimbo").exists()


def test_the_import_service_refuses_create_missing_to_a_non_administrator(users, reference_data):
    with pytest.raises(PermissionDenied):
        transfer.import_sessions(
            name="sessions.csv",
            stream=io.BytesIO(_csv(OWN_ROWS)),
            actor=users[Role.PROGRAMME],
            create_missing=True,
        )
    assert not TrainingSession.objects.exists()


def test_the_import_service_refuses_a_user_who_may_not_record_sessions(users, reference_data):
    with pytest.raises(PermissionDenied):
        transfer.import_sessions(
            name="sessions.csv", stream=io.BytesIO(_csv(OWN_ROWS)), actor=users[Role.MNE]
        )
    assert not TrainingSession.objects.exists()


def test_the_command_line_still_names_any_organiser(write_file, reference_data, other_org):
    out, _err = _command(write_file(_csv(GOOD_ROWS)))

    assert "3 sessions created" in out
    assert TrainingSession.objects.get(title="Atelier des magistrats").organiser == other_org


# Participant registers


@pytest.fixture
def session(users, org):
    return training_sessions.session_record(
        actor=users[Role.PROGRAMME],
        organiser=org,
        title="Formation des OPJ",
        session_type="training",
        start_date=date(2025, 3, 10),
        end_date=date(2025, 3, 12),
        country="CF",
        audiences=["police"],
        participants_female=2,
        participants_male=1,
    )


def _register_import(client: Client, session, name: str, content: bytes):
    return client.post(
        reverse("trainings:register_import", kwargs={"pk": session.pk}),
        {"upload": SimpleUploadedFile(name, content)},
    )


def test_programme_officer_imports_a_register(client, users, session):
    client.force_login(users[Role.PROGRAMME])

    response = _register_import(
        client, session, "register.csv", _csv(REGISTER_ROWS, REGISTER_COLUMNS)
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("trainings:register", kwargs={"pk": session.pk})
    people = {p.name: p for p in session.participants.all()}
    assert set(people) == {"Clarisse Ngaïkoua", "Didier Yakité", "Awa Touré"}
    clarisse = people["Clarisse Ngaïkoua"]
    assert (clarisse.sex, clarisse.function, clarisse.phone) == (
        "female",
        "OPJ",
        "+236 75 00 00 01",
    )
    assert (float(clarisse.pre_score), float(clarisse.post_score)) == (40.0, 75.5)
    assert people["Didier Yakité"].email == "didier@example.org"
    assert people["Didier Yakité"].pre_score is None


def test_register_in_xlsx_is_imported(client, users, session):
    client.force_login(users[Role.PROGRAMME])

    response = _register_import(
        client, session, "register.xlsx", _xlsx(REGISTER_ROWS, REGISTER_COLUMNS)
    )

    assert response.status_code == 302
    assert session.participants.count() == 3


def test_register_imported_again_adds_nobody_twice(client, users, session):
    client.force_login(users[Role.PROGRAMME])
    content = _csv(REGISTER_ROWS, REGISTER_COLUMNS)
    _register_import(client, session, "register.csv", content)

    response = _register_import(client, session, "register.csv", content)

    assert response.status_code == 302
    assert session.participants.count() == 3
    assert (
        "0 participants added to the register of “Formation des OPJ”. 3 were already on it."
        in client.get(response["Location"]).content.decode()
    )


def test_register_with_a_person_already_on_it_adds_only_the_others(client, users, session):
    training_register.participant_add(actor=None, session=session, name="Awa  TOURÉ", sex="other")
    client.force_login(users[Role.PROGRAMME])

    response = _register_import(
        client, session, "register.csv", _csv(REGISTER_ROWS, REGISTER_COLUMNS)
    )

    assert response.status_code == 302
    assert session.participants.count() == 3


def test_register_with_a_bad_row_imports_nobody(client, users, session):
    client.force_login(users[Role.PROGRAMME])
    rows = _with(REGISTER_ROWS, 3, sex="M")
    rows = _with(rows, 4, post_score="120")

    response = _register_import(client, session, "register.csv", _csv(rows, REGISTER_COLUMNS))

    assert response.status_code == 400
    errors = [(row, column) for row, column, _message in response.context["report"].errors]
    assert errors == [(3, "sex"), (4, "post_score")]
    page = response.content.decode()
    assert "2 errors: nothing was imported." in page
    assert not Participant.objects.exists()


def test_register_row_without_a_name_imports_nobody(client, users, session):
    client.force_login(users[Role.PROGRAMME])
    rows = _with(REGISTER_ROWS, 4, name="")

    response = _register_import(client, session, "register.csv", _csv(rows, REGISTER_COLUMNS))

    assert response.status_code == 400
    assert response.context["report"].errors == [(4, "name", "A value is required.")]
    assert not Participant.objects.exists()


def test_register_without_the_sex_column_is_refused(client, users, session):
    client.force_login(users[Role.PROGRAMME])
    header = [column for column in REGISTER_COLUMNS if column != "sex"]

    response = _register_import(client, session, "register.csv", _csv(REGISTER_ROWS, header))

    assert response.status_code == 400
    assert response.context["report"].errors == [(1, "sex", "This required column is missing.")]
    assert not Participant.objects.exists()


def test_register_of_another_organisations_session_cannot_be_imported(client, other_org, session):
    outsider = factories.user(Role.PROGRAMME, organisation=other_org)
    client.force_login(outsider)

    response = _register_import(
        client, session, "register.csv", _csv(REGISTER_ROWS, REGISTER_COLUMNS)
    )

    assert response.status_code == 404
    assert not Participant.objects.exists()


def test_register_import_is_refused_to_mne_and_ministry(client, users, session):
    for role in (Role.MNE, Role.MINISTRY):
        client.force_login(users[role])

        response = _register_import(
            client, session, "register.csv", _csv(REGISTER_ROWS, REGISTER_COLUMNS)
        )

        assert response.status_code == 403
    assert not Participant.objects.exists()


def test_the_register_import_service_refuses_a_session_of_another_organisation(other_org, session):
    outsider = factories.user(Role.PROGRAMME, organisation=other_org)

    with pytest.raises(PermissionDenied):
        training_register.import_register(
            name="register.csv",
            stream=io.BytesIO(_csv(REGISTER_ROWS, REGISTER_COLUMNS)),
            session=session,
            actor=outsider,
        )
    with pytest.raises(PermissionDenied):
        training_register.participant_add(
            actor=outsider, session=session, name="Awa Touré", sex="other"
        )
    assert not Participant.objects.exists()


def test_a_co_organising_partner_cannot_import_into_the_register(client, other_org, session):
    # Co-organisers see the session, not its register (personal data).
    session.partners.set([other_org])
    client.force_login(factories.user(Role.PROGRAMME, organisation=other_org))

    response = _register_import(
        client, session, "register.csv", _csv(REGISTER_ROWS, REGISTER_COLUMNS)
    )

    assert response.status_code == 404
    assert not Participant.objects.exists()


def test_a_register_file_creates_participants_of_that_session_only(client, users, session):
    client.force_login(users[Role.PROGRAMME])
    organisations = Organisation.objects.count()

    _register_import(client, session, "register.csv", _csv(REGISTER_ROWS, REGISTER_COLUMNS))

    assert set(Participant.objects.values_list("session", flat=True)) == {session.pk}
    # "Police nationale" is a participant's employer as typed, not a directory entry.
    assert Organisation.objects.count() == organisations
