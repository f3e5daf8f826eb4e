"""Case records in and out in the HTCDS v2.0 layout: import is all or nothing and
idempotent; export gives decrypted values only for cases in the user's scope."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.models import Case, Consent, Person
from cases.services.transfer import EXPORT_COLUMNS
from tests import factories
from traffick_cm import codebooks as v

from .steps import GOOD_ROWS, HTCDS_HEADER, english_client, htcds_csv


def _import_view(client, name: str, content: bytes):
    return client.post(reverse("cases:case_import"), {"upload": SimpleUploadedFile(name, content)})


def _with(row_number: int, **values) -> list[dict[str, str]]:
    """The good rows with `values` changed in file row `row_number` (the header is row 1)."""
    rows = [dict(row) for row in GOOD_ROWS]
    rows[row_number - 2].update(values)
    return rows


def _xlsx(rows: list[dict[str, object]], header: list[str] = HTCDS_HEADER) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append([row.get(column, "") for column in header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def csv_file(tmp_path):
    def write(content: bytes, name: str = "cases.csv"):
        path = tmp_path / name
        path.write_bytes(content)
        return str(path)

    return write


def _names(org) -> set[tuple[str, str]]:
    return {(p.first_name, p.last_name) for p in Person.objects.filter(case__organisation=org)}


# Import through the page


def test_supervisor_imports_a_csv_file_and_every_row_becomes_a_case(client_for, supervisor, org):
    response = _import_view(client_for(supervisor), "cases.csv", htcds_csv(GOOD_ROWS))

    assert response.status_code == 200
    report = response.context["report"]
    assert (report.rows, report.created, report.already_imported) == (3, 3, 0)
    assert "Rows read: 3. Cases created: 3. Already imported: 0." in response.content.decode()
    assert _names(org) == {("Kadiatou", "Barry"), ("Ousmane", "Keita"), ("Hawa", "Touré")}


def test_imported_rows_keep_their_codebook_values(client_for, supervisor, org):
    _import_view(client_for(supervisor), "cases.csv", htcds_csv(GOOD_ROWS))

    case = Case.objects.select_related("person").get(organisation=org, external_id="IMP-001")
    assert case.status == v.CaseStatus.OPEN
    assert case.trafficking_status == "ActualVictimOfTrafficking"
    assert case.exploitation_types == ["SexualExploitation"]
    assert case.methods_of_control == ["DebtBondage", "WithholdsDocuments"]
    assert case.citizenships == ["GN"]
    assert case.sex == v.Sex.FEMALE
    assert case.person.date_of_birth == date(1995, 4, 12)
    assert Case.objects.get(external_id="IMP-002").status == v.CaseStatus.FOLLOW_UP
    consent = Consent.objects.get(case=case)
    assert (consent.scope, consent.granted) == (v.ConsentScope.DATA_COLLECTION, True)


def test_supervisor_imports_an_xlsx_file(client_for, supervisor, org):
    rows = [dict(row) for row in GOOD_ROWS]
    rows[0]["prs_Birthdate"] = date(1995, 4, 12)  # a real date cell

    response = _import_view(client_for(supervisor), "cases.xlsx", _xlsx(rows))

    assert response.context["report"].created == 3
    person = Person.objects.get(case__external_id="IMP-001")
    assert person.date_of_birth == date(1995, 4, 12)


def test_a_caseworker_cannot_import(client_for, caseworker):
    response = _import_view(client_for(caseworker), "cases.csv", htcds_csv(GOOD_ROWS))

    assert response.status_code == 403
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("vic_TypeOfExploitation", "NotACode"),
        ("prs_Birthdate", "2023-13-45"),
        ("prs_Citizenship", "XX"),
        ("cas_Status", "Pending"),
        ("prs_FirstName", ""),
    ],
)
def test_one_bad_row_imports_nothing_and_the_report_names_row_and_column(
    client_for, supervisor, column, value
):
    response = _import_view(
        client_for(supervisor), "cases.csv", htcds_csv(_with(3, **{column: value}))
    )

    assert response.status_code == 400
    assert not Case.objects.exists()
    errors = response.context["report"].errors
    assert [(row, col) for row, col, _message in errors] == [(3, column)]
    html = response.content.decode()
    assert "1 error: nothing was imported." in html
    assert f"<code>{column}</code>" in html


def test_re_importing_the_same_file_creates_nothing_new(client_for, supervisor):
    client = client_for(supervisor)
    _import_view(client, "cases.csv", htcds_csv(GOOD_ROWS))

    response = _import_view(client, "cases.csv", htcds_csv(GOOD_ROWS))

    report = response.context["report"]
    assert (report.created, report.already_imported) == (0, 3)
    assert Case.objects.count() == 3


def test_a_file_with_one_new_row_adds_only_that_row(client_for, supervisor):
    client = client_for(supervisor)
    _import_view(client, "cases.csv", htcds_csv(GOOD_ROWS[:2]))

    response = _import_view(client, "cases.csv", htcds_csv(GOOD_ROWS))

    report = response.context["report"]
    assert (report.created, report.already_imported) == (1, 2)
    assert Case.objects.count() == 3


def test_the_same_external_id_in_another_organisation_is_a_new_case(
    client_for, supervisor, outside_supervisor
):
    _import_view(client_for(supervisor), "cases.csv", htcds_csv(GOOD_ROWS))

    response = _import_view(client_for(outside_supervisor), "cases.csv", htcds_csv(GOOD_ROWS))

    assert response.context["report"].created == 3
    assert Case.objects.count() == 6


def test_a_file_without_the_consent_column_imports_with_consent_not_recorded(
    client_for, supervisor
):
    header = [c for c in HTCDS_HEADER if c != "con_Consent"]

    response = _import_view(client_for(supervisor), "cases.csv", htcds_csv(GOOD_ROWS, header))

    assert response.status_code == 200
    assert response.context["report"].created == 3
    assert not Consent.objects.filter(scope=v.ConsentScope.DATA_COLLECTION).exists()
    assert "3 rows do not record consent to data collection" in response.content.decode()


def test_a_row_with_an_empty_consent_cell_imports_with_consent_not_recorded(client_for, supervisor):
    response = _import_view(
        client_for(supervisor), "cases.csv", htcds_csv(_with(2, con_Consent=""))
    )

    assert response.context["report"].created == 3
    assert not Consent.objects.filter(case__external_id="IMP-001").exists()
    assert Consent.objects.filter(case__external_id="IMP-002", granted=True).exists()


@pytest.mark.parametrize("answer", ["no", "non", "0", "FALSE"])
def test_a_row_whose_consent_is_no_is_refused(client_for, supervisor, answer):
    response = _import_view(
        client_for(supervisor), "cases.csv", htcds_csv(_with(2, con_Consent=answer))
    )

    assert response.status_code == 400
    errors = response.context["report"].errors
    assert [(r, c) for r, c, _m in errors] == [(2, "con_Consent")]
    assert errors[0][2].startswith("The person refused consent to data collection")
    assert not Case.objects.exists()


def test_a_consent_that_is_neither_yes_nor_no_is_refused(client_for, supervisor):
    response = _import_view(
        client_for(supervisor), "cases.csv", htcds_csv(_with(3, con_Consent="maybe"))
    )

    assert response.status_code == 400
    assert response.context["report"].errors == [(3, "con_Consent", "Use yes or no.")]


def test_an_unknown_column_is_refused(client_for, supervisor):
    header = [*HTCDS_HEADER, "favourite_colour"]

    response = _import_view(client_for(supervisor), "cases.csv", htcds_csv(GOOD_ROWS, header))

    assert response.status_code == 400
    assert [(r, c) for r, c, _m in response.context["report"].errors] == [(1, "favourite_colour")]
    assert not Case.objects.exists()


def test_a_codebook_column_we_do_not_store_is_ignored_and_reported(client_for, supervisor):
    header = [*HTCDS_HEADER, "prs_Email"]

    response = _import_view(client_for(supervisor), "cases.csv", htcds_csv(GOOD_ROWS, header))

    assert response.context["report"].ignored_columns == ["prs_Email"]
    assert Case.objects.count() == 3


def test_a_file_that_is_neither_csv_nor_xlsx_is_refused(client_for, supervisor):
    response = _import_view(client_for(supervisor), "cases.txt", htcds_csv(GOOD_ROWS))

    assert response.status_code == 200
    assert "upload" in response.context["form"].errors
    assert not Case.objects.exists()


def test_a_semicolon_separated_csv_is_read(client_for, supervisor):
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HTCDS_HEADER, delimiter=";")
    writer.writeheader()
    writer.writerows(GOOD_ROWS)
    content = buffer.getvalue().encode()

    response = _import_view(client_for(supervisor), "cases.csv", content)

    assert response.context["report"].created == 3


# Whose cases: the importer's organisation's, reaching no further than the form


def _import(actor, organisation, rows=GOOD_ROWS):
    from cases.services import transfer

    return transfer.import_cases(
        name="cases.csv", stream=io.BytesIO(htcds_csv(rows)), organisation=organisation, actor=actor
    )


def test_the_import_service_imports_only_into_the_importers_organisation(supervisor, other_org):
    with pytest.raises(PermissionDenied):
        _import(supervisor, other_org)

    assert not Case.objects.exists()


def test_the_import_service_refuses_a_user_who_may_not_import(caseworker, org):
    with pytest.raises(PermissionDenied):
        _import(caseworker, org)

    assert not Case.objects.exists()


def test_imported_cases_are_assigned_to_nobody_but_the_importer_and_to_no_project(supervisor, org):
    factories.project(organisations=[org], code="CF-TIP-2025")
    supervising_caseworker = factories.user(Role.SUPERVISOR, Role.CASEWORKER, organisation=org)

    _import(supervisor, org, GOOD_ROWS[:1])
    _import(supervising_caseworker, org, GOOD_ROWS[1:2])

    by_supervisor = Case.objects.get(external_id="IMP-001")
    assert list(by_supervisor.caseworkers.all()) == []
    assert by_supervisor.primary_caseworker is None
    assert by_supervisor.project is None
    by_both = Case.objects.get(external_id="IMP-002")
    assert list(by_both.caseworkers.all()) == [supervising_caseworker]
    assert by_both.primary_caseworker == supervising_caseworker
    assert by_both.project is None


def test_a_referring_organisation_the_form_would_not_offer_is_refused(client_for, supervisor):
    factories.organisation(name="Closed shelter", acronym="CLOSED", is_active=False)
    rows = [{**row, "cas_ReferringOrganisation": "Closed shelter"} for row in GOOD_ROWS]

    response = _import_view(
        client_for(supervisor),
        "cases.csv",
        htcds_csv(rows, [*HTCDS_HEADER, "cas_ReferringOrganisation"]),
    )

    assert response.status_code == 400
    assert response.context["report"].errors[0] == (
        2,
        "cas_ReferringOrganisation",
        "Unknown organisation.",
    )
    assert not Case.objects.exists()


# Import from the command line


def _command(*args, **options):
    """The import command, speaking English whatever the shell's language."""
    call_command("import_cases", *args, language="en", **options)


