"""People reached: the total is the sum of the counts by sex and is never typed; totals by
sex, audience, type and region come out right on known data; the filters shared by the
list, the totals page and the exports pick the right sessions; counts by age group must
agree with the counts by sex."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db.models import F
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from tests import factories
from trainings import selectors
from trainings.models import TrainingSession
from trainings.services import sessions as training_sessions

_titles = itertools.count(1)


def _session(organiser, **fields) -> TrainingSession:
    """A valid session through the service, as every form and import records one."""
    data = {
        "title": f"Session {next(_titles)}",
        "session_type": "training",
        "start_date": date(2025, 3, 1),
        "end_date": date(2025, 3, 2),
        "country": "CF",
        "audiences": ["police"],
        "topics": ["tip_basics"],
    }
    return training_sessions.session_record(actor=None, organiser=organiser, **{**data, **fields})


@pytest.fixture
def client():
    # English, so that the assertions read the pages as an English speaker sees them.
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def bangui(db):
    return factories.region("CF", "Bangui")


@pytest.fixture
def ouaka(db):
    return factories.region("CF", "Ouaka")


@pytest.fixture
def conakry(db):
    return factories.region("GN", "Conakry")


@pytest.fixture
def project(org):
    return factories.project(organisations=[org], code="CF-TIP-2025")


@pytest.fixture
def known(org, other_org, bangui, ouaka, conakry, project):
    """Four sessions whose totals are worked out by hand below."""
    return {
        "police": _session(
            org,
            title="Formation des OPJ",
            session_type="training",
            start_date=date(2025, 2, 10),
            end_date=date(2025, 2, 12),
            region=bangui,
            audiences=["police", "gendarmerie"],
            topics=["tip_basics", "victim_identification"],
            participants_female=10,
            participants_male=20,
            project=project,
        ),
        "leaders": _session(
            org,
            title="Sensibilisation des leaders",
            session_type="awareness",
            start_date=date(2025, 5, 20),
            end_date=date(2025, 5, 20),
            region=ouaka,
            audiences=["community_leaders"],
            topics=["sgbv"],
            participants_female=30,
            participants_male=5,
            participants_other=5,
        ),
        "magistrates": _session(
            other_org,
            title="Atelier magistrats",
            session_type="workshop",
            start_date=date(2024, 11, 5),
            end_date=date(2024, 11, 6),
            country="GN",
            region=conakry,
            audiences=["police", "magistrates"],
            topics=["trafficking_smuggling_gbv", "legal_framework"],
            participants_female=4,
            participants_male=6,
            participants_other=2,
        ),
        "webinar": _session(
            org,
            title="Webinaire travailleurs sociaux",
            session_type="webinar",
            start_date=date(2025, 8, 1),
            end_date=date(2025, 8, 1),
            online=True,
            audiences=["social_workers"],
            topics=["data_protection"],
            participants_female=7,
            participants_other=1,
        ),
    }


def _titles_of(sessions) -> set[str]:
    return {s.title for s in sessions}


# The total is the sum


def test_total_is_the_sum_of_the_counts_by_sex(org):
    session = _session(org, participants_female=12, participants_male=9, participants_other=1)

    session.refresh_from_db()
    assert session.participants_total == 22


def test_total_follows_the_counts_when_they_are_corrected(org, users):
    session = _session(org, participants_female=12, participants_male=9, participants_other=1)

    training_sessions.session_update(
        actor=users[Role.PROGRAMME],
        session=session,
        partners=[],
        participants_female=15,
        participants_male=9,
        participants_other=0,
    )

    session.refresh_from_db()
    assert session.participants_total == 24


def test_total_is_computed_by_the_database_even_for_a_bulk_update(org):
    session = _session(org, participants_female=12, participants_male=9)

    TrainingSession.objects.filter(pk=session.pk).update(
        participants_female=F("participants_female") + 5
    )

    session.refresh_from_db()
    assert session.participants_total == 26


def test_a_total_passed_to_the_service_is_ignored(org):
    session = _session(org, participants_female=3, participants_male=4, participants_total=999)

    session.refresh_from_db()
    assert session.participants_total == 7


def test_a_session_without_counts_reached_nobody(org):
    session = _session(org)

    session.refresh_from_db()
    assert session.participants_total == 0


# Totals on known data


def test_totals_count_sessions_and_people_by_sex(known):
    totals = selectors.totals(TrainingSession.objects.all())

    assert totals["sessions"] == 4
    assert (totals["female"], totals["male"], totals["other"]) == (51, 31, 8)
    assert totals["total"] == 90


def test_totals_by_audience_count_a_session_under_each_of_its_audiences(known):
    totals = selectors.totals(TrainingSession.objects.all())

    by_audience = {
        row["code"]: (row["sessions"], row["participants"]) for row in totals["by_audience"]
    }
    assert by_audience == {
        "police": (2, 42),
        "gendarmerie": (1, 30),
        "community_leaders": (1, 40),
        "magistrates": (1, 12),
        "social_workers": (1, 8),
    }


def test_totals_by_type(known):
    totals = selectors.totals(TrainingSession.objects.all())
    # The labels are lazy: read in English whatever language an earlier test left active.
    with translation.override("en"):
        labels = {str(row["label"]) for row in totals["by_type"]}

    by_type = [
        (row["session_type"], row["sessions"], row["participants"]) for row in totals["by_type"]
    ]
    assert by_type == [
        ("awareness", 1, 40),
        ("training", 1, 30),
        ("webinar", 1, 8),
        ("workshop", 1, 12),
    ]
    assert labels == {
        "Awareness-raising session",
        "Training",
        "Webinar",
        "Workshop",
    }


def test_totals_by_region_with_the_counts_by_sex(known):
    totals = selectors.totals(TrainingSession.objects.all())

    by_region = {
        (str(row["country"]), row["region__name"]): (
            row["sessions"],
            row["female"],
            row["male"],
            row["participants"],
        )
        for row in totals["by_region"]
    }
    assert by_region == {
        ("CF", "Bangui"): (1, 10, 20, 30),
        ("CF", "Ouaka"): (1, 30, 5, 40),
        ("CF", None): (1, 7, 0, 8),
        ("GN", "Conakry"): (1, 4, 6, 12),
    }


def test_totals_of_no_session_are_zero(db):
    totals = selectors.totals(TrainingSession.objects.none())

    assert (totals["sessions"], totals["total"], totals["female"]) == (0, 0, 0)
    assert totals["by_audience"] == totals["by_type"] == totals["by_region"] == []


# Filters


FILTERS = {
    "period": (
        lambda ctx: {"date_from": date(2025, 1, 1), "date_to": date(2025, 6, 30)},
        {"police", "leaders"},
    ),
    "period_bounds_are_inclusive": (
        lambda ctx: {"date_from": date(2025, 2, 10), "date_to": date(2025, 5, 20)},
        {"police", "leaders"},
    ),
    "type": (lambda ctx: {"session_type": "workshop"}, {"magistrates"}),
    "topic": (lambda ctx: {"topic": "legal_framework"}, {"magistrates"}),
    # "sgbv" is a code of its own, not a part of "trafficking_smuggling_gbv".
    "topic_code_is_matched_whole": (lambda ctx: {"topic": "sgbv"}, {"leaders"}),
    "audience": (lambda ctx: {"audience": "police"}, {"police", "magistrates"}),
    "country": (lambda ctx: {"country": "GN"}, {"magistrates"}),
    "region": (lambda ctx: {"region": ctx["ouaka"]}, {"leaders"}),
    "organiser": (lambda ctx: {"organiser": ctx["other_org"]}, {"magistrates"}),
    "project": (lambda ctx: {"project": ctx["project"]}, {"police"}),
    "combined": (lambda ctx: {"country": "CF", "audience": "police"}, {"police"}),
}


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_filter_picks_the_matching_sessions(known, other_org, ouaka, project, name):
    criteria, expected = FILTERS[name]
    ctx = {"other_org": other_org, "ouaka": ouaka, "project": project}

    found = selectors.filtered(TrainingSession.objects.all(), criteria(ctx))

    assert _titles_of(found) == {known[key].title for key in expected}


def _query(criteria: dict) -> dict[str, str]:
    """The filter form's GET parameters for `criteria`."""
    return {
        key: (value.isoformat() if isinstance(value, date) else str(getattr(value, "pk", value)))
        for key, value in criteria.items()
    }


