"""Two-factor sign-in (TOTP through django-otp, plus one-time backup codes) for every role
with case-level data or user management, and for superusers, when TWO_FACTOR_REQUIRED."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from accounts.models import User
from accounts.roles import Role
from tests import factories

pytestmark = pytest.mark.usefixtures("db")

REQUIRED = [Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.ADMIN]
NOT_REQUIRED = [Role.PROGRAMME, Role.MNE, Role.MINISTRY]

two_factor_on = override_settings(TWO_FACTOR_REQUIRED=True)


def _code(device: TOTPDevice) -> str:
    device.refresh_from_db()
    token = TOTP(device.bin_key, device.step, device.t0, device.digits).token()
    return f"{token:0{device.digits}d}"


def _confirmed_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


def _signed_in(user: User) -> Client:
    client = Client()
    assert factories.sign_in(client, user.username, factories.PASSWORD)
    return client


def _verify(client: Client, code: str):
    return client.post(reverse("accounts:two_factor_verify"), {"token": code, "next": "/"})


def _subject(role: str) -> User:
    if role == "superuser":
        return factories.superuser()
    return factories.user(Role(role))


# Who must use a second factor


@two_factor_on
@pytest.mark.parametrize("role", [*REQUIRED, "superuser"])
def test_role_with_case_data_or_user_management_must_set_up_a_second_factor(role):
    client = _signed_in(_subject(role))

    response = client.get(reverse("home"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_setup"))


@two_factor_on
@pytest.mark.parametrize("role", [*REQUIRED, "superuser"])
def test_role_with_a_device_is_asked_for_a_code_before_any_page(role):
    user = _subject(role)
    _confirmed_device(user)
    client = _signed_in(user)

    for url in (reverse("home"), reverse("cases:case_list"), reverse("accounts:user_list")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:two_factor_verify")), url


@two_factor_on
@pytest.mark.parametrize("role", NOT_REQUIRED)
def test_role_without_case_data_signs_in_with_a_password(role):
    client = _signed_in(factories.user(role))

    assert client.get(reverse("home")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=False)
def test_second_factor_is_not_asked_when_turned_off():
    client = _signed_in(factories.user(Role.CASEWORKER))

    assert client.get(reverse("home")).status_code == 200


# Setting up and verifying


@two_factor_on
def test_setting_up_an_authenticator_with_its_current_code_opens_the_app():
    user = factories.user(Role.CASEWORKER)
    client = _signed_in(user)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    response = client.post(reverse("accounts:two_factor_setup"), {"token": _code(device)})

    assert response.status_code == 200
    assert len(response.context["codes"]) == two_factor.BACKUP_CODES
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("home")).status_code == 200


@two_factor_on
def test_setting_up_with_a_wrong_code_confirms_nothing():
    user = factories.user(Role.CASEWORKER)
    client = _signed_in(user)
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    wrong = f"{(int(_code(device)) + 1) % 10**6:06d}"

    response = client.post(reverse("accounts:two_factor_setup"), {"token": wrong})

    assert response.status_code == 200
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(reverse("home")).status_code == 302


@two_factor_on
def test_current_totp_code_opens_the_app():
    user = factories.user(Role.SUPERVISOR)
    device = _confirmed_device(user)
    client = _signed_in(user)

    response = _verify(client, _code(device))

    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


@two_factor_on
def test_wrong_totp_code_is_refused():
    user = factories.user(Role.SUPERVISOR)
    device = _confirmed_device(user)
    client = _signed_in(user)
    wrong = f"{(int(_code(device)) + 1) % 10**6:06d}"

    response = _verify(client, wrong)

    assert response.status_code == 200
    assert client.get(reverse("home")).status_code == 302


@two_factor_on
def test_totp_code_is_refused_when_used_again_in_the_same_time_step():
    user = factories.user(Role.CASEWORKER)
    device = _confirmed_device(user)
    first, second = _signed_in(user), _signed_in(user)
    code = _code(device)

    assert _verify(first, code).status_code == 302
    response = _verify(second, code)

    assert response.status_code == 200
    assert response.context["form"].errors
    assert second.get(reverse("home")).status_code == 302
    assert first.get(reverse("home")).status_code == 200


@two_factor_on
def test_backup_code_opens_the_app_once():
    user = factories.user(Role.PARTNER)
    _confirmed_device(user)
    codes = two_factor.backup_codes_issue(user)
    first, second = _signed_in(user), _signed_in(user)

    assert _verify(first, codes[0]).status_code == 302
    assert first.get(reverse("home")).status_code == 200
    assert not StaticToken.objects.filter(device__user=user, token=codes[0]).exists()

    assert _verify(second, codes[0]).status_code == 200
    assert second.get(reverse("home")).status_code == 302
    # Only the used code is gone.
    assert StaticToken.objects.filter(device__user=user).count() == len(codes) - 1


@two_factor_on
def test_new_backup_codes_replace_the_old_ones():
    user = factories.user(Role.ADMIN)
    _confirmed_device(user)
    old = two_factor.backup_codes_issue(user)
    two_factor.backup_codes_issue(user)
    client = _signed_in(user)

    assert _verify(client, old[0]).status_code == 200
    assert client.get(reverse("home")).status_code == 302


@two_factor_on
def test_new_backup_codes_need_a_verified_second_factor():
    user = factories.user(Role.ADMIN)
    _confirmed_device(user)
    codes = two_factor.backup_codes_issue(user)
    client = _signed_in(user)

    response = client.post(reverse("accounts:two_factor_backup_codes"))

    assert response.status_code == 302
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == (
        set(codes)
    )


# Demo users


@override_settings(TWO_FACTOR_REQUIRED=True, DEMO=True)
def test_demo_user_signs_in_with_a_password_when_demo_is_on():
    user = factories.user(Role.CASEWORKER)
    User.objects.filter(pk=user.pk).update(is_demo=True)

    client = _signed_in(user)

    assert client.get(reverse("home")).status_code == 200


@override_settings(TWO_FACTOR_REQUIRED=True, DEMO=False)
def test_demo_user_needs_a_second_factor_when_demo_is_off():
    user = factories.user(Role.CASEWORKER)
    User.objects.filter(pk=user.pk).update(is_demo=True)

    client = _signed_in(user)

    assert client.get(reverse("home")).status_code == 302


@override_settings(TWO_FACTOR_REQUIRED=True, DEMO=True)
def test_ordinary_user_needs_a_second_factor_even_when_demo_is_on():
    client = _signed_in(factories.user(Role.CASEWORKER))

    assert client.get(reverse("home")).status_code == 302
