"""The dashboard reads monthly figures counted ahead (issue 15, item 4): they must say what a
count of the records says, after cases and referrals are created, changed and closed; a
recount gives the same rows; the page says how fresh they are; small counts stay hidden;
and the page runs as many queries whatever the number of months it covers."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date, datetime, time, timedelta

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models import F
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from accounts.roles import Role
from cases.models import Case
from cases.services import case as case_services
from cases.services import records
from cases.services import workflow as case_workflow
from referrals.models import Referral, ReferralStatus
from reports import statistics, tasks
from reports.models import (
    AggregateRefresh,
    MonthlyCaseFigure,
    MonthlyReferralFigure,
    MonthlyResponseTime,
    MonthlyServiceFigure,
    PendingFigures,
)
from reports.services import aggregates
from reports.statistics import Scope
from tests import factories
from traffick_cm import periods
from traffick_cm.periods import Period, Unit, Window

K = 5
_people = itertools.count(1)
YEAR = Period(2025, Unit.YEAR)
SEPTEMBER, OCTOBER, NOVEMBER = (Period(2025, Unit.MONTH, m) for m in (9, 10, 11))
PERIODS = [
    YEAR,
    Period(2025, Unit.QUARTER, 4),
    SEPTEMBER,
    OCTOBER,
    NOVEMBER,
    Window(Period(2026, Unit.MONTH, 3)),
]
S = ReferralStatus


def _live(scope: Scope) -> Scope:
    return dataclasses.replace(scope, live=True)


def _moment(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


def _victim(caseworker, on: date, **fields) -> Case:
    i = next(_people)
    region = fields.pop("region", None)
    return factories.case(
        caseworker=caseworker,
        first_name=f"Awa{i}",
        last_name=f"Ngaba{i}",
        identified_on=on,
        identified_country=fields.pop("country", "CF"),
        case_data={"identified_region": region, **fields.pop("case_data", {})},
        **fields,
    )


def _referral(case, caseworker, sent_on: date, status: str, **fields) -> Referral:
    sent = _moment(sent_on)
    answered = fields.pop("answered_after", None)
    return Referral.objects.create(
        case=case,
        from_organisation=case.organisation,
        to_organisation=fields.pop("partner"),
        service_type="shelter",
        reason="Needs a safe place",
        destination_country=fields.pop("destination", "CF"),
        status=status,
        packet_fields=["case_number"],
        created_by=caseworker,
        sent_at=None if status == S.DRAFT else sent,
        responded_at=None if answered is None else sent + answered,
    )


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def regions(db):
    return {"bangui": factories.region("CF", "Bangui"), "ouham": factories.region("CF", "Ouham")}


@pytest.fixture
def recorded(users, caseworker, other_org, regions):
    """Victims of every kind (sex, age, citizenships, exploitation, region, status) over
    2024 and the autumn of 2025 in the Central African Republic and Guinea, their
    referrals (every status, some abroad, answered after various delays) and services."""
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    guinean = factories.user(Role.CASEWORKER, organisation=other_org)
    made: list[Case] = []
    # Six Chadians in 2024: Chad is named in 2025's breakdown by citizenship.
    for month in range(1, 7):
        made.append(_victim(caseworker, date(2024, month, 3), citizenships=["TD"]))
    kinds = itertools.cycle(
        [
            {"sex": "female", "citizenships": ["CF"], "exploitation_types": ["ForcedLabour"]},
            {
                "sex": "male",
                "citizenships": ["CF", "TD"],
                "exploitation_types": ["ForcedLabour", "SexualExploitation"],
                "date_of_birth": date(2012, 2, 1),
                "consent_given_by": "guardian",
            },
            {
                "sex": "female",
                "citizenships": ["NG"],
                "exploitation_types": [],
                "date_of_birth": date(1960, 1, 1),
            },
            {
                "sex": "male",
                "citizenships": [],
                "exploitation_types": ["Other"],
                "date_of_birth": None,
            },
            {"sex": "female", "citizenships": ["TD", "NG"], "date_of_birth": date(2005, 6, 1)},
        ]
    )
    places = itertools.cycle([regions["bangui"], regions["ouham"], None])
    for month, day in itertools.product((9, 10, 11), (2, 9, 16, 23, 28)):
        made.append(_victim(caseworker, date(2025, month, day), region=next(places), **next(kinds)))
    made.append(
        _victim(
            caseworker,
            date(2025, 10, 7),
            case_data={"trafficking_status": "NotAVictimOfTrafficking"},
        )
    )
    for day in (4, 11, 18):
        made.append(_victim(guinean, date(2025, 10, day), country="GN"))
    statuses = itertools.cycle(
        [S.SENT, S.ACCEPTED, S.DECLINED, S.COMPLETED, S.IN_PROGRESS, S.DRAFT, S.CLOSED_NO_SERVICE]
    )
    delays = itertools.cycle([timedelta(hours=2), timedelta(hours=7.5), timedelta(days=3)])
    for i, case in enumerate(made[6:]):
        status = next(statuses)
        _referral(
            case,
            caseworker if case.identified_country == "CF" else guinean,
            case.identified_on + timedelta(days=2),
            status,
            partner=partner,
            destination="NG" if i % 3 == 0 else "CF",
            answered_after=None if status in (S.SENT, S.DRAFT) else next(delays),
        )
    for case, kind in zip(made[6:20], itertools.cycle(["shelter", "medical", "legal"])):
        records.service_record(
            actor=caseworker if case.identified_country == "CF" else guinean,
            case=case,
            service_type=kind,
            delivered_on=case.identified_on + timedelta(days=3),
        )
    return made


def _assert_same_as_live(scopes, *, region_id=None, periods_=PERIODS) -> None:
    for scope, period, k in itertools.product(scopes, periods_, (None, K)):
        assert statistics.cases(scope, period, k=k, region_id=region_id) == statistics.cases(
            _live(scope), period, k=k, region_id=region_id
        ), (scope, period, k)
        if region_id is None:
            assert statistics.referrals(scope, period, k=k) == statistics.referrals(
                _live(scope), period, k=k
            ), (scope, period, k)
            assert statistics.services(scope, period, k=k) == statistics.services(
                _live(scope), period, k=k
            ), (scope, period, k)


NATIONAL = [Scope(country="CF"), Scope(country="GN"), Scope()]


def _nonzero(monthly):
    return {month: {k: v for k, v in cells.items() if v} for month, cells in monthly.items()}


def test_the_monthly_figures_say_what_a_count_of_the_records_says(recorded, regions):
    assert MonthlyCaseFigure.objects.exists() and MonthlyReferralFigure.objects.exists()
    assert MonthlyResponseTime.objects.exists() and MonthlyServiceFigure.objects.exists()
    _assert_same_as_live(NATIONAL)
    _assert_same_as_live([Scope(country="CF")], region_id=regions["ouham"].pk)
    scope = Scope(country="CF")
    args = (scope, YEAR.start, YEAR.end)
    named = statistics.named_citizenships(scope, YEAR)
    assert "TD" in named
    cells = statistics.cases(scope, YEAR, k=None)
    assert cells["by_age_group"]["unknown"] and cells["by_citizenship"]["other"]
    assert statistics.named_citizenships(_live(scope), YEAR) == named
    assert _nonzero(statistics.case_months(*args, citizenships=named, regions=True)) == _nonzero(
        statistics.case_months(_live(scope), *args[1:], citizenships=named, regions=True)
    )
    assert _nonzero(statistics.referral_months(*args)) == _nonzero(
        statistics.referral_months(_live(scope), *args[1:])
    )


def test_the_figures_follow_cases_and_referrals_changed_and_closed(
    recorded, users, caseworker, regions
):
    moved, unmasked, closed = recorded[7], recorded[8], recorded[9]
    for case, changes in (
        (moved, {"identified_on": date(2025, 11, 20), "identified_region": regions["bangui"]}),
        (unmasked, {"trafficking_status": "NotAVictimOfTrafficking"}),
    ):
        case = Case.objects.get(pk=case.pk)
        case_services.case_update(
            actor=caseworker,
            case=case,
            expected_version=case.version,
            loaded={},
            changes=changes,
        )
    closure = case_workflow.closure_request(actor=caseworker, case=closed, reason="Reintegrated")
    case_workflow.closure_decide(actor=users[Role.SUPERVISOR], closure=closure, approve=True)
    referral = Referral.objects.filter(status=S.SENT, case__identified_country="CF").first()
    referral.status = S.COMPLETED
    referral.responded_at = referral.sent_at + timedelta(hours=5)
    referral.save()

    assert not PendingFigures.objects.exists()
    _assert_same_as_live(NATIONAL)
    _assert_same_as_live([Scope(country="CF")], region_id=regions["bangui"].pk)


def test_a_change_rolled_back_leaves_the_figures_as_they_were(recorded, caseworker):
    before = statistics.cases(Scope(country="CF"), OCTOBER, k=None)

    with pytest.raises(RuntimeError), transaction.atomic():
        _victim(caseworker, OCTOBER.start)
        raise RuntimeError("the transaction fails")

    assert statistics.cases(Scope(country="CF"), OCTOBER, k=None) == before


def _rows() -> list[tuple]:
    return [
        sorted(model.objects.values_list(*columns), key=str)
        for model, columns in (
            (MonthlyCaseFigure, ("month", "country", "dimension", "value", "count")),
            (
                MonthlyReferralFigure,
                ("month", "country", "region", "status", "cross_border", "count"),
            ),
            (MonthlyResponseTime, ("month", "country", "minutes", "answered", "seconds")),
            (MonthlyServiceFigure, ("month", "country", "region", "service_type", "count")),
        )
    ]


def test_counting_again_gives_the_same_rows(recorded):
    counted = _rows()

    aggregates.refresh()
    assert _rows() == counted
    aggregates.refresh()
    assert _rows() == counted
    aggregates.refresh(months=[OCTOBER.start, date(2024, 3, 1)])
    assert _rows() == counted
    assert aggregates.refresh_pending() == 0
    assert _rows() == counted


def test_a_refresh_counts_rows_written_behind_its_back(recorded):
    """The data was loaded without the application (by COPY, say): `refresh` counts it."""
    for model in (MonthlyCaseFigure, MonthlyReferralFigure, MonthlyResponseTime):
        model.objects.filter(month=OCTOBER.start).delete()
    MonthlyServiceFigure.objects.all().delete()
    assert statistics.cases(Scope(country="CF"), OCTOBER, k=None)["identified"] == 0

    aggregates.refresh(months=[OCTOBER.start])
    _assert_same_as_live([Scope(country="CF")], periods_=[OCTOBER])
    assert statistics.services(Scope(country="CF"), SEPTEMBER, k=None) != statistics.services(
        Scope(country="CF", live=True), SEPTEMBER, k=None
    )

    call_command("refresh_figures", stdout=open("/dev/null", "w"))  # noqa: SIM115
    _assert_same_as_live(NATIONAL)


def test_the_periodic_pass_counts_what_was_written_without_a_note(recorded):
    aggregates.catch_up()  # the first pass ever counts everything
    case = recorded[10]
    # A bulk write: no save, no signal, only the row's timestamp.
    Case.objects.filter(pk=case.pk).update(sex="male", updated_at=timezone.now())
    Referral.objects.filter(case=case).update(
        status=S.COMPLETED,
        updated_at=timezone.now(),
        responded_at=F("sent_at") + timedelta(hours=1),
    )
    assert statistics.cases(Scope(country="CF"), YEAR, k=None) != statistics.cases(
        Scope(country="CF", live=True), YEAR, k=None
    )

    assert tasks.aggregates_catch_up() >= 2

    _assert_same_as_live(NATIONAL)
    state = AggregateRefresh.objects.get()
    assert state.checked_at is not None and state.recounted_at is not None


# With a broker: noted in the transaction, counted by a task queued once per burst


@pytest.fixture
def broker(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    queued: list[dict] = []
    monkeypatch.setattr(
        tasks.aggregates_refresh, "apply_async", lambda **kwargs: queued.append(kwargs)
    )
    return queued


def test_with_a_broker_changes_are_noted_and_one_task_counts_a_burst_of_them(
    caseworker, broker, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            _victim(caseworker, OCTOBER.start)

    assert broker == [{"countdown": aggregates.DEBOUNCE_SECONDS}]
    assert PendingFigures.objects.filter(country="CF", month=OCTOBER.start).count() == 3
    assert statistics.cases(Scope(country="CF"), OCTOBER, k=None)["identified"] == 0

    assert tasks.aggregates_refresh() == 1

    assert statistics.cases(Scope(country="CF"), OCTOBER, k=None)["identified"] == 3
    assert not PendingFigures.objects.exists()
    # The task let the next change queue another.
    with django_capture_on_commit_callbacks(execute=True):
        _victim(caseworker, NOVEMBER.start)
    assert len(broker) == 2


def test_a_lost_task_leaves_its_notes_to_the_periodic_pass(caseworker, broker):
    _victim(caseworker, OCTOBER.start)  # its transaction never commits: nothing is queued
    aggregates.refresh()  # the figures were counted once, the note stays

    assert not broker
    assert PendingFigures.objects.exists()
    assert statistics.cases(Scope(country="CF"), OCTOBER, k=None)["identified"] == 1

    aggregates.catch_up()

    assert not PendingFigures.objects.exists()


# On the page


@pytest.fixture
def ministry(users):
    return users[Role.MINISTRY]


def _page(user, lang: str = "en", **params) -> str:
    client = Client(headers={"accept-language": lang})
    client.force_login(user)
    response = client.get(reverse("reports:dashboard"), params)
    assert response.status_code == 200
    return response.content.decode()


def _as_of_line(page: str) -> str:
    start = page.index('data-testid="figures-as-of"')
    return " ".join(page[page.index(">", start) + 1 : page.index("</p>", start)].split())


def test_the_dashboard_says_when_its_figures_were_counted(ministry, caseworker):
    assert _as_of_line(_page(ministry)) == (
        "Figures not counted yet: they are counted every 5 minutes."
    )
    _victim(caseworker, OCTOBER.start)
    today = timezone.localdate()
    AggregateRefresh.objects.update(refreshed_at=_moment(today, 14).replace(minute=5))

    assert _as_of_line(_page(ministry)) == "Figures as of 14:05, updated every 5 minutes."

    AggregateRefresh.objects.update(refreshed_at=_moment(date(2026, 2, 3), 9))
    assert _as_of_line(_page(ministry)) == (
        "Figures as of 3 February 2026, 09:00, updated every 5 minutes."
    )


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER])
def test_the_figures_stay_refused_to_the_case_team_and_partners(users, role):
    client = Client()
    client.force_login(users[role])

    assert client.get(reverse("reports:dashboard")).status_code == 403


def test_small_counts_read_from_the_monthly_figures_stay_hidden(ministry, caseworker):
    for _ in range(3):
        _victim(caseworker, OCTOBER.start)

    figures = statistics.cases(Scope(country="CF"), OCTOBER, k=K)
    page = _page(ministry, period=OCTOBER.key)

    assert figures["identified"] == "<5"
    assert figures["by_sex"] == {"female": "<5", "male": "<5", "other": "<5"}
    assert 'data-testid="identified-total">&lt;5<' in page


def test_the_dashboard_runs_as_many_queries_for_one_month_as_for_many(
    ministry, caseworker, users, other_org
):
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    _victim(caseworker, OCTOBER.start)

    def queries() -> int:
        client = Client()
        client.force_login(ministry)
        client.get(reverse("reports:dashboard"), {"period": YEAR.key})  # warm
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("reports:dashboard"), {"period": YEAR.key}).status_code
        return len(captured)

    before = queries()
    for month in range(1, 13):
        case = _victim(caseworker, date(2025, month, 12), citizenships=["NG", "ML"])
        _referral(
            case,
            caseworker,
            case.identified_on,
            S.ACCEPTED,
            partner=partner,
            answered_after=timedelta(hours=month),
        )

    assert queries() == before


# The median hours to respond


def test_the_median_from_buckets_is_exact_when_answers_took_whole_buckets(caseworker):
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    for hours in (1, 2, 3.5, 4, 5, 6, 30, 80):
        case = _victim(caseworker, OCTOBER.start)
        _referral(
            case,
            caseworker,
            OCTOBER.start,
            S.ACCEPTED,
            partner=partner,
            answered_after=timedelta(hours=hours),
        )
    scope = Scope(country="CF")

    median, answered = statistics.response_times(scope, OCTOBER.start, OCTOBER.end)

    assert (median, answered) == (4.5, 8)
    assert statistics.response_times(_live(scope), OCTOBER.start, OCTOBER.end) == (4.5, 8)


@pytest.mark.parametrize(
    "minutes",
    [
        [61, 62, 63, 64, 66],  # under two days: buckets of 6 minutes
        [3000, 3010, 3050, 3100],  # under 30 days: of an hour
        [50_000, 51_000, 60_000],  # beyond: of a day
    ],
)
def test_the_median_from_buckets_stays_within_a_bucket_of_the_exact_one(caseworker, minutes):
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    for delay in minutes:
        case = _victim(caseworker, OCTOBER.start)
        _referral(
            case,
            caseworker,
            OCTOBER.start,
            S.ACCEPTED,
            partner=partner,
            answered_after=timedelta(minutes=delay),
        )
    scope = Scope(country="CF")
    width = 0.1 if minutes[0] < 2880 else 1 if minutes[0] < 43200 else 24

    median, _answered = statistics.response_times(scope, OCTOBER.start, OCTOBER.end)
    exact, _answered = statistics.response_times(_live(scope), OCTOBER.start, OCTOBER.end)

    assert abs(median - exact) <= width + 0.05


# Kept current


def test_the_schedules_recount_the_figures_every_5_minutes_and_nightly(db):
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("setup_schedules", stdout=open("/dev/null", "w"))  # noqa: SIM115

    catch_up = PeriodicTask.objects.get(task="reports.tasks.aggregates_catch_up")
    assert (catch_up.interval.every, catch_up.interval.period) == (5, "minutes")
    nightly = PeriodicTask.objects.get(task="reports.tasks.aggregates_recount")
    assert (nightly.crontab.hour, nightly.crontab.minute) == ("1", "30")


def test_the_demo_leaves_the_figures_counted(db):
    with override_settings(DEMO=True):
        call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert MonthlyCaseFigure.objects.exists() and MonthlyReferralFigure.objects.exists()
    assert not PendingFigures.objects.exists()
    countries = set(MonthlyCaseFigure.objects.values_list("country", flat=True))
    last = periods.last_complete(Unit.MONTH, timezone.localdate())
    _assert_same_as_live(
        [Scope(country=c) for c in countries], periods_=[Window(last), last.quarter()]
    )


def test_only_whole_months_of_a_country_are_read_from_the_monthly_figures():
    window = Window(Period(2025, Unit.MONTH, 12))
    assert Scope(country="CF").counted_ahead(window.start, window.end)
    assert not Scope(country="CF").counted_ahead(date(2025, 1, 2), date(2025, 1, 31))
    assert not Scope(country="CF", live=True).counted_ahead(window.start, window.end)


def _import(rows: list[dict], supervisor):
    import io

    from cases.services import transfer
    from tests.cases.steps import htcds_csv

    return transfer.import_cases(
        name="cases.csv",
        stream=io.BytesIO(htcds_csv(rows, [*rows[0]])),
        organisation=supervisor.organisation,
        actor=supervisor,
    )


def test_cases_imported_in_bulk_are_counted_as_registered_ones(recorded, users):
    """The batched import writes without save(): it tells reports which cases it wrote."""
    from tests.cases.steps import GOOD_ROWS

    rows = [dict(row, identified_on="2025-10-03") for row in GOOD_ROWS]
    supervisor = users[Role.SUPERVISOR]
    report = _import(rows, supervisor)

    assert report.ok and report.created == len(GOOD_ROWS), report.errors
    assert not PendingFigures.objects.exists()
    _assert_same_as_live(NATIONAL)


def test_an_import_in_several_batches_recounts_each_month_once(recorded, users, monkeypatch):
    from cases.services import bulk_import
    from reports.services import aggregates
    from tests.cases.steps import GOOD_ROWS

    monkeypatch.setattr(bulk_import, "BATCH_SIZE", 1)
    days = itertools.cycle(["2025-10-03", "2025-11-20"])
    rows = [dict(row, identified_on=next(days)) for row in GOOD_ROWS]
    recounts = []
    refresh = aggregates.refresh_now
    monkeypatch.setattr(
        aggregates, "refresh_now", lambda units: recounts.append(units) or refresh(units)
    )
    supervisor = users[Role.SUPERVISOR]
    report = _import(rows, supervisor)

    assert report.ok and report.created == len(GOOD_ROWS) > 2, report.errors
    assert len(recounts) == 1
    assert {unit[2] for unit in recounts[0]} == {date(2025, 10, 1), date(2025, 11, 1)}
    _assert_same_as_live(NATIONAL)
