"""No personal value in any page address or log line.

A real HTTP server (Django's own request handler, which writes an access-log line per
request to `django.server`, as gunicorn's access log would) serves a crawl by a caseworker,
a supervisor and a partner focal point: the main pages, a name search and a duplicate check
submitted the way the pages' own forms say (their method and action, read from the HTML),
a registration, a referral and its inbox page, the withdrawal of consent, a page that does
not exist and a post without its CSRF token. Every log record, at DEBUG, goes to a file;
the test then greps that file for the names, birth date and phone numbers used."""

from __future__ import annotations

import http.cookiejar
import logging
import re
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.servers.basehttp import WSGIRequestHandler
from django.test import Client
from django.test.testcases import LiveServerThread, _StaticFilesHandler
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases.services import records
from referrals import services as referral_services
from tests import factories

pytestmark = [
    # The server runs in another thread, on its own database connection.
    pytest.mark.django_db(transaction=True),
]

FIRST, LAST = "Ndeyefatou", "Kossingou"
NEW_FIRST, NEW_LAST = "Oumoulkhairy", "Bagayoko"
BIRTH = date(1994, 7, 23)
PHONE = "+23672880011"
NEW_PHONE = "+23675990022"


def personal_values() -> list[str]:
    """What must never reach the log, in the spellings a URL or a log line might use."""
    values = [FIRST, LAST, NEW_FIRST, NEW_LAST]
    for day in (BIRTH, date(1991, 2, 14)):  # the second: the registration's birth date
        values += [
            day.isoformat(),
            day.strftime("%d/%m/%Y"),
            day.strftime("%m/%d/%Y"),
            day.strftime("%d.%m.%Y"),
            urllib.parse.quote(day.strftime("%d/%m/%Y"), safe=""),
        ]
    for phone in (PHONE, NEW_PHONE):
        values += [phone, phone.lstrip("+"), urllib.parse.quote(phone, safe=""), phone[-8:]]
    return values


# A server that logs its requests, as `runserver` and gunicorn do


class LoggingServerThread(LiveServerThread):
    """The test server, with Django's request handler instead of the quiet one."""

    def _create_server(self, connections_override=None):
        return self.server_class(
            (self.host, self.port),
            WSGIRequestHandler,
            allow_reuse_address=False,
            connections_override=connections_override,
        )


@pytest.fixture
def server_log(tmp_path) -> Path:
    """Every record of every logger, at DEBUG (as LOG_LEVEL=DEBUG would give), to a file.
    The loggers the settings pin to a level keep it: that is part of what is tested."""
    path = tmp_path / "server.log"
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    # django.server does not propagate to the root logger: it gets the handler itself.
    loggers = [root, logging.getLogger("django.server")]
    level = root.level
    root.setLevel(logging.DEBUG)
    for logger in loggers:
        logger.addHandler(handler)
    yield path
    for logger in loggers:
        logger.removeHandler(handler)
    root.setLevel(level)
    handler.close()


@pytest.fixture
def server(server_log):
    thread = LoggingServerThread("localhost", _StaticFilesHandler)
    thread.daemon = True
    thread.start()
    thread.is_ready.wait()
    if thread.error:
        raise thread.error
    yield f"http://localhost:{thread.port}"
    thread.terminate()


# A small browser: cookies, redirects, and forms submitted as the page describes them


