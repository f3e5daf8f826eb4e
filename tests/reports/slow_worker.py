"""A Celery worker whose report builds start late, for the killed-worker test
(test_worker_killed.py): the pause comes between claiming a run and building it, so the run
stays "running", with no file, long enough to kill the worker. Test-only: production code
has no such pause.

    python -m tests.reports.slow_worker worker --pool solo -Q reports ...

The arguments are Celery's `worker` command's. The pause, in seconds, is read from
SLOW_WORKER_DELAY_SECONDS (0 or unset: none); the rest of the environment is a deployed
worker's (DJANGO_SETTINGS_MODULE, DATABASE_URL, CELERY_BROKER_URL...)."""

from __future__ import annotations

import functools
import os
import sys
import time
from collections.abc import Callable
from typing import Any

import django

DELAY_VARIABLE = "SLOW_WORKER_DELAY_SECONDS"


def slowed(build: Callable[..., Any], seconds: int) -> Callable[..., Any]:
    @functools.wraps(build)
    def slow_build(*args: Any, **kwargs: Any) -> Any:
        time.sleep(seconds)
        return build(*args, **kwargs)

    return slow_build


def main(argv: list[str]) -> int | None:
    # The apps must be loaded before the report modules are imported.
    django.setup()
    from reports import builders
    from traffick_cm.celery import app

    seconds = int(os.environ.get(DELAY_VARIABLE) or 0)
    if seconds:
        # The runs service calls builders.build after its claim: with the solo pool the task
        # runs in this process, so the pause is in the worker that holds the run.
        builders.build = slowed(builders.build, seconds)
    return app.worker_main(argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
