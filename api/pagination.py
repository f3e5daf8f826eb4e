"""Cursor pagination: stable under inserts (a sync that pages while others write neither
skips nor repeats a record) and never counts."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination


class UpdatedCursor(CursorPagination):
    """The most recently changed first; `?page_size=` up to 200."""

    ordering = ("-updated_at", "-pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IdCursor(CursorPagination):
    """For records without a change time: by id."""

    ordering = ("-pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
