"""Cases in and out: the HTCDS import and export, and the PDF summary of one case."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.policy import Action, get_for_user_or_404, require, scope
from cases import forms as case_forms
from cases import selectors
from cases.models import ImportJob
from cases.services import import_jobs, summary, transfer
from traffick_cm.tables import ImportFileError


@require("case_supervision", Action.CREATE)
def case_import(request: HttpRequest) -> HttpResponse:
    """A small file is imported at once and its report shown; a larger one is imported in
    the background (settings.CASE_IMPORT_BACKGROUND_BYTES) and its page follows the job."""
    form = case_forms.ImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["upload"]
        if upload.size > settings.CASE_IMPORT_BACKGROUND_BYTES:
            job = import_jobs.job_start(actor=request.user, upload=upload)
            return redirect("cases:import_job", pk=job.pk)
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
                imported = ngettext(
                    "%(count)s case imported.", "%(count)s cases imported.", report.created
                ) % {"count": report.created}
                if report.already_imported:
                    imported += " " + ngettext(
                        "%(count)s was already imported.",
                        "%(count)s were already imported.",
                        report.already_imported,
                    ) % {"count": report.already_imported}
                messages.success(request, imported)
    status = 400 if report is not None and not report.ok else 200
    jobs = scope(request.user, "case_import", Action.VIEW, ImportJob.objects.all())[:5]
    return render(
        request,
        "cases/case_import.html",
        {"form": form, "report": report, "jobs": jobs},
        status=status,
    )


@require("case_import", Action.VIEW)
def import_job(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A background import: its progress while it runs (htmx asks again every two
    seconds), then its report. Only the supervisor who started it sees it."""
    job = get_for_user_or_404(
        request.user, "case_import", Action.VIEW, ImportJob.objects.all(), pk=pk
    )
    context = {
        "job": job,
        "progress": import_jobs.job_progress(job),
        "report": import_jobs.job_report(job),
    }
    if request.headers.get("HX-Request"):
        return render(request, "cases/_import_progress.html", context)
    return render(request, "cases/import_job.html", context)


@require("case", Action.EXPORT)
def case_export(request: HttpRequest) -> HttpResponse:
    """Export the selected cases (or one case) in the HTCDS layout, for an authorised
    transfer. Only cases in the user's scope are exported; each is audited."""
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
    case = selectors.case_for_view(actor=request.user, pk=pk)
    pdf = summary.case_summary_pdf(actor=request.user, case=case, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{case.case_number}.pdf"'
    return response
