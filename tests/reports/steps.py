"""Helpers of the reports tests (plain functions): a page's weight on the wire, and the bar
charts the dashboard draws as SVG, read back as data."""

from __future__ import annotations

import gzip
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.contrib.staticfiles import finders

PAGE_LIMIT = 100 * 1024  # issue 14: every role's main pages, the dashboard included
ASSET = re.compile(r'(?:src|href)="(/static/[^"?#]+)"')
SVG = "{http://www.w3.org/2000/svg}"


def page_weight(html: bytes) -> tuple[int, list[str]]:
    """What a cold cache downloads, as tests/test_page_weight.py counts it: the page and
    every static file it names, each gzipped."""
    total = len(gzip.compress(html))
    assets = sorted(set(ASSET.findall(html.decode())))
    for url in assets:
        path = finders.find(url.removeprefix("/static/"))
        assert path, f"missing static file {url}"
        with open(path, "rb") as stream:
            total += len(gzip.compress(stream.read()))
    return total, assets


@dataclass
class DrawnBar:
    title: str  # the <title> of the bar's group: the whole label
    label: str  # the label written on the chart
    value: str  # the figure written on the chart
    rect: dict[str, float] | None  # the bar, if one is drawn


def chart_svg(page: str, testid: str) -> ET.Element | None:
    """The chart's <svg> element, parsed (its markup must be well-formed XML), or None."""
    match = re.search(rf'<svg\b[^>]*data-testid="{testid}".*?</svg>', page, re.S)
    if match is None:
        return None
    svg = match.group(0)
    if "xmlns=" not in svg[:200]:
        svg = svg.replace("<svg", f'<svg xmlns="{SVG[1:-1]}"', 1)
    # The app's own answer in a test, not untrusted input; parsing it as XML also checks that
    # the drawing is well-formed.
    return ET.fromstring(svg)  # noqa: S314


def _text(element: ET.Element) -> str:
    return "".join(element.itertext()).strip()


def drawn_bars(svg: ET.Element) -> list[DrawnBar]:
    bars = []
    for group in svg.iter(f"{SVG}g"):
        texts = {t.get("class"): _text(t) for t in group.iter(f"{SVG}text")}
        rect = group.find(f"{SVG}rect")
        bars.append(
            DrawnBar(
                title=_text(group.find(f"{SVG}title")),
                label=texts["chart-label"],
                value=texts["chart-value"],
                rect=None
                if rect is None
                else {k: float(rect.get(k)) for k in ("x", "y", "width", "height")},
            )
        )
    return bars


def tick_labels(svg: ET.Element) -> list[str]:
    return [_text(t) for t in svg.iter(f"{SVG}text") if t.get("class") == "chart-tick"]
