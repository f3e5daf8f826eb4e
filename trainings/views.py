from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.policy import Action, can, can_on, get_for_user_or_404, require, scope
from traffick_cm import uploads
from traffick_cm.downloads import private_file_response
from traffick_cm.forms import attach_service_errors
from traffick_cm.pagination import page_of
from traffick_cm.tables import ImportFileError
from trainings import forms as training_forms
from trainings import selectors
from trainings.models import TrainingSession
from trainings.services import register as register_services
from trainings.services import sessions, transfer


def _named(session: TrainingSession) -> dict[str, str]:
    """A session as messages name it: its title and first day (never a participant)."""
    return {
        "title": session.title,
        "date": formats.date_format(session.start_date, "SHORT_DATE_FORMAT"),
    }


def _criteria(request: HttpRequest) -> tuple[training_forms.SessionFilterForm, dict]:
    filters = training_forms.SessionFilterForm(request.GET or None)
    return filters, (filters.cleaned_data if filters.is_valid() else {})


@require("training", Action.LIST)
def session_list(request: HttpRequest) -> HttpResponse:
    filters, criteria = _criteria(request)
    qs = selectors.session_list(actor=request.user, criteria=criteria)
    return render(
        request,
        "trainings/session_list.html",
        {
            "page": page_of(qs, request.GET.get("page")),
            "filters": filters,
            "totals": selectors.totals(qs),
            "can_create": can(request.user, "training", Action.CREATE),
        },
    )


@require("training_totals", Action.VIEW)
def session_totals(request: HttpRequest) -> HttpResponse:
    """People reached: totals only (no session records, no register)."""
    filters, criteria = _criteria(request)
    qs = scope(request.user, "training_totals", Action.VIEW, TrainingSession.objects.all())
    return render(
        request,
        "trainings/session_totals.html",
        {"filters": filters, "totals": selectors.totals(selectors.filtered(qs, criteria))},
    )


@require("training", Action.EXPORT)
def session_export(request: HttpRequest) -> HttpResponse:
    _filters, criteria = _criteria(request)
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        raise Http404
    qs = selectors.session_list(actor=request.user, criteria=criteria, action=Action.EXPORT)
    content, content_type = transfer.export_for(actor=request.user, sessions=qs, fmt=fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="sessions-{timezone.localdate():%Y%m%d}.{fmt}"'
    )
    return response


@require("training", Action.CREATE)
def session_create(request: HttpRequest) -> HttpResponse:
    form = training_forms.SessionForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        partners = data.pop("partners")
        try:
            session = sessions.session_record(
                actor=request.user, organiser=request.user.organisation, partners=partners, **data
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request, _("Session “%(title)s” on %(date)s recorded.") % _named(session)
            )
            return redirect("trainings:session_detail", pk=session.pk)
    return render(request, "trainings/session_form.html", {"form": form})


