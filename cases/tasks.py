"""Thin tasks: ids in, a service call, safe to run twice."""

from __future__ import annotations

from celery import shared_task

from cases.services import import_jobs


@shared_task
def import_run(job_id: str) -> str:
    return import_jobs.job_run(job_id)
