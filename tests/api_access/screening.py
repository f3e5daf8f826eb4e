"""screenings/ and screening-questions/: the case team of the organisation that screened the
person (the `ctx` screening is the table's caseworker's, decided an actual victim by its
supervisor); every other role, and a superuser, 403 (case-level: need to know)."""

from __future__ import annotations

from tests.api_access import ApiRow, C, S, case_level

TEAM = case_level(C, S)
CREATED = case_level(C, S, ok=201)

INTERVIEW = {
    "screened_at": "2025-03-01T09:30:00Z",
    "identified_country": "CF",
    "identified_locality": "Beloko",
    "place_type": "border_post",
    "sex": "male",
    "age_group": "18-20",
    "citizenship": "TD",
    "answers": {"recruiter": "Unaquainted", "debt": "owes", "could_leave": "no"},
}


def _screening(ctx):
    return {"pk": ctx["screening"].pk}


ROWS = [
    ApiRow("api:screening-question-list", "get", TEAM, query={"country": "CF"}),
    ApiRow("api:screening-list", "get", TEAM),
    ApiRow("api:screening-list", "post", CREATED, data={**INTERVIEW, "consented": True}),
    ApiRow("api:screening-detail", "get", TEAM, kwargs=_screening),
    ApiRow(
        "api:screening-detail",
        "patch",
        TEAM,
        kwargs=_screening,
        data={"identified_locality": "Baboua", "answers": {"pay": "nothing"}},
        headers={"If-Match": "*"},
    ),
    ApiRow(
        "api:screening-detail",
        "put",
        TEAM,
        kwargs=_screening,
        data=INTERVIEW,
        headers={"If-Match": "*"},
    ),
    ApiRow(
        "api:screening-decisions",
        "post",
        CREATED,
        kwargs=_screening,
        data={
            "status": "ActualVictimOfTrafficking",
            "justification": "Confirmed at a second interview.",
        },
    ),
    # Decided an actual victim: the case opens.
    ApiRow(
        "api:screening-open-case",
        "post",
        CREATED,
        kwargs=_screening,
        data={
            "first_name": "Awa",
            "consent_confirmed": True,
            "consent_given_by": "person",
            "consent_method": "verbal",
        },
    ),
]
