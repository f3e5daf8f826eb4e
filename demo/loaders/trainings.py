"""The training and awareness sessions of the seed documents, recorded through the service.
Idempotent: a session is identified by its title, start date and organiser."""

from __future__ import annotations

from django.db import transaction

from accounts.models import User
from demo.data.trainings import SESSIONS
from partners.models import Organisation, Region
from programmes.models import Project
from trainings.models import TrainingSession
from trainings.services.sessions import session_record


@transaction.atomic
def load() -> int:
    """Record the sessions that do not exist yet; returns how many were recorded."""
    orgs = {o.acronym: o for o in Organisation.objects.exclude(acronym="")}
    projects = {p.code: p for p in Project.objects.all()}
    author = User.objects.filter(username="programme").first()
    created = 0
    for row in SESSIONS:
        organiser = orgs[row["organiser"]]
        if TrainingSession.objects.filter(
            title=row["title"], start_date=row["start_date"], organiser=organiser
        ).exists():
            continue
        region = (
            Region.objects.filter(country=row["country"], name=row["region"]).first()
            if row["region"]
            else None
        )
        session_record(
            actor=author,
            partners=[orgs[p] for p in row["partners"] if p in orgs],
            title=row["title"],
            session_type=row["session_type"],
            start_date=row["start_date"],
            end_date=row["end_date"],
            country=row["country"],
            region=region,
            locality=row["locality"],
            organiser=organiser,
            project=projects.get(row["project"]),
            audiences=row["audiences"],
            topics=row["topics"],
            participants_female=row["participants_female"],
            participants_male=row["participants_male"],
            participants_other=row["participants_other"],
            notes=row["notes"],
            online=row["session_type"] == "webinar",
        )
        created += 1
    return created
