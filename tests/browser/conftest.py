"""Real-browser tests: Playwright (sync API) driving Debian's Chromium against
pytest-django's live server.

One browser for the whole session, a fresh browser context (cookies, storage,
viewport) for every test. Screenshots go to test-artifacts/browser/ (git-ignored):
each test names its own, and a failing test leaves `<test>-failed.png`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from partners.models import Region
from partners.regions import REGIONS
from traffick_cm.celery import app as celery_app

# Playwright's sync API keeps an asyncio event loop in this thread; Django would
# otherwise refuse ORM calls from test code ("You cannot call this from an async context").
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = os.environ.get("BROWSER_TESTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"
DEFAULT_TIMEOUT_MS = 10_000


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    """Keep each phase's report on the item, so fixtures can tell a failed test."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium not found at {CHROMIUM} (set BROWSER_TESTS_CHROMIUM)")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    yield browser
    browser.close()


@pytest.fixture
def new_page(
    browser: Browser, request: pytest.FixtureRequest, artifacts_dir: Path
) -> Iterator[Callable[..., Page]]:
    """new_page(**context_options) -> a page in a fresh browser context.

    Options go to Browser.new_context (viewport, locale, ...). All contexts made in
    the test are closed at its end; if the test failed, each open page is captured.
    """
    contexts: list[BrowserContext] = []

    def _new_page(**context_options) -> Page:
        context = browser.new_context(**context_options)
        context.set_default_timeout(DEFAULT_TIMEOUT_MS)
        contexts.append(context)
        return context.new_page()

    yield _new_page

    failed = getattr(request.node, "rep_call", None)
    for i, context in enumerate(contexts):
        if failed is not None and failed.failed:
            for j, page in enumerate(context.pages):
                suffix = "" if (i, j) == (0, 0) else f"-{i}-{j}"
                name = f"{request.node.name}-failed{suffix}.png"
                page.screenshot(path=artifacts_dir / _safe(name), full_page=True)
        context.close()


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page in a fresh desktop-sized browser context."""
    return new_page(viewport={"width": 1280, "height": 800})


@pytest.fixture
def screenshot(request: pytest.FixtureRequest, artifacts_dir: Path) -> Callable[..., Path]:
    """screenshot(page, role, lang) -> saves <test>-<role>-<lang>.png and returns its path."""

    def _screenshot(page: Page, role: str, lang: str) -> Path:
        path = artifacts_dir / _safe(f"{request.node.originalname}-{role}-{lang}.png")
        page.screenshot(path=path, full_page=True)
        return path

    return _screenshot


@pytest.fixture
def demo_data(transactional_db) -> list[tuple[str, str, str]]:
    """The demo organisations, donors, projects and one user per role.

    Transactional, so that the live server's thread sees the rows."""
    from demo.loaders import reference

    return reference.load()


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in name)


@pytest.fixture
def eager_celery():
    """Tasks the demo queues (referral notifications) run in-process, even when the suite
    runs with a broker: nothing is left on the broker for a worker to find later."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture
def demo_world(transactional_db, eager_celery):
    """The whole demo: organisations and users, cases, referrals, screenings, trainings,
    the plan.

    The regions come from a data migration that a transactional test's flush removes:
    put them back first, so that the demo finds the regions it names."""
    from demo.loaders import cases as cases_demo
    from demo.loaders import plans as reports_demo
    from demo.loaders import reference as accounts_demo
    from demo.loaders import referrals as referrals_demo
    from demo.loaders import screenings as screenings_demo
    from demo.loaders import trainings as trainings_demo

    for country, names in REGIONS.items():
        for name in names:
            Region.objects.get_or_create(country=country, name=name)
    accounts_demo.load()
    cases_demo.load(today=timezone.localdate())
    referrals_demo.load()
    screenings_demo.load(today=timezone.localdate())
    trainings_demo.load()
    reports_demo.load()
