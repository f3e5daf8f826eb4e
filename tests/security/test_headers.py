"""Security headers on every response and the flags of the session and CSRF cookies.

The crawl walks the role x URL table of tests/access_table.py for every role, a
superuser and an anonymous visitor, with one set of records per subject, and checks the
headers of every response. The leak test (test_leaks.py) walks the same crawl."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.conf import settings
from django.test import Client
from django.urls import reverse

from accounts.roles import Role
from tests import factories
from tests.access_table import ANON, SUPER, TABLE
from tests.security.crawling import EXTRA_URLS, Visit, crawl, record_figures, sign_in_as

SUBJECTS = [ANON, SUPER, *[str(r) for r in Role]]
# Header checks


def _directives(policy: str) -> dict[str, list[str]]:
    directives = {}
    for part in policy.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


SCRIPT_TAG = re.compile(rb"<script\b[^>]*>", re.IGNORECASE)
NONCE_ATTR = re.compile(rb'nonce="([^"]+)"')
# A data block (json_script) is never executed; a script with src is allowed by 'self'.
DATA_BLOCK = re.compile(rb'type="application/(?:ld\+)?json"')
SRC_ATTR = re.compile(rb"\ssrc=")


def header_problems(visit: Visit, *, signed_in: bool) -> list[str]:
    response = visit.response
    problems = []
    policy = response.get("Content-Security-Policy", "")
    if not policy:
        problems.append("no Content-Security-Policy")
    else:
        directives = _directives(policy)
        script_src = directives.get("script-src") or directives.get("default-src") or []
        if "'self'" not in script_src:
            problems.append(f"script-src without 'self': {script_src}")
        if "unsafe-inline" in policy or "unsafe-eval" in policy:
            problems.append(f"unsafe-inline/unsafe-eval in the policy: {policy}")
        if directives.get("frame-ancestors") != ["'none'"]:
            problems.append(f"frame-ancestors is {directives.get('frame-ancestors')}")
        if directives.get("object-src") != ["'none'"]:
            problems.append(f"object-src is {directives.get('object-src')}")
        # Scripts run only by nonce: each nonce on the page is the one of the policy, and
        # an inline script without one would not run (a sign of a broken page).
        if response.get("Content-Type", "").startswith("text/html"):
            for tag in SCRIPT_TAG.findall(visit.body()):
                nonce = NONCE_ATTR.search(tag)
                if nonce is not None:
                    if f"'nonce-{nonce.group(1).decode()}'" not in script_src:
                        problems.append("script nonce not in script-src")
                elif not SRC_ATTR.search(tag) and not DATA_BLOCK.search(tag):
                    problems.append(f"inline script without nonce: {tag[:80]!r}")
    if response.get("X-Content-Type-Options") != "nosniff":
        problems.append(f"X-Content-Type-Options {response.get('X-Content-Type-Options')}")
    if not response.get("Referrer-Policy"):
        problems.append("no Referrer-Policy")
    if response.get("X-Frame-Options") != "DENY":
        problems.append(f"X-Frame-Options {response.get('X-Frame-Options')}")
    if signed_in and "no-store" not in response.get("Cache-Control", ""):
        problems.append(f"Cache-Control {response.get('Cache-Control')!r} for a signed-in user")
    return problems


_checked: dict[str, int] = {}
_with_nonce: dict[str, int] = {}


@pytest.mark.parametrize("subject", SUBJECTS)
def test_every_response_of_the_url_table_carries_the_security_headers(client, ctx, subject):
    sign_in_as(client, ctx, subject)
    problems = []
    count = with_nonce = 0

    for visit in crawl(client, ctx):
        # Signing out answers the request of a signed-in user: it is checked as such.
        signed_in = subject != ANON
        problems += [
            f"{subject} {visit.method.upper()} {visit.url}: {p}"
            for p in header_problems(visit, signed_in=signed_in)
        ]
        count += 1
        with_nonce += "'nonce-" in visit.response.get("Content-Security-Policy", "")

    _checked[subject] = count
    _with_nonce[subject] = with_nonce
    total = sum(_checked.values())
    print(
        f"\nheaders checked: {count} responses as {subject} ({with_nonce} pages with a "
        f"script nonce); {total} responses so far"
    )
    record_figures(
        **{
            "headers.responses_checked": total,
            "headers.responses_with_script_nonce": sum(_with_nonce.values()),
            "headers.subjects": len(_checked),
            "headers.table_urls": len(TABLE),
        }
    )
    assert count == len(TABLE) + len(EXTRA_URLS)
    # Every subject sees pages with scripts, and their policy names the page's nonce.
    assert with_nonce > 0
    assert not problems, "\n".join(problems)


def test_policy_is_strict_in_the_settings():
    directives = settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]

    assert "unsafe" not in json.dumps(directives, default=str)
    assert directives["frame-ancestors"] == ["'none'"]
    assert settings.X_FRAME_OPTIONS == "DENY"
    assert settings.SECURE_CONTENT_TYPE_NOSNIFF is True
    assert settings.SECURE_REFERRER_POLICY == "same-origin"


# Cookies


def test_csrf_cookie_is_http_only_and_same_site(client, db):
    response = client.get(reverse("accounts:login"))

    cookie = response.cookies[settings.CSRF_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


def test_session_cookie_is_http_only_and_same_site(users):
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": "caseworker", "password": factories.PASSWORD}
    )

    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"]
    assert cookie["samesite"] == "Lax"


PRODUCTION_PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.test import Client, override_settings
# No collectstatic here: plain static storage for the page's links; cookies are untouched.
static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
with override_settings(STORAGES={**settings.STORAGES, "staticfiles": static}):
    response = Client().get("/accounts/login/", secure=True)
cookie = response.cookies[settings.CSRF_COOKIE_NAME]
print(json.dumps({
    "status": response.status_code,
    "csrf_cookie": {k: cookie[k] for k in ("secure", "httponly", "samesite")},
    "hsts": response.get("Strict-Transport-Security", ""),
    "settings": {name: getattr(settings, name) for name in (
        "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
        "LANGUAGE_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "DEBUG",
    )},
}))
"""


