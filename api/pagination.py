"""Cursor pagination: stable under inserts (a sync that pages while others write neither
skips nor repeats a record) and never counts; each page read with a plan made for the
list's filters (traffick_cm/db.py)."""

from __future__ import annotations

from rest_framework.pagination import CursorPagination

from traffick_cm.db import custom_plans


class _Cursor(CursorPagination):
    def paginate_queryset(self, queryset, request, view=None):
        with custom_plans(queryset.db):
            return super().paginate_queryset(queryset, request, view)


class UpdatedCursor(_Cursor):
    """The most recently changed first; `?page_size=` up to 200."""

    ordering = ("-updated_at", "-pk")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200


class IdCursor(_Cursor):
    """For records without a change time: by id."""

    ordering = ("-pk",)
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
