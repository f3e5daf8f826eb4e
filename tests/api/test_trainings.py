"""trainings/ and trainings/totals/ (issue 13): JSON keys are the trainings import's columns,
with lists for audiences, topics and partners; writes go through the session page's form
and service (same rules, same audit); no silent overwrite; lists and totals scoped as the
pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from tests import factories
from trainings.models import TrainingSession
from trainings.services import sessions as training_sessions
from trainings.services.transfer import COLUMNS

TRAININGS = "/api/v1/trainings/"
TOTALS = "/api/v1/trainings/totals/"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def programme(users):
    return users[Role.PROGRAMME]


@pytest.fixture
def partner_org(db):
    return factories.organisation(name="Caritas Bangui", acronym="CARITAS")


@pytest.fixture
def body(db, org, partner_org):
    factories.region("CF", "Ombella-M'Poko")
    factories.project(code="CF-TIP-1", organisations=[org])
    return {
        "title": "Awareness in Bimbo",
        "session_type": "awareness",
        "start_date": "2025-04-01",
        "end_date": "2025-04-02",
        "country": "CF",
        "region": "Ombella-M'Poko",
        "locality": "Bimbo",
        "organiser": "IOM CAR",
        "partners": ["caritas"],
        "project_code": "CF-TIP-1",
        "audiences": ["police", "teachers"],
        "topics": ["tip_basics", "child_protection"],
        "participants_female": 12,
        "participants_male": 9,
        "participants_other": 1,
        "notes": "Market day",
    }


def _session(organiser, **fields):
    values = {
        "title": "Training",
        "session_type": "training",
        "start_date": date(2025, 3, 1),
        "end_date": date(2025, 3, 2),
        "country": "CF",
        "audiences": ["police"],
        "participants_female": 3,
        "participants_male": 4,
        **fields,
    }
    return training_sessions.session_record(actor=None, organiser=organiser, **values)


def _errors(response) -> dict:
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()["errors"]


# Creating


def test_a_session_is_created_from_the_import_columns_with_lists(
    programme, org, partner_org, body, api_as
):
    response = api_as(programme).post(TRAININGS, body, format="json")

    assert response.status_code == 201, response.content
    session = TrainingSession.objects.get()
    assert session.organiser == org
    assert session.created_by == programme
    assert list(session.partners.all()) == [partner_org]
    assert session.audiences == ["police", "teachers"]
    assert session.topics == ["tip_basics", "child_protection"]
    assert session.region.name == "Ombella-M'Poko"
    assert session.project.code == "CF-TIP-1"
    assert session.participants_total == 22
    data = response.json()
    assert set(COLUMNS) <= set(data)
    assert data["partners"] == ["Caritas Bangui"]
    assert data["audiences"] == ["police", "teachers"]
    assert data["organiser"] == "IOM Central African Republic"
    assert data["project_code"] == "CF-TIP-1"
    assert data["participants_total"] == 22
    assert response["ETag"] == f'"{data["version"]}"'
    assert response["Location"].endswith(f"{TRAININGS}{session.pk}/")
    # Audited by the page's service.
    entry = AuditEntry.objects.get(action="trainings.session.recorded")
    assert entry.actor == programme and entry.target_id == str(session.pk)


def test_only_the_required_columns_are_needed_and_counts_default_to_zero(programme, api_as):
    body = {
        "title": "Short",
        "session_type": "training",
        "start_date": "2025-04-01",
        "end_date": "2025-04-01",
        "country": "CF",
        "audiences": ["police"],
    }

    response = api_as(programme).post(TRAININGS, body, format="json")

    assert response.status_code == 201, response.content
    assert response.json()["participants_total"] == 0
    assert response.json()["partners"] == [] and response.json()["region"] is None


def test_multi_valued_columns_are_lists_not_joined_text(programme, body, api_as):
    response = api_as(programme).post(
        TRAININGS, {**body, "audiences": "police;teachers"}, format="json"
    )

    assert list(_errors(response)) == ["audiences"]
    assert not TrainingSession.objects.exists()


def test_the_session_rules_of_the_page_apply(programme, body, api_as):
    response = api_as(programme).post(
        TRAININGS,
        {**body, "end_date": "2025-03-01", "audiences": [], "session_type": "lecture"},
        format="json",
    )

    errors = _errors(response)
    assert {"end_date", "session_type"} <= set(errors)
    assert not TrainingSession.objects.exists()


def test_names_the_form_would_not_offer_are_refused(programme, other_org, body, api_as):
    foreign = factories.project(code="GN-1", organisations=[other_org])
    api = api_as(programme)

    response = api.post(
        TRAININGS,
        {
            **body,
            # Its own organisation is not a co-organising partner; nobody is called "Nobody".
            "partners": ["IOM CAR", "Nobody"],
            "project_code": foreign.code,
            "region": "Atlantis",
            "organiser": "Other NGO",
        },
        format="json",
    )

    errors = _errors(response)
    assert set(errors) == {"partners", "project_code", "region", "organiser"}
    assert len(errors["partners"]) == 2
    assert not TrainingSession.objects.exists()


def test_an_unknown_field_is_refused_not_ignored(programme, body, api_as):
    response = api_as(programme).post(TRAININGS, {**body, "venue": "Hall"}, format="json")

    assert list(_errors(response)) == ["venue"]


def test_a_replayed_idempotency_key_creates_nothing(programme, body, api_as):
    api = api_as(programme)

    first = api.post(TRAININGS, body, format="json", HTTP_IDEMPOTENCY_KEY="session-1")
    again = api.post(TRAININGS, body, format="json", HTTP_IDEMPOTENCY_KEY="session-1")

    assert first.status_code == again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert TrainingSession.objects.count() == 1


@pytest.mark.parametrize("role", [Role.MNE, Role.MINISTRY, Role.CASEWORKER, Role.ADMIN])
def test_roles_that_do_not_record_sessions_are_refused(users, body, api_as, role):
    response = api_as(users[role]).post(TRAININGS, body, format="json")

    assert response.status_code == 403
    assert not TrainingSession.objects.exists()


def test_a_read_only_token_cannot_create(programme, body, api_as):
    response = api_as(programme, read_only=True).post(TRAININGS, body, format="json")

    assert response.status_code == 403


# Changing


def test_a_put_with_the_current_etag_changes_the_session(programme, org, partner_org, api_as):
    session = _session(org)
    api = api_as(programme)
    read = api.get(f"{TRAININGS}{session.pk}/")
    data = {key: value for key, value in read.json().items() if key in COLUMNS}

    response = api.put(
        f"{TRAININGS}{session.pk}/",
        {**data, "title": "Renamed", "partners": ["CARITAS"], "topics": ["sgbv"]},
        format="json",
        HTTP_IF_MATCH=read["ETag"],
    )

    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.title == "Renamed"
    assert list(session.partners.all()) == [partner_org]
    assert session.topics == ["sgbv"]
    assert response["ETag"] != read["ETag"]
    assert AuditEntry.objects.filter(action="trainings.session.changed").count() == 1


def test_a_stale_if_match_is_refused_with_412(programme, org, api_as):
    session = _session(org)
    api = api_as(programme)
    first = api.get(f"{TRAININGS}{session.pk}/")["ETag"]
    assert (
        api.patch(
            f"{TRAININGS}{session.pk}/", {"notes": "one"}, format="json", HTTP_IF_MATCH=first
        ).status_code
        == 200
    )

    response = api.patch(
        f"{TRAININGS}{session.pk}/", {"notes": "two"}, format="json", HTTP_IF_MATCH=first
    )

    assert response.status_code == 412
    assert f'"{response.json()["version"]}"' == api.get(f"{TRAININGS}{session.pk}/")["ETag"]
    session.refresh_from_db()
    assert session.notes == "one"


def test_a_change_without_if_match_is_refused_with_428(programme, org, api_as):
    session = _session(org)

    response = api_as(programme).patch(f"{TRAININGS}{session.pk}/", {"notes": "x"}, format="json")

    assert response.status_code == 428
    session.refresh_from_db()
    assert session.notes == ""


def test_a_patch_keeps_what_it_does_not_send(programme, org, partner_org, api_as):
    session = _session(
        org, facilitators="Trainer", venue="Town hall", topics=["sgbv"], locality="Bimbo"
    )
    session.partners.set([partner_org])

    response = api_as(programme).patch(
        f"{TRAININGS}{session.pk}/",
        {"audiences": ["police", "magistrates"]},
        format="json",
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 200, response.content
    session.refresh_from_db()
    assert session.audiences == ["police", "magistrates"]
    assert (session.facilitators, session.venue, session.locality) == (
        "Trainer",
        "Town hall",
        "Bimbo",
    )
    assert session.topics == ["sgbv"]
    assert list(session.partners.all()) == [partner_org]


def test_the_organiser_cannot_be_changed(programme, org, api_as):
    session = _session(org)

    response = api_as(programme).patch(
        f"{TRAININGS}{session.pk}/", {"organiser": "Other NGO"}, format="json", HTTP_IF_MATCH="*"
    )

    assert list(_errors(response)) == ["organiser"]


def test_another_organisations_session_is_404_to_change(programme, other_org, api_as):
    session = _session(other_org, country="GN")

    response = api_as(programme).patch(
        f"{TRAININGS}{session.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH="*"
    )

    assert response.status_code == 404


def test_mne_reads_but_does_not_change(users, org, api_as):
    session = _session(org)
    api = api_as(users[Role.MNE])

    assert api.get(f"{TRAININGS}{session.pk}/").status_code == 200
    response = api.patch(
        f"{TRAININGS}{session.pk}/", {"notes": "x"}, format="json", HTTP_IF_MATCH="*"
    )
    assert response.status_code == 403


# Lists


def test_the_list_is_scoped_as_the_session_list_page(users, org, other_org, api_as):
    own = _session(org)
    foreign = _session(other_org, country="GN", title="Elsewhere")
    co_organised = _session(other_org, country="GN", title="Together")
    co_organised.partners.set([org])

    mine = api_as(users[Role.PROGRAMME]).get(TRAININGS).json()["results"]
    everything = api_as(users[Role.MNE]).get(TRAININGS).json()["results"]

    assert {s["id"] for s in mine} == {own.pk, co_organised.pk}
    assert {s["id"] for s in everything} == {own.pk, foreign.pk, co_organised.pk}
    assert api_as(users[Role.PROGRAMME]).get(f"{TRAININGS}{foreign.pk}/").status_code == 404


def test_the_list_takes_the_pages_filters(users, org, api_as):
    training = _session(org)
    _session(org, title="Talk", session_type="awareness", audiences=["teachers"])
    api = api_as(users[Role.PROGRAMME])

    by_type = api.get(TRAININGS, {"session_type": "training"}).json()["results"]
    by_audience = api.get(TRAININGS, {"audience": "police"}).json()["results"]

    assert [s["id"] for s in by_type] == [training.pk]
    assert [s["id"] for s in by_audience] == [training.pk]
    assert list(_errors(api.get(TRAININGS, {"topic": "nonsense"}))) == ["topic"]


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER, Role.MINISTRY, Role.ADMIN])
def test_roles_without_the_session_list_are_refused(users, api_as, role):
    assert api_as(users[role]).get(TRAININGS).status_code == 403


# Totals


def test_totals_are_scoped_to_the_users_country_as_on_the_totals_page(
    users, org, other_org, api_as
):
    _session(org, participants_female=3, participants_male=4)
    _session(other_org, country="GN", title="Conakry", participants_female=10)

    ministry = api_as(users[Role.MINISTRY]).get(TOTALS)
    mne = api_as(users[Role.MNE]).get(TOTALS)

    assert ministry.status_code == 200
    assert (ministry.json()["sessions"], ministry.json()["total"]) == (1, 7)
    assert [r["country"] for r in ministry.json()["by_region"]] == ["CF"]
    assert (mne.json()["sessions"], mne.json()["total"]) == (2, 21)
    assert mne.json()["by_audience"] == [
        {"code": "police", "label": "Police", "sessions": 2, "participants": 21}
    ]


def test_totals_take_the_list_filters(users, org, api_as):
    _session(org, participants_female=3)
    _session(org, title="Later", start_date=date(2025, 6, 1), end_date=date(2025, 6, 1))

    response = api_as(users[Role.MNE]).get(TOTALS, {"date_from": "2025-05-01"})

    assert response.json()["sessions"] == 1


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER])
def test_roles_without_the_totals_page_are_refused(users, api_as, role):
    assert api_as(users[role]).get(TOTALS).status_code == 403


def test_updated_since_lists_the_sessions_changed_since(users, org, api_as):
    old = _session(org)
    TrainingSession.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    new = _session(org, title="New")
    since = (timezone.now() - timedelta(days=1)).isoformat()

    response = api_as(users[Role.PROGRAMME]).get(TRAININGS, {"updated_since": since})

    assert [s["id"] for s in response.json()["results"]] == [new.pk]


def test_null_characters_in_names_are_refused_before_any_lookup(programme, body, api_as):
    response = api_as(programme).post(
        TRAININGS,
        {**body, "partners": ["Cari\x00tas"], "project_code": "CF\x00", "region": "\x00"},
        format="json",
    )

    assert set(_errors(response)) == {"partners", "project_code", "region"}
