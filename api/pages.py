"""The "API tokens" page: create (the token shown once), list and revoke one's own tokens."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import Action, require
from accounts.two_factor import required_for
from api import tokens
from api.models import ApiToken
from traffick_cm.forms import attach_service_errors


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. “OpenFn sync”."),
    )
    days = forms.IntegerField(
        label=gettext_lazy("Valid for (days)"),
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=tokens.DEFAULT_DAYS,
    )
    access = forms.ChoiceField(
        label=gettext_lazy("Access"),
        choices=[
            ("read", gettext_lazy("Read only")),
            ("write", gettext_lazy("Read and write")),
        ],
        initial="read",
        widget=forms.RadioSelect,
    )


@require("api_token", Action.LIST)
def token_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    verified = user.is_verified() if hasattr(user, "is_verified") else False
    needs_verification = required_for(user) and not verified
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and needs_verification:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            token, text = tokens.token_create(
                actor=user,
                user=user,
                name=form.cleaned_data["name"],
                days=form.cleaned_data["days"],
                read_only=form.cleaned_data["access"] == "read",
                verified=verified,
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            # Shown in this answer only: never in an address, a message or the session.
            created = {"token": token, "text": text}
            form = TokenForm()
    return render(
        request,
        "api/tokens.html",
        {
            "form": form,
            "created": created,
            "needs_verification": needs_verification,
            "tokens": ApiToken.objects.filter(user=user).order_by("revoked_at", "-created_at"),
        },
    )


@require_POST
@require("api_token", Action.CHANGE)
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # One's own tokens only, a superuser's too: nobody revokes another person's token here.
    token = get_object_or_404(ApiToken, user=request.user, pk=pk)
    tokens.token_revoke(actor=request.user, token=token)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
