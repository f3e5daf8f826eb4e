"""Sessions in and out of files.

Import columns, exactly: title, session_type, start_date, end_date, country, region, locality,
organiser, partners, project_code, audiences, topics, participants_female, participants_male,
participants_other, notes. Multi-values separated by ";"; dates ISO 8601; country ISO 3166-1
alpha-2; organisations matched by name or acronym, case-insensitively. The file is read, its
header checked, its cells parsed and written all or nothing by the app's one import framework
(traffick_cm/imports.py); the same title, start date and organiser is the same session, so a
file imported again creates nothing new.

Whose sessions: on the import page every session is the importer's organisation's, and a
file names only what the session form would offer (see `import_sessions`); the command line,
an operator's tool, may name any organiser. Exports go through traffick_cm.tables, which
neutralises formula injection. A session's participant register comes in through
register.py, with the same framework."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can
from partners.models import Organisation, OrganisationType, Region
from programmes.models import Donor, Project
from traffick_cm import tables
from traffick_cm.imports import (
    MULTI,
    Cells,
    ImportReport,
    all_or_nothing,
    check_header,
    read_sheet,
)
from trainings import selectors
from trainings import vocabularies as v
from trainings.models import TrainingSession
from trainings.services import sessions

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
COUNT_COLUMNS = ("participants_female", "participants_male", "participants_other")


@dataclass
class SessionImportReport(ImportReport):
    """The framework's report, with the reference data the file had created (names shown
    to the importer; emptied when the file is refused, since its writes are undone)."""

    created_organisations: list[str] = field(default_factory=list)
    created_projects: list[str] = field(default_factory=list)
    created_regions: list[str] = field(default_factory=list)

    def forget_created(self) -> None:
        self.created_organisations = []
        self.created_projects = []
        self.created_regions = []


class _Lookups:
    """Organisations, projects and regions by name, built once per import, and what the
    importer may name: with an acting user, the lists the session form offers them."""

    def __init__(self, actor: User | None) -> None:
        self.organisations: dict[str, Organisation] = {}
        for org in Organisation.objects.all():
            self.organisations.setdefault(org.name.casefold(), org)
            if org.acronym:
                self.organisations.setdefault(org.acronym.casefold(), org)
        self.projects = {p.code.casefold(): p for p in Project.objects.all()}
        self.regions = {(r.country.code, r.name.casefold()): r for r in Region.objects.all()}
        if actor is None:
            # An operator at the command line: any organiser, partner or project.
            self.own: Organisation | None = None
            self.partner_ids: set[int] | None = None
            self.project_ids: set[int] | None = None
        else:
            self.own = actor.organisation
            self.partner_ids = set(
                selectors.partner_choices(actor=actor).values_list("pk", flat=True)
            )
            self.project_ids = set(
                selectors.project_choices(actor=actor).values_list("pk", flat=True)
            )


def import_sessions(
    *, name: str, stream: IO[bytes], actor: User | None, create_missing: bool = False
) -> SessionImportReport:
    """Sessions from a file. With an acting user (the import page), every session is the
    user's organisation's: a row naming another organiser, a project the session form would
    not offer, or a partner that is not in the directory is an error; only a user who may
    create reference data (an administrator) may have unknown partners, projects and regions
    created. Without one (an operator at the command line), any organiser may be named."""
    if actor is not None:
        if not can(actor, "training", Action.CREATE):
            raise PermissionDenied
        if create_missing and not can(actor, "reference_data", Action.CREATE):
            raise PermissionDenied
    report = SessionImportReport()
    sheet = read_sheet(name, stream)
    check_header(sheet.header, report, required=COLUMNS, known=COLUMNS)
    report.rows = len(sheet.rows)
    if report.errors:
        return report
    if not sheet.rows:
        report.error(1, "", _("The file has no rows."))
        return report
    if actor is not None and actor.organisation_id is None:
        report.error(
            1, "organiser", _("Your account belongs to no organisation to organise sessions.")
        )
        return report
    with all_or_nothing(report):
        lookups = _Lookups(actor)
        parsed = [
            (number, data)
            for number, values in sheet.rows
            if (data := _parse(Cells(number, values, report), lookups, create_missing))
        ]
        if report.ok:
            _record(parsed, actor, report)
        if report.ok:
            log_action(
                "trainings.import.completed",
                actor=actor,
                data={
                    **report.totals(),
                    "created_organisations": report.created_organisations,
                    "created_projects": report.created_projects,
                    "created_regions": report.created_regions,
                },
            )
    if not report.ok:
        report.forget_created()
    return report


def _record(
    parsed: list[tuple[int, tuple[dict[str, Any], list[Organisation]]]],
    actor: User | None,
    report: SessionImportReport,
) -> None:
    """Record each new session through the session service; a session already recorded, or
    named twice in the file, counts as already imported. A row the session rules refuse is
    an error on its row (and undoes the file)."""
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
            sessions.session_record(actor=actor, partners=partners, **fields)
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                for message in messages:
                    report.error(number, column, message)
        else:
            report.created += 1


def _parse(
    cells: Cells, lookups: _Lookups, create_missing: bool
) -> tuple[dict[str, Any], list[Organisation]] | None:
    """The session's fields and partners, or None when the row has an error."""
    title = cells.text("title", max_length=300, required=True)
    session_type = cells.choice("session_type", v.SessionType, exact=True)
    start = cells.date("start_date", required=True)
    end = cells.date("end_date", required=True)
    country = cells.country("country", required=True)
    region = _region(cells, lookups, create_missing, country)
    organiser = _organiser(cells, lookups, create_missing, country)
    partners = _partners(cells, lookups, create_missing, country)
    project = _project(cells, lookups, create_missing, country, start, end)
    audiences = cells.choices("audiences", v.Audience, exact=True)
    fields = {
        "title": title,
        "session_type": session_type,
        "start_date": start,
        "end_date": end,
        "country": country,
        "region": region,
        "locality": cells.raw("locality")[:120],
        "organiser": organiser,
        "project": project,
        "audiences": audiences,
        "topics": cells.choices("topics", v.Topic, exact=True),
        **{column: cells.count(column, default=0) for column in COUNT_COLUMNS},
        "notes": cells.raw("notes"),
    }
    if not any(item.strip() for item in cells.raw("audiences").split(MULTI)):
        cells.error("audiences", _("Choose at least one target audience."))
    if start and end and end < start:
        cells.error("end_date", _("The end date comes before the start date."))
    return (fields, partners) if cells.ok else None


