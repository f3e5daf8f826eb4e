"""Sessions in and out of files.

Import columns, exactly: title, session_type, start_date, end_date, country, region, locality,
organiser, partners, project_code, audiences, topics, participants_female, participants_male,
participants_other, notes. Multi-values separated by ";"; dates ISO 8601; country ISO 3166-1
alpha-2; organisations matched by name or acronym, case-insensitively. All rows or none; the
same title, start date and organiser is the same session, so a file imported again creates
nothing new.

Whose sessions: on the import page every session is the importer's organisation's, and a
file names only what the session form would offer (see `import_sessions`); the command line,
an operator's tool, may name any organiser. Exports go through traffick_cm.tables, which
neutralises formula injection."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_countries import countries

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can, can_on
from partners.models import Organisation, OrganisationType, Region
from programmes.models import Donor, Project
from traffick_cm import tables
from traffick_cm.forms import EARLIEST, LATEST
from traffick_cm.tables import read_table
from trainings import selectors, services
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


MAX_COUNT = 2**31 - 1


def _count(value: str, row: int, column: str, report: ImportReport) -> int:
    if value == "":
        return 0
    # ASCII digits only (str.isdigit accepts "¹", which int() refuses), and no more than the
    # column holds.
    if not (value.isascii() and value.isdigit()) or int(value) > MAX_COUNT:
        report.errors.append(
            (row, column, _("“%(value)s” is not a whole number.") % {"value": value[:20]})
        )
        return 0
    return int(value)


def _date(value: str, row: int, column: str, report: ImportReport) -> date | None:
    try:
        parsed = date.fromisoformat(value)
    except ValueError:
        report.errors.append(
            (row, column, _("“%(value)s” is not a date as YYYY-MM-DD.") % {"value": value})
        )
        return None
    if not EARLIEST <= parsed <= LATEST:
        report.errors.append(
            (
                row,
                column,
                _("Enter a date between %(earliest)s and %(latest)s.")
                % {"earliest": EARLIEST.year, "latest": LATEST.year},
            )
        )
        return None
    return parsed


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
    report = ImportReport()
    header, rows = read_table(name, stream)
    _header_errors(header, COLUMNS, REQUIRED, report)
    report.rows = len(rows)
    if report.errors:
        return report
    if not rows:
        report.errors.append((1, "", _("The file has no rows.")))
        return report
    if actor is not None and actor.organisation_id is None:
        report.errors.append(
            (1, "organiser", _("Your account belongs to no organisation to organise sessions."))
        )
        return report
    with transaction.atomic():
        lookups = _Lookups(actor)
        parsed = []
        for number, values in enumerate(rows, start=2):
            data = _parse(number, values, lookups, report, create_missing)
            if data is not None:
                parsed.append((number, data))
        if report.errors:
            transaction.set_rollback(True)
            _forget_created(report)
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
            _forget_created(report)
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
                "created_regions": report.created_regions,
            },
        )
    return report


def _forget_created(report: ImportReport) -> None:
    """The file was refused: what it would have created was rolled back with it."""
    report.created_organisations = []
    report.created_projects = []
    report.created_regions = []


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
    organiser = _organiser(
        values.get("organiser", ""), number, lookups, report, create_missing, country
    )
    partners = []
    for partner_name in [x.strip() for x in values.get("partners", "").split(MULTI) if x.strip()]:
        partner = _organisation(
            partner_name, number, "partners", lookups, report, create_missing, country
        )
        if partner is None:
            continue
        if lookups.partner_ids is not None and partner.pk not in lookups.partner_ids:
            report.errors.append(
                (
                    number,
                    "partners",
                    _("%(name)s cannot be named as a co-organising partner.")
                    % {"name": partner_name},
                )
            )
            continue
        partners.append(partner)
    project = _project(
        values.get("project_code", "").strip(),
        number,
        lookups,
        report,
        create_missing,
        country,
        start,
        end,
    )
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


def _organiser(
    name: str,
    number: int,
    lookups: _Lookups,
    report: ImportReport,
    create_missing: bool,
    country: str,
) -> Organisation | None:
    """The importer's organisation, whatever the file says: a row naming another one is an
    error, never silently replaced (nor created)."""
    own = lookups.own
    if own is None:
        return _organisation(name, number, "organiser", lookups, report, create_missing, country)
    name = name.strip()
    if not name:
        report.errors.append((number, "organiser", _("A value is required.")))
        return None
    if name.casefold() not in {own.name.casefold(), own.acronym.casefold()} - {""}:
        report.errors.append(
            (
                number,
                "organiser",
                _("The organiser must be your organisation, %(own)s; this row names %(name)s.")
                % {"own": own.name, "name": name},
            )
        )
        return None
    return own


def _project(
    code: str,
    number: int,
    lookups: _Lookups,
    report: ImportReport,
    create_missing: bool,
    country: str,
    start: date | None,
    end: date | None,
) -> Project | None:
    """A project the session form would offer; with create_missing, a code nobody uses yet
    becomes a project (of the importer's organisation, when there is an importer)."""
    if not code:
        return None
    project = lookups.projects.get(code.casefold())
    if project is not None:
        if lookups.project_ids is not None and project.pk not in lookups.project_ids:
            report.errors.append(
                (number, "project_code", _("This is not a project of your organisation."))
            )
            return None
        return project
    if not create_missing:
        report.errors.append((number, "project_code", _("Unknown project code.")))
        return None
    if len(code) > 40:
        report.errors.append(
            (number, "project_code", _("Longer than %(n)s characters.") % {"n": 40})
        )
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
    report.created_projects.append(code)
    return project


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
        if lookups.partner_ids is not None:
            lookups.partner_ids.add(org.pk)
        report.created_organisations.append(name)
    elif org is None:
        report.errors.append((number, column, _("Unknown organisation: %(name)s") % {"name": name}))
    return org


def import_register(
    *, name: str, stream: IO[bytes], session: TrainingSession, actor: User | None
) -> ImportReport:
    """A session's participant register, same rules: all or none, nobody twice. A person
    imports only into a register they may change (their organisation's sessions); the file
    creates participants of this session and nothing else."""
    if actor is not None and not can_on(actor, "training_register", Action.CHANGE, session):
        raise PermissionDenied
    report = ImportReport()
    header, rows = read_table(name, stream)
    _header_errors(header, REGISTER_COLUMNS, ["name", "sex"], report)
    report.rows = len(rows)
    if report.errors:
        return report
    candidates: list[Participant] = []
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
        candidates.append(
            Participant(
                session=session,
                name=name_value,
                name_key=services.participant_key(name_value),
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
        # The session locked: two imports (or an import and a hand entry) at once add nobody
        # twice, and never fail on the register's unique constraint.
        TrainingSession.objects.select_for_update().only("pk").get(pk=session.pk)
        existing = set(session.participants.values_list("name_key", flat=True))
        to_create = []
        for participant in candidates:
            if participant.name_key in existing:
                report.already_imported += 1
                continue
            existing.add(participant.name_key)
            to_create.append(participant)
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
