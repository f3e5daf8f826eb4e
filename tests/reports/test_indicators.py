"""Indicators: each computation counts what its definition says on known data (the period,
the scope of a plan's country or a project's records), manual values are entered for a
period, and a period's target is the sum of the targets set inside it."""

from __future__ import annotations

import itertools
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.models import ServiceDelivery
from referrals.models import Referral, ReferralStatus
from reports import indicators
from reports.models import (
    ActionPlan,
    ActionPoint,
    Computation,
    Indicator,
    IndicatorTarget,
    IndicatorValue,
    Pillar,
)
from reports.services import plans
from tests import factories
from traffick_cm import codebooks as cv
from trainings.services import sessions as training_sessions

H1 = (date(2026, 1, 1), date(2026, 6, 30))
Q1 = (date(2026, 1, 1), date(2026, 3, 31))
Q2 = (date(2026, 4, 1), date(2026, 6, 30))
_seq = itertools.count(1)


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def project(org):
    return factories.project(code="CF-TEST-2026", countries=["CF"], organisations=[org])


@pytest.fixture
def plan(org):
    plan = ActionPlan.objects.create(
        code="CF-NAP-TEST",
        country="CF",
        title="Plan d'action national (test)",
        period_start=date(2025, 1, 1),
        period_end=date(2027, 12, 31),
    )
    for order, code in enumerate(["prevention", "protection", "prosecution", "partnership"], 1):
        Pillar.objects.create(plan=plan, code=code, name=code.title(), order=order)
    return plan


def _indicator(*, computation: str, parameter: str = "", target: int = 100, **owner) -> Indicator:
    return Indicator.objects.create(
        code=f"I-{next(_seq)}",
        name=f"Indicator {computation}",
        computation=computation,
        parameter=parameter,
        target=target,
        **owner,
    )


def _session(org, **fields):
    data = {
        "title": f"Session {next(_seq)}",
        "session_type": "training",
        "topics": ["tip_basics"],
        "country": "CF",
    }
    data.update(fields)
    data.setdefault("end_date", data["start_date"])
    return training_sessions.session_record(actor=None, organiser=org, **data)


@pytest.fixture
def sessions(org, project):
    """In CF and H1: magistrates (10, project), police and magistrates (8, no project),
    police (20, project). Outside: magistrates in December (50), magistrates in Guinea (7)."""
    return {
        "magistrates": _session(
            org,
            audiences=["magistrates"],
            topics=["legal_framework"],
            participants_female=4,
            participants_male=6,
            start_date=date(2026, 2, 10),
            project=project,
        ),
        "mixed": _session(
            org,
            audiences=["police", "magistrates"],
            topics=["tip_basics", "legal_framework"],
            participants_female=3,
            participants_male=5,
            start_date=date(2026, 3, 5),
        ),
        "police": _session(
            org,
            audiences=["police"],
            participants_female=10,
            participants_male=10,
            start_date=date(2026, 4, 1),
            project=project,
        ),
        "before": _session(
            org,
            audiences=["magistrates"],
            topics=["legal_framework"],
            participants_female=20,
            participants_male=30,
            start_date=date(2025, 12, 31),
            end_date=date(2026, 1, 2),
            project=project,
        ),
        "guinea": _session(
            org,
            audiences=["magistrates"],
            topics=["legal_framework"],
            participants_male=7,
            country="GN",
            start_date=date(2026, 2, 1),
        ),
    }


def _victim(caseworker, *, on: date, status=cv.TraffickingStatus.POSSIBLE, **case_data):
    n = next(_seq)
    return factories.case(
        caseworker=caseworker,
        first_name=f"Mariam{n}",
        last_name=f"Kossi{n}",
        identified_on=on,
        identified_country=case_data.pop("country", "CF"),
        case_data={"trafficking_status": status, **case_data},
    )