def _region(cells: Cells, lookups: _Lookups, create_missing: bool, country: str) -> Region | None:
    """A region of the session's country; with create_missing, an unknown one is created."""
    name = cells.raw("region")
    if not (name and country):
        return None
    region = lookups.regions.get((country, name.casefold()))
    if region is not None:
        return region
    if not create_missing:
        cells.error("region", _("Unknown region for this country."))
    elif len(name) > 120:
        cells.error("region", _("Longer than %(n)s characters.") % {"n": 120})
    else:
        region = Region.objects.create(country=country, name=name)
        lookups.regions[(country, name.casefold())] = region
        cells.report.created_regions.append(f"{name} ({country})")
    return region


def _organiser(
    cells: Cells, lookups: _Lookups, create_missing: bool, country: str
) -> Organisation | None:
    """The importer's organisation, whatever the file says: a row naming another one is an
    error, never silently replaced (nor created)."""
    own = lookups.own
    if own is None:
        return _organisation(
            cells, "organiser", cells.raw("organiser"), lookups, create_missing, country
        )
    name = cells.raw("organiser")
    if not name:
        cells.error("organiser", _("A value is required."))
        return None
    if name.casefold() not in {own.name.casefold(), own.acronym.casefold()} - {""}:
        cells.error(
            "organiser",
            _("The organiser must be your organisation, %(own)s; this row names %(name)s.")
            % {"own": own.name, "name": name},
        )
        return None
    return own


