"""A user's own account security: authenticators, backup codes, email address; and the
confirmation link of a new email address."""

from __future__ import annotations

from base64 import b32encode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import email_change, guards, two_factor
from accounts.forms import AuthenticatorForm, EmailChangeForm, PasswordConfirmForm
from accounts.models import EmailChange
from accounts.views_auth import ENROLMENT, enrolment_device, verify_redirect


def _strong_session_or_redirect(request: HttpRequest) -> HttpResponse | None:
    """Changes to how the account is protected need the second factor of this session,
    when the account has one."""
    if two_factor.has_device(request.user) and not request.user.is_verified():
        return verify_redirect(request, request.get_full_path())
    return None


@login_required
def security(request: HttpRequest) -> HttpResponse:
    user = request.user
    context = {
        "devices": list(TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk")),
        "backup_codes_left": StaticToken.objects.filter(device__user=user).count(),
        "has_device": two_factor.has_device(user),
        "verified": user.is_verified(),
        "required": two_factor.required_for(user),
        "pending_email": EmailChange.objects.filter(
            user=user, status=EmailChange.Status.PENDING
        ).first(),
        "password_form": PasswordConfirmForm(),
        "email_form": EmailChangeForm(),
    }
    return render(request, "accounts/security.html", context)


@login_required
def authenticator_add(request: HttpRequest) -> HttpResponse:
    """Add or replace an authenticator: a verified session, the password and a code from the
    new authenticator, in one form."""
    user = request.user
    if not two_factor.has_device(user):
        return redirect("accounts:two_factor_setup")
    refused = _strong_session_or_redirect(request)
    if refused is not None:
        return refused
    device = enrolment_device(request)
    form = AuthenticatorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            device = two_factor.authenticator_add(
                user=user,
                device=device,
                password=data["password"],
                token=data["token"],
                replace=data["replace"],
                name=data["name"],
            )
        except ValidationError as error:
            field = "password" if error.code in ("wrong_password", "password_locked") else "token"
            form.add_error(field, error)
        else:
            request.session.pop(ENROLMENT, None)
            # The session goes on with the new device (a replaced one no longer exists).
            otp_login(request, device)
            named = {"name": device.name}
            if data["replace"]:
                messages.success(
                    request, _("Your new authenticator “%(name)s” replaced the old one.") % named
                )
            else:
                messages.success(request, _("Your new authenticator “%(name)s” was added.") % named)
            return redirect("accounts:security")
    return render(
        request,
        "accounts/authenticator_add.html",
        {"form": form, "qr": two_factor.qr_svg(device), "key": b32encode(device.bin_key).decode()},
    )


@require_POST
@login_required
def authenticator_remove(request: HttpRequest, pk: int) -> HttpResponse:
    refused = _strong_session_or_redirect(request)
    if refused is not None:
        return refused
    form = PasswordConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter your password to remove an authenticator."))
        return redirect("accounts:security")
    try:
        name = two_factor.authenticator_remove(
            user=request.user, device_id=pk, password=form.cleaned_data["password"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The authenticator “%(name)s” was removed.") % {"name": name})
    return redirect("accounts:security")


@login_required
def email_change_request(request: HttpRequest) -> HttpResponse:
    refused = _strong_session_or_redirect(request)
    if refused is not None:
        return refused
    form = EmailChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            guards.password_confirm(user=request.user, password=form.cleaned_data["password"])
            email_change.email_change_request(
                actor=request.user, user=request.user, new_email=form.cleaned_data["email"]
            )
        except ValidationError as error:
            field = "password" if error.code in ("wrong_password", "password_locked") else "email"
            form.add_error(field, error)
        else:
            messages.success(
                request,
                _(
                    "A confirmation link was sent to the new address. Your email changes when "
                    "it is opened."
                ),
            )
            return redirect("accounts:security")
    return render(request, "accounts/email_change.html", {"form": form})


def email_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The emailed link. Opening it shows a button (mail scanners that fetch links confirm
    nothing); the button confirms, once, for whoever holds the link."""
    change = email_change.email_change_for_token(token)
    confirmed = False
    if request.method == "POST" and change is not None:
        try:
            email_change.email_change_confirm(token=token)
        except ValidationError:
            change = None
        else:
            confirmed = True
    return render(
        request,
        "accounts/email_confirm.html",
        {"change": change, "confirmed": confirmed, "login_url": reverse("accounts:login")},
    )
