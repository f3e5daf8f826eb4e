"""Case files imported from the browser in the background.

A large file would hold the request (and a phone on a slow link) for minutes: the upload is
kept encrypted as an ImportJob, a Celery task imports it with the same service as the
command (all rows or none), and the page follows the job. While the task runs, its writes
are one transaction no other connection can see, so the counters of checked and written rows
travel through the cache; the outcome, the report and the totals are saved on the job when
it ends, the file is deleted, and the supervisor gets an e-mail saying it is done (no name
of a person in it, only totals and the link)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import IO

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can
from cases.models import ImportJob
from cases.services import transfer
from traffick_cm.imports import HEADER_ROW, ImportReport
from traffick_cm.tables import ImportFileError

State = ImportJob.State
# How long the live counters of a running job are kept (a job that died leaves them behind).
PROGRESS_SECONDS = 6 * 3600


def job_start(*, actor: User, upload: UploadedFile) -> ImportJob:
    """Keep the uploaded file (encrypted at rest) and queue its import."""
    if not can(actor, "case_import", Action.CREATE) or actor.organisation_id is None:
        raise PermissionDenied
    from cases import tasks

    with transaction.atomic():
        job = ImportJob(
            organisation_id=actor.organisation_id,
            created_by=actor,
            original_name=upload.name,
            language=translation.get_language() or settings.LANGUAGE_CODE,
        )
        job.file.save("upload", upload, save=False)
        job.save()
        log_action("cases.import.queued", actor=actor, target=job)
        transaction.on_commit(lambda: tasks.import_run.delay(str(job.pk)))
    return job


@dataclass(frozen=True)
class Progress:
    state: str
    rows: int
    checked: int
    written: int

    @property
    def percent(self) -> int:
        """Checking is the first half of the bar, writing the second."""
        if self.state in (State.DONE, State.REFUSED, State.FAILED):
            return 100
        if not self.rows:
            return 0
        return min(99, (50 * self.checked + 50 * self.written) // self.rows)


def _progress_key(job: ImportJob | str) -> str:
    return f"case-import:{getattr(job, 'pk', job)}"


def job_progress(job: ImportJob) -> Progress:
    if job.finished:
        return Progress(job.state, job.rows, job.rows_checked, job.rows_written)
    live = cache.get(_progress_key(job)) or {}
    return Progress(
        live.get("state", job.state),
        live.get("rows", job.rows),
        live.get("checked", 0),
        live.get("written", 0),
    )


def job_report(job: ImportJob) -> ImportReport | None:
    if not job.report:
        return None
    stored = json.loads(job.report)
    return ImportReport(
        rows=stored["rows"],
        created=stored["created"],
        already_imported=stored["already_imported"],
        errors=[tuple(error) for error in stored["errors"]],
        ignored_columns=stored["ignored_columns"],
        notes=stored.get("notes", []),
    )


def job_run(job_id: str) -> str:
    """Import the job's file, once: a job already started or finished is left alone (a task
    delivered twice does nothing the second time)."""
    with transaction.atomic():
        job = (
            ImportJob.objects.select_for_update(skip_locked=True)
            .filter(pk=job_id, state=State.QUEUED)
            .select_related("organisation", "created_by")
            .first()
        )
        if job is None:
            return "skipped"
        job.state = State.CHECKING
        job.save(update_fields=["state"])
    key = _progress_key(job)
    live = {"state": State.CHECKING, "rows": 0, "checked": 0, "written": 0}

    def progress(phase: str, done: int, total: int) -> None:
        live.update(state=phase, rows=total)
        live["checked" if phase == State.CHECKING else "written"] = done
        cache.set(key, live, PROGRESS_SECONDS)

    report: ImportReport | None = None
    try:
        with translation.override(job.language), job.file.open("rb") as stream:
            report = _import(job, stream, progress)
    except ImportFileError as error:
        report = ImportReport()
        report.error(HEADER_ROW, "", str(error))
    except Exception:
        _finish(job, None, State.FAILED)
        raise
    _finish(job, report, State.DONE if report.ok else State.REFUSED)
    cache.delete(key)
    return job.state


def _import(job: ImportJob, stream: IO[bytes], progress) -> ImportReport:
    return transfer.import_cases(
        name=job.original_name,
        stream=stream,
        organisation=job.organisation,
        actor=job.created_by,
        progress=progress,
    )


def _finish(job: ImportJob, report: ImportReport | None, state: str) -> None:
    job.state = state
    job.finished_at = timezone.now()
    if report is not None:
        job.rows = report.rows
        job.rows_checked = report.rows
        job.rows_written = report.created + report.already_imported if report.ok else 0
        job.created = report.created
        job.already_imported = report.already_imported
        job.report = json.dumps(
            {
                "rows": report.rows,
                "created": report.created,
                "already_imported": report.already_imported,
                "errors": report.errors,
                "ignored_columns": report.ignored_columns,
                "notes": report.notes,
            }
        )
    job.save()
    job.file.delete(save=True)
    log_action(
        "cases.import.finished",
        actor=job.created_by,
        target=job,
        data={"state": state, "rows": job.rows, "created": job.created},
    )
    transaction.on_commit(lambda: _tell(job))


def _tell(job: ImportJob) -> None:
    """The e-mail that the import is done: totals and the link, never a name."""
    if not job.created_by.email:
        return
    link = settings.SITE_URL.rstrip("/") + reverse("cases:import_job", kwargs={"pk": job.pk})
    context = {"job": job, "link": link}
    with translation.override(job.language):
        subject = render_to_string("emails/case_import_subject.txt", context).strip()
        body = render_to_string("emails/case_import.txt", context)
    send_mail(subject, body, None, [job.created_by.email])
