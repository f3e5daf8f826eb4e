"""An administrator creates an account without typing its password: the owner gets a
single-use, expiring invitation link (by email, and shown to the administrator once) and
chooses the password there; then signs in like everyone, two-step sign-in included."""

from __future__ import annotations

import json
import re
import time

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from accounts import invitations
from accounts.email_change import email_hash
from accounts.models import AuditEntry, EmailChange, User
from accounts.roles import Role
from tests import factories

ADDRESS = "fatou.camara@example.org"
CHOSEN = "blue-river-lantern-42"
INVALID = "This invitation link does not work any more"


@pytest.fixture(autouse=True)
def english_by_default(settings):
    # The assertions read the English wording; emails use LANGUAGE_CODE.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def admin(users):
    return users[Role.ADMIN]


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


def _create(client: Client, **overrides):
    data = {
        "username": "fatou",
        "first_name": "Fatou",
        "last_name": "Camara",
        "email": ADDRESS,
        "job_title": "M&E assistant",
        "roles": [Role.MNE],
        **overrides,
    }
    return client.post(reverse("accounts:user_create"), data)


def _invite(admin_client, django_capture_on_commit_callbacks, **overrides) -> User:
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(admin_client, **overrides)
    assert response.status_code == 302
    return User.objects.get(username=overrides.get("username", "fatou"))


def _emailed_link(message) -> str:
    [link] = re.findall(r"https?://\S+/accounts/invitation/\S+/", message.body)
    return link


def _choose(link: str, password: str = CHOSEN, again: str | None = None):
    anyone = Client(headers={"accept-language": "en"})
    return anyone.post(link, {"new_password1": password, "new_password2": again or password})


def _fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


# Creating the account: no password typed, an invitation sent


def test_admin_creates_an_account_with_no_usable_password_and_an_emailed_invitation(
    admin_client, org, mailoutbox, django_capture_on_commit_callbacks
):
    created = _invite(admin_client, django_capture_on_commit_callbacks)

    assert created.organisation == org
    assert not created.has_usable_password()
    # One message, the invitation: it also confirms the address (no second link to click).
    [message] = mailoutbox
    assert message.to == [ADDRESS]
    assert "fatou" in message.body
    assert org.name in message.body
    link = _emailed_link(message)
    # The link carries ids only: no name, username or address.
    for personal in ("fatou", "Fatou", "Camara", "example.org", "camara"):
        assert personal not in link


def test_the_invitation_is_audited_without_the_address(
    admin_client, admin, django_capture_on_commit_callbacks
):
    created = _invite(admin_client, django_capture_on_commit_callbacks)

    entry = AuditEntry.objects.get(action="accounts.user.invited", target_id=str(created.pk))
    assert entry.actor == admin
    assert entry.data["email_hash"] == email_hash(ADDRESS)
    assert entry.data["again"] is False
    assert ADDRESS not in json.dumps(entry.data)
    created_entry = AuditEntry.objects.get(
        action="accounts.user.created", target_id=str(created.pk)
    )
    assert created_entry.data["invited"] is True


