"""referrals/: the case team's referrals and a partner focal point's inbox.

The ctx records: "outgoing" is a draft of the table's caseworker (its case has consent),
"external" a referral of the table's caseworker sent to an organisation outside the system,
"incoming" a referral another organisation sent to the table's organisation (the table's
partner answers it). Referrals are case-level: a superuser's status gives no access."""

from __future__ import annotations

from tests.api_access import ApiRow, C, P, S, case_level


def _pk(name: str):
    return lambda ctx: {"pk": ctx[name].pk}


ROWS = [
    # The case team sees its cases' referrals, the partner its inbox.
    ApiRow("api:referral-list", "get", case_level(C, S, P)),
    # Created and sent at once (the case has consent), for a case of the team.
    ApiRow(
        "api:referral-list",
        "post",
        case_level(C, S, ok=201),
        data=lambda ctx: {
            "case": ctx["case"].pk,
            "service_type": "shelter",
            "to_organisation": ctx["outgoing"].to_organisation_id,
            "reason": "Needs a safe place",
            "packet_fields": ["case_number"],
        },
    ),
    # A draft of the team: never in the partner's inbox (404).
    ApiRow(
        "api:referral-detail",
        "get",
        {**case_level(C, S), P: 404},
        kwargs=_pk("outgoing"),
    ),
    # Sent to the table's organisation from another one: its partner reads it; the table's
    # case team, whose case it is not, gets 404.
    ApiRow(
        "api:referral-detail",
        "get",
        {**case_level(P), C: 404, S: 404},
        kwargs=_pk("incoming"),
    ),
    ApiRow("api:referral-send", "post", case_level(C, S), kwargs=_pk("outgoing"), data={}),
    # Sent already: a conflict.
    ApiRow(
        "api:referral-send",
        "post",
        {**case_level(C, S, ok=409)},
        kwargs=_pk("external"),
        data={},
    ),
    # The receiving partner answers; the case team may not (as the inbox page).
    ApiRow("api:referral-accept", "post", case_level(P), kwargs=_pk("incoming"), data={}),
    ApiRow(
        "api:referral-decline",
        "post",
        case_level(P),
        kwargs=_pk("incoming"),
        data={"reason": "No bed free"},
    ),
    # Not accepted yet: a conflict.
    ApiRow("api:referral-start", "post", case_level(P, ok=409), kwargs=_pk("incoming"), data={}),
    ApiRow(
        "api:referral-complete",
        "post",
        case_level(P, ok=409),
        kwargs=_pk("incoming"),
        data={"outcome": "Sheltered"},
    ),
]