def _partners(
    cells: Cells, lookups: _Lookups, create_missing: bool, country: str
) -> list[Organisation]:
    """The co-organising partners the session form would offer."""
    partners = []
    for name in [x.strip() for x in cells.raw("partners").split(MULTI) if x.strip()]:
        partner = _organisation(cells, "partners", name, lookups, create_missing, country)
        if partner is None:
            continue
        if lookups.partner_ids is not None and partner.pk not in lookups.partner_ids:
            cells.error(
                "partners",
                _("%(name)s cannot be named as a co-organising partner.") % {"name": name},
            )
            continue
        partners.append(partner)
    return partners


def _project(
    cells: Cells,
    lookups: _Lookups,
    create_missing: bool,
    country: str,
    start: date | None,
    end: date | None,
) -> Project | None:
    """A project the session form would offer; with create_missing, a code nobody uses yet
    becomes a project (of the importer's organisation, when there is an importer)."""
    code = cells.raw("project_code")
    if not code:
        return None
    project = lookups.projects.get(code.casefold())
    if project is not None:
        if lookups.project_ids is not None and project.pk not in lookups.project_ids:
            cells.error("project_code", _("This is not a project of your organisation."))
            return None
        return project
    if not create_missing:
        cells.error("project_code", _("Unknown project code."))
        return None
    if len(code) > 40:
        cells.error("project_code", _("Longer than %(n)s characters.") % {"n": 40})
        return None
    if not (start and end):
        return None  # the dates are in error already
    donor, _created = Donor.objects.get_or_create(name=_("Donor not stated"))
    project = Project.objects.create(
        code=code,
        title=code,
        donor=donor,
        countries=[country] if country else [],
        start_date=start,
        end_date=max(start, end),
    )
    if lookups.own is not None:
        project.organisations.set([lookups.own])
        lookups.project_ids.add(project.pk)
    lookups.projects[code.casefold()] = project
    cells.report.created_projects.append(code)
    return project


def _organisation(
    cells: Cells,
    column: str,
    name: str,
    lookups: _Lookups,
    create_missing: bool,
    country: str,
) -> Organisation | None:
    """An organisation of the directory by name or acronym; with create_missing, an unknown
    one is created in the session's country."""
    if not name:
        cells.error(column, _("A value is required."))
        return None
    org = lookups.organisations.get(name.casefold())
    if org is None and create_missing and len(name) > 200:
        cells.error(column, _("Longer than %(n)s characters.") % {"n": 200})
    elif org is None and create_missing and country:
        org = Organisation.objects.create(name=name, type=OrganisationType.OTHER, country=country)
        lookups.organisations[name.casefold()] = org
        if lookups.partner_ids is not None:
            lookups.partner_ids.add(org.pk)
        cells.report.created_organisations.append(name)
    elif org is None:
        cells.error(column, _("Unknown organisation: %(name)s") % {"name": name})
    return org


def export_rows(sessions: Iterable[TrainingSession]) -> Iterator[list[Any]]:
    yield [*COLUMNS, "participants_total"]
    for s in sessions:
        yield [
            s.title,
            s.session_type,
            s.start_date,
            s.end_date,
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
    """The sessions as CSV or XLSX (formula injection neutralised by traffick_cm.tables)."""
    fmt = "xlsx" if fmt == "xlsx" else "csv"
    return tables.write_table(export_rows(sessions), fmt, sheet="sessions"), tables.CONTENT_TYPES[
        fmt
    ]


def export_for(*, actor: User, sessions: QuerySet[TrainingSession], fmt: str) -> tuple[bytes, str]:
    """The sessions a user exports, audited (format and count, no session content)."""
    exported = export(sessions.prefetch_related("partners"), fmt)
    log_action(
        "trainings.sessions.exported", actor=actor, data={"format": fmt, "count": sessions.count()}
    )
    return exported
