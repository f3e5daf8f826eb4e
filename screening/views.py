"""The screenings: list, interview, page (indicators, suggestion, decision, history), edit,
decision, and opening a case."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts.policy import Action, require
from cases.services import ConflictError
from screening import forms, selectors, services
from traffick_cm.forms import attach_service_errors
from traffick_cm.pagination import page_of


@require("screening", Action.LIST)
def screening_list(request: HttpRequest) -> HttpResponse:
    filters = forms.ScreeningFilterForm(request.GET or None, actor=request.user)
    criteria = dict(filters.cleaned_data) if filters.is_valid() else {}
    qs = selectors.screening_list(actor=request.user, criteria=criteria)
    page = page_of(qs, request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    context = {"page": page, "filters": filters, "querystring": querystring.urlencode()}
    template = (
        "screening/_screening_rows.html"
        if request.headers.get("HX-Request")
        else "screening/screening_list.html"
    )
    return render(request, template, context)


@require("screening", Action.CREATE)
@sensitive_post_parameters()
def screening_create(request: HttpRequest) -> HttpResponse:
    form = forms.ScreeningForm(
        request.POST or None,
        actor=request.user,
        initial=forms.ScreeningForm.initial_new(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            screening = services.screening_create(
                actor=request.user,
                data=form.data_for_service(),
                answers=form.answers(),
                consented=form.cleaned_data["consented"],
                submission_token=form.cleaned_data["submission_token"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Screening %(code)s recorded.") % {"code": screening.code})
            return redirect("screening:screening_detail", pk=screening.pk)
    return render(request, "screening/screening_form.html", {"form": form, "screening": None})


def _detail(
    request: HttpRequest, pk: int, decision_form: forms.DecisionForm | None = None
) -> HttpResponse:
    """The screening's page, with the decision form as posted when it was refused."""
    reading = selectors.screening_for_view(actor=request.user, pk=pk)
    if decision_form is None:
        current = reading.current
        decision_form = forms.DecisionForm(
            initial={
                "status": reading.screening.suggested_status if current is None else current.status
            }
        )
    return render(
        request,
        "screening/screening_detail.html",
        {"reading": reading, "screening": reading.screening, "decision_form": decision_form},
    )


@require("screening", Action.VIEW)
def screening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk)


@require("screening", Action.CHANGE)
@sensitive_post_parameters()
def screening_edit(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_change(actor=request.user, pk=pk)
    if screening.case_id:
        messages.info(request, services.CASE_OPENED_CHANGE)
        return redirect("screening:screening_detail", pk=screening.pk)
    initial = {**forms.ScreeningForm.initial_for(screening), "version": screening.version}
    form = forms.ScreeningEditForm(request.POST or None, actor=request.user, initial=initial)
    conflict = False
    if request.method == "POST" and form.is_valid():
        try:
            services.screening_update(
                actor=request.user,
                screening=screening,
                expected_version=form.cleaned_data["version"],
                data=form.data_for_service(),
                answers=form.answers(),
            )
        except ConflictError:
            conflict = True
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Screening %(code)s saved.") % {"code": screening.code})
            return redirect("screening:screening_detail", pk=screening.pk)
    return render(
        request,
        "screening/screening_form.html",
        {"form": form, "screening": screening, "conflict": conflict},
        status=409 if conflict else 200,
    )


@require_POST
@require("screening_decision", Action.CHANGE)
@sensitive_post_parameters()
def screening_decide(request: HttpRequest, pk: int) -> HttpResponse:
    screening = selectors.screening_for_decision(actor=request.user, pk=pk)
    form = forms.DecisionForm(request.POST)
    if form.is_valid():
        try:
            decision = services.status_decide(
                actor=request.user,
                screening=screening,
                status=form.cleaned_data["status"],
                justification=form.cleaned_data["justification"],
                reason_against_suggestion=form.cleaned_data["reason_against_suggestion"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Decision recorded: %(status)s.") % {"status": decision.get_status_display()},
            )
            return redirect("screening:screening_detail", pk=screening.pk)
    return _detail(request, pk, decision_form=form)


@require("screening", Action.CHANGE)
@require("case", Action.CREATE)
@sensitive_post_parameters()
def case_open(request: HttpRequest, pk: int) -> HttpResponse:
    reading = selectors.screening_for_view(actor=request.user, pk=pk)
    screening = reading.screening
    if screening.case_id:
        return _already_opened(request, screening.pk)
    if not reading.can_open_case:
        messages.warning(
            request,
            services.NOT_DECIDED_A_VICTIM,
        )
        return redirect("screening:screening_detail", pk=screening.pk)
    form = forms.CaseOpenForm(
        request.POST or None, initial=forms.CaseOpenForm.initial_for(screening)
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            case = services.screening_case_open(
                actor=request.user,
                screening=screening,
                person_data=form.person_data(),
                consent_given_by=data["consent_given_by"],
                consent_method=data["consent_method"],
                consent_given_on=data["consent_given_on"],
                share_consent=data["share_consent"],
                submission_token=data["submission_token"],
            )
        except services.CaseAlreadyOpened:
            return _already_opened(request, screening.pk)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Case %(number)s opened from screening %(code)s.")
                % {"number": case.case_number, "code": screening.code},
            )
            if case.possible_duplicate:
                messages.warning(
                    request,
                    _(
                        "This person may have been registered before. See the warning on the "
                        "case file and check with your supervisor before going further."
                    ),
                )
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "screening/case_open.html",
        {"form": form, "screening": screening, "decision": reading.current},
    )


def _already_opened(request: HttpRequest, pk: int) -> HttpResponse:
    messages.info(request, _("A case was already opened from this screening."))
    return redirect("screening:screening_detail", pk=pk)
