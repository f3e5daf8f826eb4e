"""An administrator manages the accounts of their own organisation, and only those."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from accounts.audit import MASK
from accounts.email_change import email_hash
from accounts.grants import pending_roles
from accounts.models import AuditEntry, User
from accounts.roles import Role
from tests import factories


@pytest.fixture
def client():
    # English, so that the assertions read the messages users see in English.
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def admin(users):
    return users[Role.ADMIN]


@pytest.fixture
def colleague(org):
    return factories.user(
        Role.CASEWORKER,
        organisation=org,
        username="colleague",
        first_name="Amina",
        last_name="Kone",
        email="amina@example.org",
    )


@pytest.fixture
def outsider(other_org):
    return factories.user(Role.CASEWORKER, organisation=other_org, username="outsider")


@pytest.fixture
def admin_client(client_for, admin):
    return client_for(admin)


def _create_form(**overrides):
    data = {
        "username": "fatou",
        "first_name": "Fatou",
        "last_name": "Camara",
        "email": "fatou@example.org",
        "job_title": "Protection assistant",
        "roles": [Role.CASEWORKER, Role.SUPERVISOR],
    }
    return {**data, **overrides}


def _edit_form(subject: User, **overrides):
    data = {
        "first_name": subject.first_name,
        "last_name": subject.last_name,
        "email": subject.email,
        "job_title": subject.job_title,
        "roles": sorted(subject.roles),
    }
    return {**data, **overrides}


def _audit(action: str, target: User) -> AuditEntry:
    return AuditEntry.objects.get(action=action, target_id=str(target.pk))


# Creating users


def test_admin_creates_user_in_their_own_organisation_with_the_chosen_roles(
    admin_client, admin, org
):
    response = admin_client.post(reverse("accounts:user_create"), _create_form())

    created = User.objects.get(username="fatou")
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:user_detail", kwargs={"pk": created.pk})
    assert created.organisation == org
    # Both roles reach case files: they wait for a second administrator (tests/accounts/
    # test_role_grants.py); before, an administrator gave them alone.
    assert created.roles == set()
    assert pending_roles(created) == {Role.CASEWORKER, Role.SUPERVISOR}
    # No password typed by the administrator: the owner chooses it through the invitation
    # (tests/accounts/test_invitation.py).
    assert not created.has_usable_password()


def test_user_creation_is_audited_with_roles_and_as_an_invitation(admin_client, admin, org):
    admin_client.post(reverse("accounts:user_create"), _create_form())

    created = User.objects.get(username="fatou")
    entry = _audit("accounts.user.created", created)
    assert entry.actor == admin
    assert entry.organisation == org
    assert entry.target_type == "accounts.user"
    assert entry.data["roles"] == []
    assert entry.data["roles_pending"] == [Role.CASEWORKER, Role.SUPERVISOR]
    assert entry.data["invited"] is True
    assert "password" not in entry.data


def test_refused_user_creation_writes_no_audit_entry(admin_client, admin):
    admin_client.post(reverse("accounts:user_create"), _create_form(roles=[]))

    assert not AuditEntry.objects.filter(actor=admin).exists()


def test_duplicate_username_is_refused_whatever_its_case(admin_client, colleague):
    response = admin_client.post(
        reverse("accounts:user_create"), _create_form(username="Colleague")
    )

    assert response.status_code == 200
    assert response.context["form"].errors["username"] == ["This username is already taken."]
    assert User.objects.filter(username__iexact="colleague").count() == 1


def test_admin_cannot_choose_the_organisation_of_a_new_user(admin_client, org, other_org):
    admin_client.post(reverse("accounts:user_create"), _create_form(organisation=other_org.pk))

    assert User.objects.get(username="fatou").organisation == org


# Editing users


def test_admin_edits_roles_of_a_colleague(admin_client, colleague):
    response = admin_client.post(
        reverse("accounts:user_edit", kwargs={"pk": colleague.pk}),
        _edit_form(colleague, roles=[Role.SUPERVISOR, Role.MNE]),
    )

    assert response.status_code == 302
    # The role taken away and the non-sensitive one go at once; the supervisor role waits
    # for a second administrator (before, it was given at once).
    assert User.objects.get(pk=colleague.pk).roles == {Role.MNE}
    assert pending_roles(colleague) == {Role.SUPERVISOR}


def test_role_change_is_audited_with_before_and_after(admin_client, admin, colleague):
    admin_client.post(
        reverse("accounts:user_edit", kwargs={"pk": colleague.pk}),
        _edit_form(colleague, roles=[Role.CASEWORKER, Role.MNE]),
    )

    entry = _audit("accounts.user.changed", colleague)
    assert entry.actor == admin
    # A role given at once (a sensitive one is audited as a request: test_role_grants.py).
    assert entry.data == {
        "roles": {
            "before": [Role.CASEWORKER],
            "after": [Role.CASEWORKER, Role.MNE],
        }
    }


def test_changed_personal_values_are_masked_in_the_audit_entry(admin_client, colleague):
    admin_client.post(
        reverse("accounts:user_edit", kwargs={"pk": colleague.pk}),
        _edit_form(colleague, first_name="Aminata", email="aminata@example.org"),
    )

    entry = _audit("accounts.user.changed", colleague)
    assert entry.data["first_name"] == {"before": MASK, "after": MASK}
    # The email changes only once confirmed; its request records keyed hashes of the two
    # addresses (before, "***"): the same address always gives the same hash.
    assert "email" not in entry.data
    request = _audit("accounts.user.email_change_requested", colleague)
    assert request.data["email_hash"] == {
        "before": email_hash("amina@example.org"),
        "after": email_hash("aminata@example.org"),
    }
    stored = json.dumps(entry.data) + json.dumps(request.data)
    assert "Amina" not in stored
    assert "example.org" not in stored


def test_saving_an_unchanged_user_writes_no_audit_entry(admin_client, colleague):
    admin_client.post(
        reverse("accounts:user_edit", kwargs={"pk": colleague.pk}), _edit_form(colleague)
    )

    assert not AuditEntry.objects.filter(action="accounts.user.changed").exists()


def test_admin_cannot_remove_their_own_admin_role(admin_client, admin):
    response = admin_client.post(
        reverse("accounts:user_edit", kwargs={"pk": admin.pk}),
        _edit_form(admin, roles=[Role.CASEWORKER]),
    )

    assert response.status_code == 200
    assert "You cannot remove your own administrator role." in response.content.decode()
    assert User.objects.get(pk=admin.pk).roles == {Role.ADMIN}


def test_admin_cannot_move_a_user_to_another_organisation(admin_client, colleague, org, other_org):
    admin_client.post(
        reverse("accounts:user_edit", kwargs={"pk": colleague.pk}),
        _edit_form(colleague, organisation=other_org.pk),
    )

    colleague.refresh_from_db()
    assert colleague.organisation == org


def test_superuser_moves_a_user_to_another_organisation(client_for, colleague, org, other_org):
    superuser = factories.superuser()
    response = client_for(superuser).post(
        reverse("accounts:user_edit", kwargs={"pk": colleague.pk}),
        _edit_form(colleague, organisation=other_org.pk),
    )

    assert response.status_code == 302
    colleague.refresh_from_db()
    assert colleague.organisation == other_org
    entry = _audit("accounts.user.changed", colleague)
    assert entry.data["organisation"] == {"before": org.pk, "after": other_org.pk}


# Other organisations' users


def test_admin_does_not_see_users_of_another_organisation_in_the_list(
    admin_client, colleague, outsider
):
    response = admin_client.get(reverse("accounts:user_list"))

    listed = {u.username for u in response.context["page"].object_list}
    assert "colleague" in listed
    assert "outsider" not in listed


@pytest.mark.parametrize("url_name", ["accounts:user_detail", "accounts:user_edit"])
def test_admin_cannot_open_user_of_another_organisation(admin_client, outsider, url_name):
    response = admin_client.get(reverse(url_name, kwargs={"pk": outsider.pk}))

    assert response.status_code == 404


def test_admin_cannot_edit_user_of_another_organisation(admin_client, outsider):
    response = admin_client.post(
        reverse("accounts:user_edit", kwargs={"pk": outsider.pk}),
        _edit_form(outsider, roles=[Role.ADMIN], first_name="Changed"),
    )

    assert response.status_code == 404
    outsider = User.objects.get(pk=outsider.pk)
    assert outsider.roles == {Role.CASEWORKER}
    assert outsider.first_name == "Test"


def test_admin_cannot_deactivate_user_of_another_organisation(admin_client, outsider):
    response = admin_client.post(reverse("accounts:user_deactivate", kwargs={"pk": outsider.pk}))

    assert response.status_code == 404
    outsider.refresh_from_db()
    assert outsider.is_active


# Deactivation and reactivation


def test_deactivating_a_colleague_ends_their_open_session_at_once(admin_client, colleague):
    colleague_client = Client()
    assert factories.sign_in(colleague_client, "colleague", factories.PASSWORD)
    assert colleague_client.get("/").status_code == 200

    admin_client.post(reverse("accounts:user_deactivate", kwargs={"pk": colleague.pk}))

    response = colleague_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_deactivation_is_audited_and_shown(admin_client, admin, colleague):
    response = admin_client.post(
        reverse("accounts:user_deactivate", kwargs={"pk": colleague.pk}), follow=True
    )

    colleague.refresh_from_db()
    assert not colleague.is_active
    assert _audit("accounts.user.deactivated", colleague).actor == admin
    assert "The account colleague is deactivated" in response.content.decode()


def test_deactivated_user_cannot_sign_in(admin_client, colleague):
    admin_client.post(reverse("accounts:user_deactivate", kwargs={"pk": colleague.pk}))

    assert not factories.sign_in(Client(), "colleague", factories.PASSWORD)


def test_admin_cannot_deactivate_themself(admin_client, admin):
    response = admin_client.post(
        reverse("accounts:user_deactivate", kwargs={"pk": admin.pk}), follow=True
    )

    assert "You cannot deactivate your own account." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active
    assert not AuditEntry.objects.filter(action="accounts.user.deactivated").exists()


def test_reactivated_colleague_can_sign_in_again(admin_client, admin, colleague):
    admin_client.post(reverse("accounts:user_deactivate", kwargs={"pk": colleague.pk}))

    response = admin_client.post(
        reverse("accounts:user_reactivate", kwargs={"pk": colleague.pk}), follow=True
    )

    colleague.refresh_from_db()
    assert colleague.is_active
    assert "The account colleague is active again." in response.content.decode()
    assert _audit("accounts.user.reactivated", colleague).actor == admin
    assert factories.sign_in(Client(), "colleague", factories.PASSWORD)


def test_deactivation_needs_a_post(admin_client, colleague):
    response = admin_client.get(reverse("accounts:user_deactivate", kwargs={"pk": colleague.pk}))

    assert response.status_code == 405
    colleague.refresh_from_db()
    assert colleague.is_active
