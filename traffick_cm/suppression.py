"""Small-cell suppression: no figure about victims shown outside the case team, or in any
report, lets someone be re-identified.

In one table (a group of cells whose total is shown, e.g. victims by sex):
- counts from 1 to k-1 are hidden and shown as "<k";
- when any cell of the group is hidden, its zero cells are hidden too, also as "<k": "region A
  <k, region B 0" would tell where the few people are. "<k" therefore reads "fewer than k,
  perhaps none";
- more cells are hidden (complementary suppression, smallest first, shown as "*": k or more)
  until the hidden cells cannot be worked out from the total: at least two of them, holding
  at least k together, and no value pinned down by what the labels say ("<k" holds 0 to k-1,
  "*" holds k or more). Two "<k" cells holding 2k-2, or "<k" and "*" holding k+1, would be.
  Where even hiding every cell leaves them pinned (4 and 4 of 8), the total is hidden too.

Across periods (`release`): figures are released over calendar months, quarters and years
(traffick_cm/periods.py), which nest. A year's figure minus its published months would give a
hidden month exactly; so a quarter's (a year's) cell is hidden too unless the months (the
quarters) hidden for it are, together, protected by the same rule. Every period's figures
are computed from its months the same way whichever page asks, so a month shows the same
in its own view as inside its year."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from traffick_cm.periods import Period, Unit, parts_of


def threshold() -> int:
    return settings.SMALL_CELL_THRESHOLD


def is_small(count: int | None, k: int | None = None) -> bool:
    k = k or threshold()
    return count is not None and 0 < count < k


def label(k: int | None = None) -> str:
    return f"<{k or threshold()}"


COMPLEMENT = "*"


def protected(values: Sequence[int], k: int, *, lowest: int = 0) -> bool:
    """Are hidden cells with these values safe when a reader knows their sum? Only if there
    are none, or at least two holding k or more together, and no single value can be pinned
    down from the labels: "<k" cells hold `lowest` to k-1 (0 in a table, where zeros beside
    a small count are hidden too; 1 for a period's total, hidden only when small), "*" cells
    k or more, and in a table at least one hidden value is 1 or more."""
    if not values:
        return True
    if len(values) < 2:
        return False
    total = sum(values)
    if total < k:
        return False
    big = sum(1 for v in values if v >= k)
    small = len(values) - big
    # Every cell at its least is the only way to reach the smallest possible sum; every
    # "<k" cell at k-1, with no "*", the only way to reach the largest.
    least = big * k + max(small * lowest, 1 if small else 0)
    if total <= least:
        return False
    return bool(big) or total < small * (k - 1)


def hide_in_group(
    counts: Sequence[int], k: int, *, forced: Iterable[int] = (), prefer: Iterable[int] = ()
) -> set[int]:
    """The indexes of the cells to hide in one group whose total is shown. `forced` cells
    are hidden whatever their value; `prefer` names the cells to take first as complements
    (at a quarter or a year: those that are hidden in some month, so not recoverable)."""
    hidden = {i for i, c in enumerate(counts) if is_small(c, k)} | set(forced)
    if not hidden:
        return set()
    hidden |= {i for i, c in enumerate(counts) if c == 0}
    preferred = set(prefer)
    while not protected([counts[i] for i in hidden], k):
        candidates = sorted(
            (i not in preferred, c, i) for i, c in enumerate(counts) if i not in hidden and c > 0
        )
        if not candidates:
            break  # the whole group is hidden: nothing more can be done within it
        hidden.add(candidates[0][2])
    return hidden


def shown(count: int, hidden: bool, k: int) -> int | str:
    if not hidden:
        return count
    return label(k) if count < k else COMPLEMENT


def suppress_group(counts: Sequence[int], k: int | None = None) -> list[int | str]:
    """The cells of one group (whose total is shown), suppressed with complement."""
    k = k or threshold()
    hidden = hide_in_group(counts, k)
    return [shown(c, i in hidden, k) for i, c in enumerate(counts)]


def suppress_total(total: int, k: int | None = None) -> int | str:
    return label(k) if is_small(total, k) else total


def suppress_rows(
    rows: list[dict[str, Any]], key: str, k: int | None = None
) -> list[dict[str, Any]]:
    """Suppress `key` across rows that form one group (e.g. counts by sex)."""
    values = suppress_group([row[key] for row in rows], k)
    return [{**row, key: value} for row, value in zip(rows, values, strict=True)]


# Releases over nested periods


@dataclass(frozen=True)
class Layout:
    """The cells of one family of figures: a total and groups that each break it down."""

    total: str
    groups: Mapping[str, Sequence[str]] = field(default_factory=dict)

    def cells(self) -> list[str]:
        return [self.total, *(cell for cells in self.groups.values() for cell in cells)]


Monthly = Mapping[Period, Mapping[str, int]]


@dataclass
class Released:
    """A family of figures for one period: the true values and which cells are hidden."""

    layout: Layout
    period: Period
    values: dict[str, int]
    hidden: set[str]
    k: int
    # The months of a quarter, the quarters of a year.
    children: list[Released] = field(default_factory=list)

    def shown(self, cell: str) -> int | str:
        return shown(self.values.get(cell, 0), cell in self.hidden, self.k)

    def group(self, name: str) -> dict[str, int | str]:
        return {cell: self.shown(cell) for cell in self.layout.groups[name]}

    @property
    def total(self) -> int | str:
        return self.shown(self.layout.total)


def _suppress(
    layout: Layout,
    values: Mapping[str, int],
    k: int,
    *,
    forced: Iterable[str] = (),
    prefer: Iterable[str] = (),
) -> set[str]:
    hidden = set(forced)
    if is_small(values[layout.total], k):
        hidden.add(layout.total)
    if layout.total in hidden:
        # With the total hidden, a breakdown would give it back: hide the breakdowns.
        return hidden | set(layout.cells())
    preferred = set(prefer)
    for cells in layout.groups.values():
        counts = [values[c] for c in cells]
        indexes = hide_in_group(
            counts,
            k,
            forced=[i for i, c in enumerate(cells) if c in hidden],
            prefer=[i for i, c in enumerate(cells) if c in preferred],
        )
        if not protected([counts[i] for i in indexes], k):
            # Every cell of the breakdown is hidden and the total still pins them down (4
            # and 4 of 8): the total goes too, and with it every breakdown.
            return {layout.total} | set(layout.cells())
        hidden |= {cells[i] for i in indexes}
    return hidden


def _month(layout: Layout, monthly: Monthly, month: Period, k: int) -> Released:
    row = monthly.get(month, {})
    values = {cell: row.get(cell, 0) for cell in layout.cells()}
    return Released(layout, month, values, _suppress(layout, values, k), k)


def _quarter(layout: Layout, monthly: Monthly, quarter: Period, k: int) -> Released:
    months = [_month(layout, monthly, m, k) for m in quarter.months()]
    pools = {cell: [m.values[cell] for m in months if cell in m.hidden] for cell in layout.cells()}
    return _roll_up(layout, quarter, months, pools, k)


def _roll_up(
    layout: Layout,
    period: Period,
    children: list[Released],
    pools: Mapping[str, list[int]],
    k: int,
) -> Released:
    cells = layout.cells()
    values = {cell: sum(child.values[cell] for child in children) for cell in cells}
    # Published, this period's cell gives away the sum of its hidden parts: hide it unless
    # that sum is protected. Complements come first from cells hidden in some part, which
    # cannot be added up from the parts.
    # A period's total is hidden only when small: its hidden parts hold 1 or more each.
    forced = [
        cell
        for cell in cells
        if not protected(pools[cell], k, lowest=1 if cell == layout.total else 0)
    ]
    prefer = [cell for cell in cells if any(cell in child.hidden for child in children)]
    hidden = _suppress(layout, values, k, forced=forced, prefer=prefer)
    return Released(layout, period, values, hidden, k, children)


def release(layout: Layout, monthly: Monthly, period: Period, k: int) -> Released:
    """The figures of `period` from the monthly counts, as released outside the case team."""
    if period.unit == Unit.MONTH:
        return _month(layout, monthly, period, k)
    if period.unit == Unit.QUARTER:
        return _quarter(layout, monthly, period, k)
    quarters = [_quarter(layout, monthly, q, k) for q in period.quarters()]
    # The year gives away the sum of what is hidden in its hidden quarters (a published
    # quarter gives away its own hidden months' sum, already protected).
    pools = {
        cell: [
            month.values[cell]
            for quarter in quarters
            if cell in quarter.hidden
            for month in quarter.children
            if cell in month.hidden
        ]
        for cell in layout.cells()
    }
    return _roll_up(layout, period, quarters, pools, k)


@dataclass
class SpanReleased(Released):
    """A family of figures over several calendar units (twelve months, a figure "to date"):
    each cell the sum of the units' values, hidden when any unit hides it. A hidden cell is
    labelled from what the units show, never from its true sum: "<k" only when their figures
    say the sum is under k, "*" otherwise. Labelled from the true sum, two units' "<k" adding
    up to "*" would say that neither is 0, which "<k" never tells."""

    def shown(self, cell: str) -> int | str:
        if cell not in self.hidden:
            return self.values.get(cell, 0)
        most = 0  # the largest sum the units' figures allow
        for part in self.children:
            value = part.values.get(cell, 0)
            if cell not in part.hidden:
                most += value
            elif value < self.k:
                most += self.k - 1  # shown as "<k"
            else:
                return COMPLEMENT  # shown as "*": k or more
        return label(self.k) if most < self.k else COMPLEMENT


def release_parts(layout: Layout, parts: Sequence[Released], span: Any) -> Released:
    """The figures of a span (a window of whole months) from the released calendar units it
    is made of (periods.decompose); one unit alone is itself."""
    if len(parts) == 1 and parts[0].period == span:
        return parts[0]
    values = {cell: sum(part.values.get(cell, 0) for part in parts) for cell in layout.cells()}
    hidden = set().union(*(part.hidden for part in parts))
    return SpanReleased(layout, span, values, hidden, parts[0].k, list(parts))


def release_span(layout: Layout, monthly: Monthly, span: Any, k: int) -> Released:
    """A family of figures over a calendar unit, as released outside the case team; or over
    a window (periods.Window): each cell the sum of the released units it is made of,
    hidden when any of them hides it (SpanReleased), so that it says nothing they do not."""
    parts = [release(layout, monthly, part, k) for part in parts_of(span)]
    return release_parts(layout, parts, span)


def release_window(
    layout: Layout, monthly: Monthly, parts: Sequence[Period], cell: str, k: int
) -> int | str:
    """One cell over several calendar units (a figure "to date"): the sum of the released
    units, or hidden when any of them is, so that it says nothing they do not."""
    released = [release(layout, monthly, part, k) for part in parts]
    return release_parts(layout, released, tuple(parts)).shown(cell)
