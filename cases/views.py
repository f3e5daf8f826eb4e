from __future__ import annotations

import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import submissions
from accounts.audit import log_action
from accounts.policy import Action, can, can_on, require
from accounts.roles import Role
from cases import forms as case_forms
from cases import selectors
from cases.models import (
    Assessment,
    Case,
    CaseDocument,
    CaseNote,
    ClosureRequest,
    Consent,
    FollowUp,
    LegalProceeding,
    ServiceDelivery,
    SupportPlan,
    TraffickingEvent,
)
from cases.services import ConflictError, identity, records
from cases.services import case as case_services
from traffick_cm import codebooks as v
from traffick_cm import crypto, uploads
from traffick_cm.forms import attach_service_errors
from traffick_cm.pagination import page_of
from traffick_cm.tables import ImportFileError

# The name searches a session remembers (the oldest goes first): enough for the back button.
SEARCHES_KEPT = 20


def _remember_search(request: HttpRequest, text: str) -> str:
    """Keep a name search server-side, encrypted, in the session; the page address carries
    only an opaque key, so pagination and the back button still work."""
    searches = dict(request.session.get("case_searches", {}))
    key = secrets.token_urlsafe(9)
    searches[key] = crypto.encrypt(text)
    request.session["case_searches"] = dict(list(searches.items())[-SEARCHES_KEPT:])
    return key


def _recall_search(request: HttpRequest, key: str) -> str | None:
    """The search kept under `key` in this session, or None (another session's key, an
    expired session, or a key ring that no longer opens it)."""
    token = request.session.get("case_searches", {}).get(key)
    try:
        return crypto.decrypt(token) if token else None
    except ValueError:
        return None


def _list_address(query: QueryDict) -> str:
    address = reverse("cases:case_list")
    return f"{address}?{query.urlencode()}" if query else address


@require("case", Action.LIST)
@sensitive_post_parameters("q")
def case_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        return _case_search(request)
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
        return redirect(_list_address(query))
    filters = case_forms.CaseFilterForm(request.GET or None, actor=request.user)
    criteria = dict(filters.cleaned_data) if filters.is_valid() else {}
    text = ""
    if key := request.GET.get("search", ""):
        recalled = _recall_search(request, key)
        if recalled is None:
            messages.warning(request, _("This search has expired: search again."))
        text = recalled or ""
    criteria["q"] = text
    today = timezone.localdate()
    qs = selectors.case_list(actor=request.user, criteria=criteria, today=today)
    page = page_of(qs, request.GET.get("page"))
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


def _case_search(request: HttpRequest) -> HttpResponse:
    """The search and filter form, posted: the filters go to the address, a case number
    too; a name is kept server-side, counted and audited (never its text)."""
    query = QueryDict(mutable=True)
    for name in case_forms.CaseFilterForm.base_fields:
        values = [value for value in request.POST.getlist(name) if value]
        if values and name != "number":  # the search box says which case number, if any
            query.setlist(name, values)
    search = case_forms.CaseSearchForm(request.POST)
    term = search.cleaned_data["q"].strip() if search.is_valid() else ""
    if case_forms.is_case_number(term):
        query["number"] = term.upper()
    elif term:
        try:
            identity.name_search_record(actor=request.user, text=term)
        except identity.LookupLimitReached as limit:
            return _lookup_refused(request, limit, template="cases/lookup_limit.html")
        query["search"] = _remember_search(request, term)
    return redirect(_list_address(query))


def _lookup_refused(
    request: HttpRequest, limit: identity.LookupLimitReached, *, template: str
) -> HttpResponse:
    return render(request, template, {"limit": limit.limit}, status=429)


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
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("Case %(number)s registered.") % {"number": case.case_number}
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
    return render(request, "cases/case_register.html", {"form": form})


def _birth_year(data: QueryDict) -> int | None:
    try:
        dob = data.get("date_of_birth") or None
        age = data.get("estimated_age") or None
        return identity.birth_year(
            date_of_birth=date.fromisoformat(dob) if dob else None,
            estimated_age=int(age) if age else None,
            on=timezone.localdate(),
        )
    except ValueError:
        return None


