from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.forms import MultipleChoiceField
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import Action, require
from cases import selectors as case_selectors
from referrals import forms as referral_forms
from referrals import selectors, services
from referrals.models import CLOSED_STATUSES, Referral, ReferralStatus
from traffick_cm import periods, suppression
from traffick_cm.codebooks import ServiceType
from traffick_cm.forms import PeriodForm, attach_service_errors
from traffick_cm.pagination import page_of


def _words(referral: Referral) -> dict[str, str]:
    """A referral in the confirmations: its number and its partner's name."""
    partner = referral.to_organisation.name if referral.to_organisation else referral.recipient_name
    return {"reference": referral.reference, "partner": partner}


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _posted_initial(form_class: type[referral_forms.ReferralForm], data) -> dict[str, Any]:
    """What was posted, as a form's initial values: the form shown again, unvalidated."""
    fields = form_class.base_fields
    return {
        name: data.getlist(name) if isinstance(field, MultipleChoiceField) else data.get(name)
        for name, field in fields.items()
        if name in data
    }


@require("referral", Action.CREATE)
def referral_create(request: HttpRequest, case_pk: int) -> HttpResponse:
    """Refer a case: the finder suggests partners for the assessed needs, and the partner
    list offers those of the chosen service, nearest first. Changing the service refreshes
    the list: htmx asks for it alone (GET, the service code only); without JavaScript, the
    form's "Show the partners" button posts the form back unsaved."""
    case = case_selectors.case_for_change(actor=request.user, pk=case_pk)
    latest = case.assessments.order_by("-assessed_on", "-pk").first()
    needs = list(latest.needs) if latest else []
    requested = request.GET.get("service_type") or request.GET.get("service")
    if requested in ServiceType.values and requested not in needs:
        needs.insert(0, requested)
    initial: dict[str, Any] = {"service_type": requested or (needs[0] if needs else None)}
    refresh = request.method == "POST" and "refresh" in request.POST
    if refresh:
        initial = _posted_initial(referral_forms.ReferralForm, request.POST)
    bound = request.POST if request.method == "POST" and not refresh else None
    form = referral_forms.ReferralForm(bound, case=case, initial=initial)
    if request.headers.get("HX-Request") and request.method == "GET":
        response = render(request, "referrals/_partner_choice.html", {"form": form, "case": case})
        patch_vary_headers(response, ["HX-Request"])
        return response
    if bound is not None and form.is_valid():
        data = form.cleaned_data
        try:
            referral = services.referral_create(
                actor=request.user,
                case=case,
                service_type=data["service_type"],
                urgency=data["urgency"],
                reason=data["reason"],
                packet_fields=data["packet_fields"],
                to_organisation=data["to_organisation"],
                external_organisation=data["external_organisation"],
                destination_country=data["destination_country"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Referral %(reference)s to %(partner)s drafted: check it, then send it.")
                % _words(referral),
            )
            return redirect("referrals:referral_detail", pk=referral.pk)
    suggestions = selectors.pathway_suggestions(case=case, needs=needs) if needs else []
    response = render(
        request,
        "referrals/referral_form.html",
        {"form": form, "case": case, "suggestions": suggestions},
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


def _filtered_page(request: HttpRequest, select: Callable[..., QuerySet]) -> dict[str, Any]:
    """The filters and the page of referrals they select: the list and the inbox share them
    (and one table, templates/referrals/_referral_table.html)."""
    filters = referral_forms.ReferralFilterForm(request.GET or None)
    criteria = filters.cleaned_data if filters.is_valid() else {}
    now = timezone.now()
    qs = select(
        actor=request.user,
        status=criteria.get("status", ""),
        overdue_only=criteria.get("overdue", False),
        now=now,
    )
    return {"page": page_of(qs, request.GET.get("page")), "filters": filters, "now": now}


@require("referral", Action.LIST)
def referral_list(request: HttpRequest) -> HttpResponse:
    return render(
        request, "referrals/referral_list.html", _filtered_page(request, selectors.outgoing)
    )


@require("referral", Action.VIEW)
def referral_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_referrer(actor=request.user, pk=pk)
    selectors.referral_read_log(actor=request.user, referral=referral, side="referrer")
    consented = case_selectors.has_current_consent(referral.case, "referral_sharing")
    return render(
        request,
        "referrals/referral_detail.html",
        {
            "referral": referral,
            # A draft previews what sending would share; afterwards only what was shared
            # (nothing once withdrawn), never a packet rebuilt from the current file.
            "packet": services.packet_build(
                referral.case, list(referral.packet_fields), referral.service_type
            )
            if referral.status == ReferralStatus.DRAFT
            else selectors.packet(referral),
            "consented": consented,
            "can_override": services.can_override_consent(request.user),
            "now": timezone.now(),
            "closed": referral.status in CLOSED_STATUSES,
        },
    )


@require_POST
@require("referral", Action.CHANGE)
def referral_send(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_referrer(actor=request.user, pk=pk, action=Action.CHANGE)
    form = referral_forms.SendForm(request.POST)
    form.is_valid()
    try:
        services.referral_send(
            actor=request.user,
            referral=referral,
            override_justification=form.cleaned_data.get("override_justification", ""),
        )
    except PermissionDenied:
        messages.error(request, _("You may not send a referral without the person's consent."))
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Referral %(reference)s sent to %(partner)s.") % _words(referral),
        )
    return redirect("referrals:referral_detail", pk=referral.pk)


@require_POST
@require("referral", Action.CHANGE)
def referral_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_referrer(actor=request.user, pk=pk, action=Action.CHANGE)
    form = referral_forms.ReasonForm(request.POST)
    form.is_valid()
    try:
        services.referral_cancel(
            actor=request.user, referral=referral, reason=form.cleaned_data.get("reason", "")
        )
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(
            request,
            _("Referral %(reference)s to %(partner)s cancelled.") % _words(referral),
        )
    return redirect("referrals:referral_detail", pk=referral.pk)


def _answer(request: HttpRequest, referral, *, back: str) -> HttpResponse:
    """Accept, decline, start, complete or close: the partner for its inbox, or the referrer
    recording the answer of an organisation outside the system."""
    step = request.POST.get("step", "")
    done = ""
    try:
        if step == "respond":
            form = referral_forms.RespondForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Choose to accept or decline."))
            services.referral_respond(
                actor=request.user,
                referral=referral,
                accept=form.cleaned_data["accept"],
                reason=form.cleaned_data["reason"],
            )
            done = (
                _("Referral %(reference)s accepted by %(partner)s.")
                if form.cleaned_data["accept"]
                else _("Referral %(reference)s declined by %(partner)s.")
            )
        elif step == "start":
            services.referral_start(actor=request.user, referral=referral)
            done = _("Referral %(reference)s: %(partner)s started the service.")
        elif step == "complete":
            form = referral_forms.CompleteForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Describe the outcome."))
            services.referral_complete(
                actor=request.user,
                referral=referral,
                outcome=form.cleaned_data["outcome"],
                feedback=form.cleaned_data["feedback"],
                delivered_on=form.cleaned_data["delivered_on"],
            )
            done = _("Referral %(reference)s completed by %(partner)s.")
        elif step == "close":
            form = referral_forms.CloseForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("Say why no service was given."))
            services.referral_close_without_service(
                actor=request.user, referral=referral, outcome=form.cleaned_data["outcome"]
            )
            done = _("Referral %(reference)s closed by %(partner)s without service.")
        else:
            raise ValidationError(_("Unknown action."))
    except PermissionDenied:
        raise
    except ValidationError as error:
        messages.error(request, _error_text(error))
    else:
        messages.success(request, done % _words(referral))
    return redirect(back, pk=referral.pk)


@require_POST
@require("referral", Action.CHANGE)
def referral_record_answer(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_referrer(actor=request.user, pk=pk, action=Action.CHANGE)
    if not referral.is_external:
        raise PermissionDenied
    return _answer(request, referral, back="referrals:referral_detail")


@require("referral_inbox", Action.LIST)
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "referrals/inbox.html", _filtered_page(request, selectors.inbox))


@require("referral_inbox", Action.VIEW)
def inbox_detail(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_partner(actor=request.user, pk=pk)
    selectors.referral_read_log(actor=request.user, referral=referral, side="partner")
    now = timezone.now()
    visible = selectors.packet_visible(referral, now=now)
    return render(
        request,
        "referrals/inbox_detail.html",
        {
            "referral": referral,
            "packet": selectors.packet(referral) if visible else None,
            "packet_expired": not visible,
            "now": now,
        },
    )


@require_POST
@require("referral_inbox", Action.CHANGE)
def inbox_answer(request: HttpRequest, pk: int) -> HttpResponse:
    referral = selectors.referral_for_partner(actor=request.user, pk=pk, action=Action.CHANGE)
    return _answer(request, referral, back="referrals:inbox_detail")


@require("referral_statistics", Action.VIEW)
def statistics(request: HttpRequest) -> HttpResponse:
    """Referral statistics over a calendar month, quarter or year that has ended: exact for
    the case team's own referrals, released as outside the case team for everyone else (the
    access policy decides which, in the selector)."""
    today = timezone.localdate()
    first, latest = selectors.statistics_bounds(actor=request.user)
    form = PeriodForm(request.GET or None, today=today, first_year=first.year if first else None)
    valid = form.is_bound and form.is_valid()
    period = (form.cleaned_data.get("period") if valid else None) or periods.default(
        today, first, latest
    )
    if not form.is_bound:
        form.initial = {"period": period.key}
    stats = selectors.released_statistics(actor=request.user, period=period)
    return render(
        request,
        "referrals/statistics.html",
        {
            "form": form,
            "period": period,
            "stats": stats,
            "k": suppression.threshold(),
            "service_labels": dict(ServiceType.choices),
            "status_labels": dict(ReferralStatus.choices),
        },
        status=400 if form.is_bound and not valid else 200,
    )
