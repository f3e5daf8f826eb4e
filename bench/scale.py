"""Synthetic data at scale for the benchmark: PostgreSQL COPY in chunks, no per-row ORM save.

Personal fields are stored as the app stores them: Fernet tokens that decrypt with the
configured keys, and the keyed search and duplicate hashes. To keep a million persons fast,
each distinct value of the synthetic name, phone and address pools is encrypted once and its
token reused (real data encrypts every value with its own random IV); search, duplicate
detection and decryption work exactly as on real data.

Loading is fastest into bare tables: `bare_tables` drops the secondary indexes, unique
constraints and foreign keys of the tables to load (PostgreSQL would otherwise update every
index row by row and check every foreign key row by row at commit) and gives back what it
dropped; `rebuild` puts every one back under its own name, built in bulk and validated, so
that the schema is again exactly as the migrations left it."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import JSONField

from traffick_cm import codebooks as cv

CITIZENSHIPS = (
    ["CF"] * 30
    + ["GN"] * 18
    + ["ML"] * 14
    + ["NG"] * 14
    + ["NE"] * 6
    + ["TD"] * 6
    + ["BF"] * 5
    + ["CM"] * 4
    + ["SN"] * 3
)
EXPLOITATION = (
    ["ForcedLabour"] * 40
    + ["SexualExploitation"] * 35
    + ["ForcedBegging"] * 7
    + ["Servitude"] * 6
    + ["ChildLabour"] * 5
    + ["ForcedMarriage"] * 4
    + ["ForcedMilitaryByNonStateActors"] * 2
    + ["Other"]
)
STATUSES = (
    ["screening"] * 8
    + ["open"] * 14
    + ["assistance"] * 25
    + ["reintegration"] * 15
    + ["follow_up"] * 13
    + ["closed"] * 18
    + ["not_a_victim"] * 3
    + ["transferred"] * 4
)
REFERRAL_STATES = (
    ["sent"] * 10
    + ["accepted"] * 15
    + ["declined"] * 8
    + ["in_progress"] * 15
    + ["completed"] * 40
    + ["closed_no_service"] * 6
    + ["cancelled"] * 4
    + ["draft"] * 2
)
SERVICES = [s.value for s in cv.ServiceType]
NOTE_TEXTS = [
    "Entretien de suivi.",
    "Visite à domicile réalisée.",
    "Orientée vers le centre.",
    "Contact avec la famille.",
    "Besoin d'appui psychosocial.",
    "Rendez-vous médical.",
]
NULL = "\\N"

# Dates as day numbers from FIRST_DAY, their COPY text looked up rather than formatted.
FIRST_DAY = date(2015, 1, 1)
DAYS = [(FIRST_DAY + timedelta(days=n)).isoformat() for n in range(15 * 366)]
YEARS = [(FIRST_DAY + timedelta(days=n)).year for n in range(len(DAYS))]
# Times of day of office hours, UTC, to complete a date into a timestamp.
TIMES = [f" {hour:02d}:{minute:02d}:00+00" for hour in range(7, 19) for minute in range(60)]


def day(d: date) -> int:
    return (d - FIRST_DAY).days


def copy_text(value: object) -> str:
    """A value as COPY's text format writes it."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | Decimal | date):
        return str(value)
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class Table:
    """The COPY columns of a model: those the generator writes, in its order, then the
    `fixed` ones and every other stored column at its default, as one constant suffix (a
    column added by a later migration needs no change here unless it has no default)."""

    def __init__(self, model, columns: list[str], fixed: dict[str, object] | None = None) -> None:
        fixed = fixed or {}
        self.name = model._meta.db_table
        fields = {
            f.column: f for f in model._meta.concrete_fields if not getattr(f, "generated", False)
        }
        unknown = (set(columns) | set(fixed)) - set(fields)
        if unknown:
            raise ValueError(f"{self.name}: no column {sorted(unknown)}")
        rest = [f for c, f in fields.items() if c not in columns and not f.primary_key]
        self.columns = columns + [f.column for f in rest]
        self.suffix = (
            "".join(
                "\t" + (copy_text(fixed[f.column]) if f.column in fixed else self._default(f))
                for f in rest
            )
            + "\n"
        )

    @staticmethod
    def _default(f) -> str:
        value = f.get_default()
        if isinstance(f, JSONField):
            return copy_text(json.dumps(value))
        return copy_text(f.get_db_prep_save(value, connection))


