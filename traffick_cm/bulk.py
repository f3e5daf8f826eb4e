"""Insert many rows of a model at once: COPY on PostgreSQL, multi-row INSERTs elsewhere.

`insert` is `bulk_create` without its per-row overhead where the database allows it: on
PostgreSQL the primary keys are drawn from the table's sequence in one statement, then every
row is streamed with COPY (values prepared by each field, as a save would: encrypted fields
encrypt, auto_now_add fields are set), and the objects get their keys. No signal is sent and
no model validation runs: the caller validates first (imports do, row by row).

Preparing a value is most of the cost of a row: a value a plain field would hand to the
database unchanged (a str for a CharField, an int for an IntegerField or a key, a date for a
DateField, None) is written as it is; every other value, and every value of any other field
(encrypted, list, JSON, country, date-time fields), goes through the field's own
`pre_save` and `get_db_prep_save`."""

from __future__ import annotations

import functools
from collections.abc import Collection, Iterable, Sequence
from datetime import date
from operator import attrgetter, itemgetter
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.models import F, Lookup, Q
from django_countries.fields import CountryField

M = TypeVar("M", bound=models.Model)

# Fields (exactly these classes, not their subclasses) whose preparation returns a value of
# these types unchanged on PostgreSQL, and None too.
_UNCHANGED: dict[type[models.Field], tuple[type, ...]] = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.BooleanField: (bool,),
    models.DateField: (date,),
    **dict.fromkeys(
        (
            models.AutoField,
            models.BigAutoField,
            models.SmallAutoField,
            models.IntegerField,
            models.BigIntegerField,
            models.SmallIntegerField,
            models.PositiveIntegerField,
            models.PositiveBigIntegerField,
            models.PositiveSmallIntegerField,
        ),
        (int,),
    ),
}
# pre_save methods that only read the attribute (DateField's sets it for auto_now only).
_READING_PRE_SAVE = (models.Field.pre_save, models.DateField.pre_save)


def insert(objs: Sequence[M], *, keys: bool = True) -> Sequence[M]:
    """Write `objs` (all of one model). With `keys=False` the objects do not learn their
    primary keys (rows nothing refers to, such as search keys): on PostgreSQL the database
    then fills them, without a round trip to draw them first."""
    if not objs:
        return objs
    model = type(objs[0])
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "postgresql":
        return model.objects.bulk_create(objs, batch_size=500)
    meta = model._meta
    pk = meta.pk
    plan = _plan(model, keys)
    with connection.cursor() as cursor:
        if keys and pk.attname in _from_sequence(model):
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, pk.column, len(objs)],
            )
            for obj, (value,) in zip(objs, cursor.fetchall(), strict=True):
                setattr(obj, pk.attname, value)
        columns = ", ".join(connection.ops.quote_name(f.column) for f, _t, _r in plan.fields)
        table = connection.ops.quote_name(meta.db_table)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                copy.write_row(_prepared(obj, plan, connection))
    for obj in objs:
        obj._state.adding = False
        obj._state.db = connection.alias
    return objs


class _Plan:
    """How the columns of a model are read from an object and prepared: for each field, the
    types of value it writes as they are, and whether its pre_save only reads the value."""

    def __init__(self, model: type[models.Model], keys: bool) -> None:
        # Generated columns are the database's to fill, and so are keys not drawn first.
        left = set() if keys else _from_sequence(model)
        fields = [
            f for f in model._meta.concrete_fields if not f.generated and f.attname not in left
        ]
        self.fields = [(f, _unchanged_types(f), _pre_save_reads(f)) for f in fields]
        names = [f.attname for f in fields]
        # Values are read from the instance's __dict__, where every field of an object
        # built by Model.__init__ keeps its value: reading through the attribute would run
        # descriptors (a country field makes a Country object of its code on every read).
        self.stored = _getter(itemgetter, names)
        self.read = _getter(attrgetter, names)


def _getter(kind: Any, names: list[str]) -> Any:
    getter = kind(*names)
    return getter if len(names) > 1 else (lambda obj: (getter(obj),))


@functools.cache
def _plan(model: type[models.Model], keys: bool) -> _Plan:
    return _Plan(model, keys)


def _pre_save_reads(field: models.Field) -> bool:
    """Does the field's pre_save only return the value it holds?"""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return False
    return type(field).pre_save in _READING_PRE_SAVE


def _unchanged_types(field: models.Field) -> tuple[type, ...]:
    """The types of value the field writes as they are: none when its pre_save may change
    the value (auto_now, auto_now_add, a file) or its class is not one of _UNCHANGED."""
    if type(field) is CountryField and not field.multiple:
        # It holds the code, which is what it writes.
        return (str, type(None))
    if not _pre_save_reads(field):
        return ()
    if field.is_relation:
        return _unchanged_types(field.target_field)
    types = _UNCHANGED.get(type(field))
    return (*types, type(None)) if types else ()


def _prepared(obj: models.Model, plan: _Plan, connection: Any) -> list[Any]:
    try:
        values = plan.stored(obj.__dict__)
    except KeyError:  # a deferred field: read through the attribute, which loads it
        values = plan.read(obj)
    row = []
    for (field, types, reads), value in zip(plan.fields, values, strict=True):
        # type() and not isinstance(): a bool is an int, a datetime a date, and neither may
        # pass as the other unprepared. A str subclass (a choice) passes as a str does.
        if type(value) not in types and not (str in types and isinstance(value, str)):
            if not reads:
                value = field.pre_save(obj, add=True)
            value = field.get_db_prep_save(value, connection)
        row.append(value)
    return row


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


@functools.cache
def _from_sequence(model: type[models.Model]) -> frozenset[str]:
    """The key columns the database fills (auto fields): those we draw from the sequence."""
    return frozenset(
        f.attname
        for f in model._meta.concrete_fields
        if isinstance(f, models.fields.AutoFieldMixin)
    )


def one_of(field: str, values: Collection[Any]) -> Q | Lookup:
    """A filter: `field` is one of `values` (thousands of them: the keys of a batch). On
    PostgreSQL the values go as one array, `field IN (SELECT unnest(array))`, which the
    planner answers with one index probe per value: it reads a long IN list (or = ANY) as
    matching so many rows that it scans the whole table, a cost that grows with the table."""
    if connections[DEFAULT_DB_ALIAS].vendor != "postgresql":
        return Q(**{f"{field}__in": values})
    return _OneOf(F(field), list(values))


class _OneOf(Lookup):
    lookup_name = "one_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        array = f"{self.lhs.output_field.cast_db_type(connection)}[]"
        return f"{lhs} IN (SELECT unnest(%s::{array}))", (*params, self.rhs)
