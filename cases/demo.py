"""About thirty demo case files across the Central African Republic, Guinea and Mali, in every
status, built through the same services as real work (so history, audit and keys are real).
Idempotent: a case is identified by its external_id."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import transaction

from accounts.models import User
from cases.models import Case
from cases.services import case as case_services
from cases.services import records
from partners.models import Organisation, Region
from traffick_cm import codebooks as v

# (external id, organisation, first, last, sex, age, citizenships, region, exploitation,
#  labour industry, target status, identification method)
CASES = [
    (
        "DEMO-CF-01",
        "IOM CAR",
        "Grâce",
        "Yakoma",
        "female",
        16,
        ["CF"],
        "Bangui",
        ["SexualExploitation"],
        "",
        "screening",
        "community_leader",
    ),
    (
        "DEMO-CF-02",
        "IOM CAR",
        "Rodrigue",
        "Zanga",
        "male",
        19,
        ["CF"],
        "Ouaka",
        ["ForcedLabour"],
        "B_MiningAndQuarrying",
        "open",
        "police_gendarmerie",
    ),
    (
        "DEMO-CF-03",
        "IOM CAR",
        "Chantal",
        "Ndakala",
        "female",
        24,
        ["CF"],
        "Bangui",
        ["SexualExploitation", "Servitude"],
        "",
        "assistance",
        "hotline",
    ),
    (
        "DEMO-CF-04",
        "IOM CAR",
        "Brice",
        "Feidangamo",
        "male",
        15,
        ["CF"],
        "Ouham",
        ["ForcedMilitaryByNonStateActors"],
        "",
        "assistance",
        "ngo",
    ),
    (
        "DEMO-CF-05",
        "IOM CAR",
        "Josiane",
        "Kossi",
        "female",
        31,
        ["CF", "CM"],
        "Nana-Mambéré",
        ["ForcedLabour"],
        "T_ActivitiesOfHouseholdsAsEmployers",
        "reintegration",
        "self",
    ),
    (
        "DEMO-CF-06",
        "IOM CAR",
        "Prisca",
        "Mbaïkoua",
        "female",
        13,
        ["CF"],
        "Ombella-M'Poko",
        ["ChildLabour", "ForcedLabour"],
        "A_AgricultureForestryAndFishing",
        "follow_up",
        "ngo",
    ),
    (
        "DEMO-CF-07",
        "IOM CAR",
        "Mireille",
        "Gbadamassi",
        "female",
        22,
        ["CF"],
        "Bangui",
        ["ForcedMarriage"],
        "",
        "closed",
        "health_facility",
    ),
    (
        "DEMO-CF-08",
        "IOM CAR",
        "Serge",
        "Wakanga",
        "male",
        27,
        ["CF"],
        "Ouaka",
        ["ForcedLabour"],
        "B_MiningAndQuarrying",
        "not_a_victim",
        "flow_monitoring_point",
    ),
    (
        "DEMO-CF-09",
        "IOM CAR",
        "Nadège",
        "Sélémby",
        "female",
        17,
        ["CF"],
        "Bangui",
        ["SexualExploitation"],
        "",
        "transferred",
        "police_gendarmerie",
    ),
    (
        "DEMO-CF-10",
        "IOM CAR",
        "Aïcha",
        "Mahamat",
        "female",
        20,
        ["TD"],
        "Ouham",
        ["Servitude", "ForcedLabour"],
        "T_ActivitiesOfHouseholdsAsEmployers",
        "open",
        "ngo",
    ),
    (
        "DEMO-CF-11",
        "IOM CAR",
        "Christelle",
        "Doko",
        "female",
        35,
        ["CF"],
        "Ouham",
        ["SexualExploitation"],
        "",
        "assistance",
        "community_leader",
    ),
    (
        "DEMO-CF-12",
        "IOM CAR",
        "Jonas",
        "Ngaïssona",
        "male",
        14,
        ["CF"],
        "Ouaka",
        ["ForcedMilitaryByNonStateActors", "ForcedLabour"],
        "B_MiningAndQuarrying",
        "reintegration",
        "other_organisation",
    ),
    (
        "DEMO-CF-13",
        "IOM CAR",
        "Odile",
        "Namsené",
        "female",
        29,
        ["CF"],
        "Bangui",
        ["ForcedLabour"],
        "I_AccommodationAndFoodServiceActivities",
        "follow_up",
        "self",
    ),
    (
        "DEMO-CF-14",
        "IOM CAR",
        "Estelle",
        "Koyassambia",
        "female",
        18,
        ["CF"],
        "Nana-Mambéré",
        ["SexualExploitation"],
        "",
        "screening",
        "hotline",
    ),
    (
        "DEMO-GN-01",
        "IOM GN",
        "Fatoumata",
        "Bah",
        "female",
        23,
        ["GN"],
        "Conakry",
        ["SexualExploitation"],
        "",
        "assistance",
        "ngo",
    ),
    (
        "DEMO-GN-02",
        "IOM GN",
        "Mariama",
        "Diallo",
        "female",
        12,
        ["GN"],
        "Labé",
        ["ForcedBegging"],
        "",
        "open",
        "community_leader",
    ),
    (
        "DEMO-GN-03",
        "IOM GN",
        "Aïssatou",
        "Camara",
        "female",
        26,
        ["GN"],
        "Kankan",
        ["ForcedLabour"],
        "B_MiningAndQuarrying",
        "reintegration",
        "flow_monitoring_point",
    ),
    (
        "DEMO-GN-04",
        "IOM GN",
        "Ibrahima",
        "Barry",
        "male",
        10,
        ["GN"],
        "Labé",
        ["ForcedBegging"],
        "",
        "follow_up",
        "police_gendarmerie",
    ),
    (
        "DEMO-GN-05",
        "IOM GN",
        "Kadiatou",
        "Sow",
        "female",
        30,
        ["GN"],
        "Mamou",
        ["Servitude"],
        "T_ActivitiesOfHouseholdsAsEmployers",
        "closed",
        "hotline",
    ),
    (
        "DEMO-GN-06",
        "IOM GN",
        "Mamadou",
        "Keïta",
        "male",
        21,
        ["GN"],
        "N'Zérékoré",
        ["ForcedLabour"],
        "A_AgricultureForestryAndFishing",
        "screening",
        "self",
    ),
    (
        "DEMO-GN-07",
        "IOM GN",
        "Hawa",
        "Condé",
        "female",
        19,
        ["GN"],
        "Conakry",
        ["SexualExploitation"],
        "",
        "transferred",
        "ngo",
    ),
    (
        "DEMO-GN-08",
        "IOM GN",
        "Sékou",
        "Touré",
        "male",
        33,
        ["GN"],
        "Kankan",
        ["ForcedLabour"],
        "F_Construction",
        "not_a_victim",
        "other_organisation",
    ),
    (
        "DEMO-ML-01",
        "IOM ML",
        "Blessing",
        "Okafor",
        "female",
        22,
        ["NG"],
        "Kayes",
        ["SexualExploitation"],
        "",
        "assistance",
        "flow_monitoring_point",
    ),
    (
        "DEMO-ML-02",
        "IOM ML",
        "Joy",
        "Eze",
        "female",
        17,
        ["NG"],
        "Kayes",
        ["SexualExploitation"],
        "",
        "open",
        "ngo",
    ),
    (
        "DEMO-ML-03",
        "IOM ML",
        "Awa",
        "Traoré",
        "female",
        28,
        ["ML"],
        "Bamako",
        ["Servitude", "ForcedLabour"],
        "T_ActivitiesOfHouseholdsAsEmployers",
        "reintegration",
        "hotline",
    ),
    (
        "DEMO-ML-04",
        "IOM ML",
        "Moussa",
        "Sidibé",
        "male",
        11,
        ["ML"],
        "Mopti",
        ["ForcedBegging"],
        "",
        "follow_up",
        "community_leader",
    ),
    (
        "DEMO-ML-05",
        "IOM ML",
        "Precious",
        "Osagie",
        "female",
        25,
        ["NG"],
        "Kayes",
        ["SexualExploitation", "ForcedLabour"],
        "B_MiningAndQuarrying",
        "closed",
        "police_gendarmerie",
    ),
    (
        "DEMO-ML-06",
        "IOM ML",
        "Oumou",
        "Diarra",
        "female",
        38,
        ["ML"],
        "Ségou",
        ["ForcedLabour"],
        "A_AgricultureForestryAndFishing",
        "screening",
        "self",
    ),
    (
        "DEMO-ML-07",
        "IOM ML",
        "Adama",
        "Koné",
        "male",
        16,
        ["BF"],
        "Gao",
        ["ForcedMilitaryByNonStateActors"],
        "",
        "transferred",
        "other_organisation",
    ),
    (
        "DEMO-ML-08",
        "IOM ML",
        "Kadidia",
        "Coulibaly",
        "female",
        9,
        ["ML"],
        "Kayes",
        ["ChildLabour"],
        "B_MiningAndQuarrying",
        "assistance",
        "ngo",
    ),
]

QUARTERS = ["Centre", "Nord", "Marché", "Gare"]
PATH = [
    v.CaseStatus.OPEN,
    v.CaseStatus.ASSISTANCE,
    v.CaseStatus.REINTEGRATION,
    v.CaseStatus.FOLLOW_UP,
]
CLOSING = {
    "closed": v.ClosureReason.REINTEGRATED,
    "not_a_victim": v.ClosureReason.NOT_A_VICTIM,
    "transferred": v.ClosureReason.TRANSFERRED,
}
NEEDS = {
    "SexualExploitation": ["medical", "mhpss", "shelter", "legal"],
    "ForcedLabour": ["mhpss", "documentation", "livelihood"],
    "ForcedBegging": ["family_tracing", "child_protection", "education"],
    "ForcedMilitaryByNonStateActors": ["mhpss", "child_protection", "education"],
    "Servitude": ["shelter", "legal", "livelihood"],
    "ForcedMarriage": ["shelter", "legal", "mhpss"],
    "ChildLabour": ["child_protection", "education", "family_tracing"],
}
NOTES = [
    "Entretien initial mené avec une interprète ; la personne est calme et coopérative.",
    "Visite au centre d'hébergement : besoin d'un suivi médical rapproché.",
    "Contact établi avec la famille par téléphone, réunification envisagée.",
    "La personne souhaite suivre une formation en couture.",
]


def _staff(org: Organisation, username: str, role: str, first: str, last: str) -> User:
    from accounts import demo as account_demo
    from accounts import services as account_services

    user = User.objects.filter(username=username).first()
    if user is None:
        user = account_services.user_create(
            actor=None,
            username=username,
            organisation=org,
            roles=[role],
            password=account_demo.DEMO_PASSWORD,
            first_name=first,
            last_name=last,
        )
        User.objects.filter(pk=user.pk).update(is_demo=True)
    return user


@transaction.atomic
def load(*, today: date) -> int:
    """Create the demo cases that do not exist yet; returns how many were created."""
    rng = random.Random(2026)  # noqa: S311 - demo data, not security
    orgs = {
        o.acronym: o
        for o in Organisation.objects.filter(acronym__in=["IOM CAR", "IOM GN", "IOM ML"])
    }
    caseworkers = {
        "IOM CAR": User.objects.get(username="caseworker"),
        "IOM GN": _staff(orgs["IOM GN"], "caseworker-gn", "caseworker", "Mariam", "Soumah"),
        "IOM ML": _staff(orgs["IOM ML"], "caseworker-ml", "caseworker", "Boubacar", "Maïga"),
    }
    supervisors = {
        "IOM CAR": User.objects.get(username="supervisor"),
        "IOM GN": _staff(orgs["IOM GN"], "supervisor-gn", "supervisor", "Ousmane", "Baldé"),
        "IOM ML": _staff(orgs["IOM ML"], "supervisor-ml", "supervisor", "Fatim", "Dembélé"),
    }
    existing = set(
        Case.objects.filter(external_id__startswith="DEMO-").values_list("external_id", flat=True)
    )
    created = 0
    for index, row in enumerate(CASES):
        (
            external_id,
            org_code,
            first,
            last,
            sex,
            age,
            citizenships,
            region_name,
            exploitation,
            industry,
            target,
            method,
        ) = row
        if external_id in existing:
            continue
        org = orgs[org_code]
        worker, supervisor = caseworkers[org_code], supervisors[org_code]
        identified_on = today - timedelta(days=20 + index * 23 % 400)
        region = Region.objects.filter(country=org.country, name=region_name).first()
        child = age < 18
        case = case_services.case_register(
            actor=worker,
            case_data={
                "external_id": external_id,
                "identified_on": identified_on,
                "identified_country": org.country.code,
                "identified_region": region,
                "identified_locality": region_name,
                "identification_method": method,
                "trafficking_status": v.TraffickingStatus.ACTUAL
                if target in ("assistance", "reintegration", "follow_up", "closed")
                else v.TraffickingStatus.POSSIBLE,
                "status_decided_by": v.StatusDecisionMaker.NGO,
                "risk_level": rng.choice(["low", "medium", "high"]),
                "unaccompanied_child": child and index % 3 == 0,
                "urgent_medical_need": "SexualExploitation" in exploitation and index % 2 == 0,
                "security_risk": "ForcedMilitaryByNonStateActors" in exploitation,
                "project": org.projects.order_by("-end_date").first(),
                "exploitation_types": exploitation,
                "labour_industry": industry,
                "methods_of_control": rng.sample(
                    [
                        "DebtBondage",
                        "FalsePromises",
                        "WithholdsDocuments",
                        "PhysicalThreats",
                        "TakesEarnings",
                        "ExcessiveWorkingHours",
                    ],
                    2,
                ),
                "recruitment_methods": [
                    rng.choice(
                        [
                            "ThroughFriendsOrSocialEvents",
                            "ThroughFamilyOrFamilyEvents",
                            "AtWork",
                            "ThroughOnlineSocialNetworks",
                        ]
                    )
                ],
                "relationship_to_trafficker": rng.choice(["Familial", "Acquainted", "Unaquainted"]),
                "age_when_trafficked": max(age - rng.randint(0, 2), 5),
            },
            person_data={
                "first_name": first,
                "last_name": last,
                "estimated_age": age,
                "languages": ["fra"]
                if org_code != "IOM ML" or citizenships != ["NG"]
                else ["eng", "bin"],
                "phone": f"+{rng.randint(200, 240)}{rng.randint(10000000, 99999999)}",
                "address": f"{region_name}, quartier {rng.choice(QUARTERS)}",
                "displacement_status": rng.choice(["idp", "returnee", "migrant", "host_community"]),
                "marital_status": "Single" if age < 20 else rng.choice(["Single", "Married"]),
            },
            sex=sex,
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
            created += 1
            continue
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
        steps = {"open": 1, "assistance": 2, "reintegration": 3, "follow_up": 4}.get(target, 2)
        for status in PATH[:steps]:
            case_services.case_transition(actor=worker, case=case, to_status=status)
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
                cost=rng.choice([15000, 25000, 40000]),
            )
        if target in ("follow_up", "reintegration", "assistance"):
            records.follow_up_add(
                actor=worker,
                case=case,
                due_on=today + timedelta(days=rng.randint(-3, 10)),
                purpose="Visite de suivi",
            )
        if target in CLOSING:
            request = case_services.closure_request(actor=worker, case=case, reason=CLOSING[target])
            case_services.closure_decide(actor=supervisor, closure=request, approve=True)
        created += 1
    return created