class _Forms(HTMLParser):
    """The forms of a page (method, action, fields) and the htmx requests it declares."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.htmx: list[dict] = []
        self.csrf = ""

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "method": (attributes.get("method") or "get").lower(),
                    "action": attributes.get("action") or "",
                    "fields": set(),
                    "role": attributes.get("role", ""),
                }
            )
        elif tag in ("input", "select", "textarea") and self.forms:
            self.forms[-1]["fields"].add(attributes.get("name"))
        if attributes.get("name") == "csrfmiddlewaretoken":
            self.csrf = attributes.get("value", "")
        for verb in ("get", "post"):
            if f"hx-{verb}" in attributes:
                self.htmx.append(
                    {
                        "method": verb,
                        "action": attributes[f"hx-{verb}"],
                        "params": (attributes.get("hx-params") or "").split(","),
                    }
                )


@dataclass
class Page:
    status: int
    url: str
    html: str

    def parsed(self) -> _Forms:
        parser = _Forms()
        parser.feed(self.html)
        return parser


class Browser:
    def __init__(self, base: str, user) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        client = Client()
        client.force_login(user)
        session = client.cookies[settings.SESSION_COOKIE_NAME].value
        self.jar.set_cookie(_cookie(settings.SESSION_COOKIE_NAME, session))
        self.visits: list[Page] = []

    def open(self, path: str, *, method: str = "get", data=None, headers=None) -> Page:
        url = urllib.parse.urljoin(self.base, path)
        body = None
        if data is not None and method == "get":
            url += ("&" if "?" in url else "?") + urllib.parse.urlencode(data, doseq=True)
        elif data is not None:
            body = urllib.parse.urlencode(data, doseq=True).encode()
        request = urllib.request.Request(  # noqa: S310 (the test server's own http URL)
            url,
            data=body,
            method=method.upper(),
            headers={"Accept-Language": "en", **(headers or {})},
        )
        try:
            with self.opener.open(request) as response:
                page = Page(
                    response.status, response.url, response.read().decode("utf-8", "replace")
                )
        except urllib.error.HTTPError as error:
            page = Page(error.code, url, error.read().decode("utf-8", "replace"))
        self.visits.append(page)
        return page

    def submit(self, page: Page, form: dict, values: dict, **kwargs) -> Page:
        """Submit a form the way a browser would: its own method and action."""
        data = {k: v for k, v in values.items() if k in form["fields"]}
        if form["method"] == "post":
            data["csrfmiddlewaretoken"] = page.parsed().csrf
        return self.open(form["action"] or page.url, method=form["method"], data=data, **kwargs)


def _cookie(name: str, value: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, "localhost.local", False, False, "/", True,
        False, None, False, None, None, {},
    )  # fmt: skip


# The records the crawl walks through


@pytest.fixture
def world(db):
    cache.clear()
    org = factories.organisation(name="IOM Central African Republic", acronym="IOM CAR")
    other = factories.organisation(name="Other NGO", acronym="ONGO", country="CF")
    partner_org = factories.organisation(name="Maison Espoir", acronym="MAE", services=["shelter"])
    caseworker = factories.user(Role.CASEWORKER, organisation=org, username="cw")
    supervisor = factories.user(Role.SUPERVISOR, organisation=org, username="sup")
    focal_point = factories.user(Role.PARTNER, organisation=partner_org, username="fp")
    other_worker = factories.user(Role.CASEWORKER, organisation=other, username="ow")
    person = {"first_name": FIRST, "last_name": LAST, "date_of_birth": BIRTH, "phone": PHONE}
    case = factories.case(caseworker=caseworker, citizenships=["CF"], **person)
    # The same person, registered by another organisation: the duplicate check finds it.
    factories.case(caseworker=other_worker, citizenships=["CF"], **person)
    consent = records.consent_record(
        actor=caseworker,
        case=case,
        scope="referral_sharing",
        granted=True,
        given_by="person",
        method="written",
        given_on=case.identified_on,
    )
    referral = referral_services.referral_create(
        actor=caseworker,
        case=case,
        service_type="shelter",
        urgency="normal",
        reason="Needs a safe place",
        packet_fields=["case_number", "first_name", "contact"],
        to_organisation=partner_org,
    )
    referral_services.referral_send(actor=caseworker, referral=referral)
    return {
        "case": case,
        "consent": consent,
        "referral": referral,
        "caseworker": caseworker,
        "supervisor": supervisor,
        "focal_point": focal_point,
    }


def _form(page: Page, *, having: str) -> dict:
    return next(f for f in page.parsed().forms if having in f["fields"])


def _crawl_as_case_team(browser: Browser, world: dict) -> None:
    case, referral = world["case"], world["referral"]
    browser.open("/")
    listing = browser.open(reverse("cases:case_list"))
    # The name search, as the page's form sends it; then the next page and a filter.
    found = browser.submit(listing, _form(listing, having="q"), {"q": f"{FIRST} {LAST}"})
    assert found.status == 200 and case.case_number in found.html
    browser.open(found.url.replace("?", "?page=2&", 1))
    by_number = browser.submit(listing, _form(listing, having="q"), {"q": case.case_number})
    assert case.case_number in by_number.html
    browser.open(reverse("cases:case_detail", kwargs={"pk": case.pk}))
    browser.open(reverse("cases:case_edit", kwargs={"pk": case.pk}))
    browser.open(reverse("cases:case_pdf", kwargs={"pk": case.pk}))
    browser.open(reverse("referrals:referral_list"))
    browser.open(reverse("referrals:referral_detail", kwargs={"pk": referral.pk}))
    # The registration form: the duplicate check as its htmx attributes declare it, then
    # the registration itself.
    register = browser.open(reverse("cases:case_register"))
    [check] = [h for h in register.parsed().htmx if "duplicate-check" in h["action"]]
    values = {
        "csrfmiddlewaretoken": register.parsed().csrf,
        "first_name": FIRST,
        "last_name": LAST,
        "date_of_birth": BIRTH.isoformat(),
        "citizenships": ["CF"],
    }
    answer = browser.open(
        check["action"],
        method=check["method"],
        data={k: v for k, v in values.items() if k in check["params"]},
        headers={"HX-Request": "true"},
    )
    assert answer.status == 200 and "may already be registered" in answer.html
    today = timezone.localdate().isoformat()
    registered = browser.submit(
        register,
        _form(register, having="first_name"),
        {
            "identified_on": today,
            "identified_country": "CF",
            "identification_method": "ngo",
            "trafficking_status": "PossibleVictimOfTrafficking",
            "risk_level": "medium",
            "first_name": NEW_FIRST,
            "last_name": NEW_LAST,
            "date_of_birth": "1991-02-14",
            "phone": NEW_PHONE,
            "sex": "female",
            "citizenships": ["GN"],
            "consent_confirmed": "on",
            "consent_given_by": "person",
            "consent_method": "written",
            "consent_given_on": today,
        },
    )
    assert registered.status == 200 and "/cases/" in registered.url and NEW_LAST in registered.html
    # Error pages: a case that does not exist, a post without its token.
    assert browser.open(reverse("cases:case_detail", kwargs={"pk": 10**9})).status == 404
    refused = browser.open(reverse("cases:case_list"), method="post", data={"q": FIRST})
    assert refused.status == 403


def test_no_personal_value_reaches_the_server_log(server, server_log, world):
    team = Browser(server, world["caseworker"])
    _crawl_as_case_team(team, world)
    supervisor = Browser(server, world["supervisor"])
    supervisor.open(reverse("cases:case_detail", kwargs={"pk": world["case"].pk}))
    listing = supervisor.open(reverse("cases:case_list"))
    supervisor.submit(listing, _form(listing, having="q"), {"q": LAST})
    partner = Browser(server, world["focal_point"])
    partner.open(reverse("referrals:inbox"))
    inbox = partner.open(reverse("referrals:inbox_detail", kwargs={"pk": world["referral"].pk}))
    assert FIRST in inbox.html and PHONE in inbox.html  # the packet, before the withdrawal
    # The withdrawal of consent, posted from the case page.
    detail = team.open(reverse("cases:case_detail", kwargs={"pk": world["case"].pk}))
    withdraw = reverse("cases:consent_withdraw", kwargs={"consent_pk": world["consent"].pk})
    [form] = [f for f in detail.parsed().forms if f["action"] == withdraw]
    team.submit(detail, form, {})
    after = partner.open(reverse("referrals:inbox_detail", kwargs={"pk": world["referral"].pk}))
    assert FIRST not in after.html and PHONE not in after.html

    log = server_log.read_text(encoding="utf-8")
    leaks = [value for value in personal_values() if value.lower() in log.lower()]
    assert not leaks, f"personal values in the server log: {leaks}\n{log}"
    # The log is there to be searched: one access line per request, the searches included.
    requests = re.findall(r'django\.server "(GET|POST) ([^ ]+) HTTP', log)
    assert len(requests) >= 25, log
    paths = [path for _method, path in requests]
    assert any(path.startswith("/cases/?search=") for path in paths)
    assert ("POST", reverse("cases:duplicate_check")) in requests
    assert ("POST", reverse("cases:case_list")) in requests
    # Nor in any address the browsers were sent to.
    for browser in (team, supervisor, partner):
        for page in browser.visits:
            assert not [v for v in personal_values() if v.lower() in page.url.lower()], page.url
