"""The audit log cannot be changed or deleted, whatever the application does: on PostgreSQL
a trigger refuses UPDATE and DELETE on the table (migration accounts 0004)."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from accounts.audit import log_action
from accounts.models import AuditEntry
from accounts.roles import Role

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only"
)


@pytest.fixture
def entry(users):
    return log_action(
        "accounts.user.signed_in",
        actor=users[Role.CASEWORKER],
        target=users[Role.CASEWORKER],
        data={"n": 1},
    )


def _snapshot(entry: AuditEntry) -> tuple:
    row = AuditEntry.objects.values_list(
        "at", "actor_id", "organisation_id", "action", "target_type", "target_id", "data"
    ).get(pk=entry.pk)
    return tuple(row)


def _refused(change) -> None:
    # The savepoint is rolled back before the error reaches pytest.raises.
    with (
        pytest.raises(DatabaseError, match="audit entries cannot be changed or deleted"),
        transaction.atomic(),
    ):
        change()


def _sql(statement: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_orm_update_is_refused(entry):
    before = _snapshot(entry)

    _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(action="tampered"))

    assert _snapshot(entry) == before


def test_saving_a_changed_entry_is_refused(entry):
    before = _snapshot(entry)
    entry.data = {"n": 2}

    _refused(entry.save)

    assert _snapshot(entry) == before


def test_orm_delete_is_refused(entry):
    before = _snapshot(entry)

    _refused(lambda: AuditEntry.objects.filter(pk=entry.pk).delete())

    assert _snapshot(entry) == before


def test_deleting_the_instance_is_refused(entry):
    before = _snapshot(entry)

    _refused(entry.delete)

    assert _snapshot(entry) == before


def test_raw_sql_update_is_refused(entry):
    before = _snapshot(entry)

    _refused(
        lambda: _sql(
            "UPDATE accounts_auditentry SET action = %s, data = %s WHERE id = %s",
            ["tampered", "{}", entry.pk],
        )
    )

    assert _snapshot(entry) == before


def test_raw_sql_delete_is_refused(entry):
    before = _snapshot(entry)

    _refused(lambda: _sql("DELETE FROM accounts_auditentry WHERE id = %s", [entry.pk]))

    assert _snapshot(entry) == before


def test_raw_sql_delete_of_the_whole_table_is_refused(entry):
    count = AuditEntry.objects.count()

    _refused(lambda: _sql("DELETE FROM accounts_auditentry", []))

    assert AuditEntry.objects.count() == count


def test_new_entries_can_still_be_written(entry):
    log_action("accounts.user.signed_out", actor=None, data={"n": 3})

    assert AuditEntry.objects.filter(action="accounts.user.signed_out").exists()
