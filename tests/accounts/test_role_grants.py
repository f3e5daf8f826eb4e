"""Roles that reach case files or user management are given by two people: an administrator
asks, another administrator of the organisation (or a superuser) approves. Nobody changes
their own roles; taking a role away is immediate; operators give roles at once."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts import grants, services
from accounts.models import AuditEntry, RoleGrant, User
from accounts.policy import CASE_LEVEL_KINDS, RULES, Action
from accounts.roles import Role
from tests import factories

NEW_PASSWORD = "blue-river-lantern-42"


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def admin(org):
    return factories.user(Role.ADMIN, organisation=org, username="admin", email="a@example.org")


@pytest.fixture
def second_admin(org):
    return factories.user(
        Role.ADMIN, organisation=org, username="second-admin", email="b@example.org"
    )


@pytest.fixture
def colleague(org):
    return factories.user(
        Role.MINISTRY, organisation=org, username="colleague", email="c@example.org"
    )


def _as(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _edit(client: Client, subject: User, roles: list[Role]):
    return client.post(
        reverse("accounts:user_edit", kwargs={"pk": subject.pk}),
        {
            "first_name": subject.first_name,
            "last_name": subject.last_name,
            "email": subject.email,
            "job_title": subject.job_title,
            "roles": roles,
            # Shown to superusers only; others' forms ignore it.
            "organisation": subject.organisation_id or "",
        },
    )


def _decide(client: Client, grant: RoleGrant, approve: bool = True):
    return client.post(
        reverse("accounts:grant_decide", kwargs={"pk": grant.pk}),
        {"approve" if approve else "refuse": "1"},
    )


def _roles(user: User) -> set[Role]:
    return User.objects.get(pk=user.pk).roles


# Which roles need a second person: derived from the policy


def test_sensitive_roles_are_those_the_policy_lets_reach_case_files_or_manage_users():
    expected = {
        role for kind in CASE_LEVEL_KINDS for allowed in RULES[kind].values() for role in allowed
    }
    expected |= RULES["user"][Action.CHANGE] | RULES["user"][Action.CREATE]

    assert expected == grants.SENSITIVE_ROLES
    assert {
        Role.CASEWORKER,
        Role.SUPERVISOR,
        Role.PARTNER,
        Role.PROGRAMME,
        Role.ADMIN,
    } == grants.SENSITIVE_ROLES


# An administrator cannot give case access alone


def test_admin_adding_a_case_role_creates_a_pending_grant_not_the_role(client, admin, colleague):
    response = _edit(_as(client, admin), colleague, [Role.MINISTRY, Role.CASEWORKER])

    assert response.status_code == 302
    assert _roles(colleague) == {Role.MINISTRY}
    grant = RoleGrant.objects.get(user=colleague)
    assert (grant.role, grant.status, grant.requested_by) == (
        Role.CASEWORKER,
        RoleGrant.Status.PENDING,
        admin,
    )
    entry = AuditEntry.objects.get(action="accounts.role_grant.requested")
    assert entry.actor == admin
    assert entry.data == {"grant": grant.pk, "role": Role.CASEWORKER}


def test_admin_cannot_give_case_access_to_an_account_through_the_service(admin, colleague):
    services.user_update(
        actor=admin,
        user=colleague,
        roles=[Role.SUPERVISOR],
        first_name=colleague.first_name,
        last_name=colleague.last_name,
        email=colleague.email,
        job_title="",
    )

    assert Role.SUPERVISOR not in _roles(colleague)
    assert grants.pending_roles(colleague) == {Role.SUPERVISOR}


def test_new_user_created_by_an_admin_gets_sensitive_roles_only_once_approved(
    client, admin, second_admin
):
    _as(client, admin).post(
        reverse("accounts:user_create"),
        {
            "username": "fatou",
            "first_name": "Fatou",
            "last_name": "Camara",
            "roles": [Role.ADMIN, Role.MINISTRY],
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )

    created = User.objects.get(username="fatou")
    assert created.roles == {Role.MINISTRY}
    grant = RoleGrant.objects.get(user=created, role=Role.ADMIN)

    _decide(_as(Client(), second_admin), grant)

    assert _roles(created) == {Role.MINISTRY, Role.ADMIN}


def test_non_sensitive_roles_take_effect_at_once(client, admin, colleague):
    _edit(_as(client, admin), colleague, [Role.MINISTRY, Role.MNE])

    assert _roles(colleague) == {Role.MINISTRY, Role.MNE}
    assert not RoleGrant.objects.exists()


def test_taking_a_role_away_is_immediate(client, admin, org):
    worker = factories.user(Role.CASEWORKER, Role.MNE, organisation=org)

    _edit(_as(client, admin), worker, [Role.MNE])

    assert _roles(worker) == {Role.MNE}
    assert not RoleGrant.objects.exists()


# A second person decides


def test_another_admin_approves_and_both_steps_are_audited_and_told(
    client, admin, second_admin, colleague, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _edit(_as(client, admin), colleague, [Role.MINISTRY, Role.SUPERVISOR])
    grant = RoleGrant.objects.get(user=colleague)
    # The other administrator is asked to decide.
    assert [m.to for m in mailoutbox] == [["b@example.org"]]
    with translation.override(settings.LANGUAGE_CODE):
        assert str(Role.SUPERVISOR.label) in mailoutbox[0].body
    assert reverse("accounts:grant_list") in mailoutbox[0].body
    mailoutbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = _decide(_as(Client(), second_admin), grant)

    assert response.status_code == 302
    assert _roles(colleague) == {Role.MINISTRY, Role.SUPERVISOR}
    grant.refresh_from_db()
    assert (grant.status, grant.decided_by) == (RoleGrant.Status.APPROVED, second_admin)
    entry = AuditEntry.objects.get(action="accounts.role_grant.approved")
    assert entry.actor == second_admin
    assert entry.data == {"grant": grant.pk, "role": Role.SUPERVISOR, "requested_by": admin.pk}
    # The user and the one who asked are told.
    assert sorted(m.to[0] for m in mailoutbox) == ["a@example.org", "c@example.org"]


def test_refused_grant_gives_nothing_and_is_audited(client, admin, second_admin, colleague):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)

    _decide(_as(client, second_admin), grant, approve=False)

    assert Role.CASEWORKER not in _roles(colleague)
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.REFUSED
    assert AuditEntry.objects.get(action="accounts.role_grant.refused").actor == second_admin


def test_the_admin_who_asked_cannot_approve(client, admin, colleague):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)

    response = _decide(_as(client, admin), grant)

    assert response.status_code == 302
    assert Role.CASEWORKER not in _roles(colleague)
    with pytest.raises(ValidationError):
        grants.grant_decide(actor=admin, grant=grant, approve=True)
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.PENDING


def test_the_user_cannot_approve_a_role_for_themself(client, admin, second_admin):
    grant = grants.grant_request(actor=admin, user=second_admin, role=Role.CASEWORKER)

    _decide(_as(client, second_admin), grant)

    assert Role.CASEWORKER not in _roles(second_admin)
    with pytest.raises(ValidationError):
        grants.grant_decide(actor=second_admin, grant=grant, approve=True)


def test_an_admin_of_another_organisation_cannot_see_or_decide(client, admin, colleague, other_org):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)
    stranger = factories.user(Role.ADMIN, organisation=other_org)
    stranger_client = _as(client, stranger)

    assert _decide(stranger_client, grant).status_code == 404
    listed = stranger_client.get(reverse("accounts:grant_list")).context["grants"]
    assert grant not in listed
    with pytest.raises(PermissionDenied):
        grants.grant_decide(actor=stranger, grant=grant, approve=True)
    assert Role.CASEWORKER not in _roles(colleague)


def test_a_non_admin_cannot_decide(client, admin, colleague, org):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)
    supervisor = factories.user(Role.SUPERVISOR, organisation=org)

    assert _decide(_as(client, supervisor), grant).status_code == 403
    with pytest.raises(ValidationError):
        grants.grant_decide(actor=supervisor, grant=grant, approve=True)


def test_a_superuser_approves(client, admin, colleague):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)

    _decide(_as(client, factories.superuser()), grant)

    assert Role.CASEWORKER in _roles(colleague)


def test_a_superusers_request_needs_another_person_too(client, colleague, admin):
    root = factories.superuser()
    _edit(_as(client, root), colleague, [Role.MINISTRY, Role.CASEWORKER])
    grant = RoleGrant.objects.get(user=colleague)

    with pytest.raises(ValidationError):
        grants.grant_decide(actor=root, grant=grant, approve=True)
    grants.grant_decide(actor=admin, grant=grant, approve=True)

    assert Role.CASEWORKER in _roles(colleague)


def test_a_grant_is_decided_once(admin, second_admin, colleague):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)
    grants.grant_decide(actor=second_admin, grant=grant, approve=False)

    with pytest.raises(ValidationError):
        grants.grant_decide(actor=factories.superuser(), grant=grant, approve=True)

    assert Role.CASEWORKER not in _roles(colleague)


def test_asking_twice_for_the_same_role_keeps_one_request(admin, colleague):
    first = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)
    second = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)

    assert first == second
    assert RoleGrant.objects.filter(user=colleague).count() == 1


def test_unticking_a_pending_role_withdraws_the_request(client, admin, colleague):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)
    edit_page = _as(client, admin).get(reverse("accounts:user_edit", kwargs={"pk": colleague.pk}))
    assert Role.CASEWORKER in edit_page.context["form"].initial["roles"]

    _edit(client, colleague, [Role.MINISTRY])

    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.CANCELLED
    assert AuditEntry.objects.filter(action="accounts.role_grant.cancelled").count() == 1


def test_saving_a_user_with_a_pending_role_still_ticked_keeps_the_request(client, admin, colleague):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)

    _edit(_as(client, admin), colleague, [Role.MINISTRY, Role.CASEWORKER])

    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.PENDING
    assert RoleGrant.objects.filter(user=colleague).count() == 1


def test_the_requester_withdraws_a_request(client, admin, colleague):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)

    response = _as(client, admin).post(reverse("accounts:grant_cancel", kwargs={"pk": grant.pk}))

    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.status == RoleGrant.Status.CANCELLED


# Nobody changes their own roles


def test_admin_cannot_give_themself_a_case_role(client, admin):
    response = _edit(_as(client, admin), admin, [Role.ADMIN, Role.CASEWORKER])

    assert response.status_code == 200
    assert "You cannot change your own roles." in response.content.decode()
    assert _roles(admin) == {Role.ADMIN}
    assert not RoleGrant.objects.exists()


def test_admin_cannot_ask_for_a_role_for_themself_through_the_service(admin):
    with pytest.raises(ValidationError):
        grants.grant_request(actor=admin, user=admin, role=Role.CASEWORKER)
    with pytest.raises(ValidationError):
        services.user_update(
            actor=admin,
            user=admin,
            roles=[Role.ADMIN, Role.MNE],
            first_name="A",
            last_name="B",
            email=admin.email,
            job_title="",
        )

    assert _roles(admin) == {Role.ADMIN}


def test_superuser_cannot_change_their_own_roles_through_the_app(client, org):
    root = factories.superuser()
    User.objects.filter(pk=root.pk).update(organisation=org, first_name="Root", last_name="Op")
    root.refresh_from_db()

    response = _edit(_as(client, root), root, [Role.CASEWORKER])

    assert response.status_code == 200
    assert "You cannot change your own roles." in response.content.decode()
    assert _roles(root) == set()
    assert not RoleGrant.objects.exists()


def test_admin_edits_their_own_name_without_touching_their_roles(client, admin):
    response = _as(client, admin).post(
        reverse("accounts:user_edit", kwargs={"pk": admin.pk}),
        {"first_name": "New", "last_name": "Name", "email": admin.email, "roles": [Role.ADMIN]},
    )

    assert response.status_code == 302
    assert User.objects.get(pk=admin.pk).first_name == "New"


# Moving a user to another organisation


def test_moved_user_loses_case_roles_until_the_new_organisation_approves(client, org, other_org):
    worker = factories.user(Role.CASEWORKER, Role.MNE, organisation=org)
    root = factories.superuser()

    response = _as(client, root).post(
        reverse("accounts:user_edit", kwargs={"pk": worker.pk}),
        {
            "first_name": worker.first_name,
            "last_name": worker.last_name,
            "email": "",
            "roles": [Role.CASEWORKER, Role.MNE],
            "organisation": other_org.pk,
        },
    )

    assert response.status_code == 302
    worker.refresh_from_db()
    assert worker.organisation == other_org
    assert worker.roles == {Role.MNE}
    grant = RoleGrant.objects.get(user=worker, status=RoleGrant.Status.PENDING)
    assert grant.role == Role.CASEWORKER
    # An administrator of the old organisation no longer reaches it; one of the new does.
    with pytest.raises(PermissionDenied):
        grants.grant_decide(
            actor=factories.user(Role.ADMIN, organisation=org), grant=grant, approve=True
        )
    grants.grant_decide(
        actor=factories.user(Role.ADMIN, organisation=other_org), grant=grant, approve=True
    )
    assert _roles(worker) == {Role.CASEWORKER, Role.MNE}


def test_only_a_superuser_moves_a_user_even_through_the_service(admin, colleague, other_org):
    with pytest.raises(PermissionDenied):
        services.user_update(
            actor=admin,
            user=colleague,
            roles=[Role.MINISTRY],
            first_name="A",
            last_name="B",
            email=colleague.email,
            job_title="",
            organisation=other_org,
        )

    colleague.refresh_from_db()
    assert colleague.organisation != other_org


def test_admin_services_refuse_accounts_of_another_organisation(admin, other_org):
    outsider = factories.user(Role.MINISTRY, organisation=other_org)

    with pytest.raises(PermissionDenied):
        services.user_set_active(actor=admin, user=outsider, active=False)
    with pytest.raises(PermissionDenied):
        grants.grant_request(actor=admin, user=outsider, role=Role.CASEWORKER)
    with pytest.raises(PermissionDenied):
        services.user_create(
            actor=admin,
            username="planted",
            organisation=other_org,
            roles=[Role.MINISTRY],
            password=NEW_PASSWORD,
        )


# Operators


def test_operators_give_roles_at_once(org):
    # The demo seeder and the test factories create users with actor None.
    user = factories.user(Role.CASEWORKER, Role.ADMIN, organisation=org)

    assert user.roles == {Role.CASEWORKER, Role.ADMIN}
    assert not RoleGrant.objects.exists()


def test_grant_role_command_appoints_a_first_administrator(colleague):
    call_command("grant_role", colleague.username, "admin")

    assert Role.ADMIN in _roles(colleague)
    entry = AuditEntry.objects.get(action="accounts.role_grant.operator")
    assert entry.actor is None
    assert entry.data == {"role": Role.ADMIN}


# Where pending grants are shown


def test_pending_grants_are_shown_on_the_user_page_and_the_admin_home(
    client, admin, second_admin, colleague
):
    grant = grants.grant_request(actor=admin, user=colleague, role=Role.CASEWORKER)
    other = _as(client, second_admin)

    detail = other.get(reverse("accounts:user_detail", kwargs={"pk": colleague.pk}))
    home = other.get(reverse("home"))

    assert 'data-testid="pending-grants"' in detail.content.decode()
    assert reverse("accounts:grant_decide", kwargs={"pk": grant.pk}) in detail.content.decode()
    assert home.context["grants_awaiting"] == 1
    assert 'data-testid="grants-awaiting"' in home.content.decode()
    # The one who asked sees it, but is not asked to decide it.
    assert _as(Client(), admin).get(reverse("home")).context["grants_awaiting"] == 0
