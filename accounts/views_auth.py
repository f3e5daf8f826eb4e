"""Sign-in, sign-out, two-factor and password-reset views."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from accounts import sessions, two_factor
from accounts.audit import log_action


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        sessions.session_started(self.request, form.get_user())
        log_action("accounts.user.signed_in", actor=form.get_user(), target=form.get_user())
        return response


class LogoutView(auth_views.LogoutView):
    """Signing out ends every session of the user, on every device."""

    def post(self, request, *args, **kwargs):
        user = request.user if request.user.is_authenticated else None
        response = super().post(request, *args, **kwargs)
        if user is not None:
            sessions.end_all_sessions(user)
            log_action("accounts.user.signed_out", actor=user, target=user)
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


@login_required
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the code (or type the key), confirm with a code."""
    user = request.user
    device = two_factor.pending_device(user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token("".join(form.cleaned_data["token"].split())):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            codes = two_factor.backup_codes_issue(user)
            log_action("accounts.two_factor.enabled", actor=user, target=user)
            return render(
                request,
                "accounts/two_factor_codes.html",
                {"codes": codes, "next": _next_url(request)},
            )
        form.add_error(
            "token",
            _("This code is not valid. Check the time on your phone and enter the current code."),
        )
    from base64 import b32encode

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
        device = two_factor.verify(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            log_action("accounts.two_factor.verified", actor=request.user, target=request.user)
            return redirect(_next_url(request))
        log_action("accounts.two_factor.failed", actor=request.user, target=request.user)
        form.add_error("token", _("This code is not valid or was already used."))
    return render(
        request, "accounts/two_factor_verify.html", {"form": form, "next": _next_url(request)}
    )


@require_POST
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    if not request.user.is_verified():
        return redirect("accounts:two_factor_verify")
    codes = two_factor.backup_codes_issue(request.user)
    log_action("accounts.two_factor.backup_codes_issued", actor=request.user, target=request.user)
    return render(
        request,
        "accounts/two_factor_codes.html",
        {"codes": codes, "next": settings.LOGIN_REDIRECT_URL},
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


def locked_out(request: HttpRequest, credentials=None, *args, **kwargs) -> HttpResponse:
    """django-axes: too many failed sign-ins for this username from this address."""
    messages.error(request, _("Too many failed sign-in attempts. Try again in 30 minutes."))
    return render(request, "429.html", {"locked": True}, status=429)
