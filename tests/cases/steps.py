"""Helpers of the cases tests (plain functions; the fixtures are in conftest.py)."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date
from typing import Any

from django.test import Client
from django.urls import reverse
from django.utils import timezone

HTCDS_HEADER = [
    "external_id",
    "prs_FirstName",
    "prs_SecondName",
    "prs_Birthdate",
    "prs_Gender",
    "prs_Citizenship",
    "vic_TraffickingStatus",
    "vic_TypeOfExploitation",
    "vic_MethodsOfControl",
    "cas_Status",
    "con_Consent",
]

GOOD_ROWS = [
    {
        "external_id": "IMP-001",
        "prs_FirstName": "Kadiatou",
        "prs_SecondName": "Barry",
        "prs_Birthdate": "1995-04-12",
        "prs_Gender": "Feminine",
        "prs_Citizenship": "GN",
        "vic_TraffickingStatus": "ActualVictimOfTrafficking",
        "vic_TypeOfExploitation": "SexualExploitation",
        "vic_MethodsOfControl": "DebtBondage;WithholdsDocuments",
        "cas_Status": "Active",
        "con_Consent": "yes",
    },
    {
        "external_id": "IMP-002",
        "prs_FirstName": "Ousmane",
        "prs_SecondName": "Keita",
        "prs_Birthdate": "1990-11-30",
        "prs_Gender": "Masculine",
        "prs_Citizenship": "ML",
        "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
        "vic_TypeOfExploitation": "ForcedLabour",
        "vic_MethodsOfControl": "",
        "cas_Status": "FollowUp",
        "con_Consent": "oui",
    },
    {
        "external_id": "IMP-003",
        "prs_FirstName": "Hawa",
        "prs_SecondName": "Touré",
        "prs_Birthdate": "2001-07-01",
        "prs_Gender": "Feminine",
        "prs_Citizenship": "CF",
        "vic_TraffickingStatus": "ActualVictimOfTrafficking",
        "vic_TypeOfExploitation": "ForcedMarriage",
        "vic_MethodsOfControl": "PhysicalThreats",
        "cas_Status": "Active",
        "con_Consent": "true",
    },
]


def english_client(user=None) -> Client:
    """A separate signed-in client, for tests that need two browsers at once."""
    client = Client(headers={"accept-language": "en"})
    if user is not None:
        client.force_login(user)
    return client


def register_data(**overrides: Any) -> dict[str, Any]:
    """A valid POST of the registration form."""
    today = timezone.localdate()
    data = {
        "identified_on": today.isoformat(),
        "identified_country": "CF",
        "identified_region": "",
        "identified_locality": "",
        "identification_method": "ngo",
        "referring_organisation": "",
        "trafficking_status": "PossibleVictimOfTrafficking",
        "status_decided_by": "",
        "risk_level": "medium",
        "project": "",
        "first_name": "Mariama",
        "last_name": "Sow",
        "date_of_birth": "1996-02-03",
        "gender": "Feminine",
        "sex": "female",
        "citizenships": ["GN"],
        "exploitation_types": ["ForcedLabour"],
        "consent_confirmed": "on",
        "consent_given_by": "person",
        "consent_method": "written",
        "consent_given_on": today.isoformat(),
        "submission_token": str(uuid.uuid4()),
    }
    return {**data, **overrides}


def _post_value(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, list | tuple):
        return [str(x) for x in value]
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def form_post(initial: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """What a browser posts back for a form shown with `initial`, with `changes` typed in."""
    data = {key: _post_value(value) for key, value in initial.items()}
    data.update({key: _post_value(value) for key, value in changes.items()})
    return {key: value for key, value in data.items() if value != ""}


def load_edit_form(client: Client, case) -> dict[str, Any]:
    """Open the case's edit page and return the values it was shown with."""
    response = client.get(reverse("cases:case_edit", kwargs={"pk": case.pk}))
    assert response.status_code == 200
    return dict(response.context["form"].initial)


def htcds_csv(rows: list[dict[str, str]], header: list[str] | None = None) -> bytes:
    header = header or HTCDS_HEADER
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in header})
    return buffer.getvalue().encode()


FIRST = ["Kadiatou", "Ousmane", "Hawa", "Mariam", "Sekou", "Fanta", "Lamine", "Adama", "Binta"]
LAST = ["Barry", "Keita", "Touré", "Diallo", "Camara", "Sow", "Bah", "Konaté", "Cissé", "Traoré"]


def distinct_rows(count: int, *, start: int = 0, prefix: str = "ROW") -> list[dict[str, str]]:
    """Distinct people: every name and birth date differs."""
    rows = []
    for i in range(start, start + count):
        rows.append(
            {
                "external_id": f"{prefix}-{i:05d}",
                "prs_FirstName": FIRST[i % len(FIRST)],
                "prs_SecondName": f"{LAST[(i // len(FIRST)) % len(LAST)]}",
                "prs_Birthdate": date(1960 + i % 40, 1 + i % 12, 1 + i % 28).isoformat(),
                "prs_Gender": "Feminine" if i % 2 else "Masculine",
                "prs_Citizenship": ["GN", "ML", "CF", "CM"][i % 4],
                "vic_TraffickingStatus": "PossibleVictimOfTrafficking",
                "vic_TypeOfExploitation": "ForcedLabour",
                "vic_MethodsOfControl": "",
                "cas_Status": "Active",
                "con_Consent": "yes",
            }
        )
    return rows
