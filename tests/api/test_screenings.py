"""screenings/ and screening-questions/, for the field app: the interview of a country in the
request's language, screenings recorded once however often they are sent, read as the pages
read them (the list without names, the detail audited), changed without overwriting a
colleague's save, decided and turned into a case as on the pages, and nothing at all for
anyone outside the organisation's case team."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.models import Case
from screening import indicators, questions, services
from screening.models import Screening, StatusDecision
from tests import factories
from traffick_cm.codebooks import TraffickingStatus as T

SCREENINGS = "/api/v1/screenings/"
QUESTIONS = "/api/v1/screening-questions/"
NO_SCREENING_ROLES = [Role.PARTNER, Role.PROGRAMME, Role.MNE, Role.MINISTRY, Role.ADMIN]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def screening(caseworker):
    """Named, with the person's account: an actual victim on the indicators."""
    return factories.screening(
        actor=caseworker, first_name="Awa", account="On m'a promis un travail à Douala."
    )


def _interview(**extra):
    return {
        "consented": True,
        "screened_at": (timezone.now() - timedelta(hours=2)).isoformat(),
        "identified_country": "CF",
        "identified_locality": "Beloko",
        "place_type": "flow_monitoring_point",
        "sex": "female",
        "age_group": "24-26",
        "citizenship": "CM",
        "answers": {
            "recruiter": "Unaquainted",
            "journey_arranged_by": "recruiter",
            "debt": "owes",
            "exploitation_types": ["SexualExploitation"],
            "methods_of_control": ["DebtBondage", "PhysicalThreats"],
        },
        **extra,
    }


def _problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    return response.json()


def _url(screening, action: str = "") -> str:
    return f"{SCREENINGS}{screening.pk}/{action}"


# --- The interview of a country ------------------------------------------------------------


def test_the_interview_of_a_country_in_the_requests_language(caseworker, api_as):
    api = api_as(caseworker)

    french = api.get(QUESTIONS, {"country": "GN"}, HTTP_ACCEPT_LANGUAGE="fr")
    english = api.get(QUESTIONS, {"country": "GN"}, HTTP_ACCEPT_LANGUAGE="en")

    assert french.status_code == 200, french.content
    body = french.json()
    assert body["country"] == "GN" and body["language"] == "fr"
    assert body["rule_version"] == indicators.RULE_VERSION
    asked = {q["code"]: q for section in body["sections"] for q in section["questions"]}
    assert set(asked) == {q.code for q in questions.questions("GN")}
    assert asked["entrusted"]["child_only"] and not asked["recruiter"]["child_only"]
    assert "armed_group" not in asked  # asked in the Central African Republic only
    assert [c["code"] for c in asked["debt"]["choices"]] == ["none", "paid", "owes"]
    assert asked["recruitment_country"]["kind"] == "country"
    with translation.override("fr"):
        assert asked["recruiter"]["label"] == str(questions.QUESTIONS[0].label)
        assert body["sections"][0]["label"] == str(
            questions.SECTION_LABELS[questions.Section.RECRUITMENT]
        )
    assert english.json()["sections"][0]["label"] == "Recruitment"
    assert english["Content-Language"] == "en"


def test_the_interview_is_the_organisations_countrys_by_default(caseworker, api_as):
    region = factories.region()  # in the Central African Republic

    body = api_as(caseworker).get(QUESTIONS).json()

    assert body["country"] == "CF"
    assert any(q["code"] == "armed_group" for s in body["sections"] for q in s["questions"])
    assert {"id": region.pk, "name": region.name} in body["regions"]
    assert {"code": "border_post", "label": "Border post"} in body["choices"]["place_type"]


def test_an_unknown_country_or_parameter_is_a_400_naming_it(caseworker, api_as):
    api = api_as(caseworker)

    assert list(_problem(api.get(QUESTIONS, {"country": "Atlantis"}), 400)["errors"]) == ["country"]
    assert list(_problem(api.get(QUESTIONS, {"lang": "fr"}), 400)["errors"]) == ["lang"]


# --- Recording ---------------------------------------------------------------------------


