"""A real Celery worker, on a real Redis broker and the shared PostgreSQL test database, is
killed (SIGKILL) in the middle of a report run: the run stays "running" with no file, never
"done" with a half-written one; a second worker takes it over once the lease has expired and
finishes it, with three files whose checksums match their content.

Runs only with CELERY_BROKER_URL pointing at a reachable Redis and DATABASE_URL at
PostgreSQL (a worker in another process needs a database both can see). The workers are
started through tests/reports/slow_worker.py, which makes the first one pause between claiming
a run and building it (production code has no such pause)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.utils import timezone

from accounts.roles import Role
from reports import tasks
from reports.models import ReportFile, ReportRun
from reports.services import runs
from tests import factories
from tests.reports import slow_worker
from traffick_cm import periods
from traffick_cm.celery import app as celery_app

BROKER = os.environ.get("CELERY_BROKER_URL", "")
BASE_DIR = Path(settings.BASE_DIR)
LEASE_SECONDS = 3
# Long enough to see the run "running" and kill its worker before it writes anything.
DELAY_SECONDS = 60
# Bounds, generous for a loaded machine: a worker may take a minute to start.
READY_WITHIN = 120
RUNNING_WITHIN = 30
DONE_WITHIN = 90

pytestmark = pytest.mark.django_db(transaction=True)


def _redis_reachable(url: str) -> bool:
    if not url.startswith(("redis://", "rediss://")):
        return False
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=1).ping())
    except redis.RedisError:
        return False


@pytest.fixture
def real_broker_and_database():
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("needs PostgreSQL: the worker process shares the test database")
    if not _redis_reachable(BROKER):
        pytest.skip("needs CELERY_BROKER_URL pointing at a reachable Redis")
    if not settings.CELERY_BROKER_URL:
        pytest.skip("tasks run in-process: no broker configured")
    # The unit tests run tasks in-process; this one needs them queued on the real broker.
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        yield
    finally:
        celery_app.conf.task_always_eager = eager


def _report_queue() -> str:
    """The queue the app routes report production to (CELERY_TASK_ROUTES)."""
    return celery_app.amqp.router.route({}, tasks.produce_report.name)["queue"].name


def _database_url() -> str:
    """DATABASE_URL for the test database (its name during the test, not the configured one)."""
    db = settings.DATABASES["default"]
    user = quote(db["USER"] or "", safe="")
    if db.get("PASSWORD"):
        user += ":" + quote(db["PASSWORD"], safe="")
    host = db.get("HOST") or "localhost"
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{user}@{host}{port}/{quote(db['NAME'], safe='')}"


def _worker_env(delay_seconds: int) -> dict[str, str]:
    return {
        **os.environ,
        # The real settings, as a deployed worker reads them (not the test settings, which
        # would pick their own keys and media folder).
        "DJANGO_SETTINGS_MODULE": "traffick_cm.settings",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER,
        "SECRET_KEY": settings.SECRET_KEY,
        "FIELD_ENCRYPTION_KEY": ",".join(settings.FIELD_ENCRYPTION_KEYS),
        "DEBUG": "0",
        "HTTPS": "0",
        "ALLOWED_HOSTS": "localhost",
        "SITE_URL": "http://localhost",
        "DJANGO_READ_DOT_ENV_FILE": "0",
        "REPORT_RUN_LEASE_SECONDS": str(LEASE_SECONDS),
        slow_worker.DELAY_VARIABLE: str(delay_seconds),
        "PRIVATE_MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }


@pytest.fixture
def start_worker(tmp_path) -> Iterator[Callable[..., subprocess.Popen]]:
    """start_worker(name, delay_seconds) -> a worker process in its own process group.
    Every worker started is killed at the end, whatever happens."""
    started: list[subprocess.Popen] = []

    def _start(name: str, delay_seconds: int) -> subprocess.Popen:
        log = (tmp_path / f"{name}.log").open("wb")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                slow_worker.__name__,
                "worker",
                "--pool",
                "solo",
                "--concurrency",
                "1",
                "-Q",
                _report_queue(),
                "--loglevel",
                "INFO",
                "--hostname",
                f"{name}@%h",
                "--without-mingle",
                "--without-gossip",
            ],
            cwd=BASE_DIR,
            env=_worker_env(delay_seconds),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        process.log_path = log.name  # type: ignore[attr-defined]
        log.close()
        started.append(process)
        return process

    try:
        yield _start
    finally:
        for process in started:
            _kill(process)


def _kill(process: subprocess.Popen) -> None:
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def _log(process: subprocess.Popen) -> str:
    return Path(process.log_path).read_text(errors="replace")[-4000:]  # type: ignore[attr-defined]


def _wait_for(
    condition: Callable[[], bool], *, within: float, worker: subprocess.Popen, what: str
) -> None:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if condition():
            return
        if worker.poll() is not None:
            pytest.fail(f"the worker exited ({worker.returncode}) before {what}:\n{_log(worker)}")
        time.sleep(0.2)
    pytest.fail(f"not {what} within {within} s; worker log:\n{_log(worker)}")


def _wait_ready(worker: subprocess.Popen) -> None:
    _wait_for(lambda: " ready." in _log(worker), within=READY_WITHIN, worker=worker, what="ready")


def _status(run: ReportRun) -> str:
    return ReportRun.objects.values_list("status", flat=True).get(pk=run.pk)


@pytest.fixture
def empty_queue(real_broker_and_database):
    """No message left over from another run of the tests, before or after."""

    def purge():
        import redis

        with celery_app.connection_for_write() as connection:
            for queue in {"celery", _report_queue()}:
                connection.default_channel.queue_purge(queue)
        # Messages a killed worker had taken and not acknowledged (kombu's Redis transport).
        redis.Redis.from_url(BROKER).delete("unacked", "unacked_index", "unacked_mutex")

    purge()
    yield
    purge()


def test_a_worker_killed_mid_run_leaves_no_file_and_a_second_worker_finishes_the_run(
    real_broker_and_database, empty_queue, start_worker, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "private"
    mne = factories.user(Role.MNE)
    factories.case(caseworker=factories.user(Role.CASEWORKER))

    first = start_worker("first", DELAY_SECONDS)
    _wait_ready(first)
    # Asked for by a person: queued on the broker once the request's transaction commits.
    year = periods.last_complete(periods.Unit.YEAR, timezone.localdate())  # a period that ended
    run, created = runs.run_request(
        kind="operational",
        parameters={"country": "CF"},
        period_from=year.start,
        period_to=year.end,
        trigger=ReportRun.Trigger.PERSON,
        requested_by=mne,
    )
    assert created

    _wait_for(
        lambda: _status(run) == ReportRun.Status.RUNNING,
        within=RUNNING_WITHIN,
        worker=first,
        what="running",
    )
    os.killpg(first.pid, signal.SIGKILL)
    first.wait(timeout=10)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING
    assert run.attempts == 1
    assert not ReportFile.objects.filter(run=run).exists()
    run_folder = Path(settings.MEDIA_ROOT) / "reports" / str(run.pk)
    assert not run_folder.exists() or not any(run_folder.iterdir())

    second = start_worker("second", 0)
    _wait_ready(second)
    # The killed worker never acknowledged its message; Redis hands such a message out
    # again only after its visibility timeout (an hour by default). Deliver it now, as the
    # broker would then: the second worker waits for the lease to expire, then claims it.
    tasks.produce_report.delay(run.pk)

    _wait_for(
        lambda: _status(run) == ReportRun.Status.DONE,
        within=DONE_WITHIN,
        worker=second,
        what="done",
    )

    run.refresh_from_db()
    assert run.attempts == 2
    assert run.error == ""
    files = {f.format: f for f in ReportFile.objects.filter(run=run)}
    assert set(files) == {"json", "xlsx", "pdf"}
    for report_file in files.values():
        with report_file.file.open("rb") as stream:  # decrypted: files are encrypted at rest
            content = stream.read()
        assert report_file.size == len(content)
        assert report_file.checksum == hashlib.sha256(content).hexdigest()
    assert sorted(p.name for p in run_folder.iterdir()) == [
        f"{run.pk}-2.json",
        f"{run.pk}-2.pdf",
        f"{run.pk}-2.xlsx",
    ]
