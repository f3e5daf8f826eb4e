"""Sessions: 30 minutes idle, 12 hours at most from sign-in, a new session id at sign-in,
and signing out (or deactivation) ends every session of the user on the server; so does a
new password (changed: every other session; reset: every session), whatever path opened
the session (the app's sign-in form, the admin's)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts import services as account_services
from accounts.models import AuditEntry, UserSession
from accounts.roles import Role
from accounts.sessions import LOGIN_AT
from tests import factories


def _signed_in(username: str) -> Client:
    client = Client()
    assert factories.sign_in(client, username, factories.PASSWORD)
    return client


def _session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _row(client: Client) -> Session:
    return Session.objects.get(session_key=_session_key(client))


def _is_signed_out(client: Client) -> bool:
    response = client.get(reverse("home"))
    return response.status_code == 302 and response["Location"].startswith(
        reverse("accounts:login")
    )


# Idle timeout


def test_idle_timeout_is_thirty_minutes_renewed_by_every_request():
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is False


def test_session_expires_thirty_minutes_after_sign_in(users):
    client = _signed_in("caseworker")

    left = _row(client).expire_date - timezone.now()

    assert timedelta(minutes=29) < left <= timedelta(minutes=30)


def test_each_request_pushes_the_idle_deadline_back(users):
    client = _signed_in("caseworker")
    Session.objects.filter(session_key=_session_key(client)).update(
        expire_date=timezone.now() + timedelta(minutes=5)
    )

    assert client.get(reverse("home")).status_code == 200

    left = _row(client).expire_date - timezone.now()
    assert left > timedelta(minutes=29)


def test_session_idle_past_its_deadline_is_signed_out(users):
    client = _signed_in("caseworker")
    Session.objects.filter(session_key=_session_key(client)).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )

    assert _is_signed_out(client)


# Absolute lifetime


def _started(client: Client, hours_ago: float) -> None:
    session = client.session
    session[LOGIN_AT] = (timezone.now() - timedelta(hours=hours_ago)).isoformat()
    session.save()


def test_absolute_lifetime_is_twelve_hours():
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600


def test_sign_in_records_when_the_session_started(users):
    client = _signed_in("caseworker")

    started = client.session[LOGIN_AT]

    assert abs(timezone.now() - datetime.fromisoformat(started)) < timedelta(minutes=1)


def test_active_session_started_thirteen_hours_ago_is_signed_out(users):
    client = _signed_in("caseworker")
    _started(client, hours_ago=13)

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert "_auth_user_id" not in client.session
    assert _is_signed_out(client)


def test_active_session_started_eleven_hours_ago_is_kept(users):
    client = _signed_in("caseworker")
    _started(client, hours_ago=11)

    assert client.get(reverse("home")).status_code == 200


def test_session_opened_without_the_sign_in_form_gets_its_clock_started(client, users):
    # force_login skips the sign-in view (as the admin's own login does).
    client.force_login(users[Role.CASEWORKER])

    client.get(reverse("home"))

    assert LOGIN_AT in client.session


# Session id


def test_session_id_changes_at_sign_in(users):
    client = Client()
    before = client.session  # an anonymous session, as a visitor would hold
    before["visited"] = True
    before.save()
    old_key = before.session_key
    assert _session_key(client) == old_key

    assert factories.sign_in(client, "caseworker", factories.PASSWORD)

    assert _session_key(client) != old_key
    assert not Session.objects.filter(session_key=old_key).exists()


# Sign-out and deactivation end every session


def test_signing_out_ends_every_session_of_the_user(users):
    laptop, phone = _signed_in("caseworker"), _signed_in("caseworker")
    colleague = _signed_in("supervisor")
    assert UserSession.objects.filter(user=users[Role.CASEWORKER]).count() == 2

    response = laptop.post(reverse("accounts:logout"))

    assert response.status_code == 302
    assert _is_signed_out(phone)
    assert _is_signed_out(laptop)
    assert not UserSession.objects.filter(user=users[Role.CASEWORKER]).exists()
    # Another user's session is untouched.
    assert colleague.get(reverse("home")).status_code == 200


def test_signing_out_deletes_the_sessions_on_the_server(users):
    laptop, phone = _signed_in("caseworker"), _signed_in("caseworker")
    phone_key = _session_key(phone)

    laptop.post(reverse("accounts:logout"))

    # Not only unusable: gone, so a stolen cookie is worth nothing.
    assert not Session.objects.filter(session_key=phone_key).exists()


def test_deactivation_ends_every_session_of_the_user(users):
    laptop, phone = _signed_in("caseworker"), _signed_in("caseworker")
    keys = [_session_key(laptop), _session_key(phone)]
    admin = Client()
    admin.force_login(users[Role.ADMIN])

    response = admin.post(
        reverse("accounts:user_deactivate", kwargs={"pk": users[Role.CASEWORKER].pk})
    )

    assert response.status_code == 302
    assert not Session.objects.filter(session_key__in=keys).exists()
    assert _is_signed_out(laptop)
    assert _is_signed_out(phone)


def test_deactivation_through_the_service_ends_every_session(users):
    client = _signed_in("caseworker")
    key = _session_key(client)

    account_services.user_set_active(
        actor=users[Role.ADMIN], user=users[Role.CASEWORKER], active=False
    )

    assert not Session.objects.filter(session_key=key).exists()
    assert _is_signed_out(client)


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER])
def test_deactivated_user_cannot_sign_in_again(users, role):
    account_services.user_set_active(actor=users[Role.ADMIN], user=users[role], active=False)

    assert not factories.sign_in(Client(), str(role), factories.PASSWORD)


# A new password ends the other sessions


NEW_PASSWORD = "a-brand-new-passphrase-7"


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(users):
    laptop, phone = _signed_in("caseworker"), _signed_in("caseworker")
    phone_key = _session_key(phone)

    response = laptop.post(
        reverse("accounts:password_change"),
        {
            "old_password": factories.PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert not Session.objects.filter(session_key=phone_key).exists()
    assert _is_signed_out(phone)
    assert laptop.get(reverse("home")).status_code == 200
    # The session goes on under its new key, which signing out still reaches.
    assert UserSession.objects.filter(
        user=users[Role.CASEWORKER], session_key=_session_key(laptop)
    ).exists()
    laptop.post(reverse("accounts:logout"))
    assert not Session.objects.filter(session_key=_session_key(laptop)).exists()


def test_resetting_the_password_ends_every_session(users):
    user = users[Role.CASEWORKER]
    laptop = _signed_in("caseworker")
    user.refresh_from_db()  # the token covers the last sign-in
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    reset = Client()
    form = reset.get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}),
        follow=True,
    )

    response = reset.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )

    assert response.status_code == 302
    assert _is_signed_out(laptop)
    assert not UserSession.objects.filter(user=user).exists()
    assert AuditEntry.objects.filter(
        action="accounts.user.password_reset", target_id=str(user.pk)
    ).exists()


def test_a_session_opened_through_the_admin_sign_in_is_ended_like_any_other(users):
    root = factories.superuser()
    admin_site = Client()
    response = admin_site.post(
        "/admin/login/?next=/admin/", {"username": root.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert admin_site.get(reverse("home")).status_code == 200
    elsewhere = _signed_in(root.username)

    elsewhere.post(reverse("accounts:logout"))

    assert _is_signed_out(admin_site)
