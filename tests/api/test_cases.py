"""cases/: scoped as the case list, audited as the case file, HTCDS names, registration
through the page's form (idempotent), no silent overwrite, the records of a case file, and
nothing at all for a partner."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from api import case_shapes
from api import cases as api_cases
from api.models import IdempotentRequest
from cases import selectors
from cases.models import Case, CaseNote, Consent, FollowUp
from cases.services import records, transfer, workflow
from tests import factories

CASES = "/api/v1/cases/"


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def _registration(**person):
    return {
        "identified_on": "2025-01-10",
        "identified_country": "CF",
        "identification_method": "ngo",
        "vic_TypeOfExploitation": ["ForcedLabour"],
        "con_Consent": True,
        "consent_given_by": "person",
        "consent_method": "written",
        "consent_given_on": "2025-01-10",
        "person": {
            "prs_FirstName": "Mariam",
            "prs_SecondName": "Kone",
            "sex": "female",
            "prs_Birthdate": "1990-03-04",
            "prs_MobilePhone": "+236 75 11 22 33",
            "prs_Citizenship": ["CF"],
            "prs_PrimaryLanguage": "sag",
            "prs_SecondaryLanguage": "fra",
            "other_languages": ["ara"],
            **person,
        },
    }


@pytest.fixture
def team(db, org, other_org, users):
    """The table's caseworker with two cases, a colleague's case in the same organisation
    and a case of another organisation."""
    worker = users[Role.CASEWORKER]
    colleague = factories.user(Role.CASEWORKER, organisation=org)
    elsewhere = factories.user(Role.CASEWORKER, organisation=other_org)
    return {
        "mine": factories.case(caseworker=worker),
        "also_mine": factories.case(caseworker=worker, first_name="Awa"),
        "colleague": factories.case(caseworker=colleague, first_name="Kadi"),
        "elsewhere": factories.case(caseworker=elsewhere, first_name="Fanta"),
    }


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


# --- The list ----------------------------------------------------------------------------


def test_the_list_is_scoped_as_the_case_list_page(users, team, api_as):
    for role in (Role.CASEWORKER, Role.SUPERVISOR):
        user = users[role]
        page = selectors.case_list(actor=user, criteria={}, today=timezone.localdate())

        assert _ids(api_as(user).get(CASES)) == set(page.values_list("pk", flat=True))

    assert _ids(api_as(users[Role.CASEWORKER]).get(CASES)) == {
        team["mine"].pk,
        team["also_mine"].pk,
    }
    assert team["elsewhere"].pk not in _ids(api_as(users[Role.SUPERVISOR]).get(CASES))
    assert team["colleague"].pk in _ids(api_as(users[Role.SUPERVISOR]).get(CASES))


def test_the_list_filters_as_the_page_and_keeps_names_out_of_the_query_string(users, team, api_as):
    api = api_as(users[Role.CASEWORKER])
    number = team["mine"].case_number

    assert _ids(api.get(CASES, {"number": number})) == {team["mine"].pk}
    assert _ids(api.get(CASES, {"number": number.lower()})) == {team["mine"].pk}
    for params in ({"q": "Amina"}, {"search": "abc"}, {"number": "Amina"}, {"sort": "number"}):
        response = api.get(CASES, params)
        assert response.status_code == 400, params
        assert response["Content-Type"] == "application/problem+json"
    assert api.get(CASES, {"status": "nonsense"}).status_code == 400


def test_the_list_names_the_person_and_one_audit_entry_names_the_cases_listed(users, team, api_as):
    response = api_as(users[Role.CASEWORKER]).get(CASES)

    rows = {row["id"]: row for row in response.json()["results"]}
    assert rows[team["mine"].pk]["person"] == {
        "prs_FirstName": "Amina",
        "prs_MiddleName": "",
        "prs_SecondName": "Diallo",
    }
    (entry,) = AuditEntry.objects.filter(action="cases.case.listed")
    assert sorted(entry.data["cases"]) == sorted(rows)
    assert entry.actor == users[Role.CASEWORKER]


def test_updated_since_lists_only_the_cases_changed_since(users, team, api_as):
    Case.objects.filter(pk=team["mine"].pk).update(updated_at=timezone.now() - timedelta(days=10))
    since = (timezone.now() - timedelta(days=1)).isoformat()

    assert _ids(api_as(users[Role.CASEWORKER]).get(CASES, {"updated_since": since})) == {
        team["also_mine"].pk
    }


# --- The case file -----------------------------------------------------------------------


def test_the_case_file_is_audited_as_the_page_and_named_in_htcds(users, team, api_as):
    case = team["mine"]
    api = api_as(users[Role.CASEWORKER])

    response = api.get(f"{CASES}{case.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert response["ETag"] == f'"{case.version}"' and body["version"] == str(case.version)
    assert body["case_number"] == case.case_number
    assert body["vic_TraffickingStatus"] == "PossibleVictimOfTrafficking"
    assert body["vic_TypeOfExploitation"] == ["ForcedLabour"]
    assert body["cas_Status"] == case.htcds_status
    person = body["person"]
    assert person["prs_FirstName"] == "Amina"
    assert person["prs_SecondName"] == "Diallo"
    assert person["prs_Birthdate"] == "1998-05-17"
    assert person["prs_MobilePhone"] == "+23675000000"
    assert person["prs_Citizenship"] == ["CF"]
    assert "first_name" not in person and "last_name" not in person
    entry = AuditEntry.objects.filter(action="cases.case.viewed").get()
    assert (entry.target_type, entry.target_id) == ("cases.case", str(case.pk))
    assert entry.actor == users[Role.CASEWORKER]


def test_every_htcds_name_is_a_column_of_the_htcds_import_and_export():
    columns = set(transfer.EXPORT_COLUMNS)

    assert columns >= case_shapes.HTCDS_KEYS, case_shapes.HTCDS_KEYS - columns
    assert {"prs_FirstName", "prs_SecondName", "prs_Birthdate"} <= case_shapes.HTCDS_KEYS
    person_keys = set(case_shapes.PersonSerializer().fields)
    assert {k for k in person_keys if k.startswith("prs_")} <= columns


def test_out_of_scope_cases_answer_404_to_every_route(users, team, api_as, org):
    api = api_as(users[Role.CASEWORKER])
    follow_up = records.follow_up_add(
        actor=users[Role.SUPERVISOR], case=team["colleague"], due_on=date(2030, 1, 1), purpose="x"
    )
    for case in (team["colleague"], team["elsewhere"]):
        base = f"{CASES}{case.pk}/"
        assert api.get(base).status_code == 404
        assert api.patch(base, {}, format="json", HTTP_IF_MATCH="*").status_code == 404
        for part in ("consents", "events", "services", "notes", "follow-ups"):
            assert api.get(f"{base}{part}/").status_code == 404
        assert api.post(f"{base}notes/", {"body": "x"}, format="json").status_code == 404
    # A record reached through a case of the user's own does not open another case's record.
    mine = team["mine"].pk
    assert api.post(f"{CASES}{mine}/follow-ups/{follow_up.pk}/done/").status_code == 404
    assert (
        api.post(f"{CASES}{team['colleague'].pk}/follow-ups/{follow_up.pk}/done/").status_code
        == 404
    )
    assert CaseNote.objects.count() == 0
    assert FollowUp.objects.get(pk=follow_up.pk).done_on is None
    assert not AuditEntry.objects.filter(action="cases.case.viewed").exists()


def test_a_partner_token_reaches_no_case(users, team, ctx, api_as):
    api = api_as(users[Role.PARTNER])
    # The partner's organisation receives a referral of the other organisation's case.
    referred = ctx["incoming"].case
    count = Case.objects.count()

    assert api.get(CASES).status_code == 403
    for case in (team["mine"], referred):
        base = f"{CASES}{case.pk}/"
        assert api.get(base).status_code in (403, 404)
        assert api.patch(base, {}, format="json", HTTP_IF_MATCH="*").status_code in (403, 404)
        for part in ("consents", "events", "services", "notes", "follow-ups"):
            assert api.get(f"{base}{part}/").status_code in (403, 404)
            assert api.post(f"{base}{part}/", {}, format="json").status_code in (403, 404)
    assert api.post(CASES, _registration(), format="json").status_code == 403
    assert Case.objects.count() == count
    assert not AuditEntry.objects.filter(
        action__in=["cases.case.viewed", "cases.case.listed"]
    ).exists()


@pytest.mark.parametrize("role", [Role.MINISTRY, Role.PROGRAMME, Role.MNE, Role.ADMIN])
def test_roles_outside_the_case_team_and_superusers_are_refused(role, users, team, api_as):
    for user in (users[role], factories.superuser()):
        api = api_as(user)
        assert api.get(CASES).status_code == 403
        assert api.get(f"{CASES}{team['mine'].pk}/").status_code == 403


# --- Registration ------------------------------------------------------------------------


def test_registration_through_the_page_form_with_htcds_names(users, api_as):
    api = api_as(users[Role.CASEWORKER])

    response = api.post(CASES, _registration(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    case = Case.objects.get(pk=body["id"])
    assert response["Location"].endswith(f"/api/v1/cases/{case.pk}/")
    assert response["ETag"] == f'"{case.version}"'
    assert case.person.first_name == "Mariam" and case.person.last_name == "Kone"
    assert case.person.languages == ["sag", "fra", "ara"]
    assert case.trafficking_status == "PossibleVictimOfTrafficking"  # the form's default
    assert case.consents.get().scope == "data_collection"
    assert list(case.caseworkers.all()) == [users[Role.CASEWORKER]]
    assert body["person"]["prs_PrimaryLanguage"] == "sag"
    assert body["person"]["other_languages"] == ["ara"]
    assert AuditEntry.objects.filter(action="cases.case.created", target_id=str(case.pk)).exists()


def test_registration_refuses_what_the_page_refuses(users, api_as):
    api = api_as(users[Role.CASEWORKER])

    no_consent = api.post(CASES, {**_registration(), "con_Consent": False}, format="json")
    child = api.post(
        CASES, _registration(prs_Birthdate="2015-01-01"), format="json"
    )  # a child cannot consent alone
    unknown = api.post(CASES, _registration(first_name="Mariam"), format="json")
    not_offered = api.post(
        CASES, {**_registration(), "vic_ForcedLabourIndustry": "F_Construction"}, format="json"
    )

    assert no_consent.status_code == 400 and "con_Consent" in no_consent.json()["errors"]
    assert child.status_code == 400 and "consent_given_by" in child.json()["errors"]
    assert unknown.status_code == 400 and "person.first_name" in unknown.json()["errors"]
    assert not_offered.status_code == 400
    assert "vic_ForcedLabourIndustry" in not_offered.json()["errors"]
    assert Case.objects.count() == 0


def test_a_replayed_idempotency_key_creates_one_case_and_keeps_no_personal_data(users, api_as):
    api = api_as(users[Role.CASEWORKER])

    first = api.post(CASES, _registration(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")
    again = api.post(CASES, _registration(), format="json", HTTP_IDEMPOTENCY_KEY="k-1")

    assert first.status_code == again.status_code == 201
    assert Case.objects.count() == 1
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert again.json()["person"]["prs_FirstName"] == "Mariam"
    assert again["Location"] == first["Location"]
    stored = json.dumps(list(IdempotentRequest.objects.values("response", "location")))
    assert "Mariam" not in stored and "75 11 22 33" not in stored
    other_body = api.post(
        CASES, _registration(prs_FirstName="Other"), format="json", HTTP_IDEMPOTENCY_KEY="k-1"
    )
    assert other_body.status_code == 422
    assert Case.objects.count() == 1


def test_a_possible_duplicate_is_registered_and_flagged_as_on_the_page(users, team, api_as):
    response = api_as(users[Role.CASEWORKER]).post(
        CASES,
        _registration(prs_FirstName="Amina", prs_SecondName="Diallo", prs_Birthdate="1998-05-17"),
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["possible_duplicate"] is True
    by_case = {d["case"]: d for d in body["duplicates"]}
    # The caseworker's own earlier case is named; a case they may not open is not.
    assert team["mine"].pk in by_case
    assert all(d["organisation"] is None for d in body["duplicates"])


# --- Changes -----------------------------------------------------------------------------


def test_a_change_needs_if_match_and_a_stale_one_is_refused_with_412(users, team, api_as):
    case = team["mine"]
    api = api_as(users[Role.CASEWORKER])
    url = f"{CASES}{case.pk}/"
    etag = api.get(url)["ETag"]

    missing = api.patch(url, {"identified_locality": "Bimbo"}, format="json")
    changed = api.patch(
        url,
        {"identified_locality": "Bimbo", "person": {"prs_MobilePhone": "+236 1"}},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    stale = api.patch(url, {"identified_locality": "Boali"}, format="json", HTTP_IF_MATCH=etag)

    assert missing.status_code == 428
    assert changed.status_code == 200, changed.content
    assert changed["ETag"] != etag
    assert changed.json()["person"]["prs_MobilePhone"] == "+236 1"
    assert changed.json()["person"]["prs_FirstName"] == "Amina"  # kept: a PATCH
    assert stale.status_code == 412
    assert stale["Content-Type"] == "application/problem+json"
    case.refresh_from_db()
    assert stale.json()["version"] == str(case.version)
    assert case.identified_locality == "Bimbo"
    assert AuditEntry.objects.filter(action="cases.case.changed", target_id=str(case.pk)).count()


def test_a_change_saved_meanwhile_by_someone_else_is_a_412_never_an_overwrite(
    users, team, api_as, monkeypatch
):
    """Someone saves between the If-Match check and the service's locked read: the case
    service's conflict is answered as a stale version."""
    case = team["mine"]
    api = api_as(users[Role.CASEWORKER])
    url = f"{CASES}{case.pk}/"
    etag = api.get(url)["ETag"]
    real = api_cases.case_services.case_update

    def racing(**kwargs):
        Case.objects.filter(pk=case.pk).update(version=case.version + 5)
        return real(**kwargs)

    monkeypatch.setattr(api_cases.case_services, "case_update", racing)

    response = api.patch(url, {"identified_locality": "Boali"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    assert response.json()["version"] == str(case.version + 5)
    case.refresh_from_db()
    assert case.identified_locality == ""


def test_exploitation_fields_change_through_the_exploitation_form(users, team, api_as):
    case = team["mine"]
    api = api_as(users[Role.SUPERVISOR])

    response = api.patch(
        f"{CASES}{case.pk}/",
        {"vic_ForcedLabourIndustry": "F_Construction", "vic_AgeWhenTrafficked": 15},
        format="json",
        HTTP_IF_MATCH=f'"{case.version}"',
    )
    bad = api.patch(
        f"{CASES}{case.pk}/",
        {"person": {"prs_Gender": "nonsense"}},
        format="json",
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 200, response.content
    case.refresh_from_db()
    assert case.labour_industry == "F_Construction" and case.age_when_trafficked == 15
    assert case.exploitation_types == ["ForcedLabour"]  # kept
    assert bad.status_code == 400 and "person.prs_Gender" in bad.json()["errors"]


def test_a_read_only_token_cannot_register_or_change(users, team, api_as):
    api = api_as(users[Role.CASEWORKER], read_only=True)

    assert api.get(CASES).status_code == 200
    assert api.post(CASES, _registration(), format="json").status_code == 403
    assert (
        api.post(f"{CASES}{team['mine'].pk}/notes/", {"body": "x"}, format="json").status_code
        == 403
    )


# --- The records of a case file ----------------------------------------------------------


def test_records_are_added_and_listed_through_their_case(users, team, api_as):
    case = team["mine"]
    api = api_as(users[Role.CASEWORKER])
    base = f"{CASES}{case.pk}/"

    note = api.post(f"{base}notes/", {"body": "Called the family."}, format="json")
    event = api.post(
        f"{base}events/", {"type": "Transit", "country": "CM", "place": "Garoua"}, format="json"
    )
    follow_up = api.post(
        f"{base}follow-ups/", {"due_on": "2030-02-01", "purpose": "School visit"}, format="json"
    )
    service = api.post(
        f"{base}services/",
        {"service_type": "medical", "delivered_on": "2025-02-01", "provider": case.organisation_id},
        format="json",
    )

    for response in (note, event, follow_up, service):
        assert response.status_code == 201, response.content
    assert note.json()["body"] == "Called the family."
    assert note.json()["author"] == users[Role.CASEWORKER].pk
    assert follow_up.json()["assigned_to"] == users[Role.CASEWORKER].pk
    listed = api.get(f"{base}notes/").json()["results"]
    assert [n["body"] for n in listed] == ["Called the family."]
    assert len(api.get(f"{base}events/").json()["results"]) == 1
    assert AuditEntry.objects.filter(
        action="cases.case.viewed", target_id=str(case.pk), data__records="notes"
    ).exists()
    assert AuditEntry.objects.filter(action="cases.note.added", target_id=str(case.pk)).exists()
    case.refresh_from_db()
    assert case.is_transnational  # the service's own consequences hold


def test_a_record_is_added_once_per_idempotency_key(users, team, api_as):
    api = api_as(users[Role.CASEWORKER])
    url = f"{CASES}{team['mine'].pk}/notes/"

    first = api.post(url, {"body": "Visit"}, format="json", HTTP_IDEMPOTENCY_KEY="n-1")
    again = api.post(url, {"body": "Visit"}, format="json", HTTP_IDEMPOTENCY_KEY="n-1")

    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert CaseNote.objects.count() == 1
    assert "Visit" not in json.dumps(list(IdempotentRequest.objects.values("response")))


def test_consents_withdrawn_and_follow_ups_done_as_on_the_page(users, team, api_as):
    case = team["mine"]
    api = api_as(users[Role.CASEWORKER])
    base = f"{CASES}{case.pk}/"
    consent = {
        "scope": "referral_sharing",
        "granted": True,
        "given_by": "person",
        "method": "written",
        "given_on": case.identified_on.isoformat(),
    }
    without_answer = {k: x for k, x in consent.items() if k != "granted"}

    assert api.post(f"{base}consents/", without_answer, format="json").status_code == 400
    recorded = api.post(f"{base}consents/", consent, format="json")
    assert recorded.status_code == 201, recorded.content
    consent_pk = recorded.json()["id"]
    withdrawn = api.post(f"{base}consents/{consent_pk}/withdraw/")
    again = api.post(f"{base}consents/{consent_pk}/withdraw/")

    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_on"]
    assert again.status_code == 400
    assert Consent.objects.get(pk=consent_pk).withdrawn_by == users[Role.CASEWORKER]
    follow_up = records.follow_up_add(
        actor=users[Role.CASEWORKER], case=case, due_on=date(2030, 1, 1), purpose="Visit"
    )
    done = api.post(f"{base}follow-ups/{follow_up.pk}/done/")
    assert done.status_code == 200 and done.json()["done_on"]
    assert api.post(f"{base}follow-ups/{follow_up.pk}/done/").status_code == 400


def test_a_closed_case_takes_no_new_record(users, team, api_as):
    case = team["mine"]
    closure = workflow.closure_request(
        actor=users[Role.CASEWORKER], case=case, reason="Reintegrated"
    )
    workflow.closure_decide(actor=users[Role.SUPERVISOR], closure=closure, approve=True)

    response = api_as(users[Role.CASEWORKER]).post(
        f"{CASES}{case.pk}/notes/", {"body": "x"}, format="json"
    )

    assert response.status_code == 400
    assert CaseNote.objects.count() == 0


def test_record_lists_follow_the_case_change_time(users, team, api_as):
    case = team["mine"]
    records.note_add(actor=users[Role.CASEWORKER], case=case, body="x")
    api = api_as(users[Role.CASEWORKER])
    url = f"{CASES}{case.pk}/notes/"

    later = (timezone.now() + timedelta(minutes=5)).isoformat()
    earlier = (timezone.now() - timedelta(minutes=5)).isoformat()

    assert api.get(url, {"updated_since": later}).json()["results"] == []
    assert len(api.get(url, {"updated_since": earlier}).json()["results"]) == 1
    assert api.get(url, {"updated_since": "yesterday"}).status_code == 400


def test_a_list_or_an_object_for_a_single_value_is_refused(users, team, api_as):
    response = api_as(users[Role.CASEWORKER]).patch(
        f"{CASES}{team['mine'].pk}/",
        {"identified_locality": ["a", "b"], "person": {"prs_FirstName": {"x": 1}}},
        format="json",
        HTTP_IF_MATCH="*",
    )

    assert response.status_code == 400
    assert {"identified_locality", "person.prs_FirstName"} <= set(response.json()["errors"])
