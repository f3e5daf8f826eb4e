"""What is added to a case file (consents, events, assessments, plans, services, notes,
follow-ups, documents, legal proceedings), what ends or removes such a record, and the
document download."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from accounts import submissions
from accounts.policy import Action, get_child_or_404, require
from cases import forms as case_forms
from cases import selectors
from cases.models import (
    Assessment,
    CaseDocument,
    CaseNote,
    Consent,
    FollowUp,
    LegalProceeding,
    ServiceDelivery,
    SupportPlan,
    TraffickingEvent,
)
from cases.services import records
from traffick_cm import uploads
from traffick_cm.downloads import private_file_response
from traffick_cm.forms import attach_service_errors


@dataclass(frozen=True)
class RecordKind:
    title: str | Promise
    form: type[forms.BaseForm]
    save: Callable[..., Any]
    model: type
    # The confirmation, with the case number as %(number)s (a consent's names its scope).
    done: str | Promise = ""
    needs_case: bool = False  # the form takes the case as an argument
    files: bool = False
    # Fields a link may fill in advance (?scope=referral_sharing), from the "Next steps".
    prefill: tuple[str, ...] = ()


RECORD_KINDS: dict[str, RecordKind] = {
    "consent": RecordKind(
        gettext_lazy("Record a consent"),
        case_forms.ConsentForm,
        records.consent_record,
        Consent,
        prefill=("scope",),
    ),
    "event": RecordKind(
        gettext_lazy("Add a trafficking event"),
        case_forms.EventForm,
        records.event_add,
        TraffickingEvent,
        done=gettext_lazy("Trafficking event added to %(number)s."),
    ),
    "assessment": RecordKind(
        gettext_lazy("Add an assessment"),
        case_forms.AssessmentForm,
        records.assessment_add,
        Assessment,
        done=gettext_lazy("Assessment added to %(number)s."),
    ),
    "plan": RecordKind(
        gettext_lazy("Add a support plan"),
        case_forms.SupportPlanForm,
        records.support_plan_add,
        SupportPlan,
        done=gettext_lazy("Support plan added to %(number)s."),
    ),
    "service": RecordKind(
        gettext_lazy("Record a service delivered"),
        case_forms.ServiceForm,
        records.service_record,
        ServiceDelivery,
        done=gettext_lazy("Service recorded for %(number)s."),
        needs_case=True,
    ),
    "note": RecordKind(
        gettext_lazy("Add a case note"),
        case_forms.NoteForm,
        records.note_add,
        CaseNote,
        done=gettext_lazy("Note added to %(number)s."),
    ),
    "follow_up": RecordKind(
        gettext_lazy("Plan a follow-up"),
        case_forms.FollowUpForm,
        records.follow_up_add,
        FollowUp,
        done=gettext_lazy("Follow-up planned for %(number)s."),
        needs_case=True,
    ),
    "document": RecordKind(
        gettext_lazy("Attach a document"),
        case_forms.DocumentForm,
        records.document_upload,
        CaseDocument,
        done=gettext_lazy("Document attached to %(number)s."),
        files=True,
    ),
    "legal": RecordKind(
        gettext_lazy("Record a legal proceeding"),
        case_forms.LegalProceedingForm,
        records.legal_proceeding_save,
        LegalProceeding,
        done=gettext_lazy("Legal proceeding recorded for %(number)s."),
    ),
}


def _done_message(spec: RecordKind, record: Any, number: str) -> str:
    if isinstance(record, Consent):
        done = (
            _("Consent recorded for %(number)s: %(scope)s.")
            if record.granted
            else _("Refusal of consent recorded for %(number)s: %(scope)s.")
        )
        return done % {"number": number, "scope": record.get_scope_display()}
    return str(spec.done) % {"number": number}


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
    if data is None:
        kwargs["initial"] = {
            name: request.GET[name] for name in spec.prefill if request.GET.get(name)
        }
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
            messages.success(request, _done_message(spec, record, case.case_number))
            if isinstance(record, Consent):
                # A refusal can end sharing, as a withdrawal does.
                _referrals_withdrawn_message(request, record)
            return redirect("cases:case_detail", pk=case.pk)
    return render(
        request,
        "cases/record_form.html",
        {"form": form, "case": case, "title": spec.title, "multipart": spec.files},
    )


def _case_record(request: HttpRequest, model: type, record_pk: int) -> Any:
    """A record of a case the user may change, or 404: looked up within the user's cases,
    so a record of another case is never loaded."""
    return get_child_or_404(
        request.user,
        "case",
        Action.CHANGE,
        model.objects.select_related("case"),
        via="case",
        pk=record_pk,
    )


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


def _act_on_record(
    request: HttpRequest,
    model: type,
    record_pk: int,
    act: Callable[[Any], Any],
    done: Callable[[Any], str],
) -> HttpResponse:
    """The one-button actions on a case's record: find it through the policy, let the
    service act, say what was done (naming the case) or why not, back to the case file."""
    record = _case_record(request, model, record_pk)
    try:
        result = act(record)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, done(result or record))
    return redirect("cases:case_detail", pk=record.case_id)


@require_POST
@require("case", Action.CHANGE)
def consent_withdraw(request: HttpRequest, consent_pk: int) -> HttpResponse:
    def done(consent: Consent) -> str:
        _referrals_withdrawn_message(request, consent)
        return _("Consent withdrawn for %(number)s: %(scope)s.") % {
            "number": consent.case.case_number,
            "scope": consent.get_scope_display(),
        }

    return _act_on_record(
        request,
        Consent,
        consent_pk,
        lambda consent: records.consent_withdraw(
            actor=request.user, consent=consent, withdrawn_on=timezone.localdate()
        ),
        done,
    )


@require_POST
@require("case", Action.CHANGE)
def event_delete(request: HttpRequest, event_pk: int) -> HttpResponse:
    return _act_on_record(
        request,
        TraffickingEvent,
        event_pk,
        lambda event: records.event_delete(actor=request.user, event=event),
        lambda event: (
            _("Trafficking event removed from %(number)s.") % {"number": event.case.case_number}
        ),
    )


@require_POST
@require("case", Action.CHANGE)
def follow_up_done(request: HttpRequest, follow_up_pk: int) -> HttpResponse:
    return _act_on_record(
        request,
        FollowUp,
        follow_up_pk,
        lambda follow_up: records.follow_up_done(
            actor=request.user, follow_up=follow_up, done_on=timezone.localdate()
        ),
        lambda follow_up: (
            _("Follow-up marked as done for %(number)s.") % {"number": follow_up.case.case_number}
        ),
    )


@require_POST
@require("case", Action.CHANGE)
def plan_end(request: HttpRequest, plan_pk: int) -> HttpResponse:
    return _act_on_record(
        request,
        SupportPlan,
        plan_pk,
        lambda plan: records.support_plan_close(
            actor=request.user, plan=plan, actual_end_on=timezone.localdate()
        ),
        lambda plan: _("Support plan ended for %(number)s.") % {"number": plan.case.case_number},
    )


@require("case", Action.VIEW)
def document_download(request: HttpRequest, document_pk: int) -> HttpResponse:
    document = selectors.document_for_download(actor=request.user, pk=document_pk)
    extension = uploads.EXTENSIONS[document.content_type]
    return private_file_response(
        document.file,
        filename=f"{document.case.case_number}-{document.kind}-{document.pk}.{extension}",
        content_type=document.content_type,
    )
