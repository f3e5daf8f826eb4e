"""Two-factor sign-in (TOTP through django-otp, plus one-time backup codes) for every role
that reads personal data, exports microdata or manages users, and for superusers, when
TWO_FACTOR_REQUIRED. Devices change only through the audited services: the first set-up is
for an account without a device; adding or replacing one needs a verified session and the
password; an administrator removes a colleague's lost devices, never their own."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client, override_settings
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import guards, two_factor
from accounts.models import AuditEntry, User
from accounts.policy import CASE_LEVEL_KINDS, RULES, Action
from accounts.roles import Role
from accounts.views_auth import ENROLMENT
from tests import factories


@pytest.fixture(autouse=True)
def english_by_default(settings):
    # The assertions read the English wording; emails and pages without an Accept-Language
    # use LANGUAGE_CODE (French in production).
    settings.LANGUAGE_CODE = "en"


pytestmark = pytest.mark.usefixtures("db")

# Programme officers read participant registers and M&E officers export CTDC microdata:
# both sign in with a second factor too (before, with a password alone).
REQUIRED = [Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.PROGRAMME, Role.MNE, Role.ADMIN]
NOT_REQUIRED = [Role.MINISTRY]

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


# Finding 12: who needs a second factor follows the access policy


def test_every_role_that_reads_personal_data_exports_microdata_or_manages_users_needs_it():
    personal = {
        role for kind in CASE_LEVEL_KINDS for allowed in RULES[kind].values() for role in allowed
    }
    microdata = RULES["ctdc"][Action.EXPORT] | RULES["case"][Action.EXPORT]
    managers = {role for allowed in RULES["user"].values() for role in allowed}

    assert personal | microdata | managers <= two_factor.ROLES_REQUIRING_2FA
    assert Role.PROGRAMME in two_factor.ROLES_REQUIRING_2FA  # the training register
    assert Role.MNE in two_factor.ROLES_REQUIRING_2FA  # the CTDC export
    # Aggregates only: the ministry focal point signs in with a password.
    assert set(two_factor.ROLES_REQUIRING_2FA) == set(REQUIRED)


@override_settings(TWO_FACTOR_REQUIRED=True, DEMO=True)
@pytest.mark.parametrize("role", [Role.PROGRAMME, Role.MNE])
def test_programme_and_mne_demo_users_keep_the_demo_exception(role):
    user = factories.user(role)
    User.objects.filter(pk=user.pk).update(is_demo=True)

    assert _signed_in(user).get(reverse("home")).status_code == 200


# Finding 1: the set-up page is for an account without a device


def _verified(user: User, device: TOTPDevice) -> Client:
    client = _signed_in(user)
    assert _verify(client, _code(device)).status_code == 302
    return client


def _pending(user: User) -> TOTPDevice:
    return TOTPDevice.objects.get(user=user, confirmed=False)


def _entries(user: User, action: str) -> int:
    return AuditEntry.objects.filter(action=action, target_id=str(user.pk)).count()


@two_factor_on
def test_password_alone_cannot_open_the_set_up_page_of_an_account_with_a_device():
    user = factories.user(Role.CASEWORKER)
    _confirmed_device(user)
    client = _signed_in(user)

    response = client.get(reverse("accounts:two_factor_setup"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


@two_factor_on
def test_password_alone_cannot_enrol_a_new_device_and_pass_the_second_factor():
    user = factories.user(Role.CASEWORKER)
    owner_device = _confirmed_device(user)
    owner_codes = two_factor.backup_codes_issue(user)
    attacker = _signed_in(user)
    # The attacker's own authenticator, as the old set-up page would have made it.
    rogue = TOTPDevice.objects.create(user=user, name="rogue", confirmed=False)
    attacker.session[ENROLMENT] = rogue.pk
    attacker.session.save()

    response = attacker.post(reverse("accounts:two_factor_setup"), {"token": _code(rogue)})

    assert response.status_code == 302
    rogue.refresh_from_db()
    assert not rogue.confirmed
    assert attacker.get(reverse("home")).status_code == 302
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [owner_device]
    # The owner's backup codes still work: none were replaced.
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == (
        set(owner_codes)
    )
    assert _entries(user, "accounts.two_factor.enabled") == 0


def test_first_set_up_service_refuses_an_account_that_has_a_device():
    user = factories.user(Role.CASEWORKER)
    _confirmed_device(user)
    rogue = TOTPDevice.objects.create(user=user, name="rogue", confirmed=False)

    with pytest.raises(ValidationError):
        two_factor.first_device_confirm(user=user, device=rogue, token=_code(rogue))

    rogue.refresh_from_db()
    assert not rogue.confirmed


@two_factor_on
def test_each_session_sets_up_its_own_key():
    # Whoever opened the page first must not know the key the owner then confirms.
    user = factories.user(Role.CASEWORKER)
    first, second = _signed_in(user), _signed_in(user)

    first_key = first.get(reverse("accounts:two_factor_setup")).context["key"]
    second_key = second.get(reverse("accounts:two_factor_setup")).context["key"]
    assert first_key != second_key
    assert first.get(reverse("accounts:two_factor_setup")).context["key"] == first_key

    device = TOTPDevice.objects.get(pk=second.session[ENROLMENT])
    confirmed = second.post(reverse("accounts:two_factor_setup"), {"token": _code(device)})
    assert confirmed.status_code == 200
    # The other session's unconfirmed key is gone with the confirmation.
    assert list(TOTPDevice.objects.filter(user=user)) == [device]


@two_factor_on
def test_first_set_up_is_audited_and_the_owner_is_told_by_email(
    mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.user(Role.CASEWORKER, email="amina@example.org")
    client = _signed_in(user)
    client.get(reverse("accounts:two_factor_setup"))

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:two_factor_setup"), {"token": _code(_pending(user))})

    assert _entries(user, "accounts.two_factor.enabled") == 1
    assert [m.to for m in mailoutbox] == [["amina@example.org"]]
    assert "Two-step sign-in was set up" in mailoutbox[0].body
    assert "contact your administrator" in mailoutbox[0].body


# Adding or replacing an authenticator: a verified session and the password


def _add(client: Client, user: User, *, password: str = factories.PASSWORD, replace: bool):
    client.get(reverse("accounts:authenticator_add"))
    new = _pending(user)
    response = client.post(
        reverse("accounts:authenticator_add"),
        {
            "replace": "1" if replace else "0",
            "name": "new phone",
            "token": _code(new),
            "password": password,
        },
    )
    return response, new


@two_factor_on
def test_adding_an_authenticator_needs_a_verified_session():
    user = factories.user(Role.CASEWORKER)
    _confirmed_device(user)
    client = _signed_in(user)

    response = client.get(reverse("accounts:authenticator_add"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:two_factor_verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


@two_factor_on
def test_adding_an_authenticator_needs_a_verified_session_whatever_the_role():
    # A ministry focal point signs in with a password; once they have a device, changing it
    # still needs its code.
    user = factories.user(Role.MINISTRY)
    _confirmed_device(user)
    client = _signed_in(user)

    for url in (reverse("accounts:authenticator_add"), reverse("accounts:email_change")):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("accounts:two_factor_verify")), url
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()


@two_factor_on
def test_adding_an_authenticator_needs_the_password():
    user = factories.user(Role.CASEWORKER)
    device = _confirmed_device(user)
    client = _verified(user, device)

    response, new = _add(client, user, password="not-the-password", replace=False)

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["The password is not correct."]
    new.refresh_from_db()
    assert not new.confirmed
    assert _entries(user, "accounts.user.password_check_failed") == 1
    assert _entries(user, "accounts.two_factor.device_added") == 0


def test_adding_an_authenticator_through_the_service_needs_the_password():
    user = factories.user(Role.CASEWORKER)
    _confirmed_device(user)
    new = TOTPDevice.objects.create(user=user, name="new", confirmed=False)

    with pytest.raises(ValidationError):
        two_factor.authenticator_add(
            user=user, device=new, password="wrong", token=_code(new), replace=True
        )

    new.refresh_from_db()
    assert not new.confirmed


@two_factor_on
def test_added_authenticator_works_beside_the_old_one_and_the_owner_is_told(
    mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.user(Role.CASEWORKER, email="amina@example.org")
    old = _confirmed_device(user)
    client = _verified(user, old)

    with django_capture_on_commit_callbacks(execute=True):
        response, new = _add(client, user, replace=False)

    assert response.status_code == 302
    assert set(TOTPDevice.objects.filter(user=user, confirmed=True)) == {old, new}
    new.refresh_from_db()
    assert new.name == "new phone"
    assert _entries(user, "accounts.two_factor.device_added") == 1
    assert [m.to for m in mailoutbox] == [["amina@example.org"]]
    assert "A new authenticator was added" in mailoutbox[0].body
    # The session goes on.
    assert client.get(reverse("home")).status_code == 200


@two_factor_on
def test_replacing_an_authenticator_removes_the_old_one_once_the_new_one_is_confirmed():
    user = factories.user(Role.SUPERVISOR)
    old = _confirmed_device(user)
    client = _verified(user, old)

    client.get(reverse("accounts:authenticator_add"))
    new = _pending(user)
    wrong = f"{(int(_code(new)) + 1) % 10**6:06d}"
    refused = client.post(
        reverse("accounts:authenticator_add"),
        {"replace": "1", "token": wrong, "password": factories.PASSWORD},
    )
    assert refused.status_code == 200
    # A wrong code for the new one: the old one stays.
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [old]
    # django-otp makes the next try wait after a failure; the test does not.
    TOTPDevice.objects.filter(pk=new.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )

    response, new = _add(client, user, replace=True)

    assert response.status_code == 302
    assert list(TOTPDevice.objects.filter(user=user, confirmed=True)) == [new]
    entry = AuditEntry.objects.get(action="accounts.two_factor.device_replaced")
    assert entry.data == {"device": new.pk, "removed": [old.pk]}
    assert client.get(reverse("home")).status_code == 200


@two_factor_on
def test_a_second_authenticator_is_removed_with_the_password_but_the_last_one_is_not():
    user = factories.user(Role.CASEWORKER)
    first = _confirmed_device(user)
    second = _confirmed_device(user)
    client = _verified(user, first)
    remove = reverse("accounts:authenticator_remove", kwargs={"pk": second.pk})

    client.post(remove, {"password": "wrong"})
    assert TOTPDevice.objects.filter(pk=second.pk).exists()

    client.post(remove, {"password": factories.PASSWORD})
    assert not TOTPDevice.objects.filter(pk=second.pk).exists()
    assert _entries(user, "accounts.two_factor.device_removed") == 1

    client.post(
        reverse("accounts:authenticator_remove", kwargs={"pk": first.pk}),
        {"password": factories.PASSWORD},
    )
    assert TOTPDevice.objects.filter(pk=first.pk).exists()


@two_factor_on
def test_new_backup_codes_need_the_password_and_are_audited_and_told(
    mailoutbox, django_capture_on_commit_callbacks
):
    user = factories.user(Role.ADMIN, email="admin@example.org")
    device = _confirmed_device(user)
    codes = two_factor.backup_codes_issue(user)
    client = _verified(user, device)

    refused = client.post(reverse("accounts:two_factor_backup_codes"), {"password": "wrong"})
    assert refused.status_code == 302
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == (
        set(codes)
    )

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("accounts:two_factor_backup_codes"), {"password": factories.PASSWORD}
        )

    assert response.status_code == 200
    assert not set(response.context["codes"]) & set(codes)
    assert _entries(user, "accounts.two_factor.backup_codes_issued") == 1
    assert "New backup codes were made" in mailoutbox[0].body


@two_factor_on
def test_a_few_wrong_passwords_lock_the_security_forms():
    user = factories.user(Role.CASEWORKER)
    device = _confirmed_device(user)
    client = _verified(user, device)
    for _ in range(guards.PASSWORD_CHECK_LIMIT):
        client.post(reverse("accounts:two_factor_backup_codes"), {"password": "wrong"})

    # Now even the right password is refused for a while.
    with pytest.raises(ValidationError) as refused:
        guards.password_confirm(user=user, password=factories.PASSWORD)

    assert refused.value.code == "password_locked"
    cache.delete(f"password-check-failures:{user.pk}")


# An administrator resets a colleague's lost devices


@pytest.fixture
def team(org):
    admin = factories.user(Role.ADMIN, organisation=org, username="team-admin")
    colleague = factories.user(
        Role.CASEWORKER, organisation=org, username="team-colleague", email="c@example.org"
    )
    _confirmed_device(colleague)
    two_factor.backup_codes_issue(colleague)
    return admin, colleague


def _reset(client: Client, subject: User, password: str = factories.PASSWORD):
    return client.post(
        reverse("accounts:user_two_factor_reset", kwargs={"pk": subject.pk}),
        {"password": password},
    )


@two_factor_on
def test_admin_resets_a_colleagues_devices_and_the_colleague_sets_up_again_after_the_password(
    team, mailoutbox, django_capture_on_commit_callbacks
):
    admin, colleague = team
    admin_device = _confirmed_device(admin)
    colleague_session = _signed_in(colleague)
    admin_client = _verified(admin, admin_device)

    with django_capture_on_commit_callbacks(execute=True):
        response = _reset(admin_client, colleague)

    assert response.status_code == 302
    assert not two_factor.has_device(colleague)
    # The sessions opened before the reset end: a set-up needs the password again.
    assert colleague_session.get(reverse("home"))["Location"].startswith(reverse("accounts:login"))
    entry = AuditEntry.objects.get(action="accounts.two_factor.reset")
    assert entry.actor == admin
    assert entry.target_id == str(colleague.pk)
    assert [m.to for m in mailoutbox] == [["c@example.org"]]
    assert "removed the two-step sign-in devices" in mailoutbox[0].body
    again = _signed_in(colleague)
    assert again.get(reverse("home"))["Location"].startswith(reverse("accounts:two_factor_setup"))


def test_admin_reset_needs_the_admins_own_password(client_for, team):
    admin, colleague = team

    _reset(client_for(admin), colleague, password="wrong")

    assert two_factor.has_device(colleague)
    assert not AuditEntry.objects.filter(action="accounts.two_factor.reset").exists()


def test_admin_cannot_reset_their_own_devices(client_for, team):
    admin, _colleague = team
    _confirmed_device(admin)

    _reset(client_for(admin), admin)

    assert two_factor.has_device(admin)
    with pytest.raises(ValidationError):
        two_factor.two_factor_reset(actor=admin, user=admin, password=factories.PASSWORD)


def test_admin_cannot_reset_a_superusers_devices(client_for, team, org):
    admin, _colleague = team
    root = factories.superuser()
    User.objects.filter(pk=root.pk).update(organisation=org)
    root.refresh_from_db()
    _confirmed_device(root)

    response = _reset(client_for(admin), root)

    assert response.status_code == 404
    assert two_factor.has_device(root)
    with pytest.raises((ValidationError, PermissionDenied)):
        two_factor.two_factor_reset(actor=admin, user=root, password=factories.PASSWORD)
    # Nor may another superuser through the app.
    with pytest.raises(ValidationError):
        two_factor.two_factor_reset(
            actor=factories.superuser(), user=root, password=factories.PASSWORD
        )
    assert two_factor.has_device(root)


def test_admin_cannot_reset_devices_in_another_organisation(client_for, team, other_org):
    admin, _colleague = team
    outsider = factories.user(Role.CASEWORKER, organisation=other_org)
    _confirmed_device(outsider)

    assert _reset(client_for(admin), outsider).status_code == 404
    with pytest.raises(PermissionDenied):
        two_factor.two_factor_reset(actor=admin, user=outsider, password=factories.PASSWORD)
    assert two_factor.has_device(outsider)