@pytest.fixture
def victims(caseworker, project):
    """In CF and H1: 3 possible (one of the project) and 2 actual victims (one of the
    project). Not counted: not a victim, identified before H1, identified in Guinea."""
    possible, actual = cv.TraffickingStatus.POSSIBLE, cv.TraffickingStatus.ACTUAL
    return {
        "counted": [
            _victim(caseworker, on=date(2026, 1, 15), project=project),
            _victim(caseworker, on=date(2026, 2, 15)),
            _victim(caseworker, on=date(2026, 6, 30)),
            _victim(caseworker, on=date(2026, 1, 1), status=actual, project=project),
            _victim(caseworker, on=date(2026, 5, 5), status=actual),
        ],
        "not_a_victim": _victim(
            caseworker, on=date(2026, 3, 3), status=cv.TraffickingStatus.NOT_A_VICTIM
        ),
        "before": _victim(caseworker, on=date(2025, 12, 15), status=possible, project=project),
        "guinea": _victim(caseworker, on=date(2026, 2, 2), country="GN", project=project),
    }


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.get_current_timezone())


def _referral(case, caseworker, partner, *, status: str, sent: date) -> Referral:
    return Referral.objects.create(
        case=case,
        from_organisation=case.organisation,
        to_organisation=partner,
        service_type="shelter",
        reason="Needs a safe place",
        destination_country="CF",
        status=status,
        packet_fields=["case_number"],
        created_by=caseworker,
        sent_at=_at(sent),
    )


@pytest.fixture
def referrals(caseworker, victims):
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    first, second = victims["counted"][0], victims["counted"][1]
    S = ReferralStatus
    return [
        _referral(first, caseworker, partner, status=S.COMPLETED, sent=date(2026, 1, 20)),
        _referral(second, caseworker, partner, status=S.COMPLETED, sent=date(2026, 6, 1)),
        # Sent before H1 (completed later): counted by the date it was sent, so not here.
        _referral(first, caseworker, partner, status=S.COMPLETED, sent=date(2025, 12, 20)),
        _referral(second, caseworker, partner, status=S.ACCEPTED, sent=date(2026, 2, 1)),
        _referral(second, caseworker, partner, status=S.CLOSED_NO_SERVICE, sent=date(2026, 3, 1)),
    ]


@pytest.fixture
def services_delivered(org, victims, project):
    first, second = victims["counted"][0], victims["counted"][1]

    def deliver(case, service_type, on, **fields):
        return ServiceDelivery.objects.create(
            case=case, service_type=service_type, delivered_on=on, provider=org, **fields
        )

    return [
        deliver(first, "shelter", date(2026, 1, 16), project=project),
        deliver(first, "shelter", date(2026, 2, 1), project=project),
        deliver(second, "shelter", date(2026, 6, 30)),
        deliver(second, "medical", date(2026, 3, 1)),
        deliver(first, "medical", date(2026, 4, 4), project=project),
        deliver(first, "shelter", date(2025, 12, 31), project=project),  # before H1
        deliver(victims["guinea"], "shelter", date(2026, 2, 3), project=project),  # in GN
    ]


# Computations on a plan (its country) and on a project (its records)


def test_people_trained_counts_every_participant_of_sessions_starting_in_the_period(plan, sessions):
    indicator = _indicator(computation=Computation.PEOPLE_TRAINED, plan=plan)

    assert indicators.compute(indicator, *H1) == Decimal(10 + 8 + 20)
    assert indicators.compute(indicator, *Q1) == Decimal(10 + 8)


def test_people_trained_audience_magistrates_counts_only_sessions_for_magistrates(plan, sessions):
    indicator = _indicator(
        computation=Computation.PEOPLE_TRAINED_AUDIENCE, parameter="magistrates", plan=plan
    )

    # The magistrates' session and the mixed one (all 8 of its participants); not the
    # police session, the December one, nor the one in Guinea.
    assert indicators.compute(indicator, *H1) == Decimal(18)


def test_people_trained_audience_of_a_project_counts_the_projects_sessions_only(project, sessions):
    indicator = _indicator(
        computation=Computation.PEOPLE_TRAINED_AUDIENCE, parameter="magistrates", project=project
    )

    assert indicators.compute(indicator, *H1) == Decimal(10)


def test_sessions_on_topic_counts_sessions_not_people(plan, sessions):
    indicator = _indicator(
        computation=Computation.SESSIONS_ON_TOPIC, parameter="legal_framework", plan=plan
    )

    assert indicators.compute(indicator, *H1) == Decimal(2)
    assert indicators.compute(indicator, *Q2) == Decimal(0)


def test_victims_identified_counts_possible_and_actual_victims_in_period_and_country(plan, victims):
    indicator = _indicator(computation=Computation.VICTIMS_IDENTIFIED, plan=plan)

    assert indicators.compute(indicator, *H1) == Decimal(5)
    assert indicators.compute(indicator, *Q1) == Decimal(3)


