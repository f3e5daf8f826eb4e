"""The demo screenings, recorded, decided and (one) opened as a case through the same
services as real work, so codes, indicators, suggestions, decisions and audit entries are
real. Idempotent: each screening is recorded with a submission token derived from its demo
key, so a rerun finds it instead of recording it again."""

from __future__ import annotations

import uuid
from datetime import date, datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import FormSubmission, User
from demo.data.screenings import DECIDERS, SCREENINGS
from partners.models import Region
from screening import services
from screening.models import Screening
from traffick_cm import codebooks as v

NAMESPACE = uuid.UUID("6f1c7a52-63a4-4a55-9a37-5d8f3b0e2c11")
FIELDS = ("identified_country", "identified_locality", "place_type", "sex", "citizenship")


def _token(key: str) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, key)


@transaction.atomic
def load(*, today: date) -> int:
    """Record the demo screenings that do not exist yet; returns how many were recorded.
    The demo cases' loader made the Guinea team (demo/loaders/cases.py)."""
    people = {
        acronym: {duty: User.objects.get(username=name) for duty, name in team.items()}
        for acronym, team in DECIDERS.items()
    }
    done = set(
        FormSubmission.objects.filter(
            token__in=[_token(row["key"]) for row in SCREENINGS]
        ).values_list("token", flat=True)
    )
    created = 0
    for index, row in enumerate(SCREENINGS):
        if _token(row["key"]) in done:
            continue
        team = people[row["organisation"]]
        screening = _record(row, index=index, actor=team["caseworker"], today=today)
        if decision := row.get("decision"):
            who, status, justification, reason = decision
            services.status_decide(
                actor=team[who],
                screening=screening,
                status=status,
                justification=justification,
                reason_against_suggestion=reason,
            )
        if person := row.get("case"):
            services.screening_case_open(
                actor=team["caseworker"],
                screening=screening,
                person_data=person,
                consent_given_by=v.ConsentGiver.PERSON,
                consent_method=v.ConsentMethod.VERBAL,
                consent_given_on=timezone.localtime(screening.screened_at).date(),
            )
        created += 1
    return created


def _record(row: dict, *, index: int, actor: User, today: date) -> Screening:
    day = today - timedelta(days=row["days"])
    screened_at = timezone.make_aware(datetime.combine(day, time(9 + index % 8, 15)))
    data = {name: row[name] for name in FIELDS}
    data.update(
        {
            "screened_at": min(screened_at, timezone.now()),
            "identified_region": Region.objects.filter(
                country=row["identified_country"], name=row["region"]
            ).first(),
            "age_group": row.get("age_group", ""),
            "estimated_age": row.get("estimated_age"),
            "account": row.get("account", ""),
            "needs": row.get("needs", []),
            "risks": row.get("risks", []),
            "risk_level": row.get("risk_level", ""),
            "risks_note": row.get("risks_note", ""),
        }
    )
    return services.screening_create(
        actor=actor,
        data=data,
        answers=row["answers"],
        consented=True,
        submission_token=_token(row["key"]),
    )
