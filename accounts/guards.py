"""Checks the account services make before they act: that the actor may manage this account
(the access policy again, at the depth of the service, so that no caller can skip it), and
that the person at the keyboard knows the password (re-entered for security changes)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can, can_on

if TYPE_CHECKING:  # a type only: accounts sits below partners
    from partners.models import Organisation

# Wrong passwords typed into a security form before it locks for the window: a stolen,
# signed-in session must not become a way to guess the password.
PASSWORD_CHECK_LIMIT = 5
PASSWORD_CHECK_WINDOW = 30 * 60


def ensure_may_manage(actor: User | None, user: User) -> None:
    """The actor may change this account: operators (actor None) and superusers may; an
    administrator only within the user scope of the policy (own organisation, never a
    superuser)."""
    if actor is None or actor.is_superuser:
        return
    if not can_on(actor, "user", Action.CHANGE, user):
        raise PermissionDenied


def ensure_may_create_in(actor: User | None, organisation: Organisation) -> None:
    if actor is None or actor.is_superuser:
        return
    if not can(actor, "user", Action.CREATE) or organisation.pk != actor.organisation_id:
        raise PermissionDenied


def _failures_key(user: User) -> str:
    return f"password-check-failures:{user.pk}"


def password_confirm(*, user: User, password: str) -> None:
    """Raise ValidationError unless `password` is the user's. Call it outside the
    service's transaction: the failure is audited and counted even though the change is
    refused."""
    key = _failures_key(user)
    if cache.get(key, 0) >= PASSWORD_CHECK_LIMIT:
        raise ValidationError(
            _("Too many wrong passwords. Try again in 30 minutes."), code="password_locked"
        )
    if not password or not user.check_password(password):
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=PASSWORD_CHECK_WINDOW)
        log_action("accounts.user.password_check_failed", actor=user, target=user)
        raise ValidationError(_("The password is not correct."), code="wrong_password")
    cache.delete(key)
