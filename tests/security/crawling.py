"""The crawl of the role x URL table (tests/access_table.py) that the security tests walk
(headers, leaks), and the figures they record for SECURITY.md."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests import factories
from tests.access_table import ANON, SUPER, TABLE

# Pages outside the table that a visitor can still reach: the error page and the admin.
EXTRA_URLS = ["/no-such-page-xq7z/", "/admin/"]
FIGURES = Path(settings.BASE_DIR) / "test-artifacts" / "security-figures.txt"


def record_figures(**figures: object) -> None:
    """Merge `name: value` lines into test-artifacts/security-figures.txt."""
    FIGURES.parent.mkdir(parents=True, exist_ok=True)
    lines: dict[str, str] = {}
    if FIGURES.exists():
        for line in FIGURES.read_text().splitlines():
            if ": " in line:
                key, value = line.split(": ", 1)
                lines[key] = value
    lines.update({key: str(value) for key, value in figures.items()})
    FIGURES.write_text("".join(f"{key}: {lines[key]}\n" for key in sorted(lines)))


# The crawl


@dataclass
class Visit:
    url_name: str
    url: str
    method: str
    response: HttpResponseBase

    def body(self) -> bytes:
        if getattr(self.response, "streaming", False):
            content = b"".join(self.response.streaming_content)
            self.response.streaming_content = [content]
            return content
        return self.response.content


def sign_in_as(client: Client, ctx: dict, subject: str) -> None:
    if subject == SUPER:
        client.force_login(factories.superuser())
    elif subject != ANON:
        client.force_login(ctx["users"][Role(subject)])


def crawl_order() -> list[str]:
    """Pages first, then the changes they offer, and signing out last: one set of records
    serves the whole walk."""
    gets = sorted(name for name, row in TABLE.items() if row.method == "get")
    posts = sorted(
        name for name, row in TABLE.items() if row.method == "post" and name != "accounts:logout"
    )
    return [*gets, *posts, "accounts:logout"]


def crawl(client: Client, ctx: dict, *, extras: bool = True) -> Iterator[Visit]:
    for url_name in crawl_order():
        row = TABLE[url_name]
        url = reverse(url_name, kwargs=row.kwargs(ctx))
        data = row.data(ctx) if callable(row.data) else row.data
        if extras and url_name == "accounts:logout":
            for extra in EXTRA_URLS:
                yield Visit(extra, extra, "get", client.get(extra))
        yield Visit(url_name, url, row.method, getattr(client, row.method)(url, data))