@require("training", Action.VIEW)
def session_detail(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(actor=request.user, pk=pk)
    can_register = can_on(request.user, "training_register", Action.VIEW, session)
    return render(
        request,
        "trainings/session_detail.html",
        {
            "session": session,
            "partners": session.partners.all(),
            "attachments": session.attachments.all(),
            "can_change": can_on(request.user, "training", Action.CHANGE, session),
            "can_register": can_register,
            "participant_count": session.participants.count() if can_register else None,
        },
    )


@require("training", Action.CHANGE)
def session_edit(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(actor=request.user, pk=pk, action=Action.CHANGE)
    form = training_forms.SessionForm(request.POST or None, instance=session, actor=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        partners = data.pop("partners")
        try:
            sessions.session_update(actor=request.user, session=session, partners=partners, **data)
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Changes to the session “%(title)s” on %(date)s saved.") % _named(session),
            )
            return redirect("trainings:session_detail", pk=session.pk)
    return render(request, "trainings/session_form.html", {"form": form, "session": session})


@require("training", Action.CREATE)
def session_import(request: HttpRequest) -> HttpResponse:
    form = training_forms.ImportForm(
        request.POST or None, request.FILES or None, actor=request.user
    )
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            report = transfer.import_sessions(
                name=upload.name,
                stream=upload,
                actor=request.user,
                # Offered to administrators only (the form leaves it out for others).
                create_missing=form.cleaned_data.get("create_missing", False),
            )
        except ImportFileError as error:
            form.add_error("upload", str(error))
    status = 400 if report is not None and not report.ok else 200
    return render(
        request,
        "trainings/session_import.html",
        {"form": form, "report": report, "columns": transfer.COLUMNS},
        status=status,
    )


def _register_session(request: HttpRequest, pk: int, action: Action) -> TrainingSession:
    return get_for_user_or_404(
        request.user, "training_register", action, TrainingSession.objects.all(), pk=pk
    )


@require("training_register", Action.VIEW)
def register(request: HttpRequest, pk: int) -> HttpResponse:
    session = _register_session(request, pk, Action.VIEW)
    form = training_forms.ParticipantForm(request.POST or None)
    import_form = training_forms.RegisterImportForm()
    if request.method == "POST":
        session = _register_session(request, pk, Action.CHANGE)
        if form.is_valid():
            try:
                register_services.participant_add(
                    actor=request.user, session=session, **form.cleaned_data
                )
            except ValidationError as error:
                attach_service_errors(form, error)
            else:
                count = session.participants.count()
                messages.success(
                    request,
                    ngettext(
                        "Participant added: the register of “%(title)s” has %(count)s person.",
                        "Participant added: the register of “%(title)s” has %(count)s people.",
                        count,
                    )
                    % {"title": session.title, "count": count},
                )
                return redirect("trainings:register", pk=session.pk)
    participants = session.participants.order_by("pk")
    return render(
        request,
        "trainings/register.html",
        {
            "session": session,
            "participants": participants,
            "form": form,
            "import_form": import_form,
            "columns": register_services.REGISTER_COLUMNS,
        },
    )


@require("training_register", Action.CHANGE)
def register_import(request: HttpRequest, pk: int) -> HttpResponse:
    session = _register_session(request, pk, Action.CHANGE)
    form = training_forms.RegisterImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        try:
            report = register_services.import_register(
                name=upload.name, stream=upload, session=session, actor=request.user
            )
        except ImportFileError as error:
            form.add_error("upload", str(error))
        else:
            if report.ok:
                messages.success(request, _imported(session, report))
                return redirect("trainings:register", pk=session.pk)
    status = 400 if report is not None and not report.ok else 200
    return render(
        request,
        "trainings/register_import.html",
        {
            "session": session,
            "form": form,
            "report": report,
            "columns": register_services.REGISTER_COLUMNS,
        },
        status=status,
    )


def _imported(session: TrainingSession, report) -> str:
    added = ngettext(
        "%(count)s participant added to the register of “%(title)s”.",
        "%(count)s participants added to the register of “%(title)s”.",
        report.created,
    ) % {"count": report.created, "title": session.title}
    if not report.already_imported:
        return added
    skipped = ngettext(
        "%(count)s was already on it.", "%(count)s were already on it.", report.already_imported
    ) % {"count": report.already_imported}
    return f"{added} {skipped}"


@require("training", Action.CHANGE)
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    session = selectors.session_for(actor=request.user, pk=pk, action=Action.CHANGE)
    form = training_forms.AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = sessions.attachment_upload(
                actor=request.user, session=session, **form.cleaned_data
            )
        except ValidationError as error:
            attach_service_errors(form, error)
        else:
            messages.success(
                request,
                _("File attached to the session “%(title)s” (%(kind)s).")
                % {"kind": attachment.get_kind_display(), "title": session.title},
            )
            return redirect("trainings:session_detail", pk=session.pk)
    return render(request, "trainings/attachment_form.html", {"form": form, "session": session})


@require("training_register", Action.VIEW)
def attachment_download(request: HttpRequest, attachment_pk: int) -> HttpResponse:
    attachment = selectors.attachment_for_download(actor=request.user, pk=attachment_pk)
    extension = uploads.EXTENSIONS[attachment.content_type]
    return private_file_response(
        attachment.file,
        filename=f"session-{attachment.session_id}-{attachment.kind}-{attachment.pk}.{extension}",
        content_type=attachment.content_type,
    )
