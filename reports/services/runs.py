"""Report runs, produced exactly once.

A run is unique per kind, parameters and period (a database constraint), so beat firing
twice or a person asking twice finds the same run. A worker claims a run with a conditional
UPDATE; files are written under temporary names and the run is marked done, with its files
and checksums, in one transaction: a worker killed mid-run leaves the run "running" with no
file marked done, and the run is claimed again once its lease has expired."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.audit import log_action
from accounts.models import User
from cases.models import Case
from partners.models import Organisation
from programmes.models import Project
from reports import builders
from reports.models import ActionPlan, ReportFile, ReportRun
from reports.services import aggregates, files
from traffick_cm import events, periods
from trainings.models import TrainingSession

MAX_ATTEMPTS = 5


def lease() -> timedelta:
    """How long a running run belongs to its worker before another may take it over."""
    return timedelta(seconds=settings.REPORT_RUN_LEASE_SECONDS)


def run_request(
    *,
    kind: str,
    parameters: dict[str, str],
    period_from: date,
    period_to: date,
    trigger: str,
    requested_by: User | None = None,
) -> tuple[ReportRun, bool]:
    """The run for this kind, parameters and period: existing, or created (then queued).

    The period is a calendar month, quarter or year that has ended, or ValidationError: two
    runs over periods a day apart would give that day's count by subtraction."""
    periods.release_period(period_from, period_to, today=timezone.localdate())
    parameters = builders.normalise(kind, parameters)
    builders.resolve(kind, parameters)  # refuse unknown projects, plans, countries early
    key = builders.parameters_key(kind, parameters)
    lookup = {
        "kind": kind,
        "parameters_key": key,
        "period_from": period_from,
        "period_to": period_to,
    }
    existing = ReportRun.objects.filter(**lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            run = ReportRun.objects.create(
                **lookup, parameters=parameters, trigger=trigger, requested_by=requested_by
            )
            log_action(
                "reports.run.requested",
                actor=requested_by,
                target=run,
                data={
                    "kind": kind,
                    "parameters": key,
                    "period": [period_from.isoformat(), period_to.isoformat()],
                },
            )
            # Here, not at the top: reports.tasks imports this module to call produce().
            from reports import tasks

            # robust: a failing build (run in-process when there is no broker) is recorded on
            # the run and logged; it never turns the request into an error page.
            transaction.on_commit(lambda: tasks.produce_report.delay(run.pk), robust=True)
    except IntegrityError:
        return ReportRun.objects.get(**lookup), False
    return run, True


def claim(run_id: int) -> bool:
    """Take the run for this worker: waiting, failed (retry), or running past its lease
    (its worker died)."""
    now = timezone.now()
    claimable = Q(status__in=[ReportRun.Status.PENDING, ReportRun.Status.FAILED]) | Q(
        status=ReportRun.Status.RUNNING, started_at__lt=now - lease()
    )
    updated = ReportRun.objects.filter(claimable, pk=run_id, attempts__lt=MAX_ATTEMPTS).update(
        status=ReportRun.Status.RUNNING, started_at=now, attempts=F("attempts") + 1, error=""
    )
    return updated == 1


def busy_for(run_id: int) -> int | None:
    """Seconds until a running run's lease expires (its worker may have died), or None."""
    run = ReportRun.objects.filter(pk=run_id, status=ReportRun.Status.RUNNING).first()
    if run is None or run.started_at is None:
        return None
    remaining = (run.started_at + lease() - timezone.now()).total_seconds()
    return max(int(remaining) + 1, 1)


def produce(run_id: int, *, formats: tuple[str, ...] = builders.FORMATS) -> bool:
    """Build and store the run's files. Returns False when another worker has it or it is
    already done."""
    if not claim(run_id):
        return False
    run = ReportRun.objects.get(pk=run_id)
    # The file is kept: it counts every change made before it, not only those counted yet.
    aggregates.refresh_pending()
    try:
        data = builders.build(run.kind, run.parameters, run.period_from, run.period_to)
        rendered: dict[str, bytes] = {fmt: builders.RENDERERS[fmt](data) for fmt in formats}
    except Exception as error:
        ReportRun.objects.filter(pk=run_id).update(
            status=ReportRun.Status.FAILED,
            error=f"{type(error).__name__}: {error}"[:2000],
            finished_at=timezone.now(),
        )
        raise
    with transaction.atomic():
        locked = ReportRun.objects.select_for_update().get(pk=run_id)
        if locked.status != ReportRun.Status.RUNNING:
            return False
        ReportFile.objects.filter(run=locked).delete()
        for fmt, content in rendered.items():
            report_file = ReportFile(
                run=locked,
                format=fmt,
                checksum=hashlib.sha256(content).hexdigest(),
                size=len(content),
            )
            report_file.file.save(
                f"{run_id}-{locked.attempts}.{fmt}", ContentFile(content), save=False
            )
            report_file.save()
        locked.status = ReportRun.Status.DONE
        locked.finished_at = timezone.now()
        locked.save(update_fields=["status", "finished_at"])
        transaction.on_commit(lambda: _notify_subscribers(locked))
        # For the organisations' systems (webhooks, after commit): administrators reach every
        # run (policy: report_run), so every organisation may subscribe.
        events.publish(
            "report.ready",
            organisations=Organisation.objects.filter(is_active=True).values_list("pk", flat=True),
            payload={
                "run": locked.pk,
                "kind": locked.kind,
                "period_from": locked.period_from,
                "period_to": locked.period_to,
                "status": locked.status,
                "finished_at": locked.finished_at,
                "formats": sorted(rendered),
            },
        )
    return True


def generate_to_file(
    *, kind: str, parameters: dict[str, str], start: date, end: date, fmt: str, output: Path
) -> int:
    """A report produced at once for an operator at the server (manage.py generate_report),
    outside any run: written whole to `output` in one format, then audited (a write that
    fails is not). Returns its size in bytes."""
    content = builders.RENDERERS[fmt](builders.build(kind, parameters, start, end))
    files.write_whole(output, content)
    log_action(
        "reports.report.generated",
        actor=None,
        data={
            "kind": kind,
            "parameters": builders.parameters_key(kind, parameters),
            "period": [start.isoformat(), end.isoformat()],
            "via": "command line",
            "format": fmt,
        },
    )
    return len(content)


def _notify_subscribers(run: ReportRun) -> None:
    from reports import tasks  # reports.tasks imports this module: the cycle is broken here

    tasks.notify_subscribers.delay(run.pk)


def previous_period(kind: str, today: date) -> tuple[date, date]:
    """The last full month (operational statistics) or quarter (donor and NAP reports)."""
    unit = periods.Unit.MONTH if kind == "operational" else periods.Unit.QUARTER
    period = periods.last_complete(unit, today)
    return period.start, period.end


def scheduled_parameters(kind: str, today: date) -> list[dict[str, Any]]:
    """What a scheduled run covers: running projects (donor), current plans (NAP), and the
    countries with cases or sessions (operational)."""
    if kind == "donor":
        return [
            {"project": code}
            for code in Project.objects.filter(
                start_date__lte=today, end_date__gte=today - timedelta(days=92)
            ).values_list("code", flat=True)
        ]
    if kind == "nap":
        return [
            {"plan": code}
            for code in ActionPlan.objects.filter(
                period_end__gte=today - timedelta(days=92)
            ).values_list("code", flat=True)
        ]
    countries = set(Case.objects.values_list("identified_country", flat=True).distinct())
    countries |= set(TrainingSession.objects.values_list("country", flat=True).distinct())
    return [{"country": str(c)} for c in sorted(countries) if c]
