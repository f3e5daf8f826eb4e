"""Insert many rows of a model at once: COPY on PostgreSQL, multi-row INSERTs elsewhere.

`insert` is `bulk_create` without its per-row overhead where the database allows it: on
PostgreSQL the primary keys are drawn from the table's sequence in one statement, then every
row is streamed with COPY (values prepared by each field, as a save would: encrypted fields
encrypt, auto_now_add fields are set), and the objects get their keys. No signal is sent and
no model validation runs: the caller validates first (imports do, row by row)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models

M = TypeVar("M", bound=models.Model)


def insert(objs: Sequence[M]) -> Sequence[M]:
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=500)
    meta = model._meta
    pk = meta.pk
    with connection.cursor() as cursor:
        if pk.attname in _from_sequence(model):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(objs)],
            )
            for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
        # Generated columns are the database's to fill.
        fields = [f for f in meta.concrete_fields if not f.generated]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(
                    [f.get_db_prep_save(f.pre_save(obj, add=True), connection) for f in fields]
                )
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


def insert_rows(
    model: type[models.Model], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Rows of plain values (keys, codes, ids: nothing a field must prepare) for the named
    fields: no model instance is built on PostgreSQL, where they are streamed with COPY."""
    connection = connections[DEFAULT_DB_ALIAS]
    meta = model._meta
    if connection.vendor != "postgresql":
        names = [meta.get_field(f).attname for f in fields]
        model.objects.bulk_create(
            [model(**dict(zip(names, row, strict=True))) for row in rows], batch_size=500
        )
        return
    columns = ", ".join(connection.ops.quote_name(meta.get_field(f).column) for f in fields)
    table = connection.ops.quote_name(meta.db_table)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


def _from_sequence(model: type[models.Model]) -> set[str]:
    """The key columns the database fills (auto fields): those we draw from the sequence."""
    return {
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.fields.AutoFieldMixin)
    }
