from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import UserCreateForm, UserForm
from accounts.models import User
from accounts.policy import Action, get_for_user_or_404, require
from accounts.roles import Role
from cases.vocabularies import CaseStatus

# One section of the home page per role the user holds, in this order.
HOME_SECTIONS = [
    (Role.CASEWORKER, "accounts/home/_caseworker.html"),
    (Role.SUPERVISOR, "accounts/home/_supervisor.html"),
    (Role.PARTNER, "accounts/home/_partner.html"),
    (Role.PROGRAMME, "accounts/home/_programme.html"),
    (Role.MNE, "accounts/home/_mne.html"),
    (Role.MINISTRY, "accounts/home/_ministry.html"),
    (Role.ADMIN, "accounts/home/_admin.html"),
]


@login_required
def home(request: HttpRequest) -> HttpResponse:
    user = request.user
    sections = [template for role, template in HOME_SECTIONS if user.has_role(role)]
    context = {"sections": sections}
    if user.has_role(Role.ADMIN):
        context["user_counts"] = selectors.organisation_user_counts(actor=user)
    if user.has_role(Role.CASEWORKER, Role.SUPERVISOR):
        from cases import selectors as case_selectors

        today = timezone.localdate()
        context["case_counts"] = case_selectors.status_counts(actor=user)
        context["follow_ups"] = list(case_selectors.follow_ups_due(actor=user, today=today)[:10])
        context["today"] = today
        context["case_status_choices"] = CaseStatus.choices
    if user.has_role(Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER):
        from referrals import selectors as referral_selectors

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
        from accounts.policy import Action, scope
        from trainings import selectors as training_selectors
        from trainings.models import TrainingSession

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
            selectors.current_projects(actor=user, today=timezone.localdate())[:10]
        )
    return render(request, "accounts/home.html", context)


def _get_user_for_actor(request: HttpRequest, pk: int, action: Action) -> User:
    return get_for_user_or_404(request.user, "user", action, User.objects.all(), pk=pk)


@require("user", Action.LIST)
def user_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    active = request.GET.get("active", "")
    page = Paginator(
        selectors.user_list(actor=request.user, search=search, active=active), 25
    ).get_page(request.GET.get("page"))
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "q": search, "active": active},
    )


@require("user", Action.CREATE)
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                username=data["username"],
                organisation=data.get("organisation") or request.user.organisation,
                roles=data["roles"],
                password=data["password1"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                job_title=data["job_title"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("User %(username)s created.") % {"username": user.username})
            return redirect("accounts:user_detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form, "creating": True})


@require("user", Action.VIEW)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _get_user_for_actor(request, pk, Action.VIEW)
    return render(request, "accounts/user_detail.html", {"subject": subject})


@require("user", Action.CHANGE)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _get_user_for_actor(request, pk, Action.CHANGE)
    initial = {
        "first_name": subject.first_name,
        "last_name": subject.last_name,
        "email": subject.email,
        "job_title": subject.job_title,
        "organisation": subject.organisation,
        "roles": sorted(subject.roles),
    }
    form = UserForm(request.POST or None, initial=initial, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=subject,
                roles=data["roles"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                job_title=data["job_title"],
                organisation=data.get("organisation"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Changes saved."))
            return redirect("accounts:user_detail", pk=subject.pk)
    return render(
        request, "accounts/user_form.html", {"form": form, "subject": subject, "creating": False}
    )


@require_POST
@require("user", Action.CHANGE)
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=False)


@require_POST
@require("user", Action.CHANGE)
def user_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _set_active(request, pk, active=True)


def _set_active(request: HttpRequest, pk: int, *, active: bool) -> HttpResponse:
    subject = _get_user_for_actor(request, pk, Action.CHANGE)
    try:
        services.user_set_active(actor=request.user, user=subject, active=active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if active:
            messages.success(request, _("The account is active again."))
        else:
            messages.success(request, _("The account is deactivated; its sessions no longer work."))
    return redirect("accounts:user_detail", pk=subject.pk)
