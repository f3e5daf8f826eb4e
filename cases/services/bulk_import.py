"""Write the checked rows of an import file in batches, with the rules of a registration.

The row path (`case._case_create`) costs about twenty statements a case: model validation's
uniqueness look-ups, a case number, person keys, consents, a duplicate query, audit entries.
Here a batch of rows costs a fixed handful whatever its size: the numbers of a year are
allocated in one update, every table is written with one COPY (PostgreSQL) or multi-row
INSERT, the duplicate look-up is one query for the batch, and the audit is one entry per batch
plus each case's own creation entry, written together.

What a registration checks still holds: the field validation of the case and the person (no
database look-up: every reference was resolved once for the file), a child's consent given
by a guardian, the dates; the database checks its constraints. A row refused here is reported
on its row and column and the whole file is undone (`all_or_nothing`).

The rows arrive as the file is read (a second time: `transfer.import_cases` checks every row
first), and only one batch of them, with its cases, persons and keys, is held at a time: the
memory an import takes does not grow with its file."""

from __future__ import annotations

import functools
import gc
import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries.fields import CountryField

from accounts.audit import log_action, log_actions
from accounts.models import User
from accounts.policy import Action, can
from cases import signals
from cases.models import (
    Case,
    Consent,
    DuplicateFlag,
    Person,
    PersonKey,
    StatusChange,
)
from cases.services import identity
from cases.services.case import (
    CASE_FIELDS,
    EXPLOITATION_FIELDS,
    PERSON_FIELDS,
    PERSONAL_FIELDS,
    _audit_value,
    _derive_person_facts,
    numbers_reserve,
)
from partners.models import Organisation
from traffick_cm import bulk, crypto
from traffick_cm import codebooks as v
from traffick_cm.imports import ImportReport, all_or_nothing

BATCH_SIZE = 1000
# Foreign keys are resolved once per file by the parser; validating them again would cost a
# query per row and field.
REFERENCES = (
    "organisation",
    "created_by",
    "primary_caseworker",
    "identified_region",
    "referring_organisation",
    "project",
    "case",
)

Progress = Callable[[int], None]
M = TypeVar("M", bound=models.Model)


@functools.cache
def _unchecked(model: type[models.Model]) -> tuple[str, ...]:
    """The fields validation skips: references (see REFERENCES) and fields with choices
    (countries included), which the parser resolved against the codebook already; checking
    a value against two hundred countries for every row is most of a row's cost."""
    return REFERENCES + tuple(
        f.name for f in model._meta.concrete_fields if f.choices or isinstance(f, CountryField)
    )


@dataclass
class _Row:
    number: int
    data: dict[str, Any]
    case: Case
    person: Person


def write_cases(
    rows: Iterable[tuple[int, dict[str, Any]]],
    report: ImportReport,
    *,
    organisation: Organisation,
    actor: User | None,
    progress: Progress | None = None,
    batch_size: int | None = None,
) -> None:
    """Create the cases of the rows not imported before, all or none. `rows` are (row
    number, parsed values) in the file's order, read as they are needed: only one batch is
    held at a time. `progress` is told how many rows were written (or found imported
    already) after each batch."""
    batch_size = batch_size or BATCH_SIZE
    primary = actor if actor is not None and can(actor, "case_assignee", Action.CHANGE) else None
    rows, done = iter(rows), 0
    # Where and when the created cases were identified, told to the apps above once, after
    # the last batch (the figures of a month are recounted once, not once a batch).
    identified: set[tuple[str, Any]] = set()
    with all_or_nothing(report):
        while True:
            # Names normalised once per batch (each row's keys are computed from the same
            # names several times) and forgotten after it, as is everything of the batch.
            with _collector_paused(), crypto.names_memoised():
                read = _next_batch(
                    rows,
                    batch_size,
                    report,
                    organisation=organisation,
                    actor=actor,
                    primary=primary,
                    identified=identified,
                )
            if not read or not report.ok:
                break
            done += read
            if progress is not None:
                progress(done)
        if report.ok and identified:
            signals.cases_created.send(sender=Case, identified=identified)
        if report.ok:
            log_action(
                "cases.import.completed",
                actor=actor,
                data={"organisation": organisation.pk, **report.totals()},
            )


