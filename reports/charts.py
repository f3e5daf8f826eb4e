"""The dashboard's bar charts, drawn on the server as SVG (issue 14: no chart library to
download over a slow link, and nothing for a script to do): where each bar, figure, label
and gridline goes, from the counts the dashboard shows.

Pure arithmetic in the SVG's own units (its viewBox): the page scales the drawing to the
width of its column. A count is a whole number; a hidden one is its label ("<5", "*") and
gets no bar, only that label at the base, since any height would be a guess. The words
(month names, audiences) come already translated, and the template writes the figures
in the page's language."""

from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH = 320
FONT = 12
# A generous average width of a character: enough to keep labels clear of each other
# and inside the drawing, whatever the font the device has.
CHAR = 0.62 * FONT
# Long audience names are cut on the chart (a phone is narrow); the table has them whole.
LABEL_CHARS = 18
GAP = 4


@dataclass(frozen=True)
class Text:
    x: float
    y: float
    anchor: str = "middle"  # SVG text-anchor
    transform: str = ""  # a rotation, for labels too long to sit side by side


@dataclass(frozen=True)
class Line:
    x1: float
    y1: float
    x2: float
    y2: float


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Tick:
    value: int
    line: Line
    text: Text


@dataclass(frozen=True)
class Bar:
    title: str  # the whole label
    label: str  # as written on the chart (perhaps shortened)
    value: int | str  # a count, or the label of a hidden one
    box: Box | None  # no bar for a hidden count or a zero
    figure: Text  # where the value is written: at the end of the bar, or at its base
    name: Text  # where the label is written

    @property
    def hidden(self) -> bool:
        return not isinstance(self.value, int)


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    font_size: int
    ticks: list[Tick]
    axis: Line
    bars: list[Bar]


def ticks(largest: int, *, most: int = 4) -> list[int]:
    """Whole-number gridlines from 0 to a round maximum at or above `largest`: at most
    `most` equal steps of 1, 2 or 5 times a power of ten (never 0.5 of a person)."""
    largest = max(largest, 1)
    power = 1
    while True:
        for multiple in (1, 2, 5):
            step = multiple * power
            steps = math.ceil(largest / step)
            if steps <= most:
                return [step * i for i in range(steps + 1)]
        power *= 10


def shorten(label: str, limit: int = LABEL_CHARS) -> str:
    """The label cut to `limit` characters, an ellipsis marking the cut."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _counts(values: list[int | str]) -> list[int]:
    return [v for v in values if isinstance(v, int)]


def _width(text: str) -> float:
    return len(text) * CHAR


def _round(n: float) -> float:
    return round(n, 1)


def columns(points: list[tuple[str, int | str]], *, plot_height: float = 160) -> Chart:
    """Vertical bars, one per (label, value) in order: counts per month. Labels too wide
    for their column are turned 45 degrees."""
    scale = ticks(max(_counts([v for _label, v in points]), default=0))
    top = scale[-1]
    left = _width(f"{top:,}") + 2 * GAP
    right = WIDTH - GAP
    ceiling = FONT + GAP  # room for the figure above the tallest bar
    base = ceiling + plot_height
    slot = (right - left) / max(len(points), 1)
    widest = max((_width(label) for label, _v in points), default=0)
    turned = widest > slot - GAP
    if turned:
        # The first label, turned, reaches left of its column: keep it in the drawing.
        left = max(left, widest * math.sqrt(0.5))
        slot = (right - left) / len(points)
    # A turned label takes its width times sin 45° below the axis.
    below = widest * math.sqrt(0.5) + FONT + GAP if turned else FONT + 2 * GAP
    grid = []
    for value in scale:
        y = _round(base - value / top * plot_height)
        grid.append(
            Tick(
                value,
                Line(_round(left), y, _round(right), y),
                Text(_round(left - GAP), _round(y + FONT * 0.35), "end"),
            )
        )
    bars = []
    for i, (label, value) in enumerate(points):
        centre = left + (i + 0.5) * slot
        thickness = min(slot * 0.6, 48)
        height = value / top * plot_height if isinstance(value, int) else 0
        box = None
        if height:
            box = Box(
                _round(centre - thickness / 2),
                _round(base - height),
                _round(thickness),
                _round(height),
            )
        if turned:
            x, y = _round(centre + FONT * 0.35), _round(base + GAP + FONT * 0.35)
            name = Text(x, y, "end", f"rotate(-45 {x} {y})")
        else:
            name = Text(_round(centre), _round(base + FONT + GAP))
        bars.append(
            Bar(
                title=label,
                label=label,
                value=value,
                box=box,
                figure=Text(_round(centre), _round(base - height - GAP)),
                name=name,
            )
        )
    return Chart(
        width=WIDTH,
        height=_round(base + below),
        font_size=FONT,
        ticks=grid,
        axis=Line(_round(left), _round(base), _round(right), _round(base)),
        bars=bars,
    )


def bars(points: list[tuple[str, int | str]], *, row: float = 24) -> Chart:
    """Horizontal bars, one per (label, value) in order: people reached per audience.
    Labels are cut to LABEL_CHARS characters; the bar's title holds them whole."""
    scale = ticks(max(_counts([v for _label, v in points]), default=0))
    top = scale[-1]
    labels = [shorten(label) for label, _v in points]
    left = max((_width(label) for label in labels), default=0) + 3 * GAP
    # Room after the longest bar for its figure (with a thousands separator).
    right = WIDTH - _width(f"{top:,}") - 2 * GAP
    ceiling = GAP
    base = ceiling + row * len(points)
    thickness = row * 2 / 3
    grid = []
    for value in scale:
        x = _round(left + value / top * (right - left))
        grid.append(
            Tick(
                value,
                Line(x, _round(ceiling), x, _round(base)),
                Text(x, _round(base + FONT + GAP)),
            )
        )
    chart_bars = []
    for i, ((label, value), short) in enumerate(zip(points, labels, strict=True)):
        middle = ceiling + (i + 0.5) * row
        length = value / top * (right - left) if isinstance(value, int) else 0
        box = None
        if length:
            box = Box(
                _round(left), _round(middle - thickness / 2), _round(length), _round(thickness)
            )
        text_y = _round(middle + FONT * 0.35)
        chart_bars.append(
            Bar(
                title=label,
                label=short,
                value=value,
                box=box,
                figure=Text(_round(left + length + GAP), text_y, "start"),
                name=Text(_round(left - GAP), text_y, "end"),
            )
        )
    return Chart(
        width=WIDTH,
        height=_round(base + FONT + 2 * GAP),
        font_size=FONT,
        ticks=grid,
        axis=Line(_round(left), _round(ceiling), _round(left), _round(base)),
        bars=chart_bars,
    )
