"""Queries planned for their values.

On PostgreSQL a query run often is prepared and PostgreSQL may keep one generic plan for it
(settings: DATABASE_PREPARE_THRESHOLD): right for look-ups by key, which every page makes
(session, user, the case file's records), wrong for a list filtered many ways, whose best
plan depends on the values. The case list filtered by status, region and exploitation type
took 16 ms at a million cases on its kept plan, 0.8 ms planned for its values: the
pagination (traffick_cm/pagination.py, api/pagination.py) reads its page inside
`custom_plans()`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections


@contextmanager
def custom_plans(using: str = "default") -> Iterator[None]:
    """Queries run inside are not prepared: PostgreSQL plans each for its values."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        yield
        return
    connection.ensure_connection()
    driver = connection.connection
    saved = driver.prepare_threshold
    driver.prepare_threshold = None
    try:
        yield
    finally:
        driver.prepare_threshold = saved
