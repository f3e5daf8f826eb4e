"""The navigation a user sees, derived from the access policy alone: each role sees only
the pages it may use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.policy import Action, can


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    kind: str | None  # None: every signed-in user
    action: Action = Action.LIST


NAV_ITEMS = [
    NavItem(_("Home"), "home", None),
    NavItem(_("Screenings"), "screening:screening_list", "screening"),
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
    NavItem(_("Projects"), "programmes:project_list", "project"),
    NavItem(_("Donors"), "programmes:donor_list", "donor"),
    NavItem(_("Users"), "accounts:user_list", "user"),
    NavItem(_("Webhooks"), "webhooks:list", "webhook"),
]


def _shown(user: Any, item: NavItem) -> bool:
    return item.kind is None or can(user, item.kind, item.action)


def items_for(user: Any) -> list[NavItem]:
    if not user.is_authenticated:
        return []
    return [item for item in NAV_ITEMS if _shown(user, item)]
