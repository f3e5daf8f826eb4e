"""The one framework of the app's file imports (cases in the HTCDS layout, training sessions,
participant registers, and the next ones).

An import reads a CSV or XLSX file (`traffick_cm.tables.read_rows`: UTF-8 with or without a
byte-order mark, comma, semicolon or tab; the sheet of a workbook that names the columns),
whole (`read_sheet`) or one row at a time (`SheetReader`, for a file of any size),
checks its header, parses every row into values through `Cells`, which collects each problem
against its row and column in an `ImportReport`, and writes all rows or none
(`all_or_nothing`). Rows that an earlier import already wrote are recognised by a key
(`ImportReport.already_imported`), so importing the same file twice creates nothing the
second time.

Row numbers are those a spreadsheet shows: the header is row 1, the first data row row 2,
and a row skipped (blank, or a template's row of column labels) keeps its number taken.

Vocabulary values are read as their code or their label in any language the app speaks,
case, accents, spacing and punctuation ignored ("Follow up" is "FollowUp"), through lookups
built once per process."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import IO, Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_countries import Countries, countries
from django_countries.data import COUNTRIES

from traffick_cm.codebooks import HTCDS_LABELS
from traffick_cm.fields import LARGEST_INTEGER
from traffick_cm.forms import EARLIEST, LATEST
from traffick_cm.tables import read_rows

# Several values in one cell: "ForcedLabour;SexualExploitation".
MULTI = ";"
TRUE_WORDS = frozenset({"1", "true", "yes", "oui", "y", "o", "x", "vrai"})
FALSE_WORDS = frozenset({"0", "false", "no", "non", "n", "faux"})
# The largest count a column holds.
MAX_COUNT = LARGEST_INTEGER
HEADER_ROW = 1
# ISO 3166 short names in the inverted form of older lists (the HTCDS toolkit's country
# picklist among them), where no spelling django-countries knows comes close.
INVERTED_COUNTRY_NAMES = {
    "Congo, Democratic Republic of the": "CD",
    "Korea (Democratic People's Republic of)": "KP",
    "Korea, Republic of": "KR",
    "Moldova, Republic of": "MD",
    "Tanzania, United Republic of": "TZ",
}


@dataclass
class ImportReport:
    """What an import found and did. `errors` are (row, column, message): row 1 is the
    header, column "" the whole file. Nothing is written when there is any error."""

    rows: int = 0
    created: int = 0
    already_imported: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    # What the importer should know although nothing is wrong (how rows will be recognised
    # next time, what was skipped), in the language of the import.
    notes: list[str] = field(default_factory=list)
    # The day every row is checked against ("not in the future"), one for the whole file
    # however long its import runs.
    today: date = field(default_factory=timezone.localdate, compare=False, repr=False)

    @property
    def ok(self) -> bool:
        return not self.errors

    def error(self, row: int, column: str, message: str) -> None:
        self.errors.append((row, column, str(message)))

    def note(self, message: str) -> None:
        self.notes.append(str(message))

    def totals(self) -> dict[str, int]:
        """What the audit entry of a completed import records."""
        return {
            "rows": self.rows,
            "created": self.created,
            "already_imported": self.already_imported,
        }

    def errors_since(self, count: int) -> bool:
        """Were errors added since the report held `count` of them?"""
        return len(self.errors) > count


@dataclass
class Sheet:
    """The header and the data rows of a file, each row with its spreadsheet number, and the
    rows skipped as a row of column labels."""

    header: list[str]
    rows: list[tuple[int, dict[str, str]]]
    label_rows: list[int] = field(default_factory=list)


def read_sheet(
    name: str,
    stream: IO[bytes],
    *,
    columns: Collection[str] = (),
    aliases: Mapping[str, str] | None = None,
    labels: Mapping[str, str] | None = None,
) -> Sheet:
    """The file's header and its data rows (ImportFileError if it cannot be read), all held
    at once: see `SheetReader`, which reads them one at a time."""
    reader = SheetReader(name, stream, columns=columns, aliases=aliases, labels=labels)
    rows = list(reader)
    return Sheet(header=reader.header, rows=rows, label_rows=reader.label_rows)


class SheetReader:
    """The file's header, read at once (ImportFileError if it cannot be read), and its data
    rows as they are iterated, once: an import of any size holds one row at a time. In a
    workbook, rows come from the sheet whose first row names the most of `columns` (or their
    aliases). A row that cannot be read raises ImportFileError where it is met.

    Columns without a name in row 1 are not read (a template's row numbers, a helper
    column), so a row whose only values sit there is blank, and blank rows are skipped.
    `aliases` renames columns (a template's misspelt field names). Before the first data
    row, a row that holds only the labels of the header's columns (`labels`, by column, or
    the column's name spelt as words: "First Name" for prs_FirstName) is a template's
    second header row and is skipped too; `label_rows` lists those read past so far."""

    def __init__(
        self,
        name: str,
        stream: IO[bytes],
        *,
        columns: Collection[str] = (),
        aliases: Mapping[str, str] | None = None,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        aliases = aliases or {}
        raw_header, self._rows = read_rows(name, stream, columns={*columns, *aliases})
        self.header = [aliases.get(column, column) for column in raw_header]
        self._named = [(index, column) for index, column in enumerate(self.header) if column]
        self._label_keys = _column_label_keys(
            [column for _index, column in self._named], labels or {}
        )
        self.label_rows: list[int] = []

    def __iter__(self) -> Iterator[tuple[int, dict[str, str]]]:
        named, data_seen = self._named, False
        for number, cells in self._rows:
            size = len(cells)
            values = {column: cells[i] if i < size else "" for i, column in named}
            if not any(values.values()):
                continue
            if not data_seen and _is_label_row(values, self._label_keys):
                self.label_rows.append(number)
                continue
            data_seen = True
            yield number, values


_PREFIXED = re.compile(r"^[a-z]{3}_(?=[A-Z])")


def _column_label_keys(columns: list[str], labels: Mapping[str, str]) -> set[str]:
    keys = set()
    for column in columns:
        keys.add(label_key(column))
        keys.add(label_key(_PREFIXED.sub("", column)))
        if column in labels:
            keys.add(label_key(labels[column]))
    return keys


def _is_label_row(values: Mapping[str, str], label_keys: set[str]) -> bool:
    """Are all the row's values labels of the header's columns, two of them at least (or
    every column of a narrower file)? The labels need not sit above their own columns: the
    toolkit's own template has some in another order than its names."""
    filled = [value for value in values.values() if value]
    return len(filled) >= min(2, len(values)) and all(label_key(v) in label_keys for v in filled)


def check_header(
    header: Iterable[str],
    report: ImportReport,
    *,
    required: Iterable[str],
    known: Iterable[str],
    ignored: Iterable[str] = (),
    unknown_message: str | None = None,
) -> None:
    """Missing required columns and unknown columns are errors on row 1; columns the import
    knows but does not use are listed in `report.ignored_columns`."""
    header = [column for column in header if column]
    known, ignored = set(known), set(ignored)
    for column in required:
        if column not in header:
            report.error(HEADER_ROW, column, _("This required column is missing."))
    seen = set()
    for column in header:
        if column in seen:
            report.error(HEADER_ROW, column, _("This column appears twice."))
        elif column not in known and column not in ignored:
            report.error(HEADER_ROW, column, unknown_message or _("Unknown column."))
        seen.add(column)
    report.ignored_columns = [column for column in header if column in ignored]


def folded(text: str) -> str:
    """Text compared the way people type it: case, accents and spacing ignored."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


_NOT_LETTERS = re.compile(r"[\W_]+")


@lru_cache(maxsize=4096)  # a file repeats the same few picklist values on every row
def label_key(text: str) -> str:
    """A picklist value the way it is compared: only its letters and digits, without case or
    accents, so that "ForcedLabour", "Forced labour", "forced-labour" and "FORCED LABOUR"
    are one value, as are "Follow up" and "FollowUp"."""
    return _NOT_LETTERS.sub("", folded(text))


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


@cache
def choice_lookup(choices: type[models.Choices]) -> dict[str, str]:
    """Every way a value of a vocabulary may be written, as a `label_key`, to its code: the
    code (the codebook's value name), our label in each language of the app, and the HTCDS
    codebook's own label where it differs from ours. Built once per process: the labels are
    those of the code and of the compiled catalogues, which do not change while it runs. A
    key that two codes share is kept for the first (codes, then labels in English) rather
    than guessed."""
    lookup: dict[str, str] = {}
    for code in choices.values:
        lookup.setdefault(label_key(str(code)), str(code))
    for language in _languages():
        with translation.override(language):
            for code, label in choices.choices:
                lookup.setdefault(label_key(str(label)), str(code))
    for code, label in HTCDS_LABELS.get(choices, {}).items():
        lookup.setdefault(label_key(label), str(code))
    return lookup


@cache
def country_lookup() -> dict[str, str]:
    """Every way a country may be written, as a `label_key`, to its ISO 3166-1 alpha-2 code:
    the code, its ISO short name, its common and former names, in each language of the app.
    Built once per process."""
    lookup = {label_key(code): code for code in COUNTRIES}
    for language in _languages():
        with translation.override(language):
            for code, name in countries:
                lookup.setdefault(label_key(str(name)), code)
            for code, name in COUNTRIES.items():
                lookup.setdefault(label_key(str(name)), code)
            for code, name in Countries.COMMON_NAMES.items():
                lookup.setdefault(label_key(str(name)), code)
            for code, names in Countries.OLD_NAMES.items():
                for name in names:
                    lookup.setdefault(label_key(str(name)), code)
    for name, code in INVERTED_COUNTRY_NAMES.items():
        lookup.setdefault(label_key(name), code)
    known = _country_codes()  # the countries the app offers (settings may narrow them)
    return {key: code for key, code in lookup.items() if code in known}


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(code for code, _name in countries)


class Cells:
    """The cells of one row, read and checked one column at a time. Each method returns the
    parsed value (or an empty value) and reports a problem on this row and column."""

    def __init__(self, number: int, values: Mapping[str, str], report: ImportReport) -> None:
        self.number = number
        self.values = values
        self.report = report
        self._errors_before = len(report.errors)

    @property
    def ok(self) -> bool:
        """No problem found in this row so far."""
        return not self.report.errors_since(self._errors_before)

    @property
    def today(self) -> date:
        """The day the import checks dates against (`ImportReport.today`)."""
        return self.report.today

    def raw(self, column: str) -> str:
        return (self.values.get(column) or "").strip()

    def error(self, column: str, message: str) -> None:
        self.report.error(self.number, column, message)

    def text(self, column: str, *, max_length: int = 200, required: bool = False) -> str:
        value = self.raw(column)
        if not value and required:
            self.error(column, _("A value is required."))
        elif len(value) > max_length:
            self.error(column, _("Longer than %(n)s characters.") % {"n": max_length})
            return value[:max_length]
        return value

    def choice(
        self,
        column: str,
        choices: type[models.Choices],
        *,
        required: bool = False,
        exact: bool = False,
    ) -> str:
        """One code of a vocabulary, given as its code or its label (`choice_lookup`); with
        `exact`, only as the code, written as the codebook writes it (the error then lists
        the codes)."""
        value = self.raw(column)
        if not value and not exact:
            if required:
                self.error(column, _("A value is required."))
            return ""
        if exact:
            if value not in choices.values:
                codes = ", ".join(str(code) for code in choices.values)
                self.error(column, _("Use one of: %(codes)s") % {"codes": codes})
            return value
        code = choice_lookup(choices).get(label_key(value))
        if code is None:
            self.error(
                column,
                _("“%(value)s” is not one of the codebook's values.") % {"value": value[:60]},
            )
            return ""
        return code

    def choices(
        self, column: str, choices: type[models.Choices], *, exact: bool = False
    ) -> list[str]:
        """Codes of a vocabulary separated by ";" (codes or labels, `choice_lookup`; with
        `exact`, codes as the codebook writes them)."""
        lookup = (
            {str(code): str(code) for code in choices.values} if exact else choice_lookup(choices)
        )
        codes, bad = [], []
        for item in (x.strip() for x in self.raw(column).split(MULTI)):
            if not item:
                continue
            code = lookup.get(item if exact else label_key(item))
            if code is None:
                bad.append(item[:60])
            elif code not in codes:
                codes.append(code)
        if bad:
            message = (
                _("Unknown codes: %(codes)s") if exact else _("Not codebook values: %(codes)s")
            )
            self.error(column, message % {"codes": ", ".join(bad)})
        return codes

    def date(self, column: str, *, required: bool = False, not_future: bool = False) -> date | None:
        value = self.raw(column)
        if not value:
            if required:
                self.error(column, _("A date is required."))
            return None
        try:
            parsed = date.fromisoformat(value[:10])
        except ValueError:
            self.error(
                column, _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value[:30]}
            )
            return None
        if not EARLIEST <= parsed <= LATEST:
            self.error(
                column,
                _("Enter a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.year, "latest": LATEST.year},
            )
            return None
        if not_future and parsed > self.today:
            self.error(column, _("The date is in the future."))
        return parsed

    def count(self, column: str, *, maximum: int = MAX_COUNT, default: int | None = None):
        """A whole number from 0 to `maximum`; `default` when the cell is empty. Only ASCII
        digits: str.isdigit() also accepts "¹" or "٣", which int() refuses or misreads."""
        value = self.raw(column)
        if not value:
            return default
        if not (value.isascii() and value.isdigit()) or int(value) > maximum:
            if maximum == MAX_COUNT:  # only a column's own size: not worth naming
                message = _("“%(value)s” is not a whole number.")
            else:
                message = _("“%(value)s” is not a whole number from 0 to %(max)s.")
            self.error(column, message % {"value": value[:20], "max": maximum})
            return default
        return int(value)

    def flag(self, column: str, *, default: bool | None = None) -> bool | None:
        """Yes or no (1/0, true/false, oui/non); `default` when the cell is empty."""
        value = folded(self.raw(column))
        if not value:
            return default
        if value in TRUE_WORDS:
            return True
        if value in FALSE_WORDS:
            return False
        self.error(column, _("Use yes or no."))
        return default

    def country(self, column: str, *, required: bool = False) -> str:
        """An ISO 3166-1 alpha-2 code."""
        value = self.raw(column).upper()
        if not value:
            if required:
                self.error(column, _("A value is required."))
            return ""
        if value not in _country_codes():
            self.error(column, _("Not an ISO 3166-1 alpha-2 country code."))
            return ""
        return value

    def countries(self, column: str) -> list[str]:
        """Countries separated by ";", each as its ISO 3166-1 alpha-2 code or its name
        (`country_lookup`), as ISO codes."""
        lookup = country_lookup()
        codes, bad = [], []
        for item in (x.strip() for x in self.raw(column).split(MULTI)):
            if not item:
                continue
            code = lookup.get(label_key(item))
            if code is None:
                bad.append(item[:40])
            elif code not in codes:
                codes.append(code)
        if bad:
            self.error(
                column,
                _("Not countries (an ISO 3166 code or a country's name): %(values)s")
                % {"values": ", ".join(bad)},
            )
        return codes


class FirstRows:
    """The row of a file that first held each key (an external_id, a person's identity), for
    rows read one at a time: the keys are kept, not the rows. A key held again is an error
    on the row that repeats it ("Same key as row N"), which `report` adds once every row has
    been read, after the rows' own errors."""

    def __init__(self) -> None:
        self._first: dict[Any, int] = {}
        self.repeats: list[tuple[int, int]] = []

    def add(self, number: int, key: Any) -> bool:
        """Is `key` new? If not, row `number` is remembered as repeating it."""
        first = self._first.setdefault(key, number)
        if first != number:
            self.repeats.append((number, first))
        return first == number

    def report(self, report: ImportReport, column: str, message: str | None = None) -> None:
        """Each repeat as an error on its row and `column`: `message` names the first row as
        %(row)s (by default "Same <column> as row N.")."""
        for number, first in self.repeats:
            text = message or _("Same %(column)s as row %(row)s.")
            report.error(number, column, text % {"column": column, "row": first})


@contextmanager
def all_or_nothing(report: ImportReport) -> Iterator[None]:
    """A transaction for the writes of an import: rolled back if the report holds any error
    when the block ends (a row refused by a service undoes the whole file), so a file is
    imported whole or not at all."""
    with transaction.atomic():
        yield
        if report.errors:
            transaction.set_rollback(True)
            report.created = 0