def test_an_anonymous_screening_is_recorded_with_its_suggestion(caseworker, api_as):
    response = api_as(caseworker).post(SCREENINGS, _interview(), format="json")

    assert response.status_code == 201, response.content
    screening = Screening.objects.get()
    body = response.json()
    assert body["id"] == screening.pk and body["code"] == screening.code
    assert response["Location"].endswith(f"{SCREENINGS}{screening.pk}/")
    assert response["ETag"] == f'"{screening.version}"'
    assert screening.anonymous and body["anonymous"] and body["first_name"] == ""
    assert screening.organisation == caseworker.organisation
    assert body["answers"]["methods_of_control"] == ["PhysicalThreats", "DebtBondage"]
    assert body["suggested_status"] == screening.suggested_status == T.ACTUAL
    assert (
        body["suggestion_reason"] == indicators.from_codes(screening.indicators, child=False).reason
    )
    assert [i["code"] for i in body["indicators"]] == screening.indicators
    assert body["rule_version"] == indicators.RULE_VERSION
    assert body["status"] == "" and body["decision"] is None and body["case"] is None
    assert body["citizenship"] == "CM" and body["identified_country"] == "CF"
    entry = AuditEntry.objects.get(action="screening.screening.created")
    assert entry.data["named"] is False


def test_a_screening_sent_again_with_its_submission_token_is_recorded_once(caseworker, api_as):
    api = api_as(caseworker)
    body = _interview(submission_token=str(uuid.uuid4()))

    first = api.post(SCREENINGS, body, format="json")
    # The connection dropped before the answer came: the phone sends it again.
    again = api.post(SCREENINGS, body, format="json")

    assert first.status_code == 201, first.content
    assert again.status_code == 201, again.content
    assert again.json()["id"] == first.json()["id"]
    assert Screening.objects.count() == 1


