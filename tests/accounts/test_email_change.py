"""A new email address takes effect only once confirmed from that address (the old one is
told), so that an administrator cannot change a user's email and then reset the password;
superusers are outside every organisation administrator's reach; Django's admin changes no
account."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import email_change, services
from accounts.email_change import email_change_token, email_hash
from accounts.models import AuditEntry, EmailChange, User, UserRole
from accounts.roles import Role
from tests import factories


@pytest.fixture(autouse=True)
def english_by_default(settings):
    # The assertions read the English wording; emails and pages without an Accept-Language
    # use LANGUAGE_CODE (French in production).
    settings.LANGUAGE_CODE = "en"


OLD, NEW, ATTACKER = "amina@example.org", "amina.kone@example.org", "mallory@evil.example"


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def admin(org):
    return factories.user(Role.ADMIN, organisation=org, username="admin")


@pytest.fixture
def colleague(org):
    return factories.user(Role.CASEWORKER, organisation=org, username="colleague", email=OLD)


def _edit_email(client: Client, subject: User, email: str):
    return client.post(
        reverse("accounts:user_edit", kwargs={"pk": subject.pk}),
        {
            "first_name": subject.first_name,
            "last_name": subject.last_name,
            "email": email,
            "job_title": subject.job_title,
            "roles": sorted(subject.roles),
        },
    )


def _email(user: User) -> str:
    return User.objects.get(pk=user.pk).email


def _confirm(token: str) -> Client:
    anyone = Client(headers={"accept-language": "en"})
    anyone.post(reverse("accounts:email_confirm", kwargs={"token": token}))
    return anyone


# Finding 3: the takeover, step by step


def test_admin_cannot_take_an_account_over_by_changing_its_email_then_resetting_the_password(
    client_for, admin, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _edit_email(client_for(admin), colleague, ATTACKER)
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password_reset"), {"email": ATTACKER})

    assert _email(colleague) == OLD
    assert mailoutbox == []  # no reset link for an address the account never confirmed


def test_password_reset_goes_to_the_confirmed_address_only(
    client_for, admin, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    _edit_email(client_for(admin), colleague, NEW)

    with django_capture_on_commit_callbacks(execute=True):
        Client().post(reverse("accounts:password_reset"), {"email": OLD})

    assert [m.to for m in mailoutbox] == [[OLD]]


def test_admins_email_change_waits_for_the_link_sent_to_the_new_address(
    client_for, admin, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _edit_email(client_for(admin), colleague, NEW)

    assert response.status_code == 302
    assert _email(colleague) == OLD
    change = EmailChange.objects.get(user=colleague)
    assert (change.new_email, change.status, change.requested_by) == (NEW, "pending", admin)
    by_address = {m.to[0]: m for m in mailoutbox}
    assert set(by_address) == {NEW, OLD}
    assert "/accounts/email/confirm/" in by_address[NEW].body
    # The old address is told, and gets no link.
    assert "An administrator asked" in by_address[OLD].body
    assert "/accounts/email/confirm/" not in by_address[OLD].body


def test_opening_the_link_confirms_nothing_until_the_button_is_pressed(colleague):
    change = email_change.email_change_request(actor=None, user=colleague, new_email=NEW)
    url = reverse("accounts:email_confirm", kwargs={"token": email_change_token(change)})

    page = Client().get(url)

    assert page.status_code == 200
    assert page.context["change"] == change
    assert _email(colleague) == OLD


def test_the_link_confirms_the_new_address_and_the_old_one_is_told(
    colleague, mailoutbox, django_capture_on_commit_callbacks
):
    change = email_change.email_change_request(actor=None, user=colleague, new_email=NEW)

    with django_capture_on_commit_callbacks(execute=True):
        anyone = _confirm(email_change_token(change))

    assert _email(colleague) == NEW
    change.refresh_from_db()
    assert change.status == EmailChange.Status.CONFIRMED
    assert [m.to for m in mailoutbox] == [[OLD]]
    assert "was changed" in mailoutbox[0].body
    # No sign-in was needed, and none was given.
    assert "_auth_user_id" not in anyone.session


def test_the_link_works_once(colleague):
    change = email_change.email_change_request(actor=None, user=colleague, new_email=NEW)
    token = email_change_token(change)
    _confirm(token)
    User.objects.filter(pk=colleague.pk).update(email=OLD)

    with pytest.raises(ValidationError):
        email_change.email_change_confirm(token=token)

    assert _email(colleague) == OLD


def test_an_expired_link_is_refused(colleague):
    change = email_change.email_change_request(actor=None, user=colleague, new_email=NEW)
    EmailChange.objects.filter(pk=change.pk).update(
        requested_at=timezone.now() - email_change.MAX_AGE - timedelta(minutes=1)
    )

    with pytest.raises(ValidationError):
        email_change.email_change_confirm(token=email_change_token(change))

    assert _email(colleague) == OLD


def test_a_link_is_bound_to_its_account_and_address(colleague, org):
    other = factories.user(Role.CASEWORKER, organisation=org, email="other@example.org")
    mine = email_change.email_change_request(actor=None, user=colleague, new_email=NEW)
    theirs = email_change.email_change_request(actor=None, user=other, new_email=ATTACKER)
    payload = signing.loads(email_change_token(mine), salt=email_change.SALT)
    # A signed token naming the other request, with this request's binding.
    forged = signing.dumps({**payload, "c": theirs.pk}, salt=email_change.SALT)

    for token in (forged, email_change_token(mine) + "x", "bad-token"):
        with pytest.raises(ValidationError):
            email_change.email_change_confirm(token=token)
        assert (
            Client()
            .get(reverse("accounts:email_confirm", kwargs={"token": token}))
            .context["change"]
            is None
        )

    assert _email(other) == "other@example.org"


def test_a_newer_request_replaces_the_older_one(colleague):
    first = email_change.email_change_request(actor=None, user=colleague, new_email=ATTACKER)
    second = email_change.email_change_request(actor=None, user=colleague, new_email=NEW)

    with pytest.raises(ValidationError):
        email_change.email_change_confirm(token=email_change_token(first))
    email_change.email_change_confirm(token=email_change_token(second))

    assert _email(colleague) == NEW


def test_an_address_of_another_account_is_refused(colleague, org):
    factories.user(Role.CASEWORKER, organisation=org, email=NEW)

    with pytest.raises(ValidationError):
        email_change.email_change_request(actor=None, user=colleague, new_email=NEW.upper())


def test_the_audit_entries_record_keyed_hashes_of_the_addresses(client_for, admin, colleague):
    _edit_email(client_for(admin), colleague, NEW)
    email_change.email_change_confirm(
        token=email_change_token(EmailChange.objects.get(user=colleague))
    )

    expected = {"before": email_hash(OLD), "after": email_hash(NEW)}
    requested = AuditEntry.objects.get(action="accounts.user.email_change_requested")
    changed = AuditEntry.objects.get(action="accounts.user.email_changed")
    assert requested.actor == admin
    assert requested.data["email_hash"] == expected
    assert changed.data["email_hash"] == expected
    assert email_hash(OLD) != email_hash(NEW)
    assert len(email_hash(OLD)) == 40
    stored = json.dumps([requested.data, changed.data])
    assert "***" not in stored
    assert "example.org" not in stored


def test_removing_the_address_is_immediate_and_the_old_one_is_told(
    client_for, admin, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    # No address gives no way in (no reset link goes anywhere): nothing to confirm.
    with django_capture_on_commit_callbacks(execute=True):
        _edit_email(client_for(admin), colleague, "")

    assert _email(colleague) == ""
    assert [m.to for m in mailoutbox] == [[OLD]]
    entry = AuditEntry.objects.get(action="accounts.user.email_changed")
    assert entry.data["email_hash"] == {"before": email_hash(OLD), "after": ""}


def test_a_new_account_gets_its_address_once_confirmed(client_for, admin):
    client_for(admin).post(
        reverse("accounts:user_create"),
        {
            "username": "fatou",
            "first_name": "Fatou",
            "last_name": "Camara",
            "email": ATTACKER,
            "roles": [Role.MINISTRY],
            "password1": "blue-river-lantern-42",
            "password2": "blue-river-lantern-42",
        },
    )

    created = User.objects.get(username="fatou")
    assert created.email == ""
    assert EmailChange.objects.get(user=created).new_email == ATTACKER


# The user's own address: the password again


def test_user_changes_their_own_address_with_the_password(client_for, colleague):
    client = client_for(colleague)

    refused = client.post(
        reverse("accounts:email_change"), {"email": NEW, "password": "not-the-password"}
    )
    assert refused.status_code == 200
    assert not EmailChange.objects.exists()

    accepted = client.post(
        reverse("accounts:email_change"), {"email": NEW, "password": factories.PASSWORD}
    )
    assert accepted.status_code == 302
    assert EmailChange.objects.get(user=colleague).new_email == NEW
    assert _email(colleague) == OLD


# Superusers are outside every organisation administrator's scope


@pytest.fixture
def root_in_org(org):
    root = factories.superuser()
    User.objects.filter(pk=root.pk).update(organisation=org, email="root@example.org")
    root.refresh_from_db()
    return root


@pytest.mark.parametrize("url_name", ["accounts:user_detail", "accounts:user_edit"])
def test_admin_cannot_open_a_superuser_of_their_organisation(
    client_for, admin, root_in_org, url_name
):
    response = client_for(admin).get(reverse(url_name, kwargs={"pk": root_in_org.pk}))

    assert response.status_code == 404


def test_admin_does_not_list_a_superuser_of_their_organisation(client_for, admin, root_in_org):
    response = client_for(admin).get(reverse("accounts:user_list"))

    assert root_in_org not in response.context["page"].object_list


def test_admin_cannot_change_a_superusers_email(client_for, admin, root_in_org):
    response = client_for(admin).post(
        reverse("accounts:user_edit", kwargs={"pk": root_in_org.pk}),
        {"first_name": "R", "last_name": "O", "email": ATTACKER, "roles": [Role.ADMIN]},
    )

    assert response.status_code == 404
    with pytest.raises(PermissionDenied):
        email_change.email_change_request(actor=admin, user=root_in_org, new_email=ATTACKER)
    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=admin, user=root_in_org, active=False)
    assert not EmailChange.objects.exists()


# Django's admin changes no account


def test_the_admin_site_refuses_to_change_email_roles_or_organisation(client_for, colleague, org):
    root = client_for(factories.superuser())
    url = reverse("admin:accounts_user_change", args=[colleague.pk])

    page = root.get(url)
    response = root.post(
        url,
        {
            "username": colleague.username,
            "email": ATTACKER,
            "is_superuser": "on",
            "is_staff": "on",
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-0-role": Role.SUPERVISOR,
        },
    )

    assert page.status_code == 200  # a superuser still reads it
    assert response.status_code == 403
    colleague.refresh_from_db()
    assert colleague.email == OLD
    assert not colleague.is_superuser
    assert set(UserRole.objects.filter(user=colleague).values_list("role", flat=True)) == {
        Role.CASEWORKER
    }
    assert root.get(reverse("admin:accounts_user_add")).status_code == 403
    password_form = reverse("admin:auth_user_password_change", args=[colleague.pk])
    assert root.post(password_form, {"password1": "x" * 20, "password2": "x" * 20}).status_code in (
        403,
        404,
    )
    assert colleague.check_password(factories.PASSWORD)


def test_the_admin_site_shows_no_totp_key_and_adds_no_device(client_for, colleague):
    device = TOTPDevice.objects.create(user=colleague, name="phone", confirmed=True)
    root = client_for(factories.superuser())

    page = root.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    add = root.get(reverse("admin:otp_totp_totpdevice_add"))

    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert add.status_code == 403


def test_the_password_reset_link_of_the_old_address_dies_with_the_change(colleague):
    # Django's reset tokens include the email: a link sent before the change stops working.
    uid = urlsafe_base64_encode(force_bytes(colleague.pk))
    token = default_token_generator.make_token(colleague)
    change = email_change.email_change_request(actor=None, user=colleague, new_email=NEW)
    email_change.email_change_confirm(token=email_change_token(change))

    response = Client().get(
        reverse("accounts:password_reset_confirm", kwargs={"uidb64": uid, "token": token}),
        follow=True,
    )

    assert not response.context["validlink"]
