"""The idle deadline is renewed by requests without a write on every page (issue 15, item
6): a request writes the session when its data changed, or when the deadline would move by
a minute or more; the idle timeout still ends a session 29 to 30 minutes after its last
request (tests/security/test_sessions.py)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.sessions import SessionStore
from tests import factories

IDLE = timedelta(seconds=settings.SESSION_COOKIE_AGE)


def _signed_in(username: str) -> tuple[Client, str]:
    client = Client()
    assert factories.sign_in(client, username, factories.PASSWORD)
    return client, client.cookies[settings.SESSION_COOKIE_NAME].value


def _last_written(key: str, ago: timedelta) -> None:
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() + IDLE - ago)


def _deadline(key: str):
    return Session.objects.get(session_key=key).expire_date


def test_a_request_within_a_minute_of_the_last_write_does_not_write_the_session(users):
    client, key = _signed_in("caseworker")
    _last_written(key, timedelta(seconds=30))
    before = _deadline(key)

    assert client.get(reverse("home")).status_code == 200

    assert _deadline(key) == before


def test_a_request_a_minute_after_the_last_write_pushes_the_deadline_back(users):
    client, key = _signed_in("caseworker")
    _last_written(key, timedelta(seconds=61))

    assert client.get(reverse("home")).status_code == 200

    assert _deadline(key) - timezone.now() > IDLE - timedelta(seconds=5)


def test_a_changed_session_is_written_at_once(users):
    _client, key = _signed_in("caseworker")
    _last_written(key, timedelta(seconds=1))
    session = SessionStore(key)
    session["reminder"] = "kept"

    session.save()

    assert SessionStore(key)["reminder"] == "kept"


def test_every_request_still_renews_the_cookie(users):
    client, key = _signed_in("caseworker")
    _last_written(key, timedelta(seconds=30))

    response = client.get(reverse("home"))

    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == settings.SESSION_COOKIE_AGE