def _next_batch(
    rows: Iterator[tuple[int, dict[str, Any]]],
    size: int,
    report: ImportReport,
    *,
    organisation: Organisation,
    actor: User | None,
    primary: User | None,
    identified: set[tuple[str, Any]],
) -> int:
    """Read (parse) the next rows and write those not imported before; how many were read.
    Nothing of the batch outlives the call but where and when its cases were identified
    (added to `identified`)."""
    batch = list(itertools.islice(rows, size))
    if batch:
        fresh = _not_imported_before(batch, organisation)
        report.already_imported += len(batch) - len(fresh)
        created = _write_batch(
            fresh, report, organisation=organisation, actor=actor, primary=primary
        )
        report.created += len(created)
        for row in created:
            country = row.case.identified_country
            identified.add((getattr(country, "code", country) or "", row.case.identified_on))
    return len(batch)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector paused while a batch is read and written. The batch's objects
    live until it is written, so the collector would move them to its oldest generation and
    then sweep the whole heap every other batch, a fifth of an import's time. When the batch
    is done none of them is referenced any more: the collector, running again, frees those
    that refer to each other (a case and its person) at its first pass over the youngest
    generation, where they all still are."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _import_lookup(data: dict[str, Any]) -> dict[str, Any]:
    """What the import key of a row without external_id is computed from."""
    person = data["person_data"]
    born = person.get("date_of_birth")
    return {
        "names": [
            person.get("first_name", ""),
            person.get("middle_name", ""),
            person.get("last_name", ""),
        ],
        "date_of_birth": born.isoformat() if born else "",
        "citizenships": list(data.get("citizenships") or []),
    }


def _not_imported_before(
    batch: list[tuple[int, dict[str, Any]]], organisation: Organisation
) -> list[tuple[int, dict[str, Any]]]:
    """The rows of the batch that no earlier import of the organisation wrote: matched on
    external_id, or for a row without one, on its import key (one query each)."""
    external_ids = [d["external_id"] for _n, d in batch if d.get("external_id")]
    seen_ids = set(
        Case.objects.filter(organisation=organisation, external_id__in=external_ids)
        .order_by()
        .values_list("external_id", flat=True)
        if external_ids
        else []
    )
    lookups = {
        number: crypto.import_lookup_keys(**_import_lookup(data))
        for number, data in batch
        if not data.get("external_id")
    }
    wanted = [key for keys in lookups.values() for key in keys]
    seen_keys = set(
        PersonKey.objects.filter(
            bulk.one_of("key", wanted),
            kind=PersonKey.Kind.IMPORT,
            organisation=organisation,
        ).values_list("key", flat=True)
        if wanted
        else []
    )
    fresh = []
    for number, data in batch:
        if data.get("external_id"):
            if data["external_id"] not in seen_ids:
                fresh.append((number, data))
        elif not seen_keys.intersection(lookups[number]):
            fresh.append((number, data))
    return fresh