def test_victims_identified_of_a_project_counts_its_cases_in_any_country(project, victims):
    indicator = _indicator(computation=Computation.VICTIMS_IDENTIFIED, project=project)

    # Two in CF and the one identified in Guinea; not the one before the period.
    assert indicators.compute(indicator, *H1) == Decimal(3)


def test_referrals_completed_counts_completed_referrals_sent_in_the_period(plan, referrals):
    indicator = _indicator(computation=Computation.REFERRALS_COMPLETED, plan=plan)

    assert indicators.compute(indicator, *H1) == Decimal(2)
    assert indicators.compute(indicator, *Q1) == Decimal(1)


def test_services_delivered_counts_services_of_the_type_given(plan, services_delivered):
    every = _indicator(computation=Computation.SERVICES_DELIVERED, plan=plan)
    shelter = _indicator(computation=Computation.SERVICES_DELIVERED, parameter="shelter", plan=plan)

    assert indicators.compute(every, *H1) == Decimal(5)
    assert indicators.compute(shelter, *H1) == Decimal(3)


def test_services_delivered_of_a_project_counts_the_services_it_funded(project, services_delivered):
    indicator = _indicator(computation=Computation.SERVICES_DELIVERED, project=project)

    # Three in CF in H1 and the one in Guinea; not the one of December.
    assert indicators.compute(indicator, *H1) == Decimal(4)


def test_action_points_completed_counts_the_plans_completed_action_points(plan):
    pillar = plan.pillars.get(code="prosecution")
    for number, status in enumerate(
        ["completed", "completed", "in_progress", "delayed", "cancelled"], start=1
    ):
        ActionPoint.objects.create(
            plan=plan, pillar=pillar, number=f"3.{number}", text="Action", status=status
        )
    indicator = _indicator(computation=Computation.ACTION_POINTS_COMPLETED, plan=plan)

    assert indicators.compute(indicator, *H1) == Decimal(2)


# Manual values


def test_a_manual_value_is_the_sum_of_the_values_entered_inside_the_period(plan, users):
    mne = users[Role.MNE]
    indicator = _indicator(computation=Computation.MANUAL, plan=plan)

    assert indicators.compute(indicator, *H1) is None
    plans.indicator_value_enter(
        actor=mne, indicator=indicator, period_start=Q1[0], period_end=Q1[1], value=Decimal(1)
    )
    plans.indicator_value_enter(
        actor=mne, indicator=indicator, period_start=Q2[0], period_end=Q2[1], value=Decimal(2)
    )

    assert indicators.compute(indicator, *H1) == Decimal(3)
    assert indicators.compute(indicator, *Q1) == Decimal(1)
    assert indicators.compute(indicator, date(2026, 7, 1), date(2026, 9, 30)) is None


def test_entering_a_value_again_for_the_same_period_replaces_it(plan, users):
    mne = users[Role.MNE]
    indicator = _indicator(computation=Computation.MANUAL, plan=plan)
    for value in (Decimal(1), Decimal(4)):
        plans.indicator_value_enter(
            actor=mne, indicator=indicator, period_start=Q1[0], period_end=Q1[1], value=value
        )

    assert IndicatorValue.objects.filter(indicator=indicator).count() == 1
    assert indicators.compute(indicator, *Q1) == Decimal(4)
    entries = AuditEntry.objects.filter(
        action="reports.indicator.value_entered", target_id=str(indicator.pk)
    )
    assert [e.data["value"] for e in entries.order_by("id")] == ["1", "4"]
    assert all(e.actor == mne for e in entries)


@pytest.mark.parametrize(
    ("period", "value", "field"),
    [(Q1, Decimal(-1), "value"), ((Q1[1], Q1[0]), Decimal(1), "period_end")],
)
def test_a_negative_value_or_a_backwards_period_is_refused(plan, users, period, value, field):
    indicator = _indicator(computation=Computation.MANUAL, plan=plan)

    with pytest.raises(ValidationError) as error:
        plans.indicator_value_enter(
            actor=users[Role.MNE],
            indicator=indicator,
            period_start=period[0],
            period_end=period[1],
            value=value,
        )

    assert field in error.value.message_dict
    assert not IndicatorValue.objects.exists()