def test_the_import_command_creates_every_row(csv_file, org):
    out = io.StringIO()

    _command(csv_file(htcds_csv(GOOD_ROWS)), organisation=org.name, stdout=out)

    assert Case.objects.filter(organisation=org).count() == 3
    assert "Rows read: 3. Cases created: 3. Already imported: 0." in out.getvalue()
    assert AuditEntry.objects.filter(action="cases.import.completed").count() == 1


def test_the_import_command_finds_the_organisation_by_acronym(csv_file, org):
    _command(
        csv_file(htcds_csv(GOOD_ROWS)),
        organisation=org.acronym,
        stdout=io.StringIO(),
    )

    assert Case.objects.filter(organisation=org).count() == 3


def test_the_import_command_reads_xlsx(csv_file, org):
    path = csv_file(_xlsx(GOOD_ROWS), name="cases.xlsx")

    _command(path, organisation=org.name, stdout=io.StringIO())

    assert Case.objects.filter(organisation=org).count() == 3


def test_the_import_command_with_a_bad_row_imports_nothing(csv_file, org):
    err = io.StringIO()
    path = csv_file(htcds_csv(_with(3, vic_TypeOfExploitation="NotACode")))

    with pytest.raises(CommandError, match="nothing was imported"):
        _command(path, organisation=org.name, stdout=io.StringIO(), stderr=err)

    assert not Case.objects.exists()
    assert "row 3, column vic_TypeOfExploitation" in err.getvalue()