def _write_batch(
    batch: list[tuple[int, dict[str, Any]]],
    report: ImportReport,
    *,
    organisation: Organisation,
    actor: User | None,
    primary: User | None,
) -> list[_Row]:
    rows = [
        row
        for number, data in batch
        if (
            row := _prepared(
                number, data, report, organisation=organisation, actor=actor, primary=primary
            )
        )
    ]
    if not report.ok or not rows:
        return []
    _allocate_numbers(rows, organisation)
    cases = bulk.insert([row.case for row in rows])
    for row in rows:
        row.person.case = row.case
    bulk.insert([row.person for row in rows])
    if primary is not None:
        through = Case.caseworkers.through
        bulk.insert([through(case_id=row.case.pk, user_id=primary.pk) for row in rows])
    bulk.insert_rows(
        PersonKey,
        ("person", "case", "organisation", "kind", "key"),
        (
            (row.person.pk, row.case.pk, organisation.pk, kind, key)
            for row in rows
            for kind, key in _keys(row)
        ),
    )
    bulk.insert([consent for row in rows for consent in _consents(row, actor)])
    now = timezone.now()
    bulk.insert_rows(
        StatusChange,
        ("case", "from_status", "to_status", "changed_by", "changed_at", "note"),
        ((case.pk, "", case.status, actor.pk if actor else None, now, "") for case in cases),
    )
    flags = _flag_duplicates(rows, now)
    batch_entry = log_action(
        "cases.import.batch",
        actor=actor,
        data={
            "organisation": organisation.pk,
            "cases": [row.case.pk for row in rows],
            "rows": [row.number for row in rows],
        },
    )
    log_actions(
        "cases.case.created",
        actor=actor,
        entries=[
            (
                row.case,
                {
                    "case_number": row.case.case_number,
                    "status": row.case.status,
                    "possible_duplicates": flags.get(row.case.pk, 0),
                    "via": "import",
                    "batch": batch_entry.pk,
                    **{
                        k: _audit_value(k, row.data["person_data"].get(k))
                        for k in PERSONAL_FIELDS
                        if k in row.data["person_data"]
                    },
                },
            )
            for row in rows
        ],
    )
    return rows


def _prepared(
    number: int,
    data: dict[str, Any],
    report: ImportReport,
    *,
    organisation: Organisation,
    actor: User | None,
    primary: User | None,
) -> _Row | None:
    """The unsaved case and person of a row, validated as a registration validates them, or
    None with the row's errors in the report."""
    today = report.today
    case_data, person_data = data["case_data"], data["person_data"]
    status = data["status"]
    values = {
        "organisation": organisation,
        "created_by": actor,
        "registered_on": today,
        "primary_caseworker": primary,
        "status": status,
        "closed_on": today if status in v.TERMINAL_STATUSES else None,
        "case_number": "-",
        **{k: case_data[k] for k in (*CASE_FIELDS, *EXPLOITATION_FIELDS) if k in case_data},
    }
    case = _new(Case, values)
    person = _new(Person, {k: person_data[k] for k in PERSON_FIELDS if k in person_data})
    _derive_person_facts(case, person, sex=data["sex"], citizenships=data["citizenships"])
    errors: dict[str, list[str]] = {}
    if case.identified_on > today:
        errors["identified_on"] = [_("The date of identification is in the future.")]
    for obj in (case, person):
        try:
            obj.clean_fields(exclude=_unchecked(type(obj)))
        except ValidationError as error:
            for column, messages in error.message_dict.items():
                errors.setdefault(column, []).extend(messages)
    for column, messages in errors.items():
        for message in messages:
            report.error(number, column, message)
    if errors:
        return None
    return _Row(number=number, data=data, case=case, person=person)


def _new(model: type[M], values: dict[str, Any]) -> M:
    """An unsaved instance from field values (a reference as its object, or None), its other
    fields at their defaults. Built from every column's value in order, as Model.from_db
    builds one: a third of the cost of keyword arguments, whose references go through
    their descriptors (the instance does not cache the referenced objects)."""
    names, defaults = _layout(model)
    stored = {}
    for name, value in values.items():
        attname, reference = names[name]
        stored[attname] = value.pk if reference and value is not None else value
    return model(
        *[
            stored[attname] if attname in stored else (make() if make else default)
            for attname, default, make in defaults
        ]
    )


@functools.cache
def _layout(model: type[models.Model]) -> tuple[dict[str, tuple[str, bool]], list[tuple]]:
    """For `_new`: each field's column attribute by name (and whether it is a reference),
    and each column's default in order, or the callable that makes a fresh one."""
    fields = model._meta.concrete_fields
    names = {f.name: (f.attname, f.is_relation) for f in fields}
    defaults = [
        (f.attname, None, f.get_default)
        if f.has_default() and callable(f.default)
        else (f.attname, f.get_default(), None)
        for f in fields
    ]
    return names, defaults


