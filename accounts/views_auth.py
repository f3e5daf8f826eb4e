"""Sign-in, sign-out, two-factor, password-reset and invitation views."""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import invitations, services, sessions, two_factor
from accounts.forms import PasswordConfirmForm


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.session_started(self.request, form.get_user())
        services.user_signed_in(user=form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    """Signing out ends every session of the user, on every device."""

    def post(self, request, *args, **kwargs):
        user = request.user if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if user is not None:
            services.user_signed_out(user=user)
        return response


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return settings.LOGIN_REDIRECT_URL


class TokenForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )


ENROLMENT = "two_factor_enrolment"


def enrolment_device(request: HttpRequest):
    """The device this session is enrolling (its id kept in the session)."""
    device = two_factor.enrolment_device(
        user=request.user, device_id=request.session.get(ENROLMENT)
    )
    request.session[ENROLMENT] = device.pk
    return device


def verify_redirect(request: HttpRequest, next_url: str) -> HttpResponse:
    return redirect(f"{reverse('accounts:two_factor_verify')}?{urlencode({'next': next_url})}")


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """The first authenticator app: scan the code (or type the key), confirm with a code.
    Only for an account without a confirmed device: with one, a password alone would let
    anyone enrol their own and so pass the second factor."""
    user = request.user
    if two_factor.has_device(user):
        if user.is_verified():
            return redirect("accounts:security")
        return verify_redirect(request, _next_url(request))
    device = enrolment_device(request)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            codes = two_factor.first_device_confirm(
                user=user, device=device, token=form.cleaned_data["token"]
            )
        except ValidationError as error:
            form.add_error("token", error)
        else:
            request.session.pop(ENROLMENT, None)
            otp_login(request, device)
            return render(
                request,
                "accounts/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr": two_factor.qr_svg(device),
            "key": b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        },
    )


@login_required
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify(user=request.user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_next_url(request))
        form.add_error("token", _("This code is not valid or was already used."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@require_POST
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """New backup codes: a verified session and the password again."""
    user = request.user
    if not two_factor.has_device(user):
        return redirect("accounts:two_factor_setup")
    if not user.is_verified():
        return verify_redirect(request, reverse("accounts:security"))
    form = PasswordConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter your password to get new backup codes."))
        return redirect("accounts:security")
    try:
        codes = two_factor.backup_codes_renew(user=user, password=form.cleaned_data["password"])
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("accounts:security")
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": reverse("accounts:security")},
    )


def _client_ip(request: HttpRequest) -> str:
    return request.META.get("REMOTE_ADDR", "")


class PasswordResetView(auth_views.PasswordResetView):
    """Throttled per address: a few requests an hour, then 429."""

    template_name = "accounts/password_reset.html"
    email_template_name = "emails/password_reset.txt"
    subject_template_name = "emails/password_reset_subject.txt"

    def post(self, request, *args, **kwargs):
        key = f"password-reset:{_client_ip(request)}"
        count = cache.get_or_set(key, 0, timeout=3600)
        if count >= settings.PASSWORD_RESET_LIMIT_PER_HOUR:
            return render(request, "429.html", status=429)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, timeout=3600)
        return super().post(request, *args, **kwargs)


class PasswordChangeView(auth_views.PasswordChangeView):
    """The old password, then the new one; every other session of the user ends and the
    user is told by email."""

    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")

    def form_valid(self, form):
        with transaction.atomic():
            # Django keeps this session signed in under a new key: record the new key.
            response = super().form_valid(form)
            sessions.session_renewed(self.request, form.user)
            services.user_password_changed(
                user=form.user, keep_session=self.request.session.session_key
            )
        return response


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """The emailed link's form: the new password ends every session of the user, who is
    told by email."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        with transaction.atomic():
            response = super().form_valid(form)
            services.user_password_reset(user=form.user)
        return response


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation's link: the invited person chooses the account's password, once (no
    sign-in needed; opening the link changes nothing, the button does). They then sign in,
    and set up two-step sign-in where their roles need it."""
    invitation = invitations.invitation_for_token(token)
    form = None
    done = None
    if invitation is not None:
        form = SetPasswordForm(invitation.user, request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                done = invitations.invitation_accept(
                    token=token, password=form.cleaned_data["new_password1"]
                )
            except ValidationError as error:
                if error.code != "invalid_invitation":
                    form.add_error("new_password1", error)
                else:
                    invitation, form = None, None
    response = render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "done": done,
            "login_url": reverse("accounts:login"),
        },
    )
    # The link's token is in this page's address: no other page learns it as a referrer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes: too many failed sign-ins for this username from this address."""
    messages.error(request, _("Too many failed sign-in attempts. Try again in 30 minutes."))
    return render(request, "429.html", {"locked": True}, status=429)
