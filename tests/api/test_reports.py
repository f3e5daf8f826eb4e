"""indicators/, statistics/ and report-runs/ (issue 13): aggregates released exactly as the
pages release them outside the case team (a ministry token gets suppressed figures of its own
country only), report runs requested once, polled and downloaded with the page's audit."""

from __future__ import annotations

import hashlib
import itertools
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from reports.models import ActionPlan, Computation, Indicator, ReportRun
from tests import factories
from traffick_cm.celery import app as celery_app

STATISTICS = "/api/v1/statistics/"
INDICATORS = "/api/v1/indicators/"
RUNS = "/api/v1/report-runs/"
OCTOBER = "2025-10"
_people = itertools.count(1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


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
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def guinea(other_org):
    return {
        "caseworker": factories.user(Role.CASEWORKER, organisation=other_org),
        "ministry": factories.user(Role.MINISTRY, organisation=other_org),
    }


def _victims(caseworker, n: int, on: date, *, country: str = "CF", **fields) -> None:
    for _ in range(n):
        i = next(_people)
        factories.case(
            caseworker=caseworker,
            first_name=f"Awa{i}",
            last_name=f"Ngaba{i}",
            identified_on=on,
            identified_country=country,
            **fields,
        )


def _figures(value):
    """Every figure of a nested answer."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _figures(item)
    elif isinstance(value, list):
        for item in value:
            yield from _figures(item)
    else:
        yield value


# statistics/


def test_a_ministry_token_receives_only_suppressed_aggregates(users, caseworker, settings, api_as):
    k = settings.SMALL_CELL_THRESHOLD
    _victims(caseworker, 2, date(2025, 10, 6))
    _victims(caseworker, 1, date(2025, 10, 20), sex="male")

    response = api_as(users[Role.MINISTRY]).get(STATISTICS, {"period": OCTOBER})

    assert response.status_code == 200, response.content
    cases = response.json()["cases"]
    assert cases["identified"] == f"<{k}"
    assert cases["by_sex"]["female"] == f"<{k}" and cases["by_sex"]["male"] == f"<{k}"
    # Never the exact small value, never a 0 beside a hidden cell.
    for name in ("by_sex", "by_age_group", "by_exploitation_type", "by_citizenship"):
        assert all(v in (f"<{k}", "*") for v in cases[name].values()), cases[name]
    assert not [v for v in _figures(cases) if isinstance(v, int) and 0 < v < k]
    assert response.json()["k"] == k


def test_unsuppressed_figures_are_shown_when_large_enough(users, caseworker, api_as):
    _victims(caseworker, 6, date(2025, 10, 6))

    response = api_as(users[Role.MINISTRY]).get(STATISTICS, {"period": OCTOBER})

    assert response.json()["cases"]["identified"] == 6
    assert response.json()["period"]["start"] == "2025-10-01"


def test_a_ministry_token_gets_its_own_country_only(users, caseworker, guinea, api_as):
    _victims(caseworker, 6, date(2025, 10, 6))
    _victims(guinea["caseworker"], 9, date(2025, 10, 6), country="GN")
    api = api_as(users[Role.MINISTRY])

    own = api.get(STATISTICS, {"period": OCTOBER})
    asked_own = api.get(STATISTICS, {"period": OCTOBER, "country": "CF"})
    other = api.get(STATISTICS, {"period": OCTOBER, "country": "GN"})

    assert own.json()["country"] == "CF" and own.json()["cases"]["identified"] == 6
    assert asked_own.json()["cases"]["identified"] == 6
    assert other.status_code == 404
    assert other["Content-Type"] == "application/problem+json"


def test_mne_sees_every_country(users, guinea, api_as):
    _victims(guinea["caseworker"], 9, date(2025, 10, 6), country="GN")

    response = api_as(users[Role.MNE]).get(STATISTICS, {"period": OCTOBER, "country": "GN"})

    assert response.json()["country"] == "GN"
    assert response.json()["cases"]["identified"] == 9


def test_only_whole_calendar_periods_that_have_ended(users, api_as):
    api = api_as(users[Role.MINISTRY])

    for period in ("2025-10-01..2025-10-15", "2999-01", "2025-W3"):
        response = api.get(STATISTICS, {"period": period})
        assert response.status_code == 400, period
        assert list(response.json()["errors"]) == ["period"]


def test_a_region_of_another_country_is_refused(users, guinea, api_as):
    conakry = factories.region("GN", "Conakry")

    response = api_as(users[Role.MINISTRY]).get(STATISTICS, {"region": conakry.pk})

    assert response.status_code == 400
    assert "Conakry" not in response.content.decode()


def _screenings(actor, n: int, *, country: str = "CF", **fields) -> None:
    for day in range(1, n + 1):
        factories.screening(
            actor=actor,
            screened_at=datetime(2025, 10, day, 10, tzinfo=timezone.get_current_timezone()),
            identified_country=country,
            **fields,
        )


def test_a_ministry_token_receives_the_screenings_as_the_dashboard_shows_them(
    users, caseworker, guinea, settings, api_as, client
):
    k = settings.SMALL_CELL_THRESHOLD
    _screenings(caseworker, 6)
    _screenings(caseworker, 2, sex="male")
    _screenings(guinea["caseworker"], 9, country="GN")
    client.force_login(users[Role.MINISTRY])

    response = api_as(users[Role.MINISTRY]).get(STATISTICS, {"period": OCTOBER})
    page = client.get(reverse("reports:dashboard"), {"period": OCTOBER}).context["screenings"]

    assert response.status_code == 200, response.content
    screenings = response.json()["screenings"]
    assert screenings["screened"] == 8
    assert screenings["by_sex"]["male"] == f"<{k}"
    assert screenings["by_sex"]["female"] == "*"
    assert screenings["by_month"] == [{"month": OCTOBER, "screened": 8}]
    assert screenings["by_place_type"] == page["by_place_type"]
    assert screenings["top_indicators"] == page["top_indicators"]
    assert not [v for v in _figures(screenings) if isinstance(v, int) and 0 < v < k]


def test_a_region_gets_its_number_of_persons_screened_only(users, caseworker, api_as):
    bangui = factories.region("CF", "Bangui")
    _screenings(caseworker, 6, identified_region=bangui)

    response = api_as(users[Role.MINISTRY]).get(
        STATISTICS, {"period": OCTOBER, "region": bangui.pk}
    )

    assert response.status_code == 200, response.content
    assert response.json()["screenings"] == {"screened": 6, "share_identified": None}


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.PROGRAMME])
def test_roles_without_the_dashboard_are_refused(users, api_as, role):
    assert api_as(users[role]).get(STATISTICS).status_code == 403


# indicators/


@pytest.fixture
def plan(db):
    return ActionPlan.objects.create(
        code="CF-NAP",
        country="CF",
        title="Plan",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
    )


def test_indicators_carry_their_values_released_as_on_the_plan_page(
    users, caseworker, plan, settings, api_as
):
    indicator = Indicator.objects.create(
        plan=plan,
        code="3.1",
        name="Victims identified",
        computation=Computation.VICTIMS_IDENTIFIED,
        target=40,
    )
    _victims(caseworker, 2, date(2025, 10, 6))
    api = api_as(users[Role.MINISTRY])

    listed = api.get(INDICATORS).json()["results"]
    one = api.get(f"{INDICATORS}{indicator.pk}/")

    assert [i["id"] for i in listed] == [indicator.pk]
    assert listed[0]["value"] == f"<{settings.SMALL_CELL_THRESHOLD}"
    assert listed[0]["achieved_percent"] is None
    assert (listed[0]["period_start"], listed[0]["period_end"]) == ("2025-01-01", "2025-12-31")
    assert one.status_code == 200
    assert one["ETag"] == f'"{one.json()["version"]}"'
    assert one.json() == listed[0]


def test_another_countrys_plan_indicators_are_out_of_reach(guinea, plan, api_as):
    indicator = Indicator.objects.create(plan=plan, code="1", name="Trained", target=10)
    api = api_as(guinea["ministry"])

    assert api.get(INDICATORS).json()["results"] == []
    assert api.get(f"{INDICATORS}{indicator.pk}/").status_code == 404


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER])
def test_roles_without_action_plans_are_refused(users, api_as, role):
    assert api_as(users[role]).get(INDICATORS).status_code == 403


# report-runs/

REQUEST = {"kind": "operational", "country": "CF", "period": "2025-02"}


def test_a_report_is_requested_once_polled_and_downloaded_with_the_pages_audit(
    users, api_as, django_capture_on_commit_callbacks
):
    mne = users[Role.MNE]
    api = api_as(mne)

    with django_capture_on_commit_callbacks(execute=True):
        created = api.post(RUNS, REQUEST, format="json")
    again = api.post(RUNS, REQUEST, format="json")

    assert created.status_code == 201, created.content
    assert again.status_code == 200
    assert again.json()["id"] == created.json()["id"]
    assert ReportRun.objects.count() == 1
    run = ReportRun.objects.get()
    assert run.requested_by == mne and run.trigger == ReportRun.Trigger.PERSON
    polled = api.get(f"{RUNS}{run.pk}/")
    assert polled.json()["status"] == "done"
    assert polled["ETag"] == f'"{polled.json()["version"]}"'
    files = {f["format"]: f for f in polled.json()["files"]}
    assert set(files) == {"json", "xlsx", "pdf"}

    response = api.get(files["json"]["url"])

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content)
    assert hashlib.sha256(content).hexdigest() == files["json"]["checksum"]
    entry = AuditEntry.objects.get(action="reports.run.downloaded")
    assert entry.actor == mne and entry.target_id == str(run.pk)
    assert entry.data == {"format": "json"}


def test_a_pending_run_has_no_files_to_download(users, api_as):
    api = api_as(users[Role.MNE])
    created = api.post(RUNS, REQUEST, format="json")  # produced after commit: not here

    run_id = created.json()["id"]
    assert api.get(f"{RUNS}{run_id}/").json()["status"] == "pending"
    assert api.get(f"{RUNS}{run_id}/").json()["files"] == []
    assert api.get(f"{RUNS}{run_id}/files/json/").status_code == 404
    assert not AuditEntry.objects.filter(action="reports.run.downloaded").exists()


def test_a_replayed_idempotency_key_creates_nothing(users, api_as):
    api = api_as(users[Role.ADMIN])

    first = api.post(RUNS, REQUEST, format="json", HTTP_IDEMPOTENCY_KEY="run-1")
    again = api.post(RUNS, REQUEST, format="json", HTTP_IDEMPOTENCY_KEY="run-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert ReportRun.objects.count() == 1


def test_a_request_is_checked_by_the_pages_form(users, api_as):
    api = api_as(users[Role.MNE])

    missing = api.post(RUNS, {"kind": "donor", "period": "2025-02"}, format="json")
    unended = api.post(RUNS, {**REQUEST, "period": "2999"}, format="json")

    assert list(missing.json()["errors"]) == ["project"]
    assert list(unended.json()["errors"]) == ["period"]
    assert not ReportRun.objects.exists()


def test_a_ministry_token_reads_its_countrys_runs_only(users, guinea, org, api_as):
    own = ReportRun.objects.create(
        kind="operational",
        parameters={"country": "CF"},
        parameters_key="country=CF",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 1, 31),
        trigger="schedule",
    )
    project = factories.project(code="CF-TIP-TEST", organisations=[org])
    donor = ReportRun.objects.create(
        kind="donor",
        parameters={"project": project.code},
        parameters_key=f"project={project.code}",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 3, 31),
        trigger="schedule",
        status="done",
    )
    ministry = api_as(users[Role.MINISTRY])

    assert [r["id"] for r in ministry.get(RUNS).json()["results"]] == [own.pk]
    assert ministry.get(f"{RUNS}{donor.pk}/").status_code == 404
    assert ministry.get(f"{RUNS}{donor.pk}/files/json/").status_code == 404
    assert api_as(guinea["ministry"]).get(f"{RUNS}{own.pk}/").status_code == 404
    assert ministry.post(RUNS, REQUEST, format="json").status_code == 403


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER, Role.PROGRAMME])
def test_roles_without_reports_are_refused(users, api_as, role):
    api = api_as(users[role])

    assert api.get(RUNS).status_code == 403
    assert api.post(RUNS, REQUEST, format="json").status_code == 403


def test_runs_changed_since_a_time_are_listed_for_an_incremental_sync(users, api_as):
    old = ReportRun.objects.create(
        kind="operational",
        parameters={"country": "CF"},
        parameters_key="country=CF",
        period_from=date(2025, 1, 1),
        period_to=date(2025, 1, 31),
        trigger="schedule",
    )
    ReportRun.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=3))
    finished = ReportRun.objects.create(
        kind="operational",
        parameters={"country": "CF"},
        parameters_key="country=CF",
        period_from=date(2025, 2, 1),
        period_to=date(2025, 2, 28),
        trigger="schedule",
    )
    ReportRun.objects.filter(pk=finished.pk).update(
        created_at=timezone.now() - timedelta(days=3), finished_at=timezone.now()
    )
    since = (timezone.now() - timedelta(days=1)).isoformat()

    response = api_as(users[Role.MNE]).get(RUNS, {"updated_since": since, "page_size": 1})

    assert [r["id"] for r in response.json()["results"]] == [finished.pk]
    assert response.json()["next"] is None