def test_the_import_command_with_a_bad_date_names_the_row(csv_file, org):
    err = io.StringIO()
    path = csv_file(htcds_csv(_with(4, prs_Birthdate="2023-13-45")))

    with pytest.raises(CommandError):
        _command(path, organisation=org.name, stdout=io.StringIO(), stderr=err)

    assert not Case.objects.exists()
    assert "row 4, column prs_Birthdate" in err.getvalue()


def test_running_the_import_command_twice_creates_nothing_new(csv_file, org):
    path = csv_file(htcds_csv(GOOD_ROWS))
    _command(path, organisation=org.name, stdout=io.StringIO())
    out = io.StringIO()

    _command(path, organisation=org.name, stdout=out)

    assert Case.objects.count() == 3
    assert "Cases created: 0. Already imported: 3." in out.getvalue()


def test_the_import_command_dry_run_writes_nothing(csv_file, org):
    out = io.StringIO()

    _command(
        csv_file(htcds_csv(GOOD_ROWS)),
        organisation=org.name,
        dry_run=True,
        stdout=out,
    )

    assert not Case.objects.exists()
    assert "3 rows are valid (dry run)." in out.getvalue()


def test_the_import_command_refuses_a_file_that_is_neither_csv_nor_xlsx(csv_file, org):
    path = csv_file(htcds_csv(GOOD_ROWS), name="cases.txt")

    with pytest.raises(CommandError, match=r"Upload a \.csv or \.xlsx file\."):
        _command(path, organisation=org.name, stdout=io.StringIO())

    assert not Case.objects.exists()


