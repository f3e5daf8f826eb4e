"""A paginator that never counts: at a million rows an exact COUNT(*) costs more than the page
itself. It reads one row more than the page to know whether there is a next page, with a
plan made for the list's filters (traffick_cm/db.py)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from traffick_cm.db import custom_plans


@dataclass
class Page:
    object_list: list[Any]
    number: int
    has_next: bool

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def page_of(qs: QuerySet, number: str | int | None, size: int = 25) -> Page:
    try:
        page = max(int(number or 1), 1)
    except (TypeError, ValueError):
        page = 1
    page = min(page, 10_000)
    start = (page - 1) * size
    with custom_plans(qs.db):
        rows = list(qs[start : start + size + 1])
    return Page(object_list=rows[:size], number=page, has_next=len(rows) > size)
