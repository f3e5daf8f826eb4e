"""Lists are planned for their filters' values (traffick_cm/db.py): inside custom_plans()
no statement is prepared, outside the connection prepares as configured."""

from __future__ import annotations

import pytest
from django.db import connection

from cases.models import Case
from traffick_cm.db import custom_plans
from traffick_cm.pagination import page_of

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"
)


def _prepared_statements() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements")
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_a_list_page_is_never_prepared_a_look_up_is():
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    assert threshold == 5
    before = _prepared_statements()
    for _ in range(threshold + 2):
        page_of(Case.objects.filter(status="open").order_by("-pk"), 1)
    assert _prepared_statements() == before
    assert connection.connection.prepare_threshold == threshold
    for _ in range(threshold + 2):
        list(Case.objects.filter(pk=1))
    assert _prepared_statements() > before


@pytest.mark.django_db
def test_the_threshold_comes_back_after_an_error():
    connection.ensure_connection()
    threshold = connection.connection.prepare_threshold
    with pytest.raises(ZeroDivisionError), custom_plans():
        assert connection.connection.prepare_threshold is None
        1 / 0  # noqa: B018
    assert connection.connection.prepare_threshold == threshold
