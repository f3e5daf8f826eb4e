"""Thin tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from reports.models import ReportRun, ReportSubscription
from reports.services import aggregates, runs


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(Exception,),
    retry_backoff=30,
    retry_backoff_max=1800,
    max_retries=runs.MAX_ATTEMPTS,
)
def produce_report(self, run_id: int) -> bool:
    if runs.produce(run_id):
        return True
    wait = runs.busy_for(run_id)
    if wait is not None:
        # Another worker holds it, or held it and died: look again when its lease ends.
        raise self.retry(countdown=wait, max_retries=None)
    return False


@shared_task
def run_scheduled_reports(kind: str) -> int:
    """Fired by beat (schedules editable in the admin, django-celery-beat): one run per
    subject for the previous month or quarter; a second firing finds the runs made."""
    today = timezone.localdate()
    period_from, period_to = runs.previous_period(kind, today)
    made = 0
    for parameters in runs.scheduled_parameters(kind, today):
        _run, created = runs.run_request(
            kind=kind,
            parameters=parameters,
            period_from=period_from,
            period_to=period_to,
            trigger=ReportRun.Trigger.SCHEDULE,
        )
        made += created
    return made


@shared_task
def notify_subscribers(run_id: int) -> int:
    """An email with a link (never the file) to each subscriber of the report."""
    run = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.DONE).first()
    if run is None:
        return 0
    recipients = list(
        ReportSubscription.objects.filter(
            kind=run.kind, parameters_key=run.parameters_key, user__is_active=True
        )
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )
    if not recipients:
        return 0
    link = settings.SITE_URL.rstrip("/") + reverse("reports:run_detail", kwargs={"pk": run.pk})
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_to_string("emails/report_ready_subject.txt", {"run": run}).strip()
        body = render_to_string("emails/report_ready.txt", {"run": run, "link": link})
    return send_mail(subject, body, None, recipients)


@shared_task(acks_late=True)
def aggregates_refresh() -> int:
    """Queued when a change commits (reports/receivers.py): the months noted as stale."""
    return aggregates.refresh_pending()


@shared_task(acks_late=True)
def aggregates_catch_up() -> int:
    """Fired by beat every few minutes: what is noted, and what was written without a note."""
    return aggregates.catch_up()


@shared_task(acks_late=True)
def aggregates_recount() -> None:
    """Fired by beat at night: every month counted again."""
    aggregates.refresh()
