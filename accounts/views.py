from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts import grants, invitations, selectors, services, two_factor
from accounts.forms import AdminPasswordForm, UserCreateForm, UserForm
from accounts.models import EmailChange, RoleGrant, User
from accounts.policy import Action, get_for_user_or_404, require, scope
from accounts.roles import Role
from traffick_cm.pagination import page_of


def _get_user_for_actor(request: HttpRequest, pk: int, action: Action) -> User:
    return get_for_user_or_404(request.user, "user", action, User.objects.all(), pk=pk)


@require("user", Action.LIST)
def user_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()[:100]
    active = request.GET.get("active", "")
    page = page_of(
        selectors.user_list(actor=request.user, search=search, active=active),
        request.GET.get("page"),
    )
    return render(
        request,
        "accounts/user_list.html",
        {"page": page, "q": search, "active": active},
    )


@require("user", Action.CREATE)
def user_create(request: HttpRequest) -> HttpResponse:
    """A new account without a password: its owner gets an invitation to choose one."""
    form = UserCreateForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, sent = invitations.user_invite(
                actor=request.user,
                username=data["username"],
                organisation=data.get("organisation") or request.user.organisation,
                roles=data["roles"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                email=data["email"],
                job_title=data["job_title"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            names = {"username": user.username, "organisation": user.organisation}
            if sent.emailed:
                message = _(
                    "Account %(username)s created in %(organisation)s. An invitation to choose "
                    "a password was sent to the email address given; opening it confirms the "
                    "address."
                )
            else:
                message = _(
                    "Account %(username)s created in %(organisation)s. It has no email "
                    "address: give its owner the invitation link below."
                )
            messages.success(request, message % names)
            _show_once(request, user, sent)
            _tell_what_waits(request, user, email_link_sent=False)
            return redirect("accounts:user_detail", pk=user.pk)
    return render(
        request,
        "accounts/user_form.html",
        {"form": form, "creating": True, "organisation": request.user.organisation},
    )


# The invitation link as the administrator sees it: once, on the account's page, right
# after it was made (kept in the server-side session until then, never in a URL).
SHOWN_ONCE = "accounts.invitation_link"


def _show_once(request: HttpRequest, subject: User, sent: invitations.Sent) -> None:
    request.session[SHOWN_ONCE] = {
        "user": subject.pk,
        "url": request.build_absolute_uri(invitations.invitation_path(sent.token)),
        "emailed": sent.emailed,
    }


def _shown_once(request: HttpRequest, subject: User) -> dict | None:
    shown = request.session.pop(SHOWN_ONCE, None)
    return shown if shown and shown.get("user") == subject.pk else None


@require("user", Action.VIEW)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _get_user_for_actor(request, pk, Action.VIEW)
    pending = list(
        subject.role_grants.filter(status=RoleGrant.Status.PENDING).select_related("requested_by")
    )
    for grant in pending:
        grant.decidable = grants.may_decide(request.user, grant)
    invited = not subject.has_usable_password()
    context = {
        "subject": subject,
        "pending_grants": pending,
        "pending_email": subject.email_changes.filter(status=EmailChange.Status.PENDING).first(),
        "has_two_factor": two_factor.has_device(subject),
        "reset_form": AdminPasswordForm(),
        "invited": invited,
        "last_invitation": invitations.last_invitation(subject) if invited else None,
        "invitation_link": _shown_once(request, subject),
        "invitation_days": invitations.MAX_AGE.days,
    }
    return render(request, "accounts/user_detail.html", context)


@require_POST
@require("user", Action.CHANGE)
def user_invitation_resend(request: HttpRequest, pk: int) -> HttpResponse:
    """A new invitation for an account whose owner has not chosen a password yet (the link
    expired or got lost): the earlier links stop working."""
    subject = _get_user_for_actor(request, pk, Action.CHANGE)
    try:
        sent = invitations.invitation_send(actor=request.user, user=subject)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        names = {"username": subject.username}
        if sent.emailed:
            message = _(
                "A new invitation for %(username)s was sent by email; the earlier links no "
                "longer work."
            )
        else:
            message = _(
                "A new invitation link for %(username)s is below; the earlier links no longer work."
            )
        messages.success(request, message % names)
        _show_once(request, subject, sent)
    return redirect("accounts:user_detail", pk=subject.pk)


@require("user", Action.CHANGE)
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    subject = _get_user_for_actor(request, pk, Action.CHANGE)
    initial = {
        "first_name": subject.first_name,
        "last_name": subject.last_name,
        "email": subject.email,
        "job_title": subject.job_title,
        "organisation": subject.organisation,
        # Roles awaiting approval stay ticked: unticking one withdraws the request.
        "roles": sorted(subject.roles | grants.pending_roles(subject)),
    }
    form = UserForm(request.POST or None, initial=initial, actor=request.user, subject=subject)
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
            messages.success(
                request,
                _("Changes to the account %(username)s saved.") % {"username": subject.username},
            )
            _tell_what_waits(request, subject)
            return redirect("accounts:user_detail", pk=subject.pk)
    return render(
        request, "accounts/user_form.html", {"form": form, "subject": subject, "creating": False}
    )


def _tell_what_waits(request: HttpRequest, subject: User, *, email_link_sent: bool = True) -> None:
    waiting = sorted(grants.pending_roles(subject))
    if waiting:
        messages.info(
            request,
            _("Awaiting another administrator's approval: %(roles)s.")
            % {"roles": ", ".join(str(Role(role).label) for role in waiting)},
        )
    pending_email = subject.email_changes.filter(status=EmailChange.Status.PENDING).exists()
    if email_link_sent and pending_email:
        messages.info(
            request,
            _(
                "A confirmation link was sent to the new email address; the address changes "
                "when it is opened."
            ),
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
        names = {"username": subject.username}
        if active:
            messages.success(request, _("The account %(username)s is active again.") % names)
        else:
            messages.success(
                request,
                _("The account %(username)s is deactivated; its sessions no longer work.") % names,
            )
    return redirect("accounts:user_detail", pk=subject.pk)


@require_POST
@require("user", Action.CHANGE)
def user_two_factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """Remove a user's lost devices: they set up a new one after signing in again."""
    subject = _get_user_for_actor(request, pk, Action.CHANGE)
    form = AdminPasswordForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter your own password to reset two-step sign-in."))
        return redirect("accounts:user_detail", pk=subject.pk)
    try:
        two_factor.two_factor_reset(
            actor=request.user, user=subject, password=form.cleaned_data["password"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Two-step sign-in of %(username)s was reset and their sessions ended. They set "
                "up a new authenticator at their next sign-in."
            )
            % {"username": subject.username},
        )
    return redirect("accounts:user_detail", pk=subject.pk)


# Roles awaiting a second person


def _get_grant(request: HttpRequest, pk: int) -> RoleGrant:
    """A request about a user in the actor's scope, or 404."""
    users = scope(request.user, "user", Action.CHANGE, User.objects.all())
    grant = (
        RoleGrant.objects.select_related("user", "requested_by")
        .filter(pk=pk, user__in=users)
        .first()
    )
    if grant is None:
        raise Http404
    return grant


@require("user", Action.LIST)
def grant_list(request: HttpRequest) -> HttpResponse:
    pending = list(grants.pending_grants(actor=request.user))
    for grant in pending:
        grant.decidable = grants.may_decide(request.user, grant)
    return render(request, "accounts/grant_list.html", {"grants": pending})


@require_POST
@require("user", Action.CHANGE)
def grant_decide(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _get_grant(request, pk)
    approve = "approve" in request.POST
    try:
        grants.grant_decide(actor=request.user, grant=grant, approve=approve)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        label = {"role": grant.get_role_display(), "username": grant.user.username}
        if approve:
            messages.success(request, _("%(username)s now has the role %(role)s.") % label)
        else:
            messages.success(request, _("The role %(role)s was refused to %(username)s.") % label)
    return redirect(_back(request, grant))


@require_POST
@require("user", Action.CHANGE)
def grant_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    grant = _get_grant(request, pk)
    if grants.grant_cancel(actor=request.user, grant=grant):
        messages.success(
            request,
            _("The request to give the role %(role)s to %(username)s was withdrawn.")
            % {"role": grant.get_role_display(), "username": grant.user.username},
        )
    else:
        messages.error(request, _("This request was already decided."))
    return redirect(_back(request, grant))


def _back(request: HttpRequest, grant: RoleGrant) -> str:
    if request.POST.get("from") == "user":
        return reverse("accounts:user_detail", kwargs={"pk": grant.user_id})
    return reverse("accounts:grant_list")
