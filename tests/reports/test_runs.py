"""Report runs are made exactly once: asking twice, or beat firing twice, finds the run
made; a worker claims its run, and a run whose worker died is taken over once its lease has
expired; a failed build is recorded and retried; files carry checksums; downloads are
audited and scoped; subscribers get a link, never the file."""

from __future__ import annotations

import hashlib
import json
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from reports import builders, tasks
from reports.models import ReportFile, ReportRun, ReportSubscription
from reports.services import runs
from tests import factories
from traffick_cm.celery import app as celery_app
from trainings.services import sessions as training_sessions

PERIOD = {"period_from": date(2026, 1, 1), "period_to": date(2026, 1, 31)}
OPERATIONAL_CF = {"kind": "operational", "parameters": {"country": "CF"}, **PERIOD}


@pytest.fixture(autouse=True)
def eager_celery():
    """Tasks run in-process, as with no broker, even when the suite runs with one."""
    before = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = before


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def mne(users):
    user = users[Role.MNE]
    user.email = "mne@iom.example.org"
    user.save(update_fields=["email"])
    return user


def _request(**overrides):
    fields = {**OPERATIONAL_CF, "trigger": ReportRun.Trigger.PERSON, **overrides}
    return runs.run_request(**fields)


def _stale_run(
    *, started_seconds_ago: int, status=ReportRun.Status.RUNNING, attempts=1, period=PERIOD
):
    """A run as a worker left it: claimed `started_seconds_ago`, nothing written."""
    return ReportRun.objects.create(
        kind="operational",
        parameters={"country": "CF"},
        parameters_key="country=CF",
        trigger=ReportRun.Trigger.SCHEDULE,
        status=status,
        started_at=timezone.now() - timedelta(seconds=started_seconds_ago),
        attempts=attempts,
        **period,
    )


def _files_on_disk(media, run) -> list[str]:
    folder = media / "reports" / str(run.pk)
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# Asking for a run


