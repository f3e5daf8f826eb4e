"""referrals/: the case team creates and sends behind the consent gate, the receiving partner
answers through the inbox's services, each side reads what its page shows, and nobody
reaches a referral outside its scope."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone, translation

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.models import ServiceDelivery
from cases.services import records
from referrals import services
from referrals.models import Referral
from tests import factories

REFERRALS = "/api/v1/referrals/"
NO_CONSENT = (
    "There is no current consent to referral and data sharing. Record the person's consent first."
)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def _consent(case, actor):
    records.consent_record(
        actor=actor,
        case=case,
        scope="referral_sharing",
        granted=True,
        given_by="person",
        method="written",
        given_on=case.identified_on,
    )


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def focal_point(users):
    """The partner focal point of the table's organisation."""
    return users[Role.PARTNER]


@pytest.fixture
def referrer(other_org):
    """A caseworker of another organisation, referring to the table's organisation."""
    return factories.user(Role.CASEWORKER, organisation=other_org, username="referrer")


@pytest.fixture
def their_case(referrer):
    case = factories.case(caseworker=referrer, first_name="Awa", last_name="Kone")
    _consent(case, referrer)
    return case


def _sent(case, actor, to, **fields):
    referral = services.referral_create(
        actor=actor,
        case=case,
        service_type=fields.pop("service_type", "shelter"),
        urgency=fields.pop("urgency", "normal"),
        reason=fields.pop("reason", "Needs a safe place"),
        packet_fields=fields.pop("packet_fields", ["case_number", "first_name"]),
        to_organisation=to,
    )
    return services.referral_send(actor=actor, referral=referral)


@pytest.fixture
def incoming(their_case, referrer, org):
    """Sent to the table's organisation: in its partner's inbox."""
    return _sent(their_case, referrer, org)


@pytest.fixture
def own_case(caseworker):
    return factories.case(caseworker=caseworker, first_name="Mariam")


def _body(case, to, **extra):
    return {
        "case": case.pk,
        "service_type": "shelter",
        "to_organisation": to.pk,
        "reason": "Needs a safe place tonight",
        "packet_fields": ["case_number", "first_name"],
        **extra,
    }


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


# --- The case team creates and sends -------------------------------------------------------


