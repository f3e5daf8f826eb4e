"""Phone first (issue 14): every page of every demo role, in French, on a 360 x 740 touch
screen, in Chromium. A page fails when the document is wider than the screen, when a tap
target of a main action is under 44 x 44 CSS pixels, when a scrolling region cannot be
reached by the keyboard, or on a script error or an error status.

The walk follows the links each role is offered (tests/browser/phone.py), one page per URL
pattern; a page of the role x URL table that a role may open and that no link leads to
fails the test too (a page nobody can find is a finding of its own)."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import Resolver404, resolve

from demo.data.users import DEMO_PASSWORD
from tests.access_table import TABLE
from tests.browser.phone import DEMO_ROLES, PHONE, sign_in, walk

pytestmark = [
    pytest.mark.browser,
    pytest.mark.database_independent,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]

# Pages of the table a walk cannot reach by a link on purpose: answers to a form (the
# lookup limit, the import's report), pages of a flow that starts elsewhere (two-factor,
# e-mail confirmation, password reset), files, the API's own pages, and the login page of a
# signed-in user.
NOT_LINKED = {
    "accounts:login",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
    "accounts:two_factor_verify",
    "accounts:two_factor_setup",
    "accounts:two_factor_codes",
    "accounts:email_confirm",
    "accounts:password_change_done",
    "cases:lookup_limit",
    "cases:import_job",  # where a large file's import leads; the demo imports none
    "accounts:invitation_accept",  # the link is e-mailed
    "healthz",
    "favicon",
}
# The administrator reads a case's audit trail by its address (from an incident report):
# an administrator has no case list, by design (issue 11).
NOT_LINKED_FOR = {("admin", "cases:case_history")}
# Where a role's walk starts: the supervisor's also from the closed cases, whose pages
# offer to reopen them.
STARTS = {"supervisor": ("/", "/cases/?status=closed")}
# Files, which a walk does not open (each has its own tests).
FILES = ("download", "pdf", "export")


def _pattern_of(path: str) -> str | None:
    try:
        return resolve(path).view_name
    except Resolver404:
        return None


def _records_the_demo_lacks() -> None:
    """A produced report and a webhook subscription, so that their pages are walked too."""
    from accounts.models import User
    from api import webhooks
    from reports.models import ReportFile, ReportRun

    run = ReportRun.objects.create(
        kind="operational",
        parameters={"country": "CF"},
        parameters_key="country=CF",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 3, 31),
        trigger="person",
        status="done",
    )
    report_file = ReportFile(run=run, format="json", checksum="0" * 64, size=2)
    report_file.file.save("r.json", ContentFile(b"{}"))
    webhooks.subscription_create(
        actor=User.objects.get(username="admin"),
        url="https://receiver.example.org/hook",
        events=["case.closed"],
    )


def _walk_every_role(browser, live_server) -> dict:
    _records_the_demo_lacks()
    done = {}
    for role in DEMO_ROLES:
        context = browser.new_context(**PHONE)
        context.set_default_timeout(15_000)
        page = context.new_page()
        sign_in(page, live_server.url, role, DEMO_PASSWORD)
        starts = STARTS.get(role, ("/",))
        done[role] = walk(page, live_server.url, role, _pattern_of, start=starts)
        context.close()
    return done


def test_every_page_of_every_role_fits_a_phone_in_french(browser, live_server, demo_world):
    walks = _walk_every_role(browser, live_server)
    problems = []
    for role, result in walks.items():
        assert len(result.visited) >= 8, f"{role} reached only {sorted(result.visited)}"
        problems += result.errors
        problems += [str(finding) for finding in result.findings]
    problems += [f"{role}: no link leads to {name}" for role, name in _not_walked(walks)]
    assert not problems, "\n".join(problems)

    # Every role reached the pages it works with: the measure ran where it matters.
    assert "cases:case_detail" in walks["caseworker"].visited
    assert "cases:case_list" in walks["caseworker"].visited
    assert "referrals:inbox" in walks["partner"].visited
    assert "reports:dashboard" in walks["ministry"].visited
    assert "trainings:session_list" in walks["programme"].visited
    assert "accounts:user_list" in walks["admin"].visited


def _not_walked(walks: dict) -> list[tuple[str, str]]:
    """The pages of the table a role may open that its walk did not reach."""
    missing = []
    for role, result in walks.items():
        for url_name, row in TABLE.items():
            if row.method != "get" or row.expect.get(role) != 200 or url_name in NOT_LINKED:
                continue
            if (role, url_name) in NOT_LINKED_FOR or url_name in result.targets:
                continue
            if url_name.startswith("api") or any(word in url_name for word in FILES):
                continue
            if url_name not in result.visited:
                missing.append((role, url_name))
    return missing
