"""Report runs in words, as the report runs pages show them: a title ("Donor report: Guinea
joint programme"), a period (January to March 2026), a status and files named as a person
would name them ("Donor report, Q1 2026 (PDF)"). Codes, checksums and parameters stay for
the technical details the pages keep behind a disclosure."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_countries import countries

from programmes.models import Project
from reports.models import ActionPlan, ReportFile, ReportKind, ReportRun
from traffick_cm import periods

# The formats a person opens first, first; the JSON data (for other systems) last.
FORMAT_ORDER = {"pdf": 0, "xlsx": 1, "csv": 2, "json": 9}
FORMAT_NAMES = {
    "pdf": gettext_lazy("PDF"),
    "xlsx": gettext_lazy("Excel spreadsheet"),
    "csv": gettext_lazy("CSV table"),
    "json": gettext_lazy("JSON data"),
}
# Formats for other systems rather than for reading: listed with the technical details.
MACHINE_FORMATS = frozenset({"json"})


@dataclass(frozen=True)
class NamedFile:
    file: ReportFile
    name: str

    @property
    def for_machines(self) -> bool:
        return self.file.format in MACHINE_FORMATS


@dataclass(frozen=True)
class RunInWords:
    run: ReportRun
    title: str
    subject: str
    period: str
    status: str
    requested: str
    files: list[NamedFile]
    parameters_json: str

    @property
    def readable_files(self) -> list[NamedFile]:
        return [f for f in self.files if not f.for_machines]

    @property
    def machine_files(self) -> list[NamedFile]:
        return [f for f in self.files if f.for_machines]


def period_in_words(start: date, end: date) -> str:
    """A calendar month ("March 2026"), quarter (January to March 2026, with a dash) or
    year ("2026") in the active language; any other window from one date to the other."""
    period = periods.from_dates(start, end)
    if period is None:
        return _("%(start)s – %(end)s") % {
            "start": formats.date_format(start, "DATE_FORMAT"),
            "end": formats.date_format(end, "DATE_FORMAT"),
        }
    if period.unit == periods.Unit.QUARTER:
        return _("%(start)s – %(end)s") % {
            "start": formats.date_format(start, "F"),
            "end": formats.date_format(end, "YEAR_MONTH_FORMAT"),
        }
    return period.label


def period_short(start: date, end: date) -> str:
    """As in a file's name: "Q1 2026", "March 2026", "2026"."""
    period = periods.from_dates(start, end)
    return period.label if period is not None else period_in_words(start, end)


def file_name(run: ReportRun, report_file: ReportFile, *, title: str | None = None) -> str:
    """ "Donor report, Q1 2026 (PDF)"."""
    fmt = report_file.format
    return _("%(report)s, %(period)s (%(format)s)") % {
        "report": title or run.get_kind_display(),
        "period": period_short(run.period_from, run.period_to),
        "format": str(FORMAT_NAMES.get(fmt, fmt.upper())),
    }


def status_in_words(run: ReportRun) -> str:
    if run.status == ReportRun.Status.DONE:
        if run.finished_at is None:
            return _("Ready")
        return _("Ready since %(date)s") % {"date": _date(run.finished_at)}
    if run.status == ReportRun.Status.PENDING:
        return _("Waiting to be produced")
    if run.status == ReportRun.Status.RUNNING:
        return _("Being produced")
    if run.status == ReportRun.Status.FAILED:
        return _("Failed")
    return run.get_status_display()


def _date(value: datetime) -> str:
    return formats.date_format(timezone.localtime(value), "DATE_FORMAT")


def _subjects(runs: list[ReportRun]) -> dict[tuple[str, str], str]:
    """What each run is about, by (kind, code): a project's or plan's title, a country's
    name. Two queries at most, whatever the number of runs."""
    codes: dict[str, set[str]] = {ReportKind.DONOR: set(), ReportKind.NAP: set()}
    for run in runs:
        key = {ReportKind.DONOR: "project", ReportKind.NAP: "plan"}.get(run.kind)
        if key and run.parameters.get(key):
            codes[run.kind].add(run.parameters[key])
    names: dict[tuple[str, str], str] = {}
    if codes[ReportKind.DONOR]:
        for code, title in Project.objects.filter(code__in=codes[ReportKind.DONOR]).values_list(
            "code", "title"
        ):
            names[(ReportKind.DONOR, code)] = title
    if codes[ReportKind.NAP]:
        for code, title in ActionPlan.objects.filter(code__in=codes[ReportKind.NAP]).values_list(
            "code", "title"
        ):
            names[(ReportKind.NAP, code)] = title
    return names


def _subject(run: ReportRun, names: dict[tuple[str, str], str]) -> str:
    if run.kind == ReportKind.OPERATIONAL:
        code = str(run.parameters.get("country", "")).upper()
        return str(countries.name(code)) or code
    key = {ReportKind.DONOR: "project", ReportKind.NAP: "plan"}.get(run.kind, "")
    code = str(run.parameters.get(key, ""))
    return names.get((run.kind, code), code)


def _requested(run: ReportRun) -> str:
    if run.trigger == ReportRun.Trigger.SCHEDULE or run.requested_by is None:
        return _("Scheduled, %(date)s") % {"date": _date(run.created_at)}
    return _("Requested by %(name)s on %(date)s") % {
        "name": run.requested_by.get_full_name() or run.requested_by.username,
        "date": _date(run.created_at),
    }


def runs_in_words(runs: Iterable[ReportRun]) -> list[RunInWords]:
    """Runs (with requested_by selected and files prefetched) as the pages show them."""
    runs = list(runs)
    names = _subjects(runs)
    result = []
    for run in runs:
        kind = run.get_kind_display()
        subject = _subject(run, names)
        title = _("%(report)s: %(subject)s") % {"report": kind, "subject": subject}
        files = sorted(run.files.all(), key=lambda f: (FORMAT_ORDER.get(f.format, 5), f.format))
        result.append(
            RunInWords(
                run=run,
                title=title if subject else kind,
                subject=subject,
                period=period_in_words(run.period_from, run.period_to),
                status=status_in_words(run),
                requested=_requested(run),
                files=[NamedFile(f, file_name(run, f, title=kind)) for f in files],
                parameters_json=json.dumps(run.parameters, ensure_ascii=False, sort_keys=True),
            )
        )
    return result
