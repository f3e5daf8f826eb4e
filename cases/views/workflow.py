"""A case's workflow: status changes, closure (requested by the caseworker, decided by a
supervisor), reopening, assignment, and the supervisor's approvals list."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import Action, get_child_or_404, get_for_user_or_404, require
from cases import forms as case_forms
from cases import selectors
from cases.models import Case, ClosureRequest
from cases.services import workflow
from traffick_cm import codebooks as v
from traffick_cm.forms import attach_service_errors


@require_POST
@require("case", Action.CHANGE)
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_change(actor=request.user, pk=pk)
    form = case_forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("cases:case_detail", pk=case.pk)
    try:
        workflow.case_transition(
            actor=request.user,
            case=case,
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Case %(number)s moved to: %(status)s.")
            % {
                "number": case.case_number,
                "status": v.CaseStatus(form.cleaned_data["to_status"]).label,
            },
        )
    return redirect("cases:case_detail", pk=case.pk)


@require("case", Action.CHANGE)
def closure_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_change(actor=request.user, pk=pk)
    form = case_forms.ClosureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.closure_request(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Closure of case %(number)s requested: a supervisor will review it.")
                % {"number": case.case_number},
            )
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {"form": form, "case": case, "title": _("Request closure")},
    )


@require_POST
@require("case_supervision", Action.CHANGE)
def closure_decide(request: HttpRequest, closure_pk: int) -> HttpResponse:
    closure = get_child_or_404(
        request.user,
        "case_supervision",
        Action.CHANGE,
        ClosureRequest.objects.select_related("case"),
        via="case",
        pk=closure_pk,
    )
    form = case_forms.ClosureDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or return the request."))
        return redirect("cases:case_detail", pk=closure.case_id)
    approve = form.cleaned_data["approve"]
    try:
        workflow.closure_decide(
            actor=request.user, closure=closure, approve=approve, note=form.cleaned_data["note"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = (
            _("Closure of case %(number)s approved: the case is closed.")
            if approve
            else _("Closure request for case %(number)s returned to the caseworker.")
        )
        messages.success(request, done % {"number": closure.case.case_number})
    return redirect("cases:case_detail", pk=closure.case_id)


@require("case_supervision", Action.CHANGE)
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _supervised_case(request, pk)
    form = case_forms.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            workflow.case_reopen(actor=request.user, case=case, note=form.cleaned_data["note"])
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Case %(number)s reopened.") % {"number": case.case_number})
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {"form": form, "case": case, "title": _("Reopen the case")},
    )


@require("case_supervision", Action.CHANGE)
def case_assign(request: HttpRequest, pk: int) -> HttpResponse:
    case = _supervised_case(request, pk)
    form = case_forms.AssignForm(
        request.POST or None,
        case=case,
        initial={
            "primary": case.primary_caseworker_id,
            "caseworkers": list(case.caseworkers.values_list("pk", flat=True)),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            workflow.case_assign(
                actor=request.user,
                case=case,
                caseworkers=list(form.cleaned_data["caseworkers"]),
                primary=form.cleaned_data["primary"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Case %(number)s assigned: %(name)s in charge.")
                % {
                    "number": case.case_number,
                    "name": form.cleaned_data["primary"].get_full_name(),
                },
            )
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {"form": form, "case": case, "title": _("Assign caseworkers")},
    )


def _supervised_case(request: HttpRequest, pk: int) -> Case:
    return get_for_user_or_404(
        request.user, "case_supervision", Action.CHANGE, Case.objects.all(), pk=pk
    )


@require("case_supervision", Action.LIST)
def approvals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/approvals.html",
        {"closures": selectors.pending_closures(actor=request.user)},
    )