def _production_env(**extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DJANGO_SETTINGS_MODULE": "traffick_cm.settings",
        "DJANGO_READ_DOT_ENV_FILE": "0",
        "DEBUG": "0",
        "HTTPS": "1",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "FIELD_ENCRYPTION_KEY": Fernet.generate_key().decode(),
        "ALLOWED_HOSTS": "cm.example.org,testserver",
        "SITE_URL": "https://cm.example.org",
        "DATABASE_URL": "postgres://traffick:secret@db.example.org:5432/traffick_cm",
        **extra,
    }


def _run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_deploy_checks_pass_with_production_like_settings():
    result = _run(
        "manage.py", "check", "--deploy", "--fail-level", "WARNING", env=_production_env()
    )

    assert result.returncode == 0, result.stdout + result.stderr


def test_cookies_are_secure_http_only_and_same_site_over_https():
    # Nothing in this probe touches the database.
    result = _run(
        "-c", PRODUCTION_PROBE, env=_production_env(DATABASE_URL="sqlite:////nonexistent/db")
    )
    assert result.returncode == 0, result.stderr
    probe = json.loads(result.stdout.strip().splitlines()[-1])

    assert probe["settings"] == {
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "CSRF_COOKIE_SECURE": True,
        "CSRF_COOKIE_HTTPONLY": True,
        "CSRF_COOKIE_SAMESITE": "Lax",
        "LANGUAGE_COOKIE_SECURE": True,
        "SECURE_SSL_REDIRECT": True,
        "SECURE_HSTS_SECONDS": 31536000,
        "DEBUG": False,
    }
    assert probe["status"] == 200
    assert probe["csrf_cookie"] == {"secure": True, "httponly": True, "samesite": "Lax"}
    assert "max-age=31536000" in probe["hsts"]
