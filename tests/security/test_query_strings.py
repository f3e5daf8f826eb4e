"""Property-based tests of every page's query string: whatever a link, a bookmark or an
attacker puts after the "?", the answer is a page or a clear refusal, never a server error.

Each page of the role x URL table that some role opens with GET is fetched as that role;
the parameters fuzzed are the names its own GET forms and links use plus those the app
reads anywhere (dates, ids, periods, pages). Values are the ones that broke pages before:
dates past year 9999 arithmetic, ids longer than a bigint, digits of other scripts, NUL."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from accounts.roles import Role
from tests import factories
from tests.access_table import ANON, SUPER, TABLE

# Names the views read from query strings, whether or not a form on the page shows them.
KNOWN = [
    "page",
    "q",
    "number",
    "search",
    "case",
    "format",
    "fmt",
    "date_from",
    "date_to",
    "identified_from",
    "identified_to",
    "period",
    "year",
    "month",
    "quarter",
    "country",
    "region",
    "service",
    "status",
    "urgency",
    "view",
    "active",
    "k",
    "next",
]

NASTY = st.one_of(
    st.sampled_from(
        [
            "",
            "9999-12-31",
            "0001-01-01",
            "0000-00-00",
            "2025-02-30",
            "2025-13",
            "-1",
            "0",
            "99999999999999999999",
            "-99999999999999999999",
            "1e309",
            "NaN",
            "٣",
            "１２",
            "\x00",
            "x" * 5000,
            "2025-Q5",
            "<script>",
            "' OR 1=1 --",
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.text(max_size=30),
)


class _FormNames(HTMLParser):
    """The parameter names of a page's GET forms and of its own links' query strings."""

    def __init__(self) -> None:
        super().__init__()
        self.names: set[str] = set()
        self._in_get_form = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "form":
            self._in_get_form = (values.get("method") or "get").lower() == "get"
        elif tag in {"input", "select", "textarea"} and self._in_get_form and values.get("name"):
            self.names.add(values["name"])
        elif tag == "a" and values.get("href"):
            self.names.update(name for name, _v in parse_qsl(urlsplit(values["href"]).query))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._in_get_form = False


def _get_pages() -> list[tuple[str, str]]:
    """(URL name, the first subject that gets 200 with GET) for every GET page."""
    pages = []
    for name, row in sorted(TABLE.items()):
        if row.method != "get" or name in {"accounts:logout", "set_language"}:
            continue
        subject = next(
            (s for s in [*(str(r) for r in Role), SUPER] if row.expect.get(s) == 200), None
        )
        if subject is not None and subject != ANON:
            pages.append((name, subject))
    return pages


# Read by views without a form showing them (export choices, paging, redirects).
ALWAYS = ["page", "case", "format", "next", "region", "service"]
# Each of these, alone in one parameter, broke a page before: sent to every name of every page.
EDGES = ["9999-12-31", "0001-01-01", "99999999999999999999", "-1", "٣"]


def _client(ctx: dict, subject: str) -> Client:
    client = Client()
    client.force_login(factories.superuser() if subject == SUPER else ctx["users"][Role(subject)])
    return client


def test_every_get_page_of_the_table_is_fuzzed():
    assert len(_get_pages()) >= 40


def _names(client: Client, url: str) -> list[str]:
    page = client.get(url)
    parser = _FormNames()
    if page.get("Content-Type", "").startswith("text/html"):
        parser.feed(page.content.decode(errors="replace"))
    return sorted({n for n in parser.names if re.fullmatch(r"[\w.-]{1,40}", n)})


@pytest.mark.parametrize(("url_name", "subject"), _get_pages(), ids=lambda v: str(v))
def test_edge_values_in_each_parameter_give_no_server_error(ctx, url_name, subject):
    row = TABLE[url_name]
    client = _client(ctx, subject)
    url = reverse(url_name, kwargs=row.kwargs(ctx))
    for name in sorted(set(_names(client, url)) | set(ALWAYS)):
        for value in EDGES:
            response = client.get(url, {name: value})
            assert response.status_code < 500, f"{subject} GET {url}?{name}={value}"


@pytest.mark.parametrize(("url_name", "subject"), _get_pages(), ids=lambda v: str(v))
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
def test_no_query_string_gives_a_server_error(ctx, url_name, subject, data):
    row = TABLE[url_name]
    client = _client(ctx, subject)
    url = reverse(url_name, kwargs=row.kwargs(ctx))
    names = sorted(set(KNOWN) | set(_names(client, url)))
    chosen = data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=4))
    query = [(name, data.draw(NASTY)) for name in chosen]
    response = client.get(url, query)
    assert response.status_code < 500, f"{subject} GET {url} {query!r}: {response.status_code}"