@require_POST
@require("case", Action.CREATE)
@sensitive_post_parameters()
def duplicate_check(request: HttpRequest) -> HttpResponse:
    """htmx, while registering: may this person be known already? Posted (names stay out
    of addresses and logs), counted against an hourly budget, audited. A caseworker learns
    only that a match exists and whom to ask; a supervisor which organisation; another
    organisation's case is never named."""
    names = [
        request.POST.get(f, "")[:100] for f in ("first_name", "middle_name", "last_name", "aliases")
    ]
    citizenships = [c[:2].upper() for c in request.POST.getlist("citizenships")][:5]
    try:
        answer = identity.duplicate_lookup(
            actor=request.user,
            names=names,
            birth_year=_birth_year(request.POST),
            citizenships=citizenships,
        )
    except identity.LookupLimitReached as limit:
        return _lookup_refused(request, limit, template="cases/_lookup_limit.html")
    return render(request, "cases/_duplicate_check.html", {"answer": answer})


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
            for code in sorted(case_services.TRANSITIONS.get(case.status, ()))
        ],
        "pending_closure": next(
            (
                c
                for c in case.closure_requests.all()
                if c.decision == ClosureRequest.Decision.PENDING
            ),
            None,
        ),
        "duplicate_notices": selectors.duplicate_notices(actor=request.user, case=case),
        "is_supervisor": request.user.has_role(Role.SUPERVISOR),
        "can_history": can(request.user, "case_history", Action.VIEW),
        "today": timezone.localdate(),
        "now": timezone.now(),
    }
    return render(request, "cases/case_detail.html", context)


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
            messages.success(request, _("Changes saved."))
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
    choices = dict(getattr(form.fields.get(field), "choices", []) or [])
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


@dataclass(frozen=True)
class RecordKind:
    title: str | Promise
    form: type[forms.BaseForm]
    save: Callable[..., Any]
    model: type
    needs_case: bool = False  # the form takes the case as an argument
    files: bool = False


RECORD_KINDS: dict[str, RecordKind] = {
    "consent": RecordKind(
        gettext_lazy("Record a consent"), case_forms.ConsentForm, records.consent_record, Consent
    ),
    "event": RecordKind(
        gettext_lazy("Add a trafficking event"),
        case_forms.EventForm,
        records.event_add,
        TraffickingEvent,
    ),
    "assessment": RecordKind(
        gettext_lazy("Add an assessment"),
        case_forms.AssessmentForm,
        records.assessment_add,
        Assessment,
    ),
    "plan": RecordKind(
        gettext_lazy("Add a support plan"),
        case_forms.SupportPlanForm,
        records.support_plan_add,
        SupportPlan,
    ),
    "service": RecordKind(
        gettext_lazy("Record a service delivered"),
        case_forms.ServiceForm,
        records.service_record,
        ServiceDelivery,
        needs_case=True,
    ),
    "note": RecordKind(
        gettext_lazy("Add a case note"), case_forms.NoteForm, records.note_add, CaseNote
    ),
    "follow_up": RecordKind(
        gettext_lazy("Plan a follow-up"),
        case_forms.FollowUpForm,
        records.follow_up_add,
        FollowUp,
        needs_case=True,
    ),
    "document": RecordKind(
        gettext_lazy("Attach a document"),
        case_forms.DocumentForm,
        records.document_upload,
        CaseDocument,
        files=True,
    ),
    "legal": RecordKind(
        gettext_lazy("Record a legal proceeding"),
        case_forms.LegalProceedingForm,
        records.legal_proceeding_save,
        LegalProceeding,
    ),
}