def copy(table: str, columns: list[str], text: str) -> None:
    """COPY rows already in COPY text format (one line each) into a table."""
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copier:
        for start in range(0, len(text), 1 << 22):
            copier.write(text[start : start + (1 << 22)])


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    start = 0
    while start < total:
        yield start, min(size, total - start)
        start += size


ProgressFn = Callable[[str], None]


# Bare tables for the load, and the schema back afterwards ---------------------------------


@dataclass
class Dropped:
    """One table's secondary indexes, unique constraints and foreign keys, as definitions."""

    table: str
    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements
    uniques: list[tuple[str, str]] = field(default_factory=list)  # (name, definition)
    foreign_keys: list[tuple[str, str]] = field(default_factory=list)

    def size(self) -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_relation_size(%s)", [self.table])
            return cursor.fetchone()[0]


def bare_tables(tables: list[str]) -> list[Dropped]:
    """Drop the secondary indexes, unique constraints and foreign keys of `tables` (primary
    keys and check constraints stay); returns their definitions for `rebuild`."""
    dropped = {table: Dropped(table) for table in tables}
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('f', 'u') "
            "ORDER BY 1, 2",
            [tables],
        )
        for table, name, kind, definition in cursor.fetchall():
            target = dropped[table].foreign_keys if kind == "f" else dropped[table].uniques
            target.append((name, definition))
        cursor.execute(
            "SELECT i.indrelid::regclass::text, c.relname, pg_get_indexdef(i.indexrelid) "
            "FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid "
            "AND k.conrelid = i.indrelid) ORDER BY 1, 2",
            [tables],
        )
        index_names = []
        for table, name, definition in cursor.fetchall():
            dropped[table].indexes.append(definition)
            index_names.append(name)
        for part in dropped.values():
            for name, _definition in part.foreign_keys + part.uniques:
                cursor.execute(f'ALTER TABLE {part.table} DROP CONSTRAINT "{name}"')
        for name in index_names:
            cursor.execute(f'DROP INDEX "{name}"')
    return list(dropped.values())


def _run(statements: list[str]) -> None:
    """Statements in order on this thread's own connection, with memory for sorting."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            cursor.execute("SET max_parallel_maintenance_workers = 0")
            for statement in statements:
                cursor.execute(statement)
    finally:
        connection.close()


def rebuild(dropped: list[Dropped], workers: int = 2) -> None:
    """Put back what `bare_tables` dropped: indexes and unique constraints built in bulk,
    foreign keys added NOT VALID and then validated (one scan of each table instead of a
    check per row), and statistics for the planner. Tables are done in parallel, biggest
    first; within a table in order, so that no two statements wait for each other's locks.
    Each table is vacuumed as well as analysed: a database in use has been vacuumed by
    autovacuum, whose visibility map lets the planner answer from an index alone (the name
    keys' look-ups do); freshly copied rows have none."""
    with connection.cursor() as cursor:
        for part in dropped:
            for name, definition in part.foreign_keys:
                cursor.execute(
                    f'ALTER TABLE {part.table} ADD CONSTRAINT "{name}" {definition} NOT VALID'
                )
    jobs = [
        part.indexes
        + [f'ALTER TABLE {part.table} ADD CONSTRAINT "{n}" {d}' for n, d in part.uniques]
        + [f"VACUUM (ANALYZE) {part.table}"]
        + [f'ALTER TABLE {part.table} VALIDATE CONSTRAINT "{n}"' for n, _ in part.foreign_keys]
        for part in sorted(dropped, key=Dropped.size, reverse=True)
    ]
    with ThreadPoolExecutor(max_workers=workers) as pool:
        for future in [pool.submit(_run, job) for job in jobs]:
            future.result()
