"""Rows of the API table: trainings/ and trainings/totals/."""

from __future__ import annotations

from tests.api_access import MI, PR, SUPER, A, ApiRow, M, only

SESSION = {
    "title": "Awareness in Bimbo",
    "session_type": "awareness",
    "start_date": "2025-04-01",
    "end_date": "2025-04-02",
    "country": "CF",
    "audiences": ["police", "teachers"],
    "topics": ["tip_basics"],
    "participants_female": 5,
    "participants_male": 6,
}


def _session(ctx):
    return {"pk": ctx["session"].pk}


ROWS = [
    ApiRow("api:training-list", "get", only(PR, M)),
    # A session is its recorder's organisation's: a superuser belongs to none (on the page,
    # the service refuses it the same way).
    ApiRow("api:training-list", "post", {**only(PR, ok=201), SUPER: 400}, data=SESSION),
    ApiRow("api:training-detail", "get", only(PR, M), kwargs=_session),
    ApiRow(
        "api:training-detail",
        "put",
        only(PR),
        kwargs=_session,
        data={**SESSION, "title": "Training"},
        headers={"If-Match": "*"},
    ),
    ApiRow(
        "api:training-detail",
        "patch",
        only(PR),
        kwargs=_session,
        data={"notes": "Held in the town hall."},
        headers={"If-Match": "*"},
    ),
    ApiRow("api:training-totals", "get", only(PR, M, MI, A)),
]
