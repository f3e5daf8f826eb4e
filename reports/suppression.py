"""Small-cell suppression: no figure about victims shown outside the case team, or in any
report, lets someone be re-identified. Counts from 1 to k-1 show as "<k"; when a group has a
displayed total and only one suppressed cell, the next smallest cell is suppressed too
(complementary suppression), so the hidden one cannot be recovered by subtraction. Hidden
cells are added, smallest first, until together they hold at least k, so that no hidden value
can be pinned down. A cell hidden only to protect another shows as "*", never as "<k"
(it may hold more)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.conf import settings


def threshold() -> int:
    return settings.SMALL_CELL_THRESHOLD


def is_small(count: int | None, k: int | None = None) -> bool:
    k = k or threshold()
    return count is not None and 0 < count < k


def label(k: int | None = None) -> str:
    return f"<{k or threshold()}"


COMPLEMENT = "*"


def suppress_group(counts: Sequence[int], k: int | None = None) -> list[int | str]:
    """The cells of one group (whose total is shown), suppressed with complement."""
    k = k or threshold()
    shown: list[int | str] = list(counts)
    small = [i for i, c in enumerate(counts) if is_small(c, k)]
    if not small:
        return shown
    hidden = list(small)
    others = sorted((c, i) for i, c in enumerate(counts) if i not in small and c > 0)
    # One hidden cell, or hidden cells that together hold less than k, could be worked out
    # from the total: hide the next smallest cells as well.
    while others and (len(hidden) < 2 or sum(counts[i] for i in hidden) < k):
        hidden.append(others.pop(0)[1])
    for i in hidden:
        shown[i] = label(k) if i in small else COMPLEMENT
    return shown


def suppress_total(total: int, k: int | None = None) -> int | str:
    return label(k) if is_small(total, k) else total


def suppress_rows(
    rows: list[dict[str, Any]], key: str, k: int | None = None
) -> list[dict[str, Any]]:
    """Suppress `key` across rows that form one group (e.g. counts by sex)."""
    values = suppress_group([row[key] for row in rows], k)
    return [{**row, key: value} for row, value in zip(rows, values, strict=True)]
