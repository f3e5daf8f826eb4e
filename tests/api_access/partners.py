"""partners/ and pathways/."""

from __future__ import annotations

from tests.api_access import SUPER, A, ApiRow, C, P, S, every, only

ROWS = [
    ApiRow("api:partner-list", "get", every(200)),
    ApiRow("api:partner-detail", "get", every(200), kwargs=lambda ctx: {"pk": ctx["org"].pk}),
    # An administrator keeps its organisation's whole record, a partner focal point its own
    # organisation's directory fields (the table's partner is in the organisation).
    ApiRow(
        "api:partner-detail",
        "patch",
        only(A, P),
        kwargs=lambda ctx: {"pk": ctx["org"].pk},
        data={"phone": "+236 70 00 00 00"},
        headers={"If-Match": "*"},
    ),
    # A PUT carries the whole record: the phone alone is refused with field errors, once
    # the policy has let the role through.
    ApiRow(
        "api:partner-detail",
        "put",
        only(A, P, ok=400),
        kwargs=lambda ctx: {"pk": ctx["org"].pk},
        data={"phone": "+236 70 00 00 00"},
        headers={"If-Match": "*"},
    ),
    ApiRow("api:pathway-list", "get", only(C, S, A)),
    # A step goes to the pathways of the user's organisation's country: a superuser belongs
    # to none (on the page, it has no form).
    ApiRow(
        "api:pathway-list",
        "post",
        {**only(S, A, ok=201), SUPER: 403},
        data=lambda ctx: {
            "service_type": "medical",
            "partner": ctx["pathway"].partner_id,
            "rank": 3,
        },
    ),
    ApiRow(
        "api:pathway-detail", "get", only(C, S, A), kwargs=lambda ctx: {"pk": ctx["pathway"].pk}
    ),
    ApiRow(
        "api:pathway-detail",
        "delete",
        only(S, A, ok=204),
        kwargs=lambda ctx: {"pk": ctx["pathway"].pk},
    ),
]