def test_the_case_team_creates_and_sends_a_referral_in_one_request(
    caseworker, own_case, other_org, api_as
):
    _consent(own_case, caseworker)

    response = api_as(caseworker).post(REFERRALS, _body(own_case, other_org), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    referral = Referral.objects.get()
    assert body["id"] == referral.pk and body["side"] == "referrer"
    assert body["status"] == referral.status == "sent"
    assert body["case"] == own_case.pk
    assert referral.packet and referral.sent_at
    assert response["Location"].endswith(f"{REFERRALS}{referral.pk}/")
    # Through the services: audited as on the page.
    actions = set(
        AuditEntry.objects.filter(target_id=str(referral.pk)).values_list("action", flat=True)
    )
    assert {"referrals.referral.created", "referrals.referral.sent"} <= actions


def test_without_consent_the_referral_is_refused_and_nothing_is_created(
    caseworker, own_case, other_org, api_as
):
    response = api_as(caseworker).post(REFERRALS, _body(own_case, other_org), format="json")

    body = _problem(response, 400)
    assert body["errors"]["non_field_errors"] == [NO_CONSENT]
    assert not Referral.objects.exists()


def test_an_override_justification_from_a_user_not_designated_is_refused(
    caseworker, own_case, other_org, api_as
):
    body = _body(
        own_case,
        other_org,
        urgency="emergency",
        override_justification="The person is injured and must be sheltered tonight.",
    )

    response = api_as(caseworker).post(REFERRALS, body, format="json")

    problem = _problem(response, 400)
    assert problem["errors"]["override_justification"] == [
        "You may not send a referral without the person's consent."
    ]
    assert not Referral.objects.exists()


def test_a_designated_user_sends_an_emergency_referral_without_consent(
    caseworker, own_case, other_org, api_as
):
    caseworker.user_permissions.add(
        Permission.objects.get(
            codename="override_referral_consent", content_type__app_label="referrals"
        )
    )
    body = _body(
        own_case,
        other_org,
        urgency="emergency",
        override_justification="The person is injured and must be sheltered tonight.",
    )

    response = api_as(caseworker).post(REFERRALS, body, format="json")

    assert response.status_code == 201, response.content
    referral = Referral.objects.get()
    assert referral.status == "sent" and referral.consent_override


def test_a_draft_is_kept_then_sent_once(caseworker, own_case, other_org, api_as):
    api = api_as(caseworker)
    created = api.post(REFERRALS, _body(own_case, other_org, draft=True), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["status"] == "draft"
    pk = created.json()["id"]

    refused = api.post(f"{REFERRALS}{pk}/send/", {}, format="json")
    assert _problem(refused, 400)["errors"]["non_field_errors"] == [NO_CONSENT]

    _consent(own_case, caseworker)
    sent = api.post(f"{REFERRALS}{pk}/send/", {}, format="json")
    assert sent.status_code == 200, sent.content
    assert sent.json()["status"] == "sent"

    again = api.post(f"{REFERRALS}{pk}/send/", {}, format="json")
    assert _problem(again, 409)["detail"] == "Only a draft can be sent."


def test_the_pages_form_checks_the_body(caseworker, own_case, other_org, api_as):
    _consent(own_case, caseworker)
    body = _body(own_case, other_org, external_organisation="Barreau", colour="blue")
    del body["reason"]

    response = api_as(caseworker).post(REFERRALS, body, format="json")

    errors = _problem(response, 400)["errors"]
    assert "colour" in errors
    assert not Referral.objects.exists()

    del body["colour"]
    errors = _problem(api_as(caseworker).post(REFERRALS, body, format="json"), 400)["errors"]
    assert set(errors) == {"reason", "to_organisation"}


def test_a_case_the_user_does_not_work_on_is_404(users, their_case, other_org, org, api_as):
    response = api_as(users[Role.CASEWORKER]).post(REFERRALS, _body(their_case, org), format="json")

    _problem(response, 404)
    assert not Referral.objects.exists()


def test_a_partner_may_not_create_a_referral(focal_point, own_case, other_org, api_as):
    response = api_as(focal_point).post(REFERRALS, _body(own_case, other_org), format="json")

    _problem(response, 403)


def test_an_idempotency_key_replays_the_first_referral_and_creates_one(
    caseworker, own_case, other_org, api_as
):
    _consent(own_case, caseworker)
    api = api_as(caseworker)
    body = _body(own_case, other_org)

    first = api.post(REFERRALS, body, format="json", HTTP_IDEMPOTENCY_KEY="refer-1")
    again = api.post(REFERRALS, body, format="json", HTTP_IDEMPOTENCY_KEY="refer-1")

    assert first.status_code == again.status_code == 201, again.content
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Referral.objects.count() == 1


def test_a_refused_referral_may_be_sent_again_under_the_same_key(
    caseworker, own_case, other_org, api_as
):
    api = api_as(caseworker)
    body = _body(own_case, other_org)
    refused = api.post(REFERRALS, body, format="json", HTTP_IDEMPOTENCY_KEY="refer-1")
    assert refused.status_code == 400
    _consent(own_case, caseworker)

    response = api.post(REFERRALS, body, format="json", HTTP_IDEMPOTENCY_KEY="refer-1")

    assert response.status_code == 201, response.content
    assert Referral.objects.count() == 1


# --- The receiving partner answers ---------------------------------------------------------


def test_the_partner_accepts_starts_and_completes(focal_point, incoming, api_as):
    api = api_as(focal_point)
    url = f"{REFERRALS}{incoming.pk}/"

    accepted = api.post(f"{url}accept/", {}, format="json")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "accepted" and accepted.json()["side"] == "partner"
    assert accepted.json()["case"] is None

    started = api.post(f"{url}start/", format="json")
    assert started.status_code == 200, started.content
    assert started.json()["status"] == "in_progress"

    done = api.post(
        f"{url}complete/", {"outcome": "Sheltered", "feedback": "Doing well"}, format="json"
    )
    assert done.status_code == 200, done.content
    incoming.refresh_from_db()
    assert incoming.status == "completed" and incoming.outcome == "Sheltered"
    assert incoming.responded_by == focal_point
    # The service returns to the case, as from the inbox page.
    assert ServiceDelivery.objects.filter(referral=incoming).count() == 1


def test_declining_needs_the_reason(focal_point, incoming, api_as):
    api = api_as(focal_point)
    url = f"{REFERRALS}{incoming.pk}/decline/"

    refused = api.post(url, {}, format="json")
    assert _problem(refused, 400)["errors"]["reason"] == ["Give the reason for declining."]
    incoming.refresh_from_db()
    assert incoming.status == "sent"

    declined = api.post(url, {"reason": "No bed free"}, format="json")
    assert declined.status_code == 200, declined.content
    incoming.refresh_from_db()
    assert incoming.status == "declined" and incoming.decline_reason == "No bed free"


def test_a_step_the_status_does_not_allow_is_a_conflict(focal_point, incoming, api_as):
    api = api_as(focal_point)
    url = f"{REFERRALS}{incoming.pk}/"

    assert _problem(api.post(f"{url}start/", format="json"), 409)["detail"] == (
        "Only an accepted referral can start."
    )
    assert _problem(api.post(f"{url}complete/", {"outcome": "x"}, format="json"), 409)
    assert api.post(f"{url}accept/", format="json").status_code == 200
    second = api.post(f"{url}accept/", format="json")
    assert _problem(second, 409)["detail"] == "This referral was already answered (Accepted)."
    assert _problem(api.post(f"{url}decline/", {"reason": "x"}, format="json"), 409)
    incoming.refresh_from_db()
    assert incoming.status == "accepted"


def test_an_action_refuses_fields_it_does_not_take(focal_point, incoming, api_as):
    response = api_as(focal_point).post(
        f"{REFERRALS}{incoming.pk}/accept/", {"status": "completed"}, format="json"
    )

    assert "status" in _problem(response, 400)["errors"]
    incoming.refresh_from_db()
    assert incoming.status == "sent"


def test_another_partner_gets_404(their_case, referrer, incoming, api_as):
    stranger_org = factories.organisation(name="Another shelter")
    stranger = factories.user(Role.PARTNER, organisation=stranger_org)
    api = api_as(stranger)

    _problem(api.get(f"{REFERRALS}{incoming.pk}/"), 404)
    for step in ("accept", "decline", "start", "complete"):
        _problem(
            api.post(
                f"{REFERRALS}{incoming.pk}/{step}/",
                {"reason": "x"} if step == "decline" else {},
                format="json",
            ),
            404,
        )
    assert api.get(REFERRALS).json()["results"] == []
    incoming.refresh_from_db()
    assert incoming.status == "sent"


def test_the_caseworker_cannot_accept_its_own_referral(caseworker, own_case, org, api_as):
    _consent(own_case, caseworker)
    to_org = factories.organisation(name="Shelter")
    referral = _sent(own_case, caseworker, to_org)

    response = api_as(caseworker).post(f"{REFERRALS}{referral.pk}/accept/", format="json")

    _problem(response, 403)
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_a_partner_focal_point_may_not_send_a_draft(focal_point, caseworker, own_case, api_as):
    draft = services.referral_create(
        actor=caseworker,
        case=own_case,
        service_type="shelter",
        urgency="normal",
        reason="x",
        packet_fields=["case_number"],
        to_organisation=factories.organisation(name="Shelter"),
    )

    _problem(api_as(focal_point).post(f"{REFERRALS}{draft.pk}/send/", format="json"), 403)


# --- Reads ---------------------------------------------------------------------------------


def test_lists_are_scoped_as_the_list_and_the_inbox(
    users, caseworker, focal_point, own_case, incoming, api_as
):
    _consent(own_case, caseworker)
    shelter = factories.organisation(name="Shelter")
    mine = _sent(own_case, caseworker, shelter)
    draft_to_us = services.referral_create(
        actor=incoming.created_by,
        case=incoming.case,
        service_type="legal",
        urgency="normal",
        reason="x",
        packet_fields=["case_number"],
        to_organisation=incoming.to_organisation,
    )

    def ids(user, **query):
        response = api_as(user).get(REFERRALS, query)
        assert response.status_code == 200, response.content
        return {row["id"]: row for row in response.json()["results"]}

    team = ids(caseworker)
    assert set(team) == {mine.pk}
    assert team[mine.pk]["side"] == "referrer"
    assert team[mine.pk]["case_number"] == own_case.case_number
    assert set(ids(users[Role.SUPERVISOR])) == {mine.pk}
    inbox = ids(focal_point)
    # Never a draft, never the referrals the organisation did not receive.
    assert set(inbox) == {incoming.pk}
    assert draft_to_us.pk not in inbox
    row = inbox[incoming.pk]
    assert row["side"] == "partner"
    assert row["case"] is None and row["case_number"] is None
    assert "packet" not in row and "reason" not in row
    # The pages' filters.
    assert ids(focal_point, status="accepted") == {}
    assert set(ids(focal_point, status="sent")) == {incoming.pk}
    _problem(api_as(focal_point).get(REFERRALS, {"status": "lost"}), 400)
    _problem(api_as(focal_point).get(REFERRALS, {"colour": "blue"}), 400)
    for role in (Role.PROGRAMME, Role.MNE, Role.MINISTRY, Role.ADMIN):
        _problem(api_as(users[role]).get(REFERRALS), 403)


def test_overdue_and_updated_since(focal_point, incoming, api_as):
    api = api_as(focal_point)
    assert api.get(REFERRALS, {"overdue": "true"}).json()["results"] == []
    Referral.objects.filter(pk=incoming.pk).update(
        respond_by=timezone.now() - timedelta(hours=1),
        updated_at=timezone.now() - timedelta(days=2),
    )

    overdue = api.get(REFERRALS, {"overdue": "true"}).json()["results"]
    since = (timezone.now() - timedelta(days=1)).isoformat()
    recent = api.get(REFERRALS, {"updated_since": since}).json()["results"]

    assert [row["id"] for row in overdue] == [incoming.pk]
    assert recent == []


def test_the_partner_reads_the_packet_and_the_read_is_audited(focal_point, incoming, api_as):
    response = api_as(focal_point).get(f"{REFERRALS}{incoming.pk}/")

    assert response.status_code == 200, response.content
    body = response.json()
    assert response["ETag"] == f'"{body["version"]}"'
    assert body["side"] == "partner"
    assert body["packet"] == {"case_number": incoming.case.case_number, "first_name": "Awa"}
    assert body["reason"] == "Needs a safe place"
    assert body["packet_expired"] is False
    # Never the case: neither its id nor its consent state.
    assert body["case"] is None and body["consented"] is None
    entry = AuditEntry.objects.get(action="referrals.referral.viewed")
    assert entry.actor == focal_point and entry.target_id == str(incoming.pk)


def test_a_withdrawn_packet_is_never_shown_to_the_partner(
    focal_point, referrer, their_case, incoming, api_as
):
    consent = their_case.consents.get(scope="referral_sharing", withdrawn_on__isnull=True)
    records.consent_withdraw(actor=referrer, consent=consent, withdrawn_on=timezone.localdate())

    body = api_as(focal_point).get(f"{REFERRALS}{incoming.pk}/").json()

    assert body["packet"] is None and body["reason"] is None
    assert body["packet_expired"] is True
    assert body["packet_withdrawn_because"] == "consent_withdrawn"
    assert "Awa" not in str(body)


def test_a_closed_referral_past_its_retention_hides_the_packet(
    settings, focal_point, incoming, api_as
):
    services.referral_respond(actor=focal_point, referral=incoming, accept=False, reason="Full")
    settings.REFERRAL_PACKET_RETENTION_DAYS = 30
    Referral.objects.filter(pk=incoming.pk).update(closed_at=timezone.now() - timedelta(days=31))

    body = api_as(focal_point).get(f"{REFERRALS}{incoming.pk}/").json()

    assert body["packet"] is None and body["packet_expired"] is True


def test_the_case_team_reads_a_draft_with_the_packet_it_would_share(caseworker, own_case, api_as):
    draft = services.referral_create(
        actor=caseworker,
        case=own_case,
        service_type="shelter",
        urgency="normal",
        reason="Needs a safe place",
        packet_fields=["first_name"],
        to_organisation=factories.organisation(name="Shelter"),
    )

    body = api_as(caseworker).get(f"{REFERRALS}{draft.pk}/").json()

    assert body["side"] == "referrer" and body["status"] == "draft"
    assert body["packet"] == {"first_name": "Mariam"}
    assert body["consented"] is False and body["can_override_consent"] is False
    assert [event["to_status"] for event in body["events"]] == ["draft"]
    assert AuditEntry.objects.filter(
        action="referrals.referral.viewed", actor=caseworker, target_id=str(draft.pk)
    ).exists()


# --- Real answers match the schema ---------------------------------------------------------


def test_real_answers_match_the_schema(
    ctx, caseworker, focal_point, token_for, wsgi_keeps_connection
):
    """The fuzzer rarely finds a record: each side's real answers, checked against the
    schema (body, status, content type)."""
    import schemathesis
    from django.core.wsgi import get_wsgi_application

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", get_wsgi_application())
    team = {"Authorization": f"Bearer {token_for(caseworker)}"}
    partner = {"Authorization": f"Bearer {token_for(focal_point)}"}
    outgoing, incoming = ctx["outgoing"], ctx["incoming"]
    calls = [
        ("/api/v1/referrals/", "GET", team, {}, None, 200),
        ("/api/v1/referrals/", "GET", partner, {}, None, 200),
        ("/api/v1/referrals/{id}/", "GET", team, {"id": outgoing.pk}, None, 200),
        ("/api/v1/referrals/{id}/", "GET", partner, {"id": incoming.pk}, None, 200),
        ("/api/v1/referrals/{id}/send/", "POST", team, {"id": outgoing.pk}, {}, 200),
        ("/api/v1/referrals/{id}/send/", "POST", team, {"id": outgoing.pk}, {}, 409),
        ("/api/v1/referrals/{id}/accept/", "POST", partner, {"id": incoming.pk}, None, 200),
        (
            "/api/v1/referrals/{id}/complete/",
            "POST",
            partner,
            {"id": incoming.pk},
            {"outcome": "Sheltered"},
            200,
        ),
        (
            "/api/v1/referrals/",
            "POST",
            team,
            {},
            {
                "case": ctx["case"].pk,
                "service_type": "legal",
                "external_organisation": "Barreau",
                "reason": "Legal aid",
                "packet_fields": ["case_number"],
            },
            201,
        ),
    ]
    for path, method, headers, path_parameters, body, status in calls:
        operation = schema[path][method]
        # Uncompressed: the WSGI test client does not decode what GZipMiddleware compresses.
        headers = {**headers, "Accept-Encoding": "identity"}
        kwargs = {"path_parameters": path_parameters, "headers": headers}
        if body is not None:
            kwargs.update(body=body, media_type="application/json")
        response = operation.Case(**kwargs).call()
        assert response.status_code == status, (path, method, response.text)
        operation.validate_response(response)
