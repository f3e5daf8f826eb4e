"""What every resource shares: problem details, 403 for a kind the role may not use and 404
outside its scope, versions (ETag, If-Match: 428 and 412), idempotent creation, cursor pages,
`?updated_since=`, the per-token rate, and the schema and docs served from our own files."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import Role
from partners.models import Organisation, PathwayStep
from tests import factories

PARTNERS = "/api/v1/partners/"
PATHWAYS = "/api/v1/pathways/"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body


def test_a_change_without_if_match_is_refused_with_428(users, org, api_as):
    response = api_as(users[Role.ADMIN]).patch(
        f"{PARTNERS}{org.pk}/", {"phone": "+236 1"}, format="json"
    )

    _problem(response, 428)
    org.refresh_from_db()
    assert org.phone == ""


def test_a_stale_if_match_is_refused_with_412_and_the_current_version(users, org, api_as):
    api = api_as(users[Role.ADMIN])
    first = api.get(f"{PARTNERS}{org.pk}/")["ETag"]
    assert (
        api.patch(
            f"{PARTNERS}{org.pk}/", {"phone": "+236 1"}, format="json", HTTP_IF_MATCH=first
        ).status_code
        == 200
    )

    response = api.patch(
        f"{PARTNERS}{org.pk}/", {"phone": "+236 2"}, format="json", HTTP_IF_MATCH=first
    )

    body = _problem(response, 412)
    current = api.get(f"{PARTNERS}{org.pk}/")
    assert f'"{body["version"]}"' == current["ETag"]
    assert current.json()["phone"] == "+236 1"


def test_a_matching_if_match_changes_the_record_and_answers_the_new_etag(users, org, api_as):
    api = api_as(users[Role.ADMIN])
    etag = api.get(f"{PARTNERS}{org.pk}/")["ETag"]

    response = api.patch(
        f"{PARTNERS}{org.pk}/", {"phone": "+236 70"}, format="json", HTTP_IF_MATCH=etag
    )

    assert response.status_code == 200
    assert response["ETag"] != etag
    assert response.json()["phone"] == "+236 70"
    assert response.json()["version"] == response["ETag"].strip('"')


def test_validation_errors_are_field_errors(users, org, api_as):
    api = api_as(users[Role.ADMIN])
    etag = api.get(f"{PARTNERS}{org.pk}/")["ETag"]

    response = api.patch(
        f"{PARTNERS}{org.pk}/", {"email": "not an email"}, format="json", HTTP_IF_MATCH=etag
    )

    body = _problem(response, 400)
    assert list(body["errors"]) == ["email"]


def test_a_field_this_user_may_not_set_is_refused_not_ignored(users, org, api_as):
    # A partner focal point keeps the directory fields of its organisation, not its name.
    partner = users[Role.PARTNER]
    api = api_as(partner)
    etag = api.get(f"{PARTNERS}{org.pk}/")["ETag"]

    response = api.patch(
        f"{PARTNERS}{org.pk}/",
        {"name": "Renamed", "nonsense": 1},
        format="json",
        HTTP_IF_MATCH=etag,
    )

    assert sorted(_problem(response, 400)["errors"]) == ["name", "nonsense"]
    org.refresh_from_db()
    assert org.name == "IOM Central African Republic"


def test_a_kind_the_role_may_not_use_is_403(users, org, api_as):
    api = api_as(users[Role.MINISTRY])
    etag = api.get(f"{PARTNERS}{org.pk}/")["ETag"]

    response = api.patch(f"{PARTNERS}{org.pk}/", {"phone": "1"}, format="json", HTTP_IF_MATCH=etag)

    _problem(response, 403)


def test_a_record_outside_the_scope_is_404(users, other_org, api_as):
    # An administrator changes its own organisation only.
    response = api_as(users[Role.ADMIN]).patch(
        f"{PARTNERS}{other_org.pk}/", {"phone": "1"}, format="json", HTTP_IF_MATCH="*"
    )

    _problem(response, 404)


def test_a_pathway_step_posted_twice_with_one_idempotency_key_is_created_once(users, api_as):
    api = api_as(users[Role.SUPERVISOR])
    partner = factories.organisation(name="Shelter", country="CF")
    body = {"service_type": "shelter", "partner": partner.pk, "rank": 1}

    first = api.post(PATHWAYS, body, format="json", HTTP_IDEMPOTENCY_KEY="step-1")
    again = api.post(PATHWAYS, body, format="json", HTTP_IDEMPOTENCY_KEY="step-1")

    assert first.status_code == 201, first.content
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert PathwayStep.objects.count() == 1


def test_one_idempotency_key_with_another_body_is_refused(users, api_as):
    api = api_as(users[Role.SUPERVISOR])
    partner = factories.organisation(name="Shelter", country="CF")
    body = {"service_type": "shelter", "partner": partner.pk, "rank": 1}
    assert api.post(PATHWAYS, body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201

    response = api.post(PATHWAYS, {**body, "rank": 2}, format="json", HTTP_IDEMPOTENCY_KEY="k")

    _problem(response, 422)
    assert PathwayStep.objects.count() == 1


def test_a_refused_request_keeps_no_idempotency_record(users, api_as):
    api = api_as(users[Role.SUPERVISOR])
    partner = factories.organisation(name="Shelter", country="CF")
    bad = {"service_type": "not-a-service", "partner": partner.pk, "rank": 1}
    assert api.post(PATHWAYS, bad, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 400

    good = {**bad, "service_type": "shelter"}
    response = api.post(PATHWAYS, good, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 201


def test_an_idempotency_key_is_kept_24_hours(users, api_as):
    from api.models import IdempotentRequest

    api = api_as(users[Role.SUPERVISOR])
    partner = factories.organisation(name="Shelter", country="CF")
    body = {"service_type": "shelter", "partner": partner.pk, "rank": 1}
    assert api.post(PATHWAYS, body, format="json", HTTP_IDEMPOTENCY_KEY="k").status_code == 201
    PathwayStep.objects.all().delete()
    IdempotentRequest.objects.update(created_at=timezone.now() - timedelta(hours=25))

    response = api.post(PATHWAYS, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response
    assert PathwayStep.objects.count() == 1


def test_one_users_key_is_not_another_users(users, org, api_as):
    partner = factories.organisation(name="Shelter", country="CF")
    body = {"service_type": "shelter", "partner": partner.pk, "rank": 1}
    first = api_as(users[Role.SUPERVISOR]).post(
        PATHWAYS, body, format="json", HTTP_IDEMPOTENCY_KEY="k"
    )
    assert first.status_code == 201
    PathwayStep.objects.all().delete()

    second = api_as(users[Role.ADMIN]).post(PATHWAYS, body, format="json", HTTP_IDEMPOTENCY_KEY="k")

    assert second.status_code == 201
    assert PathwayStep.objects.count() == 1


def test_lists_page_by_cursor(users, api_as):
    for n in range(5):
        factories.organisation(name=f"Partner {n}")
    api = api_as(users[Role.CASEWORKER])

    first = api.get(PARTNERS, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert len(first["results"]) == 2 and len(second["results"]) == 2
    assert not {o["id"] for o in first["results"]} & {o["id"] for o in second["results"]}
    assert "count" not in first


def test_updated_since_lists_only_what_changed_since(users, org, api_as):
    old = factories.organisation(name="Old partner")
    Organisation.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()

    response = api_as(users[Role.CASEWORKER]).get(PARTNERS, {"updated_since": since})

    ids = {o["id"] for o in response.json()["results"]}
    assert org.pk in ids and old.pk not in ids


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01", "2026-01-01T25:00"])
def test_a_bad_updated_since_is_a_field_error(users, api_as, value):
    response = api_as(users[Role.CASEWORKER]).get(PARTNERS, {"updated_since": value})

    assert list(_problem(response, 400)["errors"]) == ["updated_since"]


def test_a_bad_filter_is_a_field_error(users, api_as):
    response = api_as(users[Role.CASEWORKER]).get(PARTNERS, {"country": "ZZ"})

    assert list(_problem(response, 400)["errors"]) == ["country"]


def test_filters_are_those_of_the_list_page(users, org, other_org, api_as):
    response = api_as(users[Role.CASEWORKER]).get(PARTNERS, {"country": "GN"})

    assert [o["id"] for o in response.json()["results"]] == [other_org.pk]


def test_each_token_has_its_own_rate_and_429_says_when_to_retry(settings, users, api_as):
    settings.API_REQUESTS_PER_MINUTE = 3
    api = api_as(users[Role.CASEWORKER])
    other = api_as(users[Role.CASEWORKER])
    for _ in range(3):
        assert api.get(PARTNERS).status_code == 200

    response = api.get(PARTNERS)

    _problem(response, 429)
    assert int(response["Retry-After"]) > 0
    assert other.get(PARTNERS).status_code == 200


def test_the_schema_is_openapi_3_in_json(db):
    response = APIClient().get("/api/v1/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/partners/" in schema["paths"]
    assert schema["components"]["securitySchemes"]["personalAccessToken"]["scheme"] == "bearer"


def test_the_docs_load_only_our_own_files(client, db):
    response = client.get("/api/v1/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    assert "<style" not in html and "<script>" not in html
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_updated_since_applies_to_pathway_steps(users, api_as):
    partner = factories.organisation(name="Shelter", country="CF")
    old = PathwayStep.objects.create(service_type="shelter", country="CF", partner=partner)
    new = PathwayStep.objects.create(service_type="medical", country="CF", partner=partner)
    PathwayStep.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=3))
    since = (timezone.now() - timedelta(days=1)).isoformat()

    response = api_as(users[Role.SUPERVISOR]).get(PATHWAYS, {"updated_since": since})

    assert [step["id"] for step in response.json()["results"]] == [new.pk]


def test_indicators_check_updated_since_but_answer_every_one(users, api_as):
    # Their values are computed to date: any may have changed since any time.
    response = api_as(users[Role.MNE]).get("/api/v1/indicators/", {"updated_since": "nope"})

    assert list(_problem(response, 400)["errors"]) == ["updated_since"]
