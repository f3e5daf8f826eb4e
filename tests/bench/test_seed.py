"""seed_scale loads into bare tables and puts the schema back: after a load the indexes and
constraints must be exactly those of the migrations, validated, and the persons' keys those
the app computes (a stale key would make the name-search figures meaningless)."""

from __future__ import annotations

import random

import pytest
from django.db import connection

from bench import generate, scale
from cases.models import Case, Person
from cases.services import identity

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and pg_catalog"),
    pytest.mark.django_db(transaction=True),
]


def _schema() -> tuple[list, list]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid), convalidated "
            "FROM pg_constraint WHERE connamespace = 'public'::regnamespace ORDER BY 1, 2"
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'public' ORDER BY 1"
        )
        return constraints, cursor.fetchall()


def test_a_load_leaves_the_schema_of_the_migrations_and_the_apps_keys():
    migrated = _schema()
    generate.make_reference_data(random.Random(1))  # noqa: S311
    context = generate.Context(1, 300)
    generate.prepare(context)
    dropped = scale.bare_tables([model._meta.db_table for model in generate.TABLES])
    assert _schema() != migrated
    try:
        totals = generate.run_chunks(list(scale.chunks(300, 120)))
    finally:
        scale.rebuild(dropped)

    assert _schema() == migrated
    assert totals["cases_case"] == Case.objects.count() == 300
    for person in Person.objects.select_related("case")[:60]:
        expected = identity.person_keys(person, citizenships=person.case.citizenships)
        assert set(person.keys.values_list("kind", "key")) == {(k.kind, k.key) for k in expected}
        assert not any(c.isdigit() for c in person.first_name + person.last_name)


def test_rebuild_puts_back_exactly_what_bare_tables_dropped():
    migrated = _schema()
    dropped = scale.bare_tables(["cases_personkey", "cases_person"])
    scale.rebuild(dropped, workers=1)
    assert _schema() == migrated
