"""The navigation a user sees, derived from the access policy: each role sees only
what it may use, and of that, the pages of its daily work (a NavItem's audience)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.policy import Action, can
from accounts.roles import STAFF_ROLES, Role


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    kind: str | None  # None: every signed-in user
    action: Action = Action.LIST
    # Whose daily work the page is, when that is narrower than who may open it: the others
    # reach it from the pages that link to it, not from the menu. None: all who may.
    audience: frozenset[Role] | None = None


# Projects are read by caseworkers from their home page (the projects running in their
# organisation); the list of every project is the programme side's work.
PROGRAMME_SIDE = STAFF_ROLES - {Role.CASEWORKER}

NAV_ITEMS = [
    NavItem(_("Home"), "home", None),
    NavItem(_("Cases"), "cases:case_list", "case"),
    NavItem(_("Referrals"), "referrals:referral_list", "referral"),
    NavItem(_("Referral inbox"), "referrals:inbox", "referral_inbox"),
    NavItem(_("Approvals"), "cases:approvals", "case_supervision"),
    NavItem(_("Dashboard"), "reports:dashboard", "dashboard", Action.VIEW),
    NavItem(_("Trainings"), "trainings:session_list", "training"),
    NavItem(_("People reached"), "trainings:session_totals", "training_totals", Action.VIEW),
    NavItem(_("Partner directory"), "partners:organisation_list", "organisation"),
    NavItem(_("Pathways"), "partners:pathway_list", "pathway"),
    NavItem(_("Referral statistics"), "referrals:statistics", "referral_statistics", Action.VIEW),
    NavItem(_("Action plans"), "reports:plan_list", "action_plan"),
    NavItem(_("Reports"), "reports:run_list", "report_run"),
    NavItem(_("Projects"), "programmes:project_list", "project", audience=PROGRAMME_SIDE),
    NavItem(_("Donors"), "programmes:donor_list", "donor"),
    NavItem(_("Users"), "accounts:user_list", "user"),
    NavItem(_("Webhooks"), "webhooks:list", "webhook"),
]


def _shown(user: Any, item: NavItem) -> bool:
    if item.kind is not None and not can(user, item.kind, item.action):
        return False
    # Operators (superusers, who hold no role) see every page they may open.
    return item.audience is None or user.is_superuser or bool(user.roles & item.audience)


def items_for(user: Any) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if _shown(user, item)]
