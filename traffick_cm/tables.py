"""Reading tabular files (CSV or XLSX) for imports: every cell comes back as text."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import IO, Any

from django.utils.translation import gettext as _


class ImportFileError(Exception):
    """The file cannot be read at all."""


def read_table(name: str, stream: IO[bytes]) -> tuple[list[str], list[dict[str, str]]]:
    """Headers and rows of a CSV (UTF-8, comma or semicolon) or XLSX file, as text."""
    lowered = name.lower()
    if lowered.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(stream, read_only=True, data_only=True)
        except Exception as error:
            raise ImportFileError(_("This is not a readable XLSX file.")) from error
        sheet = workbook.worksheets[0]
        rows_iter = sheet.iter_rows(values_only=True)
        header = [_clean(str(h)) if h is not None else "" for h in next(rows_iter, [])]
        rows = []
        for values in rows_iter:
            if values is None or all(x in (None, "") for x in values):
                continue
            rows.append({h: _cell_text(x) for h, x in zip(header, values, strict=False) if h})
        return header, rows
    if lowered.endswith(".csv"):
        try:
            text = stream.read().decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFileError(_("The CSV file must be encoded in UTF-8.")) from error
        # Only the delimiter is guessed (comma, semicolon or tab, from the header line); the
        # quoting rules stay the standard ones ("" inside a quoted cell is one quote).
        first_line = text.splitlines()[0] if text else ""
        delimiter = max(",;\t", key=first_line.count) if first_line else ","
        try:
            reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
            header = [_clean(h) for h in (reader.fieldnames or [])]
            reader.fieldnames = header
            rows = [
                {k: _clean(val or "") for k, val in row.items() if k}
                for row in reader
                if any((val or "").strip() for val in row.values() if isinstance(val, str))
            ]
        except csv.Error as error:
            raise ImportFileError(
                _("This CSV file cannot be read: %(error)s") % {"error": error}
            ) from error
        return header, rows
    raise ImportFileError(_("Upload a .csv or .xlsx file."))


def _clean(text: str) -> str:
    """A cell as text: no NUL characters (PostgreSQL refuses them), no surrounding spaces."""
    return text.replace("\x00", "").strip()


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.isoformat()[:10]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return _clean(str(value))