def _keys(row: _Row) -> list[tuple[str, str]]:
    """The (kind, key) pairs of the row's person: as plain values, tens of thousands a
    batch, written without a model instance each."""
    keys = identity.key_pairs(row.person, citizenships=row.case.citizenships)
    # The row's import key, computed when the row was checked (transfer._identity_key).
    if not row.case.external_id and (key := row.data["identity_key"]):
        keys.append((PersonKey.Kind.IMPORT, key))
    return keys


def _consents(row: _Row, actor: User | None) -> list[Consent]:
    """Consent to data collection, recorded in writing on the day of identification, given
    by a guardian for a child; none when the file did not record it (the case then shows
    consent "not recorded", and nothing of it can be shared until it is)."""
    if row.data.get("consent", True) is not True:
        return []
    return [
        _new(
            Consent,
            {
                "case": row.case,
                "scope": v.ConsentScope.DATA_COLLECTION,
                "granted": True,
                "given_by": v.ConsentGiver.GUARDIAN if row.case.is_child else v.ConsentGiver.PERSON,
                "method": v.ConsentMethod.WRITTEN,
                "given_on": row.case.identified_on,
                "recorded_by": actor,
            },
        )
    ]


def _allocate_numbers(rows: list[_Row], organisation: Organisation) -> None:
    """Case numbers, the country's next ones for each year of identification: one locked
    update per year and batch, in row order."""
    prefix = organisation.country.code
    by_year: dict[int, list[_Row]] = defaultdict(list)
    for row in rows:
        by_year[row.case.identified_on.year].append(row)
    for year, of_year in sorted(by_year.items()):
        first = numbers_reserve(prefix=prefix, year=year, count=len(of_year))
        for offset, row in enumerate(of_year):
            row.case.case_number = f"{prefix}-{year}-{first + offset:05d}"


def _duplicate_lookups(row: _Row) -> Iterable[str]:
    if row.person.birth_year is None:
        return []
    return identity.duplicate_lookup_keys(
        names=identity.names_of(row.person),
        birth_year=row.person.birth_year,
        citizenships=row.case.citizenships,
    )


def _flag_duplicates(rows: list[_Row], now: datetime) -> dict[int, int]:
    """Flag each new case against the cases registered before it, in any organisation (and
    earlier rows of the file), as the registration does: one query for the batch, after its
    keys are written. Returns the number of flags per case."""
    lookups = {row.case.pk: set(_duplicate_lookups(row)) for row in rows}
    wanted = set().union(*lookups.values())
    if not wanted:
        return {}
    holders: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for key, case_id, organisation_id in PersonKey.objects.filter(
        bulk.one_of("key", wanted), kind=PersonKey.Kind.DUPLICATE
    ).values_list("key", "case_id", "organisation_id"):
        holders[key].append((case_id, organisation_id))
    # (case, other case, same organisation): as plain values, several a case where names
    # are common, written without a model instance each.
    flags: list[tuple[int, int, bool]] = []
    for row in rows:
        case = row.case
        others = {
            (other, organisation_id)
            for key in lookups[case.pk]
            for other, organisation_id in holders.get(key, ())
            if other < case.pk
        }
        flags += [
            (case.pk, other, organisation_id == case.organisation_id)
            for other, organisation_id in sorted(others)
        ]
    if not flags:
        return {}
    # The cases are new: no pair can exist already.
    bulk.insert_rows(
        DuplicateFlag,
        ("case", "other_case", "same_organisation", "created_at"),
        ((*flag, now) for flag in flags),
    )
    counts: dict[int, int] = defaultdict(int)
    for case_id, _other, _same in flags:
        counts[case_id] += 1
    flagged = set(counts)
    Case.objects.filter(pk__in=flagged).update(possible_duplicate=True)
    for row in rows:
        row.case.possible_duplicate = row.case.pk in flagged
    return counts