@pytest.mark.parametrize("name", sorted(FILTERS))
def test_list_filters_sessions_and_totals_alike(
    client, users, known, other_org, ouaka, project, name
):
    criteria, expected = FILTERS[name]
    ctx = {"other_org": other_org, "ouaka": ouaka, "project": project}
    client.force_login(users[Role.MNE])

    response = client.get(reverse("trainings:session_list"), _query(criteria(ctx)))

    assert response.status_code == 200
    assert _titles_of(response.context["page"]) == {known[key].title for key in expected}
    totals = response.context["totals"]
    assert totals["sessions"] == len(expected)
    assert totals["total"] == sum(known[key].participants_total for key in expected)


def test_totals_page_applies_the_filters(client, users, known):
    client.force_login(users[Role.MNE])

    response = client.get(reverse("trainings:session_totals"), {"audience": "police"})

    assert response.status_code == 200
    totals = response.context["totals"]
    assert (totals["sessions"], totals["total"], totals["female"], totals["male"]) == (
        2,
        42,
        14,
        26,
    )
    page = response.content.decode()
    assert '<div class="fs-4" data-testid="total-participants">42</div>' in page


def test_list_totals_are_those_of_every_matching_session_not_just_the_page(client, users, org):
    for _ in range(30):
        _session(org, participants_female=1, participants_male=1)
    client.force_login(users[Role.PROGRAMME])

    response = client.get(reverse("trainings:session_list"))

    assert len(response.context["page"].object_list) == 25
    assert response.context["totals"]["sessions"] == 30
    assert response.context["totals"]["total"] == 60


