"""The HTCDS toolkit's own v2.0 spreadsheet imports as a new user fills it: its case sheet
among three, its hidden row of field names, its row of labels, its numbered column without
a name and its pre-numbered empty rows, its misspelt field name, picklist values in their
human labels (or ours, in English or French), no external_id, and consent optional.

The template (tests/fixtures/htcds_v2.0_single_select_with_validation.xlsx, CC BY 4.0) is
filled at test time, as a person would, and imported."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from cases.models import Case, Consent
from cases.services import transfer
from traffick_cm import codebooks as v
from traffick_cm.imports import choice_lookup, country_lookup, label_key

FIXTURES = Path(__file__).parent.parent / "fixtures"
TEMPLATE = FIXTURES / "htcds_v2.0_single_select_with_validation.xlsx"
# openpyxl cannot keep the template's list validations when it saves the filled copy; the
# import never needed them.
pytestmark = pytest.mark.filterwarnings("ignore:Data Validation extension:UserWarning")
FIRST_ROW = 3  # row 1: field names (hidden), row 2: their labels

FIRST_NAMES = [
    "Kadiatou", "Ousmane", "Hawa", "Aminata", "Blaise", "Clarisse", "Djibril", "Esther",
    "Faustin", "Grâce", "Habiba", "Innocent", "Joséphine", "Kevin", "Léa", "Moussa",
    "Nadège", "Olivier", "Prisca", "Rodrigue",
]  # fmt: skip
LAST_NAMES = [
    "Barry", "Keita", "Touré", "Sow", "Ngaïkoura", "Yakité", "Doumbia", "Mbaye", "Zanga",
    "Kossi", "Issa", "Ndemanga", "Féïganazoui", "Bozizé", "Gbazi", "Mahamat", "Sélemby",
    "Yangué", "Koyassambia", "Namkona",
]  # fmt: skip
# Picklist values as the template's lists write them (its "validation" sheet).
STATUSES = ["Active", "Follow up", "Closed", "Closed Referred"]
TRAFFICKING = ["Possible victim of trafficking", "Actual victim of trafficking"]
DECIDED_BY = ["Police", "NGO", "Court or prosecution", "Non-police governmental organization"]
EXPLOITATION = ["Forced labour", "Sexual exploitation", "Forced marriage", "Forced begging"]
CONTROL = ["Withholds documents", "Debt bondage ", "Threatens children/family", ""]
CITIZENSHIPS = [
    "Central African Republic",
    "Cameroon",
    "Chad",
    "Congo, Democratic Republic of the",
    "Côte d'Ivoire",
]


def _case_values(i: int) -> dict[str, object]:
    values: dict[str, object] = {
        "prs_Salutation": "Ms" if i % 2 else "Mr",
        "prs_FirstName": FIRST_NAMES[i],
        "prs_SecondName": LAST_NAMES[i],
        "con_Consent": [True, "Yes", "oui"][i % 3],
        "prs_Birthdate": date(1980 + i, 1 + i % 12, 1 + i),
        "prs_Gender": ["Feminine", "Masculine"][i % 2],
        "prs_Citizenship": CITIZENSHIPS[i % len(CITIZENSHIPS)],
        "prs_MobilePhone": f"+236 75 00 00 {i:02}",
        "prs_MailingCity": "Bangui",
        "vic_TraffickingStatus": TRAFFICKING[i % 2],
        "vic_TraffickinStatusDecisionMakingOrg": DECIDED_BY[i % len(DECIDED_BY)],
        "vic_MethodOfRecruitment": "Through family or family events",
        "vic_MethodsOfControl": CONTROL[i % len(CONTROL)],
        "vic_TypeOfExploitation": EXPLOITATION[i % len(EXPLOITATION)],
        "cas_Status": STATUSES[i % len(STATUSES)],
    }
    if values["vic_TypeOfExploitation"] == "Forced labour":
        values["vic_ForcedLabourIndustry"] = "Agriculture, forestry and fishing"
    if values["vic_TypeOfExploitation"] == "Sexual exploitation":
        values["vic_TypeOfSexExploitation"] = "Prostitution"
    return values


CASES = [_case_values(i) for i in range(20)]


def _filled(cases: list[dict[str, object]] = CASES, *, drop: str = "") -> bytes:
    """The template with `cases` typed into its first numbered rows, the rest left as they
    are (a number in column A and nothing else); `drop` deletes a column as a user might."""
    workbook = load_workbook(TEMPLATE)
    sheet = workbook["Case Sheet"]
    columns = {cell.value: cell.column for cell in sheet[1] if cell.value}
    for offset, values in enumerate(cases):
        for name, value in values.items():
            sheet.cell(row=FIRST_ROW + offset, column=columns[name], value=value)
    if drop:
        sheet.delete_cols(columns[drop])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _with(row: int, **values: object) -> list[dict[str, object]]:
    """The 20 cases with `values` changed in spreadsheet row `row`."""
    cases = [dict(values_) for values_ in CASES]
    cases[row - FIRST_ROW].update(values)
    return cases


def _import(org, content: bytes, *, actor=None, dry_run: bool = False, name="cases.xlsx"):
    with translation.override("en"):
        return transfer.import_cases(
            name=name,
            stream=io.BytesIO(content),
            organisation=org,
            actor=actor,
            dry_run=dry_run,
        )


def _cases_by_first_name(org) -> dict[str, Case]:
    """The organisation's cases by their person's first name (names are stored encrypted:
    compared once decrypted)."""
    cases = Case.objects.filter(organisation=org).select_related("person")
    return {case.person.first_name: case for case in cases}


# The template as it is


def test_the_template_as_shipped_has_what_the_import_must_cope_with():
    workbook = load_workbook(TEMPLATE, read_only=True)
    assert workbook.sheetnames == ["Case Sheet", "about", "validation"]
    rows = list(workbook["Case Sheet"].iter_rows(values_only=True))
    header, labels = rows[0], rows[1]
    assert header[0] is None and labels[0] is None
    assert "vic_TraffickinStatusDecisionMakingOrg" in header
    assert "external_id" not in header
    assert labels[header.index("prs_FirstName")] == "First Name"
    assert len(rows) == 1002
    assert rows[-1][0] == 1000 and not any(rows[-1][1:])


def test_a_filled_template_imports_its_twenty_cases(supervisor, org):
    report = _import(org, _filled(), actor=supervisor)

    assert report.errors == []
    assert (report.rows, report.created, report.already_imported) == (20, 20, 0)
    assert Case.objects.filter(organisation=org).count() == 20
    assert "prs_Salutation" in report.ignored_columns
    assert "Row 2 holds the columns' labels: it was skipped." in report.notes


def test_a_supervisor_imports_the_filled_template_from_the_page_and_reads_the_notes(
    client_for, supervisor, org
):
    upload = SimpleUploadedFile("HTCDS Excel Spreadsheet v2.0.xlsx", _filled())

    response = client_for(supervisor).post(reverse("cases:case_import"), {"upload": upload})

    assert response.status_code == 200
    assert response.context["report"].created == 20
    html = response.content.decode()
    assert "Rows read: 20. Cases created: 20. Already imported: 0." in html
    assert "The file has no external_id column" in html


def test_a_caseworker_cannot_import_the_template_from_the_page(client_for, caseworker):
    upload = SimpleUploadedFile("htcds.xlsx", _filled())

    response = client_for(caseworker).post(reverse("cases:case_import"), {"upload": upload})

    assert response.status_code == 403
    assert not Case.objects.exists()


def test_the_report_says_how_rows_without_external_id_are_recognised(supervisor, org):
    report = _import(org, _filled(), actor=supervisor, dry_run=True)

    assert report.ok
    assert any(note.startswith("The file has no external_id column") for note in report.notes)
    assert any("keyed hash of the person's names" in note for note in report.notes)


def test_importing_the_filled_template_again_creates_nothing(supervisor, org):
    _import(org, _filled(), actor=supervisor)

    report = _import(org, _filled(), actor=supervisor)

    assert report.errors == []
    assert (report.created, report.already_imported) == (0, 20)
    assert Case.objects.filter(organisation=org).count() == 20


def test_a_case_added_to_the_template_later_is_the_only_one_created(supervisor, org):
    _import(org, _filled(CASES[:19]), actor=supervisor)

    report = _import(org, _filled(), actor=supervisor)

    assert (report.created, report.already_imported) == (1, 19)
    assert sorted(_cases_by_first_name(org)) == sorted(FIRST_NAMES)


def test_the_same_person_on_two_rows_without_external_id_is_refused_on_the_second(supervisor, org):
    cases = [*CASES[:3], dict(CASES[1])]

    report = _import(org, _filled(cases), actor=supervisor)

    assert [(row, column) for row, column, _m in report.errors] == [(6, "prs_FirstName")]
    assert "Same name, birth date and citizenship as row 4" in report.errors[0][2]
    assert not Case.objects.exists()


def test_a_human_label_becomes_the_codebooks_value(supervisor, org):
    _import(org, _filled(), actor=supervisor)

    by_name = _cases_by_first_name(org)
    first, second, fourth = by_name["Kadiatou"], by_name["Ousmane"], by_name["Aminata"]
    assert first.exploitation_types == [v.ExploitationType.FORCED_LABOUR]
    assert first.labour_industry == v.LabourIndustry.A
    assert first.trafficking_status == v.TraffickingStatus.POSSIBLE
    assert first.methods_of_control == [v.MethodOfControl.WITHHOLDS_DOCUMENTS]
    assert first.status == v.CaseStatus.OPEN
    assert first.citizenships == ["CF"]
    assert first.person.date_of_birth == date(1980, 1, 1)
    assert second.status == v.CaseStatus.FOLLOW_UP
    assert second.methods_of_control == [v.MethodOfControl.DEBT_BONDAGE]
    assert second.sex_exploitation_types == [v.SexExploitationType.PROSTITUTION]
    assert second.status_decided_by == v.StatusDecisionMaker.NGO
    assert fourth.citizenships == ["CD"]
    assert fourth.status_decided_by == v.StatusDecisionMaker.GOVERNMENT
    assert by_name["Hawa"].status == v.CaseStatus.CLOSED
    assert fourth.status == v.CaseStatus.TRANSFERRED


def test_every_value_of_the_templates_picklists_is_accepted():
    sheet = load_workbook(TEMPLATE)["validation"]
    lists: dict[str, list[str]] = {}
    for column in sheet.iter_cols(min_row=3, values_only=True):
        if column[0]:
            lists[column[0]] = [str(x) for x in column[1:] if x is not None]
    vocabularies = {
        "Gender": v.Gender,
        "Method of Recruitment": v.RecruitmentMethod,
        "Methods of Control": v.MethodOfControl,
        "Type of Exploitation": v.ExploitationType,
        "Forced Labour Industry": v.LabourIndustry,
        "Type of Sex Exploitation": v.SexExploitationType,
        "Trafficking Status": v.TraffickingStatus,
        "Trafficking Status Decision Making Organization": v.StatusDecisionMaker,
    }
    for title, vocabulary in vocabularies.items():
        lookup = choice_lookup(vocabulary)
        codes = [lookup.get(label_key(label)) for label in lists[title]]
        assert None not in codes, title
        assert len(set(codes)) == len(codes), title
    countries = country_lookup()
    assert [countries.get(label_key(name)) for name in lists["Country"]] == lists["Country Code"]


def test_every_status_of_the_templates_list_is_accepted(supervisor, org):
    cases = [{**CASES[i], "cas_Status": status} for i, status in enumerate(STATUSES)]

    report = _import(org, _filled(cases), actor=supervisor, dry_run=True)

    assert report.errors == []


# Labels in any case, with or without accents, in English or French


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("vic_TypeOfExploitation", "Travail forcé"),
        ("vic_TypeOfExploitation", "TRAVAIL FORCE"),
        ("vic_TypeOfExploitation", "forced LABOUR"),
        ("vic_TypeOfExploitation", "ForcedLabour"),
        ("vic_TraffickingStatus", "Victime présumée de traite"),
        ("vic_TraffickingStatus", "victime presumee de traite"),
        ("vic_MethodsOfControl", "Confiscation des documents; debt bondage"),
        ("prs_Gender", "Féminin"),
        ("prs_Citizenship", "République centrafricaine"),
        ("prs_Citizenship", "republique centrafricaine; CM"),
        ("cas_Status", "Suivi"),
        ("cas_Status", "follow-up"),
        ("cas_Status", "FollowUp"),
    ],
)
def test_a_label_in_either_language_any_case_or_accents_is_accepted(supervisor, org, column, value):
    report = _import(org, _filled(_with(5, **{column: value})), actor=supervisor, dry_run=True)

    assert report.errors == []


def test_a_french_label_is_stored_as_the_codebooks_value(supervisor, org):
    cases = _with(3, vic_TypeOfExploitation="Travail forcé; MARIAGE FORCÉ", cas_Status="Suivi")

    _import(org, _filled(cases), actor=supervisor)

    case = _cases_by_first_name(org)["Kadiatou"]
    assert case.exploitation_types == ["ForcedLabour", "ForcedMarriage"]
    assert case.status == v.CaseStatus.FOLLOW_UP


def test_a_value_of_no_list_is_refused_on_its_spreadsheet_row(supervisor, org):
    report = _import(org, _filled(_with(7, vic_TypeOfExploitation="Fishing")), actor=supervisor)

    assert [(row, column) for row, column, _m in report.errors] == [(7, "vic_TypeOfExploitation")]
    assert not Case.objects.exists()


# Consent to data collection: optional, but a refusal is refused


def test_a_template_without_consent_values_imports_with_consent_not_recorded(supervisor, org):
    cases = [{**values, "con_Consent": None} for values in CASES]

    report = _import(org, _filled(cases), actor=supervisor)

    assert report.created == 20
    assert not Consent.objects.filter(scope=v.ConsentScope.DATA_COLLECTION).exists()
    assert any("20 rows do not record consent" in note for note in report.notes)


def test_a_template_without_the_consent_column_imports_with_consent_not_recorded(supervisor, org):
    report = _import(org, _filled(drop="con_Consent"), actor=supervisor)

    assert report.errors == []
    assert report.created == 20
    assert not Consent.objects.filter(scope=v.ConsentScope.DATA_COLLECTION).exists()


def test_a_row_with_consent_recorded_keeps_it_beside_rows_without(supervisor, org):
    _import(org, _filled(_with(4, con_Consent=None)), actor=supervisor)

    granted = Consent.objects.filter(scope=v.ConsentScope.DATA_COLLECTION, granted=True)
    assert granted.count() == 19
    assert not granted.filter(case=_cases_by_first_name(org)["Ousmane"]).exists()


@pytest.mark.parametrize("answer", [False, "No", "non"])
def test_a_row_whose_consent_is_no_is_refused(supervisor, org, answer):
    report = _import(org, _filled(_with(9, con_Consent=answer)), actor=supervisor)

    assert [(row, column) for row, column, _m in report.errors] == [(9, "con_Consent")]
    assert "refused consent to data collection" in report.errors[0][2]
    assert not Case.objects.exists()


# From the command line, in one language


@pytest.fixture
def template_file(tmp_path):
    def write(content: bytes) -> str:
        path = tmp_path / "htcds.xlsx"
        path.write_bytes(content)
        return str(path)

    return write


def _run(path: str, org, language: str, **options) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(
            "import_cases",
            path,
            organisation=org.name,
            language=language,
            stdout=out,
            stderr=err,
            **options,
        )
    except CommandError as error:
        err.write(str(error))
    return out.getvalue(), err.getvalue()


def test_the_command_imports_the_filled_template(template_file, org):
    out, err = _run(template_file(_filled()), org, "en")

    assert err == ""
    assert "Rows read: 20. Cases created: 20. Already imported: 0." in out
    assert "The file has no external_id column" in out
    assert Case.objects.filter(organisation=org).count() == 20


def test_the_command_in_french_speaks_french_only(template_file, org):
    path = template_file(_filled(_with(6, vic_TypeOfExploitation="Fishing")))
    english_out, english_err = _run(path, org, "en", dry_run=True)

    out, err = _run(path, org, "fr", dry_run=True)

    assert "Ignored columns" in english_out and "row 6" in english_err
    assert "ligne 6, colonne vic_TypeOfExploitation\u00a0:" in err
    assert "1 erreur\u00a0: rien n'a été importé." in err
    assert "Colonnes ignorées (non enregistrées)\u00a0:" in out
    # Every line differs from its English counterpart: nothing left untranslated.
    assert not set(out.splitlines() + err.splitlines()) & set(
        english_out.splitlines() + english_err.splitlines()
    )


def test_the_command_in_french_reports_a_valid_file_in_french(template_file, org):
    english_out, _err = _run(template_file(_filled()), org, "en", dry_run=True)

    out, err = _run(template_file(_filled()), org, "fr", dry_run=True)

    assert err == ""
    assert not set(out.splitlines()) & set(english_out.splitlines())
    assert not Case.objects.exists()


def test_the_commands_language_comes_from_the_shell_when_not_given(template_file, org, monkeypatch):
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    out, err = io.StringIO(), io.StringIO()

    call_command(
        "import_cases", template_file(_filled()), organisation=org.name, stdout=out, stderr=err
    )

    assert "Lignes lues\u00a0: 20. Cas créés\u00a0: 20. Déjà importés\u00a0: 0." in out.getvalue()