def test_the_import_command_refuses_an_unknown_organisation(csv_file, org):
    with pytest.raises(CommandError, match="No single organisation"):
        _command(csv_file(htcds_csv(GOOD_ROWS)), organisation="Nobody")

    assert not Case.objects.exists()


# Export


def _export(client, *cases, fmt="csv"):
    return client.get(reverse("cases:case_export"), {"case": [c.pk for c in cases], "format": fmt})


def _rows(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_exporting_two_cases_gives_the_htcds_header_and_decrypted_names(client_for, caseworker):
    first = factories.case(caseworker=caseworker, first_name="Amina", last_name="Diallo")
    second = factories.case(caseworker=caseworker, first_name="Salif", last_name="Coulibaly")

    response = _export(client_for(caseworker), first, second)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment;")
    header, *rows = _rows(response)
    assert header == EXPORT_COLUMNS
    by_number = {row[0]: dict(zip(header, row, strict=True)) for row in rows}
    assert set(by_number) == {first.case_number, second.case_number}
    assert by_number[first.case_number]["prs_FirstName"] == "Amina"
    assert by_number[first.case_number]["prs_SecondName"] == "Diallo"
    assert by_number[second.case_number]["prs_FirstName"] == "Salif"
    assert by_number[second.case_number]["vic_TypeOfExploitation"] == "ForcedLabour"
    assert by_number[second.case_number]["cas_Status"] == "Active"


def test_an_exported_file_can_be_imported_by_another_organisation(
    client_for, caseworker, outside_supervisor, other_org
):
    case = factories.case(caseworker=caseworker)
    content = _export(client_for(caseworker), case).content

    response = _import_view(english_client(outside_supervisor), "transfer.csv", content)

    assert response.context["report"].created == 1
    imported = Case.objects.select_related("person").get(organisation=other_org)
    assert imported.external_id == case.case_number
    assert (imported.person.first_name, imported.person.last_name) == ("Amina", "Diallo")


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_round_tripped_export_imports_the_values_it_was_made_from(
    client_for, caseworker, outside_supervisor, other_org, fmt
):
    # The export neutralises values a spreadsheet would run as formulas (a "'" before them
    # in CSV); the import takes that quote off again.
    case = factories.case(
        caseworker=caseworker,
        first_name="=Amina",
        last_name="-Diallo",
        phone="+236 75 00 00 00",
        address="@Boy-Rabe",
    )
    response = _export(client_for(caseworker), case, fmt=fmt)
    if fmt == "csv":
        assert "'+236 75 00 00 00" in response.content.decode("utf-8-sig")

    report = _import_view(english_client(outside_supervisor), f"transfer.{fmt}", response.content)

    assert report.context["report"].created == 1
    person = Person.objects.get(case__organisation=other_org)
    assert (person.first_name, person.last_name) == ("=Amina", "-Diallo")
    assert (person.phone, person.address) == ("+236 75 00 00 00", "@Boy-Rabe")
    imported = Case.objects.get(organisation=other_org)
    assert imported.identified_on == case.identified_on


def test_exporting_as_xlsx_gives_a_workbook(client_for, caseworker, case):
    response = _export(client_for(caseworker), case, fmt="xlsx")

    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert list(rows[0]) == EXPORT_COLUMNS
    assert rows[1][EXPORT_COLUMNS.index("prs_FirstName")] == "Amina"


def test_asking_to_export_a_case_out_of_scope_answers_404(client_for, caseworker, colleague):
    mine = factories.case(caseworker=caseworker)
    theirs = factories.case(caseworker=colleague, first_name="Salif")

    response = _export(client_for(caseworker), mine, theirs)

    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="cases.case.exported").exists()


def test_a_supervisor_of_another_organisation_cannot_export_the_case(
    client_for, outside_supervisor, case
):
    response = _export(client_for(outside_supervisor), case)

    assert response.status_code == 404


def test_export_without_a_case_sends_back_to_the_list(client_for, caseworker):
    response = client_for(caseworker).get(reverse("cases:case_export"), {"format": "csv"})

    assert response.status_code == 302
    assert response["Location"] == reverse("cases:case_list")


def test_the_pdf_summary_is_a_pdf(client_for, caseworker, case):
    response = client_for(caseworker).get(reverse("cases:case_pdf", kwargs={"pk": case.pk}))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{case.case_number}.pdf"' in response["Content-Disposition"]


def test_the_pdf_summary_of_a_case_out_of_scope_answers_404(client_for, colleague, case):
    response = client_for(colleague).get(reverse("cases:case_pdf", kwargs={"pk": case.pk}))

    assert response.status_code == 404
