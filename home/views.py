"""The home page: one section per role the user holds, each with the work waiting for
them. It reads from every app, so it sits above them all (README, Architecture)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts import grants
from accounts import selectors as account_selectors
from accounts.policy import Action, scope
from accounts.roles import Role
from cases import selectors as case_selectors
from programmes import selectors as programme_selectors
from referrals import selectors as referral_selectors
from traffick_cm.codebooks import CaseStatus
from trainings import selectors as training_selectors
from trainings.models import TrainingSession

# One section of the home page per role the user holds, in this order.
HOME_SECTIONS = [
    (Role.CASEWORKER, "home/_caseworker.html"),
    (Role.SUPERVISOR, "home/_supervisor.html"),
    (Role.PARTNER, "home/_partner.html"),
    (Role.PROGRAMME, "home/_programme.html"),
    (Role.MNE, "home/_mne.html"),
    (Role.MINISTRY, "home/_ministry.html"),
    (Role.ADMIN, "home/_admin.html"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    sections = [template for role, template in HOME_SECTIONS if user.has_role(role)]
    context = {"sections": sections}
    if user.has_role(Role.ADMIN):
        context["user_counts"] = account_selectors.organisation_user_counts(actor=user)
        context["grants_awaiting"] = grants.awaiting_decision_count(actor=user)
    if user.has_role(Role.CASEWORKER, Role.SUPERVISOR):
        today = timezone.localdate()
        context["case_counts"] = case_selectors.status_counts(actor=user)
        context["follow_ups"] = list(case_selectors.follow_ups_due(actor=user, today=today)[:10])
        context["today"] = today
        context["case_status_choices"] = CaseStatus.choices
    if user.has_role(Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER):
        now = timezone.now()
        context["now"] = now
        if user.has_role(Role.PARTNER):
            inbox = referral_selectors.inbox(actor=user)
            context["inbox_new"] = list(inbox.filter(status="sent")[:10])
            context["inbox_overdue"] = inbox.filter(status="sent", respond_by__lt=now).count()
        if user.has_role(Role.CASEWORKER, Role.SUPERVISOR):
            context["referrals_overdue"] = list(
                referral_selectors.outgoing(actor=user, overdue_only=True, now=now)[:10]
            )
    if user.has_role(Role.PROGRAMME, Role.MNE, Role.MINISTRY):
        year = timezone.localdate().year
        sessions = scope(user, "training_totals", Action.VIEW, TrainingSession.objects.all())
        context["training_year"] = year
        context["training_totals"] = training_selectors.totals(
            sessions.filter(start_date__year=year)
        )
        context["training_totals_all"] = training_selectors.totals(sessions)
    if user.has_role(Role.SUPERVISOR):
        context["pending_closures"] = list(case_selectors.pending_closures(actor=user)[:10])
    if user.roles - {Role.PARTNER} or user.is_superuser:
        context["projects"] = list(
            programme_selectors.current_projects(actor=user, today=timezone.localdate())[:10]
        )
    return render(request, "home/home.html", context)
