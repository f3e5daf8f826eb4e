"""The API asks the one access policy (accounts/policy.py), as the pages do: a kind the
user's roles may not use answers 403, a record outside the user's scope 404 (the views'
querysets are scoped). A read-only token may only read."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from accounts.policy import Action, can
from api.models import ApiToken

# The policy action of each viewset action; custom actions name theirs in `policy_actions`.
ACTIONS = {
    "list": Action.LIST,
    "retrieve": Action.VIEW,
    "create": Action.CREATE,
    "update": Action.CHANGE,
    "partial_update": Action.CHANGE,
    "destroy": Action.CHANGE,
}


class TokenRequired(permissions.BasePermission):
    """Signed in with a token, and a read-only token only reads."""

    message = _("This token is read-only.")

    def has_permission(self, request, view) -> bool:
        if not isinstance(request.auth, ApiToken):
            return False
        return request.method in permissions.SAFE_METHODS or not request.auth.read_only


def policy_rule(view) -> tuple[str, Action] | None:
    """The (kind, action) the policy is asked for this request, from the view's
    `policy_kind` and the viewset action (or `policy_actions` for its own actions)."""
    action_name = getattr(view, "action", None)
    custom = getattr(view, "policy_actions", {})
    if action_name in custom:
        return custom[action_name]
    kind = getattr(view, "policy_kind", None)
    if kind is None or action_name not in ACTIONS:
        return None
    return kind, ACTIONS[action_name]


class Policy(permissions.BasePermission):
    message = _("Your role does not allow this.")

    def has_permission(self, request, view) -> bool:
        rule = policy_rule(view)
        if rule is None:
            return False
        kind, action = rule
        return can(request.user, kind, action)
