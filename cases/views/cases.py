"""The case list, registration, the case file, its edits and its history."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters

from accounts.policy import Action, can, can_on, require
from cases import forms as case_forms
from cases import history, selectors
from cases.services import ConflictError, workflow
from cases.services import case as case_services
from cases.views import lookups
from traffick_cm import codebooks as v
from traffick_cm.forms import attach_service_errors
from traffick_cm.pagination import page_of

# A row shows the person's name alone: their other personal values are not read (nor
# decrypted, some 30 µs a value).
LIST_DEFERS = [
    f"person__{name}"
    for name in sorted(case_services.PERSONAL_FIELDS - {"first_name", "last_name"})
]


@require("case", Action.LIST)
@sensitive_post_parameters("q")
def case_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return lookups.case_search(request)
    if "q" in request.GET:
        # An old link or bookmark with a name in it: take the name out of the address.
        query = request.GET.copy()
        term = query.pop("q", [""])[-1].strip()
        if case_forms.is_case_number(term):
            query["number"] = term.upper()
        elif term:
            messages.info(
                request,
                _("Search names with the search box: names are never put in page addresses."),
            )
        return redirect(lookups.list_address(query))
    filters = case_forms.CaseFilterForm(request.GET or None, actor=request.user)
    criteria = dict(filters.cleaned_data) if filters.is_valid() else {}
    text = ""
    if key := request.GET.get("search", ""):
        recalled = lookups.recall_search(request, key)
        if recalled is None:
            messages.warning(request, _("This search has expired: search again."))
        text = recalled or ""
    criteria["q"] = text
    today = timezone.localdate()
    qs = selectors.case_list(actor=request.user, criteria=criteria, today=today)
    page = page_of(qs.defer(*LIST_DEFERS), request.GET.get("page"))
    querystring = request.GET.copy()
    querystring.pop("page", None)
    context = {
        "page": page,
        "filters": filters,
        "search": case_forms.CaseSearchForm(initial={"q": text or criteria.get("number", "")}),
        "querystring": querystring.urlencode(),
        "view": criteria.get("view") or "team",
        "can_import": can(request.user, "case_supervision", Action.CREATE),
    }
    template = (
        "cases/_case_rows.html" if request.headers.get("HX-Request") else "cases/case_list.html"
    )
    return render(request, template, context)


@require("case", Action.CREATE)
@sensitive_post_parameters()
def case_register(request: HttpRequest) -> HttpResponse:
    form = case_forms.CaseRegisterForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        case_data = form.case_data()
        case_data["exploitation_types"] = data["exploitation_types"]
        try:
            case = case_services.case_register(
                actor=request.user,
                case_data=case_data,
                person_data=form.person_data(),
                sex=data["sex"],
                citizenships=data["citizenships"],
                consent_given_by=data["consent_given_by"],
                consent_method=data["consent_method"],
                consent_given_on=data["consent_given_on"],
                submission_token=data["submission_token"],
                share_consent=data["share_consent"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            if data["share_consent"]:
                done = _(
                    "Case %(number)s registered, with consent to data collection and to "
                    "sharing with partners: it can be referred."
                )
            else:
                done = _("Case %(number)s registered.")
            messages.success(request, done % {"number": case.case_number})
            if case.possible_duplicate:
                messages.warning(
                    request,
                    _(
                        "This person may have been registered before. See the warning on the "
                        "case file and check with your supervisor before going further."
                    ),
                )
            return redirect("cases:case_detail", pk=case.pk)
    return render(request, "cases/case_register.html", {"form": form})


@require("case", Action.VIEW)
def case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_view(actor=request.user, pk=pk)
    consents = list(case.consents.all())
    context = {
        "case": case,
        "person": case.person,
        "consent_state": selectors.consent_state(consents),
        "transitions": [
            (code, v.CaseStatus(code).label)
            for code in sorted(workflow.TRANSITIONS.get(case.status, ()))
        ],
        "pending_closure": case.pending_closure,
        "duplicate_notices": selectors.duplicate_notices(actor=request.user, case=case),
        "next_actions": selectors.next_actions(actor=request.user, case=case),
        "can_refer": can(request.user, "referral", Action.CREATE),
        "can_supervise": can(request.user, "case_supervision", Action.CHANGE),
        "can_history": can(request.user, "case_history", Action.VIEW),
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    return render(request, "cases/case_detail.html", context)


@require("case", Action.VIEW)
def case_section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """A section of the case file that loads when opened: the list alone for htmx, which
    puts it in the page; a page of its own for a browser without scripts."""
    case, part = selectors.case_section(actor=request.user, pk=pk, section=section)
    context = {"case": case, "section": part}
    if request.headers.get("HX-Request"):
        return render(request, part.template, context)
    return render(request, "cases/case_section.html", context)


def _edit(request: HttpRequest, pk: int, form_class: type, template: str) -> HttpResponse:
    case = selectors.case_for_change(actor=request.user, pk=pk)
    kwargs: dict[str, Any] = {}
    if form_class is case_forms.CaseEditForm:
        kwargs["actor"] = request.user
    initial = form_class.initial_for(case)
    form = form_class(request.POST or None, initial=initial, **kwargs)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            case_services.case_update(
                actor=request.user,
                case=case,
                expected_version=form.cleaned_data["version"],
                loaded=form.loaded_values(),
                changes=form.changes(),
            )
        except ConflictError as error:
            conflict = _describe_conflict(form, error)
            fresh = selectors.case_for_change(actor=request.user, pk=pk)
            # The next save is checked against what is stored now.
            data = request.POST.copy()
            new_initial = form_class.initial_for(fresh)
            data["version"], data["loaded"] = new_initial["version"], new_initial["loaded"]
            form = form_class(data, initial=new_initial, **kwargs)
            form.is_valid()
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("Changes to case %(number)s saved.") % {"number": case.case_number}
            )
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        template,
        {"form": form, "case": case, "conflict": conflict},
        status=409 if conflict else 200,
    )


def _describe_conflict(form: forms.BaseForm, error: ConflictError) -> list[dict[str, Any]]:
    rows = []
    for field, (_then, now) in error.changed.items():
        label = form.fields[field].label if field in form.fields else field
        rows.append({"field": field, "label": label, "now": _display(form, field, now)})
    return rows


def _display(form: forms.BaseForm, field: str, value: Any) -> str:
    if value in (None, "", []):
        return "—"
    form_field = form.fields.get(field)
    if hasattr(form_field, "label_for"):
        return form_field.label_for(value) or str(value)
    choices = dict(getattr(form_field, "choices", []) or [])
    if isinstance(value, list):
        return ", ".join(str(choices.get(x, x)) for x in value)
    return str(choices.get(value, value))


@require("case", Action.CHANGE)
@sensitive_post_parameters()
def case_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, case_forms.CaseEditForm, "cases/case_edit.html")


@require("case", Action.CHANGE)
def exploitation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _edit(request, pk, case_forms.ExploitationForm, "cases/exploitation_edit.html")


@require("case_history", Action.VIEW)
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    case, rows = selectors.case_history(actor=request.user, pk=pk)
    page = page_of(rows, request.GET.get("page"), size=50)
    page.object_list = history.lines(page.object_list)
    return render(
        request,
        "cases/case_history.html",
        {
            "case": case,
            "page": page,
            "can_view_case": can_on(request.user, "case", Action.VIEW, case),
        },
    )