@require("case", Action.CHANGE)
@sensitive_post_parameters()
def record_add(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    spec = RECORD_KINDS.get(kind)
    if spec is None:
        raise Http404
    case = selectors.case_for_change(actor=request.user, pk=pk)
    if case.is_closed:
        messages.error(request, _("This case is closed: reopen it before adding to it."))
        return redirect("cases:case_detail", pk=case.pk)
    kwargs: dict[str, Any] = {"case": case} if spec.needs_case else {}
    data = request.POST if request.method == "POST" else None
    files = request.FILES if (request.method == "POST" and spec.files) else None
    form = spec.form(data, files, **kwargs)
    form.fields["submission_token"] = forms.UUIDField(
        widget=forms.HiddenInput, initial=uuid.uuid4, required=False
    )
    if request.method == "POST" and form.is_valid():
        fields = dict(form.cleaned_data)
        token = fields.pop("submission_token")
        try:
            record, _created = submissions.once(
                token=token,
                user=request.user,
                model=spec.model,
                create=lambda: spec.save(actor=request.user, case=case, **fields),
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Saved."))
            if isinstance(record, Consent):
                # A refusal can end sharing, as a withdrawal does.
                _referrals_withdrawn_message(request, record)
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {"form": form, "case": case, "title": spec.title, "multipart": spec.files},
    )


def _case_record(request: HttpRequest, model: type, record_pk: int, action: Action = Action.CHANGE):
    """A record of a case the user may change, or 404."""
    record = get_object_or_404(model.objects.select_related("case"), pk=record_pk)
    if not can_on(request.user, "case", action, record.case):
        raise Http404
    return record


def _referrals_withdrawn_message(request: HttpRequest, consent: Consent) -> None:
    """Which referrals lost what they shared, by number; those to an organisation outside
    the system must be told by the caseworker."""
    referrals = consent.referrals_withdrawn
    if not referrals:
        return

    def numbers(rows) -> str:
        return ", ".join(f"R-{r.pk:06d}" for r in rows)

    messages.warning(
        request,
        ngettext(
            "The details shared in referral %(numbers)s were withdrawn and its partner told.",
            "The details shared in referrals %(numbers)s were withdrawn and their partners told.",
            len(referrals),
        )
        % {"numbers": numbers(referrals)},
    )
    # In the list, a cancelled referral is one this decision cancelled (a referral
    # cancelled before had already lost its details).
    cancelled = [r for r in referrals if r.status == "cancelled"]
    if cancelled:
        messages.warning(
            request,
            _("Cancelled, as they were still waiting for an answer: %(numbers)s.")
            % {"numbers": numbers(cancelled)},
        )
    external = [r for r in referrals if r.is_external]
    if external:
        messages.warning(
            request,
            _("Tell the organisations outside the system yourself: %(referrals)s.")
            % {"referrals": ", ".join(f"R-{r.pk:06d} ({r.recipient_name})" for r in external)},
        )


@require_POST
@require("case", Action.CHANGE)
def consent_withdraw(request: HttpRequest, consent_pk: int) -> HttpResponse:
    consent = _case_record(request, Consent, consent_pk)
    try:
        consent = records.consent_withdraw(
            actor=request.user, consent=consent, withdrawn_on=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Consent withdrawn."))
        _referrals_withdrawn_message(request, consent)
    return redirect("cases:case_detail", pk=consent.case_id)


@require_POST
@require("case", Action.CHANGE)
def event_delete(request: HttpRequest, event_pk: int) -> HttpResponse:
    event = _case_record(request, TraffickingEvent, event_pk)
    try:
        records.event_delete(actor=request.user, event=event)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Event removed."))
    return redirect("cases:case_detail", pk=event.case_id)


@require_POST
@require("case", Action.CHANGE)
def follow_up_done(request: HttpRequest, follow_up_pk: int) -> HttpResponse:
    follow_up = _case_record(request, FollowUp, follow_up_pk)
    try:
        records.follow_up_done(
            actor=request.user, follow_up=follow_up, done_on=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:case_detail", pk=follow_up.case_id)


@require_POST
@require("case", Action.CHANGE)
def plan_end(request: HttpRequest, plan_pk: int) -> HttpResponse:
    plan = _case_record(request, SupportPlan, plan_pk)
    try:
        records.support_plan_close(
            actor=request.user, plan=plan, actual_end_on=timezone.localdate()
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("cases:case_detail", pk=plan.case_id)


@require("case", Action.VIEW)
def document_download(request: HttpRequest, document_pk: int) -> HttpResponse:
    document = _case_record(request, CaseDocument, document_pk, action=Action.VIEW)
    log_action(
        "cases.document.downloaded",
        actor=request.user,
        target=document.case,
        data={"record": "casedocument", "id": document.pk},
    )
    extension = uploads.EXTENSIONS[document.content_type]
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=f"{document.case.case_number}-{document.kind}-{document.pk}.{extension}",
        content_type=document.content_type,
    )
    return response


@require_POST
@require("case", Action.CHANGE)
def case_transition(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_change(actor=request.user, pk=pk)
    form = case_forms.TransitionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid status."))
        return redirect("cases:case_detail", pk=case.pk)
    try:
        case_services.case_transition(
            actor=request.user,
            case=case,
            to_status=form.cleaned_data["to_status"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Status changed."))
    return redirect("cases:case_detail", pk=case.pk)


@require("case", Action.CHANGE)
def closure_request(request: HttpRequest, pk: int) -> HttpResponse:
    case = selectors.case_for_change(actor=request.user, pk=pk)
    form = case_forms.ClosureRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.closure_request(
                actor=request.user,
                case=case,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Closure requested: a supervisor will review it."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {"form": form, "case": case, "title": _("Request closure")},
    )


@require_POST
@require("case_supervision", Action.CHANGE)
def closure_decide(request: HttpRequest, closure_pk: int) -> HttpResponse:
    closure = get_object_or_404(ClosureRequest.objects.select_related("case"), pk=closure_pk)
    if not can_on(request.user, "case_supervision", Action.CHANGE, closure.case):
        raise Http404
    form = case_forms.ClosureDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to approve or return the request."))
        return redirect("cases:case_detail", pk=closure.case_id)
    try:
        case_services.closure_decide(
            actor=request.user,
            closure=closure,
            approve=form.cleaned_data["approve"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("cases:case_detail", pk=closure.case_id)


@require("case_supervision", Action.CHANGE)
def case_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    case = _supervised_case(request, pk)
    form = case_forms.ReopenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            case_services.case_reopen(actor=request.user, case=case, note=form.cleaned_data["note"])
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Case reopened."))
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
            case_services.case_assign(
                actor=request.user,
                case=case,
                caseworkers=list(form.cleaned_data["caseworkers"]),
                primary=form.cleaned_data["primary"],
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(request, _("Assignment saved."))
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {"form": form, "case": case, "title": _("Assign caseworkers")},
    )


def _supervised_case(request: HttpRequest, pk: int) -> Case:
    from accounts.policy import get_for_user_or_404

    return get_for_user_or_404(
        request.user, "case_supervision", Action.CHANGE, Case.objects.all(), pk=pk
    )


@require("case_history", Action.VIEW)
def case_history(request: HttpRequest, pk: int) -> HttpResponse:
    case, entries = selectors.case_history(actor=request.user, pk=pk)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/case_history.html",
        {
            "case": case,
            "page": page,
            "can_view_case": can_on(request.user, "case", Action.VIEW, case),
        },
    )


@require("case_supervision", Action.LIST)
def approvals(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "cases/approvals.html",
        {"closures": selectors.pending_closures(actor=request.user)},
    )


@require("case_supervision", Action.CREATE)
def case_import(request: HttpRequest) -> HttpResponse:
    from cases.services import transfer

    form = case_forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            report = transfer.import_cases(
                name=upload.name,
                stream=upload,
                organisation=request.user.organisation,
                actor=request.user,
            )
        except ImportFileError as error:
            form.add_error("upload", str(error))
        else:
            if report.ok:
                messages.success(
                    request,
                    _("%(created)s cases imported; %(skipped)s were already imported.")
                    % {"created": report.created, "skipped": report.already_imported},
                )
    status = 400 if report is not None and not report.ok else 200
    return render(
        request, "cases/case_import.html", {"form": form, "report": report}, status=status
    )


@require("case", Action.EXPORT)
def case_export(request: HttpRequest) -> HttpResponse:
    """Export the selected cases (or one case) in the HTCDS layout, for an authorised
    transfer. Only cases in the user's scope are exported; each is audited."""
    from cases.services import transfer

    choice = case_forms.CaseExportForm(request.GET)
    if not choice.is_valid() or not choice.cleaned_data["case"]:
        problems = [str(e) for errors in choice.errors.values() for e in errors]
        messages.error(
            request,
            " ".join(problems) or _("Choose at least one case and a format (CSV or XLSX)."),
        )
        return redirect("cases:case_list")
    ids, fmt = choice.cleaned_data["case"], choice.cleaned_data["format"]
    cases = list(
        selectors.cases_for(request.user, Action.EXPORT)
        .filter(pk__in=ids)
        .select_related("person", "identified_region", "referring_organisation")
        .order_by("case_number")
    )
    if len(cases) != len(set(ids)):
        raise Http404
    content, content_type, extension = transfer.export_cases(
        actor=request.user, cases=cases, fmt=fmt
    )
    name = cases[0].case_number if len(cases) == 1 else f"cases-{timezone.localdate():%Y%m%d}"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{name}.{extension}"'
    return response


@require("case", Action.EXPORT)
def case_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from cases.services import summary

    case = selectors.case_for_view(actor=request.user, pk=pk)
    pdf = summary.case_summary_pdf(actor=request.user, case=case, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.case_number}.pdf"'
    return response
