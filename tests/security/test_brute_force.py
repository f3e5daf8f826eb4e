"""Brute force: five failed sign-ins for a username from one address lock that pair for 30
minutes (django-axes); the right password is refused meanwhile with 429; other users and
other addresses are unaffected; attempts are recorded. Password-reset requests are
throttled per address."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from tests import factories

IP = "198.51.100.7"
OTHER_IP = "203.0.113.9"
WRONG = "not-the-password-at-all"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _client(ip: str = IP) -> Client:
    return Client(REMOTE_ADDR=ip)


def _attempt(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def _fail(client: Client, username: str, times: int) -> None:
    """Wrong passwords: the form answers until the fifth failure, which locks."""
    for n in range(1, times + 1):
        response = _attempt(client, username, WRONG)
        assert response.status_code == (429 if n >= settings.AXES_FAILURE_LIMIT else 200), n


def test_lockout_settings_are_five_failures_for_thirty_minutes_per_username_and_address():
    assert settings.AXES_FAILURE_LIMIT == 5
    assert timedelta(minutes=30) == settings.AXES_COOLOFF_TIME
    assert settings.AXES_LOCKOUT_PARAMETERS == [["username", "ip_address"]]


def test_four_failures_do_not_lock_the_account(users):
    client = _client()
    _fail(client, "caseworker", 4)

    assert factories.sign_in(client, "caseworker", factories.PASSWORD)


def test_right_password_is_refused_with_429_after_five_failures(users):
    client = _client()
    _fail(client, "caseworker", 5)

    response = _attempt(client, "caseworker", factories.PASSWORD)

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


def test_other_user_from_the_same_address_is_not_locked(users):
    client = _client()
    _fail(client, "caseworker", 5)

    assert factories.sign_in(_client(), "supervisor", factories.PASSWORD)


def test_same_user_from_another_address_is_not_locked(users):
    _fail(_client(), "caseworker", 5)

    assert _attempt(_client(), "caseworker", factories.PASSWORD).status_code == 429
    assert factories.sign_in(_client(OTHER_IP), "caseworker", factories.PASSWORD)


def test_lock_holds_for_thirty_minutes_then_ends(users):
    client = _client()
    _fail(client, "caseworker", 5)

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=29))
    assert _attempt(client, "caseworker", factories.PASSWORD).status_code == 429

    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert factories.sign_in(client, "caseworker", factories.PASSWORD)


def test_failed_attempts_are_recorded_with_username_and_address(users):
    _fail(_client(), "caseworker", 5)

    attempt = AccessAttempt.objects.get(username="caseworker")
    assert attempt.ip_address == IP
    assert attempt.failures_since_start >= 5
    # The password typed is never stored.
    assert WRONG not in attempt.post_data
    assert WRONG not in attempt.get_data


def test_attempts_on_an_unknown_username_are_also_recorded_and_locked(db):
    client = _client()
    _fail(client, "nobody-here", 5)

    assert AccessAttempt.objects.filter(username="nobody-here").exists()
    assert _attempt(client, "nobody-here", WRONG).status_code == 429


# Password reset


def _reset(client: Client, email: str = "someone@example.org"):
    return client.post(reverse("accounts:password_reset"), {"email": email})


def test_password_reset_answers_429_after_the_hourly_limit(users):
    client = _client()
    limit = settings.PASSWORD_RESET_LIMIT_PER_HOUR
    assert 0 < limit <= 10

    for _ in range(limit):
        assert _reset(client).status_code == 302

    assert _reset(client).status_code == 429


def test_password_reset_limit_sends_no_more_emails(users):
    user = users[Role.CASEWORKER]
    user.email = "caseworker@example.org"
    user.save(update_fields=["email"])
    client = _client()

    for _ in range(settings.PASSWORD_RESET_LIMIT_PER_HOUR + 3):
        _reset(client, user.email)

    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_HOUR


def test_password_reset_limit_is_per_address(users):
    for _ in range(settings.PASSWORD_RESET_LIMIT_PER_HOUR):
        _reset(_client())
    assert _reset(_client()).status_code == 429

    assert _reset(_client(OTHER_IP)).status_code == 302
