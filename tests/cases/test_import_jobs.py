"""A large file imported from the browser runs as a background job: the page follows it (a
progress bar that survives a reload), the supervisor is told by e-mail when it is done, a
task delivered twice imports once, and nobody but the supervisor who started it sees it."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.roles import Role
from cases.models import Case, ImportJob
from cases.services import bulk_import, import_jobs, transfer
from tests import factories
from traffick_cm.celery import app as celery_app

from .steps import GOOD_ROWS, distinct_rows, htcds_csv

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process, as with no broker, even when the suite runs with one."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture
def background(settings):
    settings.CASE_IMPORT_BACKGROUND_BYTES = 0


def _upload(client, rows=GOOD_ROWS, name="cases.csv"):
    return client.post(
        reverse("cases:case_import"), {"upload": SimpleUploadedFile(name, htcds_csv(rows))}
    )


def test_a_large_file_is_imported_in_the_background_and_the_supervisor_told(
    client_for, supervisor, background, mailoutbox, django_capture_on_commit_callbacks
):
    supervisor.email = "supervisor@example.org"
    supervisor.save()
    client = client_for(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client)

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:import_job", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert job.state == ImportJob.State.DONE
    assert (job.rows, job.created, job.already_imported) == (3, 3, 0)
    assert not job.file  # the upload is deleted when the job ends
    assert Case.objects.filter(organisation=supervisor.organisation).count() == 3

    page = client.get(response["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert "Cases created: 3" in text
    assert 'data-state="done"' in text
    assert "hx-trigger" not in text  # finished: the page stops asking

    assert len(mailoutbox) == 1
    mail = mailoutbox[0]
    assert mail.to == ["supervisor@example.org"]
    assert mail.subject == "Your case import is done"
    assert str(job.pk) in mail.body
    for row in GOOD_ROWS:  # no name of a person in an e-mail
        assert row["prs_FirstName"] not in mail.body


def test_a_refused_file_keeps_its_report_by_row_and_column(
    client_for, supervisor, background, django_capture_on_commit_callbacks
):
    rows = [dict(row) for row in GOOD_ROWS]
    rows[1]["prs_Birthdate"] = "not a date"
    client = client_for(supervisor)
    with django_capture_on_commit_callbacks(execute=True):
        response = _upload(client, rows)

    job = ImportJob.objects.get()
    assert job.state == ImportJob.State.REFUSED
    assert Case.objects.count() == 0
    page = client.get(response["Location"])
    text = page.content.decode()
    assert "nothing was imported" in text
    assert "prs_Birthdate" in text
    report = import_jobs.job_report(job)
    assert [(row, column) for row, column, _message in report.errors] == [(3, "prs_Birthdate")]


def test_a_running_job_shows_its_progress_and_the_page_asks_again(client_for, supervisor):
    """The counters come from the cache while the task's transaction is open; a reload
    finds them again."""
    job = ImportJob.objects.create(
        organisation=supervisor.organisation,
        created_by=supervisor,
        original_name="cases.csv",
        state=ImportJob.State.CHECKING,
    )
    cache.set(
        import_jobs._progress_key(job),
        {"state": "writing", "rows": 4000, "checked": 4000, "written": 1000},
    )
    client = client_for(supervisor)

    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        page = client.get(reverse("cases:import_job", kwargs={"pk": job.pk}), **headers)
        text = page.content.decode()
        assert "Writing the cases: 1,000 of 4,000 rows." in text
        assert 'value="62"' in text  # checked (half the bar) and a quarter written
        assert 'hx-trigger="every 2s"' in text


def test_a_task_delivered_twice_imports_once(supervisor, background, client_for):
    client = client_for(supervisor)
    _upload(client)  # the test's transaction never commits: the task is not sent
    job = ImportJob.objects.get()

    assert import_jobs.job_run(str(job.pk)) == ImportJob.State.DONE
    assert import_jobs.job_run(str(job.pk)) == "skipped"
    assert Case.objects.count() == 3


def test_only_the_supervisor_who_started_it_sees_the_job(
    client_for, supervisor, users, outside_supervisor, org
):
    job = ImportJob.objects.create(
        organisation=supervisor.organisation, created_by=supervisor, original_name="cases.csv"
    )
    url = reverse("cases:import_job", kwargs={"pk": job.pk})
    colleague = factories.user(Role.SUPERVISOR, organisation=org, username="colleague_sup")

    assert client_for(supervisor).get(url).status_code == 200
    assert client_for(colleague).get(url).status_code == 404
    assert client_for(outside_supervisor).get(url).status_code == 404
    for role in Role:
        if role != Role.SUPERVISOR:
            assert client_for(users[role]).get(url).status_code == 403, role


def test_the_import_page_lists_the_supervisors_own_recent_imports(client_for, supervisor, org):
    mine = ImportJob.objects.create(
        organisation=org, created_by=supervisor, original_name="a.csv", state="done", created=7
    )
    colleague = factories.user(Role.SUPERVISOR, organisation=org, username="colleague_sup")
    theirs = ImportJob.objects.create(organisation=org, created_by=colleague, original_name="b.csv")

    text = client_for(supervisor).get(reverse("cases:case_import")).content.decode()

    assert reverse("cases:import_job", kwargs={"pk": mine.pk}) in text
    assert reverse("cases:import_job", kwargs={"pk": theirs.pk}) not in text


def test_a_job_counts_the_rows_checked_then_those_written_batch_by_batch(
    supervisor, background, client_for, monkeypatch
):
    """The page's bar: every row is counted first (the total is known before the first is
    checked), then checked, then written a batch at a time."""
    monkeypatch.setattr(bulk_import, "BATCH_SIZE", 20)
    monkeypatch.setattr(transfer, "PROGRESS_EVERY", 20)
    seen = []

    class Recording:
        def set(self, key, value, timeout=None):
            seen.append((value["state"], value["rows"], value["checked"], value["written"]))

        def delete(self, key):
            pass

    _upload(client_for(supervisor), distinct_rows(45))
    job = ImportJob.objects.get()
    monkeypatch.setattr(import_jobs, "cache", Recording())

    assert import_jobs.job_run(str(job.pk)) == ImportJob.State.DONE

    assert seen == [
        ("checking", 45, 20, 0),
        ("checking", 45, 40, 0),
        ("checking", 45, 45, 0),
        ("writing", 45, 45, 20),
        ("writing", 45, 45, 40),
        ("writing", 45, 45, 45),
    ]
    job.refresh_from_db()
    assert (job.rows, job.rows_checked, job.rows_written, job.created) == (45, 45, 45, 45)