def test_mne_enters_a_manual_value_through_the_page_and_a_ministry_user_may_not(plan, users):
    indicator = _indicator(computation=Computation.MANUAL, plan=plan)
    url = reverse("reports:indicator_value", kwargs={"pk": indicator.pk})
    data = {"period_start": "2026-01-01", "period_end": "2026-03-31", "value": "7"}
    mne = Client(headers={"accept-language": "en"})
    mne.force_login(users[Role.MNE])
    ministry = Client(headers={"accept-language": "en"})
    ministry.force_login(users[Role.MINISTRY])

    assert ministry.post(url, data).status_code == 403
    response = mne.post(url, data)

    assert response.status_code == 302
    assert response["Location"] == reverse("reports:plan_detail", kwargs={"pk": plan.pk})
    assert indicators.compute(indicator, *Q1) == Decimal(7)


# Targets by period


def test_the_target_of_a_period_is_the_sum_of_the_targets_set_inside_it(plan):
    indicator = _indicator(computation=Computation.PEOPLE_TRAINED, plan=plan, target=100)
    IndicatorTarget.objects.create(
        indicator=indicator, period_start=Q1[0], period_end=Q1[1], target=20
    )
    IndicatorTarget.objects.create(
        indicator=indicator, period_start=Q2[0], period_end=Q2[1], target=30
    )

    assert indicators.period_target(indicator, *H1) == Decimal(50)
    assert indicators.period_target(indicator, *Q1) == Decimal(20)
    # No target set inside the period: the indicator's overall target.
    assert indicators.period_target(indicator, date(2027, 1, 1), date(2027, 12, 31)) == 100


def test_rows_show_value_target_and_achievement_and_suppress_small_victim_counts(
    plan, project, sessions, victims
):
    trained = _indicator(
        computation=Computation.PEOPLE_TRAINED_AUDIENCE,
        parameter="magistrates",
        plan=plan,
        target=30,
    )
    IndicatorTarget.objects.create(
        indicator=trained, period_start=Q1[0], period_end=Q1[1], target=24
    )
    identified = _indicator(computation=Computation.VICTIMS_IDENTIFIED, plan=plan, target=10)
    few = _indicator(computation=Computation.VICTIMS_IDENTIFIED, project=project, target=10)
    few_trained = _indicator(computation=Computation.PEOPLE_TRAINED, project=project, target=4)

    plan_rows = {
        r["code"]: r for r in indicators.rows(Indicator.objects.filter(plan=plan), *H1, k=5)
    }
    project_rows = {
        r["code"]: r for r in indicators.rows(Indicator.objects.filter(project=project), *Q1, k=5)
    }

    assert plan_rows[trained.code]["value"] == 18.0
    assert plan_rows[trained.code]["target"] == 24.0
    assert plan_rows[trained.code]["achieved_percent"] == 75
    # 5 victims in H1, but 2, 1, 1 and 1 in their months: each quarter hides what its small
    # months hold, so H1, their sum, is hidden too (as "*": 5 is not under 5).
    assert plan_rows[identified.code]["value"] == "*"
    assert plan_rows[identified.code]["achieved_percent"] is None
    # Two victims of the project in Q1: a small count about victims, hidden.
    assert project_rows[few.code]["value"] == "<5"
    assert project_rows[few.code]["achieved_percent"] is None
    # People trained are not victims: a count of 10 or of 3 is shown as it is.
    assert project_rows[few_trained.code]["value"] == 10.0
    assert project_rows[few_trained.code]["achieved_percent"] == 250


def test_a_victim_indicator_that_is_not_suppressed_shows_its_achievement(plan, victims, caseworker):
    # With these, the months hold 4, 1, 5 | 4, 1, 6: each quarter's hidden months hold 5
    # together, so both quarters, and H1, are shown.
    for day, n in ((date(2026, 1, 20), 2), (date(2026, 3, 10), 5), (date(2026, 4, 10), 4)):
        for _ in range(n):
            _victim(caseworker, on=day)
    for _ in range(5):
        _victim(caseworker, on=date(2026, 6, 10))
    identified = _indicator(computation=Computation.VICTIMS_IDENTIFIED, plan=plan, target=10)

    (row,) = indicators.rows([identified], *H1, k=5)

    assert row["value"] == 21
    assert row["achieved_percent"] == 210