def test_the_administrator_sees_the_link_once_on_the_account_page(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(admin_client)
    created = User.objects.get(username="fatou")

    first = admin_client.get(response["Location"])
    second = admin_client.get(response["Location"])

    shown = first.context["invitation_link"]
    assert shown["emailed"] is True
    assert shown["url"] in first.content.decode()
    assert "/accounts/invitation/" in shown["url"]
    assert second.context["invitation_link"] is None
    assert "/accounts/invitation/" not in second.content.decode()
    assert "Invited: has not chosen a password yet" in second.content.decode()
    assert "An invitation to choose a password was sent" in first.content.decode()
    assert not _fresh(created).has_usable_password()


def test_an_account_without_an_address_gets_its_link_from_the_administrator_only(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(admin_client, email="")

    page = admin_client.get(response["Location"])

    assert mailoutbox == []
    assert page.context["invitation_link"]["emailed"] is False
    assert "give its owner the invitation link below" in page.content.decode()


# The link: the password chosen once


def test_the_emailed_link_sets_the_password_and_confirms_the_address(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    created = _invite(admin_client, django_capture_on_commit_callbacks)
    link = _emailed_link(mailoutbox[0])

    opened = Client(headers={"accept-language": "en"}).get(link)
    assert opened.status_code == 200
    assert 'value="fatou"' in opened.content.decode()  # the username, to sign in with
    assert opened["Referrer-Policy"] == "no-referrer"
    assert not _fresh(created).has_usable_password()  # opening the link changes nothing

    response = _choose(link)

    assert response.status_code == 200
    assert "Your password is saved" in response.content.decode()
    assert _fresh(created).check_password(CHOSEN)
    assert _fresh(created).email == ADDRESS
    assert EmailChange.objects.get(user=created).status == EmailChange.Status.CONFIRMED
    entry = AuditEntry.objects.get(action="accounts.user.invitation_accepted")
    assert (entry.actor, entry.target_id) == (_fresh(created), str(created.pk))
    assert entry.data == {"email_confirmed": True}
    assert factories.sign_in(Client(), "fatou", CHOSEN)


def test_the_link_shown_to_the_administrator_does_not_confirm_the_address(
    admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _create(admin_client)
    link = admin_client.get(response["Location"]).context["invitation_link"]["url"]

    _choose(link)

    created = User.objects.get(username="fatou")
    assert created.check_password(CHOSEN)
    # Whoever held this copy did not prove they read the address's mail.
    assert created.email == ""
    assert EmailChange.objects.get(user=created).status == EmailChange.Status.PENDING


def test_a_second_use_of_the_link_fails_with_a_clear_message(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    created = _invite(admin_client, django_capture_on_commit_callbacks)
    link = _emailed_link(mailoutbox[0])
    _choose(link)

    again = _choose(link, password="another-river-lantern-43")

    assert again.status_code == 200
    assert INVALID in again.content.decode()
    assert "Ask your administrator to send the invitation again." in again.content.decode()
    assert _fresh(created).check_password(CHOSEN)
    opened = Client().get(link)
    assert INVALID in opened.content.decode()


def test_an_expired_link_is_refused(
    admin_client, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    created = _invite(admin_client, django_capture_on_commit_callbacks)
    made_long_ago = int(time.time()) - int(invitations.MAX_AGE.total_seconds()) - 60
    monkeypatch.setattr(
        signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(made_long_ago)
    )
    token = invitations.invitation_token(_fresh(created))
    monkeypatch.undo()
    fresh_token = invitations.invitation_token(_fresh(created))

    response = _choose(reverse("accounts:invitation_accept", kwargs={"token": token}))

    assert INVALID in response.content.decode()
    assert not _fresh(created).has_usable_password()
    # The same link made now works: only its age refused it.
    assert invitations.invitation_for_token(fresh_token) is not None


def test_a_forged_or_altered_link_is_refused(admin_client, django_capture_on_commit_callbacks):
    created = _invite(admin_client, django_capture_on_commit_callbacks)
    other = factories.user(Role.MNE, organisation=created.organisation)
    payload = signing.loads(invitations.invitation_token(_fresh(created)), salt=invitations.SALT)
    # Signed, but naming another account with this account's binding.
    forged = signing.dumps({**payload, "u": other.pk}, salt=invitations.SALT)

    for token in (forged, invitations.invitation_token(_fresh(created)) + "x", "bad-token"):
        assert invitations.invitation_for_token(token) is None
        response = _choose(reverse("accounts:invitation_accept", kwargs={"token": token}))
        assert INVALID in response.content.decode()

    assert not _fresh(created).has_usable_password()
    assert _fresh(other).check_password(factories.PASSWORD)


def test_a_weak_password_is_refused_on_the_invitation_page(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    created = _invite(admin_client, django_capture_on_commit_callbacks)
    link = _emailed_link(mailoutbox[0])

    short = _choose(link, password="Short-pw-1")
    different = _choose(link, again="blue-river-lantern-43")

    assert "at least 12 characters" in short.content.decode()
    assert different.context["form"].errors["new_password2"]
    assert not _fresh(created).has_usable_password()
    # Still usable after the refusals.
    assert "Your password is saved" in _choose(link).content.decode()


def test_a_deactivated_account_accepts_no_invitation(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    created = _invite(admin_client, django_capture_on_commit_callbacks)
    admin_client.post(reverse("accounts:user_deactivate", kwargs={"pk": created.pk}))

    response = _choose(_emailed_link(mailoutbox[0]))

    assert INVALID in response.content.decode()
    assert not _fresh(created).has_usable_password()


def test_after_the_password_the_usual_two_step_enrolment_applies(
    settings, admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    _invite(admin_client, django_capture_on_commit_callbacks)
    _choose(_emailed_link(mailoutbox[0]))
    settings.TWO_FACTOR_REQUIRED = True
    owner = Client(headers={"accept-language": "en"})

    assert factories.sign_in(owner, "fatou", CHOSEN)
    home = owner.get(reverse("home"))

    assert home.status_code == 302
    assert home["Location"].startswith(reverse("accounts:two_factor_setup"))


# Sending the invitation again


def test_sending_again_emails_a_new_link_and_the_earlier_ones_stop_working(
    admin_client, mailoutbox, django_capture_on_commit_callbacks
):
    created = _invite(admin_client, django_capture_on_commit_callbacks)
    first_link = _emailed_link(mailoutbox[0])

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:user_invitation_resend", kwargs={"pk": created.pk}), follow=True
        )

    assert response.status_code == 200
    assert "A new invitation for fatou was sent by email" in response.content.decode()
    assert response.context["invitation_link"]["url"] in response.content.decode()
    assert len(mailoutbox) == 2
    second_link = _emailed_link(mailoutbox[1])
    assert INVALID in _choose(first_link).content.decode()
    assert "Your password is saved" in _choose(second_link).content.decode()
    entries = AuditEntry.objects.filter(action="accounts.user.invited", target_id=str(created.pk))
    assert [e.data["again"] for e in entries.order_by("id")] == [False, True]


def test_an_invitation_is_not_sent_to_an_account_that_has_its_password(
    admin_client, org, mailoutbox, django_capture_on_commit_callbacks
):
    colleague = factories.user(Role.MNE, organisation=org, username="colleague", email=ADDRESS)

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("accounts:user_invitation_resend", kwargs={"pk": colleague.pk}), follow=True
        )

    assert "colleague has already chosen a password" in response.content.decode()
    assert mailoutbox == []
    assert _fresh(colleague).check_password(factories.PASSWORD)
    assert not AuditEntry.objects.filter(action="accounts.user.invited").exists()


# Who may


@pytest.mark.parametrize("role", [r for r in Role if r != Role.ADMIN])
def test_other_roles_can_neither_create_nor_invite(
    client_for, users, org, role, mailoutbox, django_capture_on_commit_callbacks
):
    invited = factories.user(Role.MNE, organisation=org, username="invited")
    User.objects.filter(pk=invited.pk).update(password="!unusable")
    client = client_for(users[role])

    with django_capture_on_commit_callbacks(execute=True):
        created = _create(client)
        resent = client.post(reverse("accounts:user_invitation_resend", kwargs={"pk": invited.pk}))

    assert (created.status_code, resent.status_code) == (403, 403)
    assert not User.objects.filter(username="fatou").exists()
    assert mailoutbox == []
    assert not AuditEntry.objects.filter(action="accounts.user.invited").exists()


def test_an_administrator_cannot_invite_an_account_of_another_organisation(
    admin_client, other_org, mailoutbox
):
    outsider = factories.user(Role.MNE, organisation=other_org)
    User.objects.filter(pk=outsider.pk).update(password="!unusable")

    response = admin_client.post(
        reverse("accounts:user_invitation_resend", kwargs={"pk": outsider.pk})
    )

    assert response.status_code == 404
    assert mailoutbox == []
