"""The home page: one section per role the user holds, each with the work waiting for
them. It reads from every app, so it sits above them all (README, Architecture).

Which sections a user sees is presentation: one per role held, in a fixed order. What each
section may show is the access policy's: every figure comes from a selector that scopes by
the policy, and the page's own block (current projects) asks the policy too."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import grants
from accounts import selectors as account_selectors
from accounts.models import User
from accounts.policy import Action, can, scope
from accounts.roles import Role
from cases import selectors as case_selectors
from programmes import selectors as programme_selectors
from referrals import selectors as referral_selectors
from traffick_cm.codebooks import CaseStatus
from trainings import selectors as training_selectors
from trainings.models import TrainingSession

Figures = Callable[[User, datetime], dict[str, Any]]


def _case_work(user: User, now: datetime) -> dict[str, Any]:
    today = timezone.localdate(now)
    return {
        "case_counts": case_selectors.status_counts(actor=user),
        "follow_ups": list(case_selectors.follow_ups_due(actor=user, today=today)[:10]),
        "today": today,
        "case_status_choices": CaseStatus.choices,
    }


def _referrals_overdue(user: User, now: datetime) -> dict[str, Any]:
    overdue = referral_selectors.outgoing(actor=user, overdue_only=True, now=now)
    return {"now": now, "referrals_overdue": list(overdue[:10])}


def _referral_outcomes(user: User, now: datetime) -> dict[str, Any]:
    return {
        "referral_outcomes": list(referral_selectors.recent_outcomes(actor=user, now=now)),
        "referral_outcome_days": referral_selectors.RECENT_OUTCOME_DAYS,
    }


def _pending_closures(user: User, now: datetime) -> dict[str, Any]:
    return {"pending_closures": list(case_selectors.pending_closures(actor=user)[:10])}


def _inbox(user: User, now: datetime) -> dict[str, Any]:
    inbox = referral_selectors.inbox(actor=user).filter(status="sent")
    return {
        "now": now,
        "inbox_new": list(inbox[:10]),
        "inbox_overdue": inbox.filter(respond_by__lt=now).count(),
    }


def _training_totals(user: User, now: datetime) -> dict[str, Any]:
    year = timezone.localdate(now).year
    sessions = scope(user, "training_totals", Action.VIEW, TrainingSession.objects.all())
    return {
        "training_year": year,
        "training_totals": training_selectors.totals(sessions.filter(start_date__year=year)),
        "training_totals_all": training_selectors.totals(sessions),
    }


def _user_management(user: User, now: datetime) -> dict[str, Any]:
    return {
        "user_counts": account_selectors.organisation_user_counts(actor=user),
        "grants_awaiting": grants.awaiting_decision_count(actor=user),
    }


# One section of the home page per role the user holds, in this order, with the figures it
# shows (each loaded once, however many sections show it).
HOME_SECTIONS: list[tuple[Role, str, tuple[Figures, ...]]] = [
    (
        Role.CASEWORKER,
        "home/_caseworker.html",
        (_case_work, _referrals_overdue, _referral_outcomes),
    ),
    (
        Role.SUPERVISOR,
        "home/_supervisor.html",
        (_case_work, _referrals_overdue, _pending_closures),
    ),
    (Role.PARTNER, "home/_partner.html", (_inbox,)),
    (Role.PROGRAMME, "home/_programme.html", (_training_totals,)),
    (Role.MNE, "home/_mne.html", (_training_totals,)),
    (Role.MINISTRY, "home/_ministry.html", (_training_totals,)),
    (Role.ADMIN, "home/_admin.html", (_user_management,)),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    shown = [(template, figures) for role, template, figures in HOME_SECTIONS if role in user.roles]
    context: dict[str, Any] = {"sections": [template for template, _figures in shown]}
    now = timezone.now()
    for load in dict.fromkeys(load for _template, figures in shown for load in figures):
        context.update(load(user, now))
    if can(user, "project", Action.VIEW):
        context["projects"] = list(
            programme_selectors.current_projects(actor=user, today=timezone.localdate(now))[:10]
        )
    return render(request, "home/home.html", context)
