"""cases/ and the records of a case file: the case team of the owning organisation only
(the table's caseworker is assigned to the `ctx` case, its supervisor is in the same
organisation); every other role, and a superuser, 403 (case-level: need to know)."""

from __future__ import annotations

from datetime import date

from tests.api_access import ApiRow, C, S, case_level

TEAM = case_level(C, S)
CREATED = case_level(C, S, ok=201)


def _case(ctx):
    return {"pk": ctx["case"].pk}


def _registration(ctx):
    return {
        "identified_on": "2025-01-10",
        "identified_country": "CF",
        "identification_method": "ngo",
        "vic_TypeOfExploitation": ["ForcedLabour"],
        "con_Consent": True,
        "consent_given_by": "person",
        "consent_method": "written",
        "consent_given_on": "2025-01-10",
        "person": {"prs_FirstName": "Mariam", "prs_SecondName": "Kone", "sex": "female"},
    }


def _whole_case(ctx):
    return {
        "identified_on": "2025-01-10",
        "identified_country": "CF",
        "identification_method": "ngo",
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "risk_level": "medium",
        "person": {"prs_FirstName": "Amina", "prs_SecondName": "Diallo", "sex": "female"},
    }


def _sharing_consent(ctx):
    consent = ctx["case"].consents.get(scope="referral_sharing")
    return {"pk": ctx["case"].pk, "consent_pk": consent.pk}


ROWS = [
    ApiRow("api:case-list", "get", TEAM),
    ApiRow("api:case-list", "post", CREATED, data=_registration),
    ApiRow("api:case-detail", "get", TEAM, kwargs=_case),
    ApiRow(
        "api:case-detail",
        "patch",
        TEAM,
        kwargs=_case,
        data={"identified_locality": "Bimbo"},
        headers={"If-Match": "*"},
    ),
    ApiRow(
        "api:case-detail",
        "put",
        TEAM,
        kwargs=_case,
        data=_whole_case,
        headers={"If-Match": "*"},
    ),
    ApiRow("api:case-consents", "get", TEAM, kwargs=_case),
    ApiRow(
        "api:case-consents",
        "post",
        CREATED,
        kwargs=_case,
        data=lambda ctx: {
            "scope": "contact",
            "granted": True,
            "given_by": "person",
            "method": "verbal",
            "given_on": ctx["case"].identified_on.isoformat(),
        },
    ),
    ApiRow("api:case-consent-withdraw", "post", TEAM, kwargs=_sharing_consent),
    ApiRow("api:case-events", "get", TEAM, kwargs=_case),
    ApiRow(
        "api:case-events",
        "post",
        CREATED,
        kwargs=_case,
        data={"type": "Recruitment", "country": "CF", "place": "Bangui"},
    ),
    ApiRow("api:case-services", "get", TEAM, kwargs=_case),
    ApiRow(
        "api:case-services",
        "post",
        CREATED,
        kwargs=_case,
        data=lambda ctx: {
            "service_type": "medical",
            "delivered_on": ctx["case"].identified_on.isoformat(),
            "provider": ctx["org"].pk,
        },
    ),
    ApiRow("api:case-notes", "get", TEAM, kwargs=_case),
    ApiRow("api:case-notes", "post", CREATED, kwargs=_case, data={"body": "Called the family."}),
    ApiRow("api:case-follow-ups", "get", TEAM, kwargs=_case),
    ApiRow(
        "api:case-follow-ups",
        "post",
        CREATED,
        kwargs=_case,
        data={"due_on": date(2030, 2, 1).isoformat(), "purpose": "School visit"},
    ),
    ApiRow(
        "api:case-follow-up-done",
        "post",
        TEAM,
        kwargs=lambda ctx: {"pk": ctx["case"].pk, "follow_up_pk": ctx["follow_up"].pk},
    ),
]
