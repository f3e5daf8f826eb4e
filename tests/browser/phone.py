"""The phone walk (issue 14): each demo role signs in, in French, on a 360 x 740 touch
screen, and follows every link of the app it is offered, one page per URL pattern. On each
page it measures what a phone user meets: a document wider than the screen, a tap target of
a main action under 44 x 44 CSS pixels, a scrolling region that the keyboard cannot reach.

Used by tests/browser/test_phone_pages.py, and runnable by hand against a running demo
(`make run`) to see every finding at once:

    .venv/bin/python -m tests.browser.phone http://127.0.0.1:8000
"""

from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page

PHONE = {
    "viewport": {"width": 360, "height": 740},
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
    "locale": "fr-FR",
}
MIN_TARGET = 44
DEMO_ROLES = ["caseworker", "supervisor", "partner", "programme", "mne", "ministry", "admin"]

# Links a walk does not follow: they sign out, download a file, change a setting, leave the
# pages (the API, its documentation, the Django admin), or repeat a page with other filters.
SKIP_PREFIXES = ("/static/", "/media/", "/api/", "/admin/", "/i18n/")
SKIP_WORDS = ("logout", "download", "export", "/pdf", ".pdf", ".csv", ".xlsx", "/file")

# What a main action is, and what its target measures. A checkbox or radio button counts with
# its label (a tap on either ticks it); a link inside running text is exempt (WCAG 2.5.8,
# "inline"), as are hidden elements and those inside closed menus.
MEASURE = (Path(__file__).parent / "phone_measure.js").read_text()


@dataclass
class Finding:
    role: str
    path: str
    problems: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return f"{self.role} {self.path}:\n  " + "\n  ".join(self.problems)


@dataclass
class Walk:
    role: str
    visited: dict[str, str] = field(default_factory=dict)  # url name or path -> path
    # Addresses the pages post forms to or load fragments from (htmx): reached, not walked.
    targets: set[str] = field(default_factory=set)
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": base_url}])
    page.goto(base_url + "/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form [type=submit]").click()
    page.wait_for_url(base_url + "/")


def _followable(base_url: str, href: str) -> str | None:
    parts = urlsplit(href)
    if f"{parts.scheme}://{parts.netloc}" != base_url or not parts.path.startswith("/"):
        return None
    path = parts.path + (f"?{parts.query}" if parts.query else "")
    if parts.path.startswith(SKIP_PREFIXES) or any(word in path for word in SKIP_WORDS):
        return None
    return path


TARGETS = """() => [
  ...[...document.querySelectorAll("form[action]")].map(f => f.action),
  ...[...document.querySelectorAll("[hx-get], [hx-post]")].map(
    e => new URL(e.getAttribute("hx-get") || e.getAttribute("hx-post"), location.href).href),
]"""


def walk(
    page: Page,
    base_url: str,
    role: str,
    pattern_of,
    *,
    start: tuple[str, ...] = ("/",),
    per_pattern: int = 3,
    limit: int = 150,
) -> Walk:
    """Visit the pages `role` is linked to, up to `per_pattern` of each URL pattern
    (`pattern_of(path)` names the pattern, or None to skip the path): records differ in what
    they show and offer (a session of one's own organisation has an edit link, another's not)."""
    result = Walk(role)
    messages: list[str] = []
    page.on("pageerror", lambda error: messages.append(f"script error: {error}"))
    queue = deque(start)
    seen_paths = set(start)
    counts: dict[str, int] = {}
    pages = 0
    while queue and pages < limit:
        path = queue.popleft()
        pattern = pattern_of(path.split("?")[0])
        if pattern is None or counts.get(pattern, 0) >= per_pattern:
            continue
        messages.clear()
        try:
            response = page.goto(base_url + path)
        except PlaywrightError as error:
            if "Download is starting" in str(error):
                continue  # a file, not a page
            raise
        status = response.status if response else 0
        if status >= 400:
            result.errors.append(f"{role} {path}: HTTP {status}")
            continue
        if not page.url.startswith(base_url) or urlsplit(page.url).path != path.split("?")[0]:
            continue  # redirected: the page it lands on is walked under its own name
        counts[pattern] = counts.get(pattern, 0) + 1
        pages += 1
        result.visited.setdefault(pattern, path)
        measured = page.evaluate(MEASURE)
        problems = list(messages)
        if measured["width"] > measured["viewport"]:
            problems.append(
                f"document {measured['width']} px wide on a {measured['viewport']} px screen"
            )
        problems += [f"tap target under 44 px: {item}" for item in measured["small"]]
        problems += [
            f"scrolling region not reachable by keyboard: {item}"
            for item in measured["unreachable"]
        ]
        if problems:
            result.findings.append(Finding(role, path, problems))
        for target in page.evaluate(TARGETS):
            parts = urlsplit(target)
            if target.startswith(base_url) and (name := pattern_of(parts.path)):
                result.targets.add(name)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            found = _followable(base_url, href)
            if found and found not in seen_paths:
                seen_paths.add(found)
                queue.append(found)
    return result


def _pattern_of(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        match = resolve(path)
    except Resolver404:
        return None
    return match.view_name


def main(base_url: str) -> int:
    import django
    from playwright.sync_api import sync_playwright

    from demo.data.users import DEMO_PASSWORD

    django.setup()
    total = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu"],
        )
        for role in sys.argv[2:] or DEMO_ROLES:
            context = browser.new_context(**PHONE)
            page = context.new_page()
            sign_in(page, base_url, role, DEMO_PASSWORD)
            result = walk(page, base_url, role, _pattern_of)
            print(f"== {role}: {len(result.visited)} pages")
            for line in result.errors:
                print(line)
            for finding in result.findings:
                print(finding)
            total += len(result.findings) + len(result.errors)
            context.close()
        browser.close()
    return 1 if total else 0


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "traffick_cm.settings")
    sys.exit(main(sys.argv[1].rstrip("/")))
