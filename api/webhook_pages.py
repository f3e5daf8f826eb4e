"""The "Webhooks" pages: an organisation's administrators subscribe its systems to events
(the secret shown once), pause, resume, rotate the secret, delete, and follow deliveries."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import Action, can, get_for_user_or_404, require, scope
from api import webhooks
from api.models import WebhookDelivery, WebhookEvent, WebhookSubscription
from traffick_cm.forms import attach_service_errors
from traffick_cm.pagination import page_of


class SubscriptionForm(forms.Form):
    url = forms.CharField(
        label=gettext_lazy("Address (HTTPS)"),
        max_length=500,
        help_text=gettext_lazy("Where your system receives the events, e.g. https://…"),
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
    )
    events = forms.MultipleChoiceField(
        label=gettext_lazy("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    def clean_url(self) -> str:
        try:
            return webhooks.validate_url(self.cleaned_data["url"])
        except ValidationError as error:
            raise ValidationError(error.message_dict["url"]) from None


def _subscriptions(request: HttpRequest):
    qs = WebhookSubscription.objects.select_related("organisation", "created_by")
    return scope(request.user, "webhook", Action.LIST, qs).order_by("-created_at", "-pk")


def _render_list(
    request: HttpRequest, form: SubscriptionForm, revealed: dict[str, Any] | None = None
) -> HttpResponse:
    return render(
        request,
        "api/webhooks.html",
        {
            "form": form,
            "revealed": revealed,
            "may_create": can(request.user, "webhook", Action.CREATE)
            and bool(request.user.organisation_id),
            "subscriptions": _subscriptions(request),
        },
    )


@require("webhook", Action.LIST)
def subscription_list(request: HttpRequest) -> HttpResponse:
    form = SubscriptionForm(request.POST or None)
    revealed = None
    if request.method == "POST":
        if not can(request.user, "webhook", Action.CREATE):
            raise PermissionDenied
        if form.is_valid():
            try:
                subscription, secret = webhooks.subscription_create(
                    actor=request.user,
                    url=form.cleaned_data["url"],
                    events=form.cleaned_data["events"],
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                # Shown in this answer only: never in an address, a message or the session.
                revealed = {"subscription": subscription, "secret": secret, "created": True}
                form = SubscriptionForm()
    return _render_list(request, form, revealed)


def _mine(request: HttpRequest, pk: int) -> WebhookSubscription:
    return get_for_user_or_404(
        request.user, "webhook", Action.CHANGE, WebhookSubscription.objects.all(), pk=pk
    )


@require_POST
@require("webhook", Action.CHANGE)
def subscription_pause(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = webhooks.subscription_pause(actor=request.user, subscription=_mine(request, pk))
    messages.success(request, _("Deliveries to %(host)s paused.") % {"host": _host(subscription)})
    return redirect("webhooks:list")


@require_POST
@require("webhook", Action.CHANGE)
def subscription_resume(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = webhooks.subscription_resume(actor=request.user, subscription=_mine(request, pk))
    messages.success(request, _("Deliveries to %(host)s resumed.") % {"host": _host(subscription)})
    return redirect("webhooks:list")


@require_POST
@require("webhook", Action.CHANGE)
def subscription_rotate_secret(request: HttpRequest, pk: int) -> HttpResponse:
    subscription, secret = webhooks.subscription_rotate_secret(
        actor=request.user, subscription=_mine(request, pk)
    )
    revealed = {"subscription": subscription, "secret": secret, "created": False}
    return _render_list(request, SubscriptionForm(), revealed)


@require_POST
@require("webhook", Action.CHANGE)
def subscription_delete(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = _mine(request, pk)
    host = _host(subscription)
    webhooks.subscription_delete(actor=request.user, subscription=subscription)
    messages.success(request, _("Subscription of %(host)s deleted.") % {"host": host})
    return redirect("webhooks:list")


@require("webhook", Action.LIST)
def delivery_list(request: HttpRequest, pk: int) -> HttpResponse:
    subscription = get_for_user_or_404(
        request.user, "webhook", Action.LIST, WebhookSubscription.objects.all(), pk=pk
    )
    deliveries = WebhookDelivery.objects.filter(subscription=subscription).order_by(
        "-created_at", "-pk"
    )
    status = request.GET.get("status", "")
    if status in WebhookDelivery.Status.values:
        deliveries = deliveries.filter(status=status)
    else:
        status = ""
    return render(
        request,
        "api/webhook_deliveries.html",
        {
            "subscription": subscription,
            "page": page_of(deliveries, request.GET.get("page")),
            "status": status,
            "statuses": WebhookDelivery.Status.choices,
        },
    )


def _host(subscription: WebhookSubscription) -> str:
    return webhooks.host_of(subscription.url)
