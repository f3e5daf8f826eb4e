"""The demo case files, in every status, made through the same services as real work (so
history, audit entries, case numbers and search keys are real). Idempotent: a case is
identified by its external id."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from accounts.models import User
from cases.models import Case
from cases.services import case as case_services
from cases.services import records, workflow
from demo.data.cases import (
    CASE_TEAMS,
    CASES,
    DISPLACEMENT_STATUSES,
    MARITAL_STATUSES,
    METHODS_OF_CONTROL,
    NEEDS,
    NOTES,
    QUARTERS,
    RECRUITMENT_METHODS,
    RELATIONSHIPS_TO_TRAFFICKER,
    RISK_LEVELS,
    SERVICE_COSTS,
)
from demo.data.users import MISSION_STAFF
from demo.loaders.reference import demo_user
from partners.models import Organisation, Region
from traffick_cm import codebooks as v

# The statuses a case passes through on its way to each target status, in order.
PATH = [
    v.CaseStatus.OPEN,
    v.CaseStatus.ASSISTANCE,
    v.CaseStatus.REINTEGRATION,
    v.CaseStatus.FOLLOW_UP,
]
STEPS = {"open": 1, "assistance": 2, "reintegration": 3, "follow_up": 4}
# The target statuses reached by closing the case, with the closure reason.
CLOSING = {
    "closed": v.ClosureReason.REINTEGRATED,
    "not_a_victim": v.ClosureReason.NOT_A_VICTIM,
    "transferred": v.ClosureReason.TRANSFERRED,
}


@transaction.atomic
def load(*, today: date) -> int:
    """Create the demo cases that do not exist yet; returns how many were created."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    orgs = {o.acronym: o for o in Organisation.objects.filter(acronym__in=list(CASE_TEAMS))}
    for row in MISSION_STAFF:
        demo_user(
            username=row["username"],
            organisation=orgs[row["organisation"]],
            role=row["role"],
            first_name=row["first_name"],
            last_name=row["last_name"],
        )
    teams = {
        acronym: {duty: User.objects.get(username=username) for duty, username in team.items()}
        for acronym, team in CASE_TEAMS.items()
    }
    existing = set(
        Case.objects.filter(external_id__startswith="DEMO-").values_list("external_id", flat=True)
    )
    created = 0
    for index, row in enumerate(CASES):
        if row["external_id"] in existing:
            continue
        org = orgs[row["organisation"]]
        team = teams[row["organisation"]]
        _case_create(
            row,
            index=index,
            org=org,
            worker=team["caseworker"],
            supervisor=team["supervisor"],
            rng=rng,
            today=today,
        )
        created += 1
    return created


def _case_create(
    row: dict,
    *,
    index: int,
    org: Organisation,
    worker: User,
    supervisor: User,
    rng: random.Random,
    today: date,
) -> None:
    """Register the case and take it to its target status, with the records real work leaves
    on the way. The draws from rng keep their order: the same demo on every machine."""
    age, target, exploitation = row["age"], row["status"], row["exploitation_types"]
    region_name, citizenships = row["region"], row["citizenships"]
    identified_on = today - timedelta(days=20 + index * 23 % 400)
    region = Region.objects.filter(country=org.country, name=region_name).first()
    child = age < 18
    case = case_services.case_register(
        actor=worker,
        case_data={
            "external_id": row["external_id"],
            "identified_on": identified_on,
            "identified_country": org.country.code,
            "identified_region": region,
            "identified_locality": region_name,
            "identification_method": row["identification_method"],
            "trafficking_status": v.TraffickingStatus.ACTUAL
            if target in ("assistance", "reintegration", "follow_up", "closed")
            else v.TraffickingStatus.POSSIBLE,
            "status_decided_by": v.StatusDecisionMaker.NGO,
            "risk_level": rng.choice(RISK_LEVELS),
            "unaccompanied_child": child and index % 3 == 0,
            "urgent_medical_need": "SexualExploitation" in exploitation and index % 2 == 0,
            "security_risk": "ForcedMilitaryByNonStateActors" in exploitation,
            "project": org.projects.order_by("-end_date").first(),
            "exploitation_types": exploitation,
            "labour_industry": row["labour_industry"],
            "methods_of_control": rng.sample(METHODS_OF_CONTROL, 2),
            "recruitment_methods": [rng.choice(RECRUITMENT_METHODS)],
            "relationship_to_trafficker": rng.choice(RELATIONSHIPS_TO_TRAFFICKER),
            "age_when_trafficked": max(age - rng.randint(0, 2), 5),
        },
        person_data={
            "first_name": row["first_name"],
            "last_name": row["last_name"],
            "estimated_age": age,
            # Nigerians identified in Mali speak English and Edo; everyone else French.
            "languages": ["fra"]
            if row["organisation"] != "IOM ML" or citizenships != ["NG"]
            else ["eng", "bin"],
            "phone": f"+{rng.randint(200, 240)}{rng.randint(10000000, 99999999)}",
            "address": f"{region_name}, quartier {rng.choice(QUARTERS)}",
            "displacement_status": rng.choice(DISPLACEMENT_STATUSES),
            "marital_status": "Single" if age < 20 else rng.choice(MARITAL_STATUSES),
        },
        sex=row["sex"],
        citizenships=citizenships,
        consent_given_by=v.ConsentGiver.GUARDIAN if child else v.ConsentGiver.PERSON,
        consent_method=v.ConsentMethod.WRITTEN,
        consent_given_on=identified_on,
    )
    records.consent_record(
        actor=worker,
        case=case,
        scope=v.ConsentScope.REFERRAL,
        granted=index % 5 != 0,
        given_by=v.ConsentGiver.GUARDIAN if child else v.ConsentGiver.PERSON,
        method=v.ConsentMethod.WRITTEN,
        given_on=identified_on,
    )
    if org.country.code != citizenships[0]:
        records.event_add(
            actor=worker,
            case=case,
            type="Recruitment",
            country=citizenships[0],
            place="",
            date=None,
            description="",
        )
    records.event_add(
        actor=worker,
        case=case,
        type="Exploitation",
        country=org.country.code,
        place=region_name,
        date=identified_on - timedelta(days=60),
        description="",
    )
    if target == "screening":
        return
    needs = NEEDS.get(exploitation[0], ["mhpss"])
    records.assessment_add(
        actor=worker,
        case=case,
        assessed_on=identified_on,
        needs=needs,
        risk_level=case.risk_level,
        risks="",
    )
    records.note_add(actor=worker, case=case, body=NOTES[index % len(NOTES)])
    # A closed case went as far as assistance before it closed.
    steps = STEPS.get(target, 2)
    for status in PATH[:steps]:
        workflow.case_transition(actor=worker, case=case, to_status=status)
    if steps >= 2:
        records.support_plan_add(
            actor=worker,
            case=case,
            type="Health",
            objectives="Soins et soutien psychosocial",
            planned_services=needs[:2],
            planned_end_on=identified_on + timedelta(days=180),
        )
        records.service_record(
            actor=worker,
            case=case,
            service_type=needs[0],
            delivered_on=identified_on + timedelta(days=3),
            cost=rng.choice(SERVICE_COSTS),
        )
    if target in ("follow_up", "reintegration", "assistance"):
        records.follow_up_add(
            actor=worker,
            case=case,
            due_on=today + timedelta(days=rng.randint(-3, 10)),
            purpose="Visite de suivi",
        )
    if target in CLOSING:
        request = workflow.closure_request(actor=worker, case=case, reason=CLOSING[target])
        workflow.closure_decide(actor=supervisor, closure=request, approve=True)