def test_a_screening_sent_again_with_its_idempotency_key_is_recorded_once(caseworker, api_as):
    api = api_as(caseworker)
    body = _interview()

    first = api.post(SCREENINGS, body, format="json", HTTP_IDEMPOTENCY_KEY="scr-1")
    again = api.post(SCREENINGS, body, format="json", HTTP_IDEMPOTENCY_KEY="scr-1")

    assert again.status_code == 201
    assert again["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert Screening.objects.count() == 1


def test_another_users_submission_token_is_a_conflict_not_theirs(caseworker, users, api_as):
    token = str(uuid.uuid4())
    api_as(caseworker).post(SCREENINGS, _interview(submission_token=token), format="json")

    response = api_as(users[Role.SUPERVISOR]).post(
        SCREENINGS, _interview(submission_token=token, identified_locality="Bouar"), format="json"
    )

    _problem(response, 409)
    assert Screening.objects.count() == 1


@pytest.mark.parametrize(
    ("answers", "field"),
    [
        ({"recruiter": "a_stranger"}, "answers.recruiter"),
        ({"methods_of_control": ["DebtBondage", "Magic"]}, "answers.methods_of_control"),
        ({"recruitment_country": "Atlantis"}, "answers.recruitment_country"),
        # Asked in Guinea, not in the Central African Republic.
        ({"entrusted": "teacher"}, "answers.entrusted"),
        ({"favourite_colour": "blue"}, "answers.favourite_colour"),
        ({"debt": ["owes", "paid"]}, "answers.debt"),
        # Not an answer: the sex is the interview's own field.
        ({"sex": "male"}, "answers.sex"),
    ],
)
def test_an_answer_the_interview_does_not_offer_is_a_400_naming_it(
    caseworker, api_as, answers, field
):
    response = api_as(caseworker).post(SCREENINGS, _interview(answers=answers), format="json")

    assert list(_problem(response, 400)["errors"]) == [field]
    assert not Screening.objects.exists()


def test_what_the_page_refuses_is_refused_with_its_messages(caseworker, api_as):
    response = api_as(caseworker).post(
        SCREENINGS,
        _interview(consented=False, age_group="", screened_at="0001-01-01T00:00:00+05:00"),
        format="json",
    )

    errors = _problem(response, 400)["errors"]
    assert set(errors) == {"consented", "age_group"}
    assert errors["age_group"] == ["Give an age group or an estimated age."]
    shape = api_as(caseworker).post(SCREENINGS, _interview(account=["a"]), format="json")
    assert _problem(shape, 400)["errors"] == {"account": ["Send a single value."]}
    ancient = api_as(caseworker).post(
        SCREENINGS, _interview(screened_at="0001-01-01T00:00:00+05:00"), format="json"
    )
    assert list(_problem(ancient, 400)["errors"]) == ["screened_at"]
    assert not Screening.objects.exists()


# --- Reading -----------------------------------------------------------------------------


def test_the_list_holds_no_name_and_no_account(caseworker, users, screening, other_org, api_as):
    elsewhere = factories.screening(actor=factories.user(Role.CASEWORKER, organisation=other_org))

    response = api_as(users[Role.SUPERVISOR]).get(SCREENINGS)

    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [row["id"] for row in rows] == [screening.pk]  # not the other organisation's
    assert elsewhere.code not in response.content.decode()
    text = response.content.decode()
    assert "Awa" not in text and "Douala" not in text
    assert not {"first_name", "last_name", "account", "risks_note"} & set(rows[0])
    assert rows[0]["answers"] == screening.answers
    assert not AuditEntry.objects.filter(action="screening.screening.viewed").exists()


def test_the_list_runs_as_many_queries_with_more_screenings_to_show(caseworker, api_as):
    """A field app syncs pages of 50 over a slow connection: no query per screening."""
    api = api_as(caseworker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert api.get(SCREENINGS).status_code == 200
        return len(captured.captured_queries)

    services.status_decide(
        actor=caseworker,
        screening=factories.screening(actor=caseworker, identified_region=factories.region()),
        status=T.ACTUAL,
        justification="Clear.",
    )
    queries()  # the token's first use is recorded once
    one = queries()
    for name in ("Bimbo", "Bouar", "Berbérati"):
        more = factories.screening(actor=caseworker, identified_region=factories.region(name=name))
        services.status_decide(
            actor=caseworker, screening=more, status=T.ACTUAL, justification="Clear."
        )

    assert queries() == one


def test_the_list_filters_as_the_page_and_names_a_bad_filter(caseworker, screening, api_as):
    api = api_as(caseworker)
    services.status_decide(
        actor=caseworker, screening=screening, status=T.ACTUAL, justification="Clear."
    )
    undecided = factories.screening(actor=caseworker)

    decided = api.get(SCREENINGS, {"decided": T.ACTUAL}).json()["results"]
    waiting = api.get(SCREENINGS, {"decided": "undecided"}).json()["results"]

    assert [row["id"] for row in decided] == [screening.pk]
    assert decided[0]["decision"]["status"] == T.ACTUAL
    assert decided[0]["decision"]["deciding_organisation"] == caseworker.organisation_id
    assert "justification" not in decided[0]["decision"]
    assert [row["id"] for row in waiting] == [undecided.pk]
    assert list(_problem(api.get(SCREENINGS, {"month": "March"}), 400)["errors"]) == ["month"]


def test_the_detail_holds_the_name_and_is_audited_as_the_page(caseworker, screening, api_as):
    response = api_as(caseworker).get(_url(screening))

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["first_name"] == "Awa" and not body["anonymous"]
    assert body["account"] == "On m'a promis un travail à Douala."
    assert body["can_change"] and body["can_decide"] and not body["can_open_case"]
    assert response["ETag"] == f'"{screening.version}"'
    entry = AuditEntry.objects.get(action="screening.screening.viewed")
    assert entry.target_id == str(screening.pk) and entry.actor == caseworker


# --- Changing ----------------------------------------------------------------------------


def test_a_change_needs_if_match_and_a_stale_one_is_refused_with_412(
    caseworker, users, screening, api_as
):
    api = api_as(caseworker)
    etag = api.get(_url(screening))["ETag"]
    screened_at = screening.screened_at

    missing = api.patch(_url(screening), {"identified_locality": "Baboua"}, format="json")
    changed = api.patch(
        _url(screening),
        {"identified_locality": "Baboua", "answers": {"pay": "nothing", "debt": None}},
        format="json",
        HTTP_IF_MATCH=etag,
    )
    stale = api_as(users[Role.SUPERVISOR]).patch(
        _url(screening), {"identified_locality": "Bouar"}, format="json", HTTP_IF_MATCH=etag
    )

    assert missing.status_code == 428
    assert changed.status_code == 200, changed.content
    assert changed["ETag"] == '"2"' != etag
    answers = changed.json()["answers"]
    assert answers["pay"] == "nothing" and "debt" not in answers  # cleared
    assert answers["recruiter"] == "Unaquainted"  # kept: a PATCH
    assert changed.json()["first_name"] == "Awa"
    assert _problem(stale, 412)["version"] == "2"
    screening.refresh_from_db()
    assert screening.identified_locality == "Baboua"
    assert screening.screened_at == screened_at  # not sent: kept to the microsecond
    assert AuditEntry.objects.get(action="screening.screening.changed").data["fields"] == [
        "identified_locality",
        "answers",
    ]


def test_a_change_saved_meanwhile_is_a_412_never_an_overwrite(
    caseworker, screening, api_as, monkeypatch
):
    """A colleague saves between the If-Match check and the service's locked read."""
    real = services.screening_update

    def racing(**kwargs):
        Screening.objects.filter(pk=screening.pk).update(version=7)
        return real(**kwargs)

    monkeypatch.setattr(services, "screening_update", racing)

    response = api_as(caseworker).patch(
        _url(screening), {"identified_locality": "Bouar"}, format="json", HTTP_IF_MATCH='"1"'
    )

    assert _problem(response, 412)["version"] == "7"
    assert Screening.objects.get(pk=screening.pk).identified_locality == "Beloko"


def test_a_field_that_cannot_be_set_is_refused_not_ignored(caseworker, screening, api_as):
    response = api_as(caseworker).patch(
        _url(screening),
        {"suggested_status": T.NOT_A_VICTIM, "version": 9, "consented": True},
        format="json",
        HTTP_IF_MATCH="*",
    )

    assert set(_problem(response, 400)["errors"]) == {"suggested_status", "version", "consented"}


# --- Deciding and opening a case ---------------------------------------------------------


def test_deciding_against_the_suggestion_needs_the_reason_the_page_asks_for(
    caseworker, screening, api_as, client_for
):
    decision = {"status": T.NOT_A_VICTIM, "justification": "Works freely."}

    response = api_as(caseworker).post(_url(screening, "decisions/"), decision, format="json")

    page = client_for(caseworker).post(
        reverse("screening:screening_decide", kwargs={"pk": screening.pk}), decision
    )
    expected = page.context["decision_form"].errors["reason_against_suggestion"]
    assert _problem(response, 400)["errors"] == {"reason_against_suggestion": expected}
    assert "give the reason for deciding otherwise" in expected[0]
    assert not StatusDecision.objects.exists()


def test_a_decision_with_its_reason_is_recorded_and_answers_the_screening(users, screening, api_as):
    supervisor = users[Role.SUPERVISOR]

    response = api_as(supervisor).post(
        _url(screening, "decisions/"),
        {
            "status": T.POSSIBLE,
            "justification": "The person withdrew part of the account.",
            "reason_against_suggestion": "The account changed at the second interview.",
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == T.POSSIBLE
    assert body["decision"]["against_suggestion"] is True
    assert "first_name" not in body
    decision = StatusDecision.objects.get()
    assert decision.decided_by == supervisor
    assert decision.reason_against_suggestion == "The account changed at the second interview."


def test_a_case_opens_once_and_a_repeat_answers_the_same_case(caseworker, screening, api_as):
    services.status_decide(
        actor=caseworker, screening=screening, status=T.ACTUAL, justification="Clear."
    )
    api = api_as(caseworker)
    consent = {"consent_confirmed": True, "consent_given_by": "person", "consent_method": "verbal"}

    opened = api.post(_url(screening, "open-case/"), consent, format="json")
    again = api.post(_url(screening, "open-case/"), consent, format="json")

    assert opened.status_code == 201, opened.content
    case = Case.objects.get()
    assert opened.json() == {
        "screening": screening.pk,
        "case": case.pk,
        "case_number": case.case_number,
        "possible_duplicate": False,
    }
    assert opened["Location"].endswith(f"/api/v1/cases/{case.pk}/")
    assert case.person.first_name == "Awa"  # the screening's name, as the page's form starts
    assert case.trafficking_status == T.ACTUAL
    assert again.status_code == 200
    assert again.json()["case"] == case.pk
    assert Case.objects.count() == 1
    listed = api.get(SCREENINGS).json()["results"][0]
    assert listed["case"] == case.pk
    assert Screening.objects.get(pk=screening.pk).anonymous  # the name moved to the case


def test_before_a_victim_decision_no_case_opens_and_after_it_nothing_changes(
    caseworker, screening, api_as
):
    api = api_as(caseworker)
    consent = {
        "consent_confirmed": True,
        "consent_given_by": "person",
        "consent_method": "verbal",
    }

    undecided = api.post(_url(screening, "open-case/"), consent, format="json")
    services.status_decide(
        actor=caseworker, screening=screening, status=T.ACTUAL, justification="Clear."
    )
    no_name = api.post(_url(screening, "open-case/"), {**consent, "first_name": ""}, format="json")
    api.post(_url(screening, "open-case/"), consent, format="json")
    change = api.patch(
        _url(screening), {"identified_locality": "Bouar"}, format="json", HTTP_IF_MATCH="*"
    )
    decision = api.post(
        _url(screening, "decisions/"),
        {"status": T.ACTUAL, "justification": "Again."},
        format="json",
    )

    assert _problem(undecided, 409)["detail"] == (
        "A case is opened once the status is decided as a possible or actual victim."
    )
    assert list(_problem(no_name, 400)["errors"]) == ["first_name"]
    assert _problem(change, 409)["detail"] == (
        "A case was opened from this screening: change the case file instead."
    )
    _problem(decision, 409)
    assert StatusDecision.objects.count() == 1


# --- Who reaches screenings --------------------------------------------------------------


@pytest.mark.parametrize("role", [*NO_SCREENING_ROLES, "superuser"])
def test_roles_outside_the_case_team_and_superusers_are_refused(role, users, screening, api_as):
    user = factories.superuser() if role == "superuser" else users[role]
    api = api_as(user)

    assert api.get(QUESTIONS).status_code == 403
    assert api.get(SCREENINGS).status_code == 403
    assert api.post(SCREENINGS, _interview(), format="json").status_code == 403
    assert api.get(_url(screening)).status_code == 403
    assert api.patch(_url(screening), {}, format="json", HTTP_IF_MATCH="*").status_code == 403
    decision = {"status": T.ACTUAL, "justification": "x"}
    assert api.post(_url(screening, "decisions/"), decision, format="json").status_code == 403
    assert api.post(_url(screening, "open-case/"), {}, format="json").status_code == 403
    assert Screening.objects.count() == 1 and not StatusDecision.objects.exists()


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.SUPERVISOR])
def test_another_organisations_screening_is_not_found(role, other_org, screening, api_as):
    api = api_as(factories.user(role, organisation=other_org))
    services.status_decide(
        actor=screening.screened_by, screening=screening, status=T.ACTUAL, justification="Clear."
    )
    consent = {"consent_confirmed": True, "consent_given_by": "person", "consent_method": "verbal"}

    assert _problem(api.get(_url(screening)), 404)
    assert api.patch(_url(screening), {}, format="json", HTTP_IF_MATCH="*").status_code == 404
    decision = {"status": T.POSSIBLE, "justification": "x", "reason_against_suggestion": "y"}
    assert api.post(_url(screening, "decisions/"), decision, format="json").status_code == 404
    assert api.post(_url(screening, "open-case/"), consent, format="json").status_code == 404
    assert api.get(SCREENINGS).json()["results"] == []
    assert StatusDecision.objects.count() == 1 and not Case.objects.exists()
    assert not AuditEntry.objects.filter(action="screening.screening.viewed").exists()


def test_a_read_only_token_reads_but_records_nothing(caseworker, screening, api_as):
    api = api_as(caseworker, read_only=True)

    assert api.get(_url(screening)).status_code == 200
    assert api.post(SCREENINGS, _interview(), format="json").status_code == 403
    assert Screening.objects.count() == 1
