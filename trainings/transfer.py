"""Sessions in and out of files.

Import columns, exactly: title, session_type, start_date, end_date, country, region, locality,
organiser, partners, project_code, audiences, topics, participants_female, participants_male,
participants_other, notes. Multi-values separated by ";"; dates ISO 8601; country ISO 3166-1
alpha-2; organisations matched by name or acronym, case-insensitively. All rows or none; the
same title, start date and organiser is the same session, so a file imported again creates
nothing new."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.audit import log_action
from accounts.models import User
from partners.models import Organisation, OrganisationType, Region
from reports.models import Donor, Project
from traffick_cm.tables import read_table
from trainings import services
from trainings import vocabularies as v
from trainings.models import Participant, TrainingSession

COLUMNS = [
    "title",
    "session_type",
    "start_date",
    "end_date",
    "country",
    "region",
    "locality",
    "organiser",
    "partners",
    "project_code",
    "audiences",
    "topics",
    "participants_female",
    "participants_male",
    "participants_other",
    "notes",
]
# Exactly these columns: every one must be there (cells may be empty where allowed).
REQUIRED = COLUMNS
REGISTER_COLUMNS = [
    "name",
    "organisation",
    "function",
    "sex",
    "phone",
    "email",
    "pre_score",
    "post_score",
]
MULTI = ";"


@dataclass
class ImportReport:
    rows: int = 0
    created: int = 0
    already_imported: int = 0
    errors: list[tuple[int, str, str]] = field(default_factory=list)
    created_organisations: list[str] = field(default_factory=list)
    created_projects: list[str] = field(default_factory=list)
    created_regions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def _header_errors(
    header: list[str], columns: list[str], required: list[str], report: ImportReport
) -> None:
    for column in required:
        if column not in header:
            report.errors.append((1, column, _("This required column is missing.")))
    for column in header:
        if column and column not in columns:
            report.errors.append((1, column, _("Unknown column.")))


class _Lookups:
    """Organisations, projects and regions by name, built once per import."""

    def __init__(self) -> None:
        self.organisations: dict[str, Organisation] = {}
        for org in Organisation.objects.all():
            self.organisations.setdefault(org.name.casefold(), org)
            if org.acronym:
                self.organisations.setdefault(org.acronym.casefold(), org)
        self.projects = {p.code.casefold(): p for p in Project.objects.all()}
        self.regions = {(r.country.code, r.name.casefold()): r for r in Region.objects.all()}


def _count(value: str, row: int, column: str, report: ImportReport) -> int:
    if value == "":
        return 0
    if not value.isdigit():
        report.errors.append(
            (row, column, _("“%(value)s” is not a whole number.") % {"value": value})
        )
        return 0
    return int(value)


def _date(value: str, row: int, column: str, report: ImportReport) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        report.errors.append(
            (row, column, _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value})
        )
        return None


def _codes(value: str, choices: type, row: int, column: str, report: ImportReport) -> list[str]:
    items = [x.strip() for x in value.split(MULTI) if x.strip()]
    bad = [x for x in items if x not in choices.values]
    if bad:
        report.errors.append(
            (row, column, _("Unknown codes: %(codes)s") % {"codes": ", ".join(bad)})
        )
    return [x for x in items if x in choices.values]


def import_sessions(
    *, name: str, stream: IO[bytes], actor: User | None, create_missing: bool = False
) -> ImportReport:
    report = ImportReport()
    header, rows = read_table(name, stream)
    _header_errors(header, COLUMNS, REQUIRED, report)
    report.rows = len(rows)
    if report.errors:
        return report
    if not rows:
        report.errors.append((1, "", _("The file has no rows.")))
        return report
    with transaction.atomic():
        lookups = _Lookups()
        parsed = []
        for number, values in enumerate(rows, start=2):
            data = _parse(number, values, lookups, report, create_missing)
            if data is not None:
                parsed.append((number, data))
        if report.errors:
            transaction.set_rollback(True)
            return report
        seen = set()
        for number, (fields, partners) in parsed:
            identity = (fields["title"], fields["start_date"], fields["organiser"].pk)
            if (
                identity in seen
                or TrainingSession.objects.filter(
                    title=fields["title"],
                    start_date=fields["start_date"],
                    organiser=fields["organiser"],
                ).exists()
            ):
                report.already_imported += 1
                continue
            seen.add(identity)
            try:
                services.session_record(actor=actor, partners=partners, **fields)
            except ValidationError as error:
                for column, messages in error.message_dict.items():
                    for message in messages:
                        report.errors.append((number, column, message))
            else:
                report.created += 1
        if report.errors:
            # All rows or none: a row that fails the session rules undoes the whole file.
            transaction.set_rollback(True)
            report.created = 0
            report.created_organisations = []
            report.created_projects = []
            report.created_regions = []
            return report
        log_action(
            "trainings.import.completed",
            actor=actor,
            data={
                "rows": report.rows,
                "created": report.created,
                "already_imported": report.already_imported,
                "created_organisations": report.created_organisations,
                "created_projects": report.created_projects,
            },
        )
    return report


def _parse(
    number: int,
    values: dict[str, str],
    lookups: _Lookups,
    report: ImportReport,
    create_missing: bool,
) -> tuple[dict[str, Any], list[Organisation]] | None:
    before = len(report.errors)
    title = values.get("title", "").strip()
    if not title:
        report.errors.append((number, "title", _("A value is required.")))
    elif len(title) > 300:
        report.errors.append((number, "title", _("Longer than %(n)s characters.") % {"n": 300}))
    session_type = values.get("session_type", "")
    if session_type not in v.SessionType.values:
        report.errors.append(
            (
                number,
                "session_type",
                _("Use one of: %(codes)s") % {"codes": ", ".join(v.SessionType.values)},
            )
        )
    start = _date(values.get("start_date", ""), number, "start_date", report)
    end = _date(values.get("end_date", ""), number, "end_date", report)
    country = values.get("country", "").upper()
    if country not in dict(countries):
        report.errors.append((number, "country", _("Not an ISO 3166-1 alpha-2 country code.")))
    region = None
    region_name = values.get("region", "")
    if region_name and country in dict(countries):
        region = lookups.regions.get((country, region_name.casefold()))
        if region is None and create_missing and len(region_name) > 120:
            report.errors.append(
                (number, "region", _("Longer than %(n)s characters.") % {"n": 120})
            )
        elif region is None and create_missing:
            region = Region.objects.create(country=country, name=region_name)
            lookups.regions[(country, region_name.casefold())] = region
            report.created_regions.append(f"{region_name} ({country})")
        elif region is None:
            report.errors.append((number, "region", _("Unknown region for this country.")))
    organiser = _organisation(
        values.get("organiser", ""), number, "organiser", lookups, report, create_missing, country
    )
    partners = []
    for partner_name in [x.strip() for x in values.get("partners", "").split(MULTI) if x.strip()]:
        partner = _organisation(
            partner_name, number, "partners", lookups, report, create_missing, country
        )
        if partner is not None:
            partners.append(partner)
    project = None
    code = values.get("project_code", "").strip()
    if code:
        project = lookups.projects.get(code.casefold())
        if project is None and create_missing and len(code) > 40:
            report.errors.append(
                (number, "project_code", _("Longer than %(n)s characters.") % {"n": 40})
            )
        elif project is None and create_missing and start and end:
            donor, _created = Donor.objects.get_or_create(name=_("Donor not stated"))
            project = Project.objects.create(
                code=code,
                title=code,
                donor=donor,
                countries=[country] if country else [],
                start_date=start,
                end_date=max(start, end),
            )
            lookups.projects[code.casefold()] = project
            report.created_projects.append(code)
        elif project is None:
            report.errors.append((number, "project_code", _("Unknown project code.")))
    fields = {
        "title": title,
        "session_type": session_type,
        "start_date": start,
        "end_date": end,
        "country": country,
        "region": region,
        "locality": values.get("locality", "")[:120],
        "organiser": organiser,
        "project": project,
        "audiences": _codes(values.get("audiences", ""), v.Audience, number, "audiences", report),
        "topics": _codes(values.get("topics", ""), v.Topic, number, "topics", report),
        "participants_female": _count(
            values.get("participants_female", ""), number, "participants_female", report
        ),
        "participants_male": _count(
            values.get("participants_male", ""), number, "participants_male", report
        ),
        "participants_other": _count(
            values.get("participants_other", ""), number, "participants_other", report
        ),
        "notes": values.get("notes", ""),
    }
    if not fields["audiences"] and "audiences" not in [c for _r, c, _m in report.errors[before:]]:
        report.errors.append((number, "audiences", _("Choose at least one target audience.")))
    if start and end and end < start:
        report.errors.append((number, "end_date", _("The end date comes before the start date.")))
    return (fields, partners) if len(report.errors) == before else None


def _organisation(
    name: str,
    number: int,
    column: str,
    lookups: _Lookups,
    report: ImportReport,
    create_missing: bool,
    country: str,
) -> Organisation | None:
    name = name.strip()
    if not name:
        report.errors.append((number, column, _("A value is required.")))
        return None
    org = lookups.organisations.get(name.casefold())
    if org is None and create_missing and len(name) > 200:
        report.errors.append((number, column, _("Longer than %(n)s characters.") % {"n": 200}))
    elif org is None and create_missing and country in dict(countries):
        org = Organisation.objects.create(name=name, type=OrganisationType.OTHER, country=country)
        lookups.organisations[name.casefold()] = org
        report.created_organisations.append(name)
    elif org is None:
        report.errors.append((number, column, _("Unknown organisation: %(name)s") % {"name": name}))
    return org


def import_register(
    *, name: str, stream: IO[bytes], session: TrainingSession, actor: User | None
) -> ImportReport:
    """A session's participant register, same rules: all or none, nobody twice."""
    report = ImportReport()
    header, rows = read_table(name, stream)
    _header_errors(header, REGISTER_COLUMNS, ["name", "sex"], report)
    report.rows = len(rows)
    if report.errors:
        return report
    existing = set(session.participants.values_list("name_key", flat=True))
    to_create = []
    for number, values in enumerate(rows, start=2):
        name_value = values.get("name", "").strip()
        if not name_value:
            report.errors.append((number, "name", _("A value is required.")))
            continue
        sex = values.get("sex", "")
        if sex not in v.ParticipantSex.values:
            report.errors.append((number, "sex", _("Use female, male or other.")))
        scores = {}
        for column in ("pre_score", "post_score"):
            raw = values.get(column, "").replace(",", ".")
            if raw:
                try:
                    score = float(raw)
                except ValueError:
                    score = -1
                if not 0 <= score <= 100:
                    report.errors.append((number, column, _("A score from 0 to 100.")))
                    continue
                scores[column] = round(score, 1)
        key = services.participant_key(name_value)
        if key in existing:
            report.already_imported += 1
            continue
        existing.add(key)
        to_create.append(
            Participant(
                session=session,
                name=name_value,
                name_key=key,
                sex=sex,
                organisation=values.get("organisation", "")[:200],
                function=values.get("function", "")[:120],
                phone=values.get("phone", "")[:40],
                email=values.get("email", "")[:200],
                **scores,
            )
        )
    if report.errors:
        return report
    with transaction.atomic():
        Participant.objects.bulk_create(to_create)
        report.created = len(to_create)
        log_action(
            "trainings.register.imported",
            actor=actor,
            target=session,
            data={"rows": report.rows, "created": report.created},
        )
    return report


def export_rows(sessions: Iterable[TrainingSession]) -> Iterator[list[Any]]:
    yield [*COLUMNS, "participants_total"]
    for s in sessions:
        yield [
            s.title,
            s.session_type,
            s.start_date.isoformat(),
            s.end_date.isoformat(),
            str(s.country),
            s.region.name if s.region else "",
            s.locality,
            s.organiser.name,
            MULTI.join(p.name for p in s.partners.all()),
            s.project.code if s.project else "",
            MULTI.join(s.audiences),
            MULTI.join(s.topics),
            s.participants_female,
            s.participants_male,
            s.participants_other,
            s.notes,
            s.participants_total,
        ]


def export(sessions: Iterable[TrainingSession], fmt: str) -> tuple[bytes, str]:
    rows = export_rows(sessions)
    if fmt == "xlsx":
        from openpyxl import Workbook

        workbook = Workbook(write_only=True)
        sheet = workbook.create_sheet("sessions")
        for row in rows:
            sheet.append(row)
        buffer = io.BytesIO()
        workbook.save(buffer)
        return (
            buffer.getvalue(),
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    return ("\ufeff" + text.getvalue()).encode(), "text/csv; charset=utf-8"