# Age groups


def test_age_groups_that_add_up_to_the_total_are_kept(org):
    session = _session(
        org,
        participants_female=6,
        participants_male=4,
        age_under_18=2,
        age_18_24=3,
        age_25_plus=5,
    )

    session.refresh_from_db()
    assert (session.age_under_18, session.age_18_24, session.age_25_plus) == (2, 3, 5)
    assert session.participants_total == 10


def test_age_groups_may_be_left_out(org):
    session = _session(org, participants_female=6, participants_male=4)

    assert (session.age_under_18, session.age_18_24, session.age_25_plus) == (None, None, None)


def test_one_age_group_holding_everybody_is_enough(org):
    session = _session(org, participants_female=6, participants_male=4, age_25_plus=10)

    assert session.age_25_plus == 10


@pytest.mark.parametrize(
    "ages",
    [
        {"age_under_18": 2, "age_18_24": 3, "age_25_plus": 4},
        {"age_under_18": 2, "age_18_24": 3, "age_25_plus": 6},
        {"age_under_18": 3},
        {"age_under_18": 0, "age_18_24": 0, "age_25_plus": 0},
    ],
    ids=["fewer", "more", "only_some", "all_zero"],
)
def test_age_groups_that_do_not_add_up_refuse_the_session(org, ages):
    with pytest.raises(ValidationError) as refused:
        _session(org, title="Refusée", participants_female=6, participants_male=4, **ages)

    assert "age_under_18" in refused.value.message_dict
    assert "10" in refused.value.message_dict["age_under_18"][0]
    assert not TrainingSession.objects.filter(title="Refusée").exists()


def test_correcting_the_counts_by_sex_alone_refuses_an_update_that_breaks_the_ages(org, users):
    session = _session(org, participants_female=6, participants_male=4, age_25_plus=10)

    with pytest.raises(ValidationError) as refused:
        training_sessions.session_update(
            actor=users[Role.PROGRAMME], session=session, partners=[], participants_female=8
        )

    assert "age_under_18" in refused.value.message_dict
    session.refresh_from_db()
    assert (session.participants_female, session.participants_total) == (6, 10)


def test_form_refuses_age_groups_that_do_not_add_up(client, users, org):
    client.force_login(users[Role.PROGRAMME])

    response = client.post(
        reverse("trainings:session_create"),
        {
            "title": "Formation des enseignants",
            "session_type": "training",
            "audiences": ["teachers"],
            "topics": ["child_protection"],
            "country": "CF",
            "start_date": "2025-04-01",
            "end_date": "2025-04-01",
            "participants_female": "12",
            "participants_male": "9",
            "participants_other": "1",
            "age_under_18": "0",
            "age_18_24": "10",
            "age_25_plus": "10",
        },
    )

    assert response.status_code == 200
    assert response.context["form"].errors["age_under_18"] == [
        "The counts by age group add up to 20, but the counts by sex to 22."
    ]
    assert not TrainingSession.objects.exists()