def test_asking_twice_for_the_same_report_finds_the_same_run(
    mne, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks() as queued:
        first, created_first = _request(requested_by=mne)
        second, created_second = _request(requested_by=mne)

    assert (created_first, created_second) == (True, False)
    assert second.pk == first.pk
    assert ReportRun.objects.count() == 1
    # Only the first asking queues a production.
    assert len(queued) == 1
    assert AuditEntry.objects.filter(action="reports.run.requested").count() == 1


def test_another_period_or_subject_is_another_run(db):
    run, _ = _request()
    later, created_later = _request(period_from=date(2026, 2, 1), period_to=date(2026, 2, 28))
    guinea, created_guinea = _request(parameters={"country": "GN"})

    assert created_later and created_guinea
    assert len({run.pk, later.pk, guinea.pk}) == 3


def test_a_run_for_an_unknown_project_is_refused_before_it_exists(db):
    with pytest.raises(ValidationError):
        _request(kind="donor", parameters={"project": "NOPE"})

    assert not ReportRun.objects.exists()


def test_a_run_is_produced_once_it_is_asked_for(mne, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = _request(requested_by=mne)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert run.attempts == 1
    assert sorted(run.files.values_list("format", flat=True)) == ["json", "pdf", "xlsx"]


# Beat firing twice


@pytest.fixture
def two_countries(users, org):
    """Something to report on in CF (a case) and in GN (a session)."""
    factories.case(caseworker=users[Role.CASEWORKER])
    training_sessions.session_record(
        actor=None,
        organiser=org,
        title="Sensibilisation à Conakry",
        session_type="awareness",
        audiences=["community_leaders"],
        topics=["tip_basics"],
        country="GN",
        start_date=date(2026, 1, 10),
        end_date=date(2026, 1, 10),
        participants_female=12,
    )


def test_beat_firing_twice_makes_each_run_and_its_files_once(
    two_countries, private_media, django_capture_on_commit_callbacks, monkeypatch
):
    builds = []
    real_build = builders.build

    def counting_build(kind, parameters, start, end):
        builds.append((kind, dict(parameters)))
        return real_build(kind, parameters, start, end)

    monkeypatch.setattr(builders, "build", counting_build)

    with django_capture_on_commit_callbacks(execute=True):
        made_first = tasks.run_scheduled_reports("operational")
    with django_capture_on_commit_callbacks(execute=True):
        made_second = tasks.run_scheduled_reports("operational")

    assert (made_first, made_second) == (2, 0)
    assert ReportRun.objects.count() == 2
    assert sorted(ReportRun.objects.values_list("parameters_key", flat=True)) == [
        "country=CF",
        "country=GN",
    ]
    assert sorted(builds, key=str) == [
        ("operational", {"country": "CF"}),
        ("operational", {"country": "GN"}),
    ]
    assert ReportFile.objects.count() == 6
    for run in ReportRun.objects.all():
        assert run.status == ReportRun.Status.DONE
        assert run.attempts == 1
        assert run.trigger == ReportRun.Trigger.SCHEDULE
        assert _files_on_disk(private_media, run) == [
            f"{run.pk}-1.json",
            f"{run.pk}-1.pdf",
            f"{run.pk}-1.xlsx",
        ]


def test_scheduled_runs_cover_the_previous_month_or_quarter():
    assert runs.previous_period("operational", date(2026, 11, 24)) == (
        date(2026, 10, 1),
        date(2026, 10, 31),
    )
    assert runs.previous_period("donor", date(2026, 11, 24)) == (
        date(2026, 7, 1),
        date(2026, 9, 30),
    )
    assert runs.previous_period("nap", date(2026, 1, 5)) == (date(2025, 10, 1), date(2025, 12, 31))


# Claims and leases


def test_a_run_whose_worker_died_is_claimed_again_once_its_lease_has_expired(
    db, settings, private_media
):
    settings.REPORT_RUN_LEASE_SECONDS = 10
    run = _stale_run(started_seconds_ago=30)

    assert runs.busy_for(run.pk) == 1  # the lease is over: take it now
    assert runs.produce(run.pk) is True

    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert run.attempts == 2
    assert run.files.count() == 3
    assert _files_on_disk(private_media, run) == [
        f"{run.pk}-2.json",
        f"{run.pk}-2.pdf",
        f"{run.pk}-2.xlsx",
    ]


def test_a_run_within_its_lease_is_not_claimed_by_a_second_worker(db, settings, private_media):
    settings.REPORT_RUN_LEASE_SECONDS = 60
    run = _stale_run(started_seconds_ago=5)
    started_at = run.started_at

    assert runs.produce(run.pk) is False

    run.refresh_from_db()
    assert run.status == ReportRun.Status.RUNNING
    assert run.attempts == 1
    assert run.started_at == started_at
    assert not run.files.exists()
    assert _files_on_disk(private_media, run) == []
    # The second worker is told when to look again: when the lease runs out.
    assert 50 <= runs.busy_for(run.pk) <= 56


def test_a_run_that_is_done_is_never_produced_again(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = _request()
    checksums = set(ReportFile.objects.values_list("checksum", flat=True))

    assert runs.produce(run.pk) is False
    assert tasks.produce_report.delay(run.pk).get() is False

    run.refresh_from_db()
    assert run.attempts == 1
    assert set(ReportFile.objects.values_list("checksum", flat=True)) == checksums


def test_a_failing_build_is_recorded_with_its_error_and_can_be_retried(db, monkeypatch):
    run = _stale_run(started_seconds_ago=0, status=ReportRun.Status.PENDING, attempts=0)

    def failing_build(*args, **kwargs):
        raise RuntimeError("the template is missing")

    monkeypatch.setattr(builders, "build", failing_build)
    with pytest.raises(RuntimeError):
        runs.produce(run.pk)

    run.refresh_from_db()
    assert run.status == ReportRun.Status.FAILED
    assert run.error == "RuntimeError: the template is missing"
    assert run.finished_at is not None
    assert not run.files.exists()

    monkeypatch.undo()
    assert runs.produce(run.pk) is True

    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    assert run.error == ""
    assert run.attempts == 2
    assert run.files.count() == 3


def test_a_run_that_failed_too_often_is_not_claimed_again(db):
    run = _stale_run(
        started_seconds_ago=0, status=ReportRun.Status.FAILED, attempts=runs.MAX_ATTEMPTS
    )

    assert runs.claim(run.pk) is False
    assert ReportRun.objects.get(pk=run.pk).status == ReportRun.Status.FAILED


@pytest.mark.django_db(transaction=True)
def test_without_a_broker_a_failing_build_still_answers_with_the_run_page(monkeypatch):
    mne = factories.user(Role.MNE)

    def failing_build(*args, **kwargs):
        raise RuntimeError("the template is missing")

    monkeypatch.setattr(builders, "build", failing_build)
    client = Client(raise_request_exception=False, headers={"accept-language": "en"})
    client.force_login(mne)

    response = client.post(
        reverse("reports:run_list"),
        {
            "kind": "operational",
            "country": "CF",
            "period": "2026-01",
        },
    )

    run = ReportRun.objects.get()
    assert run.status == ReportRun.Status.FAILED
    assert response.status_code == 302
    assert response["Location"] == reverse("reports:run_detail", kwargs={"pk": run.pk})


# Files


@pytest.fixture
def done_run(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run, _ = _request()
    run.refresh_from_db()
    assert run.status == ReportRun.Status.DONE
    return run


def test_each_file_has_the_sha256_checksum_and_size_of_its_content(done_run):
    files = {f.format: f for f in done_run.files.all()}

    assert set(files) == {"json", "xlsx", "pdf"}
    for report_file in files.values():
        with report_file.file.open("rb") as stream:
            content = stream.read()
        assert report_file.checksum == hashlib.sha256(content).hexdigest()
        assert report_file.size == len(content)
    with files["json"].file.open("rb") as stream:
        data = json.loads(stream.read())
    assert data["kind"] == "operational"
    assert data["period"] == {"from": "2026-01-01", "to": "2026-01-31", "key": "2026-01"}
    with files["pdf"].file.open("rb") as stream:
        assert stream.read(4) == b"%PDF"


# Downloads


def _download(client, run, fmt="json"):
    return client.get(reverse("reports:run_download", kwargs={"pk": run.pk, "fmt": fmt}))


def test_downloading_a_run_file_is_audited(client, mne, done_run):
    client.force_login(mne)

    response = _download(client, done_run)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="operational-CF-2026-01-01-2026-01-31.json"' in response["Content-Disposition"]
    content = b"".join(response.streaming_content)
    stored = done_run.files.get(format="json")
    assert hashlib.sha256(content).hexdigest() == stored.checksum
    entry = AuditEntry.objects.get(action="reports.run.downloaded")
    assert entry.actor == mne
    assert entry.target_type == "reports.reportrun"
    assert entry.target_id == str(done_run.pk)
    assert entry.data == {"format": "json"}


def test_a_ministry_user_downloads_the_operational_report_of_their_country(client, users, done_run):
    client.force_login(users[Role.MINISTRY])  # organisation in CF

    assert _download(client, done_run, "pdf").status_code == 200


def test_a_ministry_user_of_another_country_gets_404_and_nothing_is_audited(
    client, other_org, done_run
):
    guinea_ministry = factories.user(Role.MINISTRY, organisation=other_org)
    client.force_login(guinea_ministry)

    assert _download(client, done_run).status_code == 404
    assert client.get(reverse("reports:run_detail", kwargs={"pk": done_run.pk})).status_code == 404
    assert not AuditEntry.objects.filter(action="reports.run.downloaded").exists()


def test_a_ministry_user_cannot_download_a_donor_report(client, users, org):
    project = factories.project(code="CF-TIP-TEST", organisations=[org])
    run = ReportRun.objects.create(
        kind="donor",
        parameters={"project": project.code},
        parameters_key=f"project={project.code}",
        trigger=ReportRun.Trigger.SCHEDULE,
        status=ReportRun.Status.DONE,
        **PERIOD,
    )
    client.force_login(users[Role.MINISTRY])

    assert _download(client, run).status_code == 404


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER, Role.PROGRAMME])
def test_roles_without_reports_are_refused(client, users, done_run, role):
    client.force_login(users[role])

    assert _download(client, done_run).status_code == 403


def test_a_run_still_running_or_an_unknown_format_has_nothing_to_download(client, mne, done_run):
    client.force_login(mne)
    running = _stale_run(
        started_seconds_ago=1,
        period={"period_from": date(2026, 2, 1), "period_to": date(2026, 2, 28)},
    )

    assert _download(client, done_run, "docx").status_code == 404
    assert _download(client, running).status_code == 404


# Subscribers


def test_subscribers_get_an_email_with_a_link_and_no_attachment(
    users, mne, org, mailoutbox, django_capture_on_commit_callbacks
):
    ReportSubscription.objects.create(user=mne, kind="operational", parameters_key="country=CF")
    other_country = factories.user(Role.MNE, organisation=org, email="gn@iom.example.org")
    ReportSubscription.objects.create(
        user=other_country, kind="operational", parameters_key="country=GN"
    )
    gone = factories.user(Role.MNE, organisation=org, email="gone@iom.example.org")
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    ReportSubscription.objects.create(user=gone, kind="operational", parameters_key="country=CF")

    with django_capture_on_commit_callbacks(execute=True):
        run, _ = _request()

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["mne@iom.example.org"]
    link = "http://127.0.0.1:8000" + reverse("reports:run_detail", kwargs={"pk": run.pk})
    assert link in message.body
    assert message.attachments == []
    assert getattr(message, "alternatives", []) == []
    json_file = run.files.get(format="json")
    with json_file.file.open("rb") as stream:
        assert stream.read(40).decode() not in message.body


def test_a_failed_run_sends_no_email(mne, mailoutbox, monkeypatch):
    ReportSubscription.objects.create(user=mne, kind="operational", parameters_key="country=CF")
    run = _stale_run(started_seconds_ago=0, status=ReportRun.Status.PENDING, attempts=0)

    def failing_build(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(builders, "build", failing_build)
    with pytest.raises(RuntimeError):
        runs.produce(run.pk)

    assert tasks.notify_subscribers(run.pk) == 0
    assert mailoutbox == []


# Periods (issue 11, finding 4): runs over windows a day apart would give that day's count


@pytest.mark.parametrize(
    ("period_from", "period_to"),
    [
        (date(2026, 1, 1), date(2026, 1, 30)),  # a month less its last day
        (date(2026, 1, 2), date(2026, 1, 31)),
        (date(2026, 1, 1), date(2026, 4, 30)),  # four months: January-April minus a quarter
        (date(2025, 7, 1), date(2026, 6, 30)),  # a year, not a calendar one
    ],
)
def test_a_run_over_anything_but_a_calendar_month_quarter_or_year_is_refused(
    db, period_from, period_to
):
    with pytest.raises(ValidationError) as refused:
        _request(period_from=period_from, period_to=period_to)

    assert refused.value.code == "not_a_period"
    assert "calendar month, quarter or year" in " ".join(refused.value.messages)
    assert not ReportRun.objects.exists()


def test_a_run_over_a_period_that_has_not_ended_is_refused(db):
    month = timezone.localdate().replace(day=1)
    next_month = (month + timedelta(days=32)).replace(day=1)

    with pytest.raises(ValidationError) as refused:
        _request(period_from=month, period_to=next_month - timedelta(days=1))

    assert refused.value.code == "period_not_ended"
    assert not ReportRun.objects.exists()


@pytest.mark.parametrize(
    ("period_from", "period_to"),
    [
        (date(2026, 1, 1), date(2026, 1, 31)),
        (date(2026, 1, 1), date(2026, 3, 31)),
        (date(2025, 1, 1), date(2025, 12, 31)),
    ],
)
def test_a_run_over_a_month_a_quarter_or_a_year_that_has_ended_is_made(db, period_from, period_to):
    run, created = _request(period_from=period_from, period_to=period_to)

    assert created
    assert (run.period_from, run.period_to) == (period_from, period_to)


def test_the_request_form_offers_periods_and_refuses_dates(client, mne):
    client.force_login(mne)

    page = client.get(reverse("reports:run_list"))
    dates = client.post(
        reverse("reports:run_list"),
        {
            "kind": "operational",
            "country": "CF",
            "period_from": "2026-01-01",
            "period_to": "2026-01-30",
        },
    )
    unfinished = client.post(
        reverse("reports:run_list"),
        {"kind": "operational", "country": "CF", "period": timezone.localdate().strftime("%Y-%m")},
    )

    assert 'name="period"' in page.content.decode()
    assert 'name="period_from"' not in page.content.decode()
    assert dates.status_code == 400
    assert unfinished.status_code == 400
    assert not ReportRun.objects.exists()


def test_a_country_in_small_letters_is_the_same_report(db):
    first, _created = _request(parameters={"country": "CF"})
    second, created = _request(parameters={"country": "cf"})

    assert not created
    assert second == first


def test_the_build_itself_refuses_a_window_that_is_not_a_period(db):
    # The command line and any other caller of the builder meet the same rule.
    with pytest.raises(ValidationError):
        builders.build("operational", {"country": "CF"}, date(2026, 1, 1), date(2026, 1, 30))
