"""Personal access tokens: made on the API tokens page (shown once, stored hashed) or by
`create_api_token`; a token acts as its user and ends at once when revoked, expired or its
user deactivated."""

from __future__ import annotations

import hashlib
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts import services as account_services
from accounts.models import AuditEntry
from accounts.roles import Role
from api.models import ApiToken

PARTNERS = "/api/v1/partners/"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def _bearer(text: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {text}")
    return client


def test_the_page_shows_a_new_token_once_and_stores_only_its_hash(client_for, users):
    client = client_for(users[Role.CASEWORKER])
    response = client.post(
        reverse("api_tokens:list"), {"name": "OpenFn sync", "days": "30", "access": "read"}
    )

    assert response.status_code == 200
    text = response.context["created"]["text"]
    assert text.startswith("tcm_") and text.encode() in response.content
    token = ApiToken.objects.get(user=users[Role.CASEWORKER])
    assert token.name == "OpenFn sync" and token.read_only
    assert text.split("_", 2)[2] not in token.secret_hash
    assert token.secret_hash == hashlib.sha256(text.split("_", 2)[2].encode()).hexdigest()
    assert "no-store" in response["Cache-Control"]
    assert _bearer(text).get(PARTNERS).status_code == 200
    # The next visit lists the token by its prefix only.
    again = client.get(reverse("api_tokens:list"))
    assert text.encode() not in again.content
    assert token.prefix.encode() in again.content
    assert AuditEntry.objects.filter(action="api.token.created", target_id=str(token.pk)).exists()


@pytest.mark.parametrize("days", ["0", "91", "-3", "x"])
def test_a_token_lasts_at_most_90_days(client_for, users, days):
    client = client_for(users[Role.CASEWORKER])
    response = client.post(
        reverse("api_tokens:list"), {"name": "sync", "days": days, "access": "read"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["days"]
    assert not ApiToken.objects.exists()


@override_settings(TWO_FACTOR_REQUIRED=True)
def test_a_role_that_needs_two_factor_needs_a_verified_session_to_create_one(client_for, users):
    client = client_for(users[Role.CASEWORKER])  # signed in with the password only
    response = client.post(
        reverse("api_tokens:list"), {"name": "sync", "days": "30", "access": "write"}
    )

    assert response.status_code in (302, 403)
    assert not ApiToken.objects.exists()


def test_a_revoked_token_is_refused_at_once(client_for, users, token_for):
    user = users[Role.CASEWORKER]
    text = token_for(user)
    api = _bearer(text)
    assert api.get(PARTNERS).status_code == 200

    page = client_for(user)
    token = ApiToken.objects.get(user=user)
    assert page.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 302

    response = api.get(PARTNERS)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert AuditEntry.objects.filter(action="api.token.revoked", target_id=str(token.pk)).exists()


def test_nobody_revokes_another_persons_token(client_for, users, token_for):
    token_for(users[Role.CASEWORKER])
    token = ApiToken.objects.get()
    other = client_for(users[Role.SUPERVISOR])

    assert other.post(reverse("api_tokens:revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_deactivating_the_user_ends_the_token(users, token_for):
    user = users[Role.CASEWORKER]
    api = _bearer(token_for(user))
    assert api.get(PARTNERS).status_code == 200

    account_services.user_set_active(actor=None, user=user, active=False)

    assert api.get(PARTNERS).status_code == 401


def test_an_expired_token_is_refused(users, token_for):
    user = users[Role.CASEWORKER]
    api = _bearer(token_for(user))
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    assert api.get(PARTNERS).status_code == 401


@pytest.mark.parametrize(
    "header",
    ["Bearer tcm_nothing_here", "Bearer tcm__x", "Token abc", "Bearer", "Bearer tcm_a_b_c"],
)
def test_a_malformed_or_unknown_token_is_refused(db, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(PARTNERS)

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_guessed_secret_with_a_real_prefix_is_refused(users, token_for):
    text = token_for(users[Role.CASEWORKER])
    prefix = text.split("_", 2)[1]

    assert _bearer(f"tcm_{prefix}_guess").get(PARTNERS).status_code == 401


def test_no_token_no_entry(db):
    response = APIClient().get(PARTNERS)

    assert response.status_code == 401


def test_a_session_is_not_a_way_into_the_api(client_for, users):
    # Only tokens: a signed-in browser tab cannot be used for cross-site API writes.
    client = client_for(users[Role.CASEWORKER])

    assert client.get(PARTNERS).status_code == 401


def test_the_command_prints_the_token_alone_on_its_last_line(users):
    out = StringIO()
    call_command("create_api_token", "caseworker", "--days", "7", "--read-only", stdout=out)

    last = out.getvalue().strip().splitlines()[-1]
    assert last.startswith("tcm_") and " " not in last
    token = ApiToken.objects.get()
    assert token.read_only
    assert timedelta(days=6, hours=23) < token.expires_at - timezone.now() <= timedelta(days=7)
    assert _bearer(last).get(PARTNERS).status_code == 200


@pytest.mark.parametrize(
    "args", [["nobody"], ["caseworker", "--days", "91"], ["caseworker", "--days", "0"]]
)
def test_the_command_refuses_bad_input(users, args):
    with pytest.raises(CommandError):
        call_command("create_api_token", *args, stdout=StringIO())
    assert not ApiToken.objects.exists()


def test_a_read_only_token_only_reads(users, org, api_as):
    api = api_as(users[Role.ADMIN], read_only=True)
    etag = api.get(f"{PARTNERS}{org.pk}/")["ETag"]

    response = api.patch(
        f"{PARTNERS}{org.pk}/", {"phone": "+236 1"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 403
    org.refresh_from_db()
    assert org.phone == ""
