"""Synthetic data at scale: the reference rows (missions, partners, caseworkers, projects),
then the cases in chunks, each generated from its own seeded generator and loaded with COPY
(bench/scale.py), so that worker processes can share the work and every run with the same
seed writes the same rows."""

from __future__ import annotations

import random
from datetime import date, timedelta

from django.db import connection, transaction

from accounts.models import AuditEntry, User, UserRole
from bench import scale
from cases.models import (
    Assessment,
    Case,
    CaseNote,
    Consent,
    Person,
    PersonKey,
    ServiceDelivery,
    StatusChange,
)
from partners.models import Organisation, Region
from programmes.models import Donor, Project
from referrals.models import Referral, ReferralEvent
from trainings.models import TrainingSession

CHUNK = 5_000
SERVICES_PER_CASE = 3
REFERRALS_PER_CASE = 3
NOTES_PER_CASE = 2
TABLES = [
    Case,
    Person,
    PersonKey,
    Consent,
    Assessment,
    ServiceDelivery,
    Referral,
    ReferralEvent,
    CaseNote,
    StatusChange,
    AuditEntry,
    TrainingSession,
]
M2M = "cases_case_caseworkers"


def _columns(model, values: dict) -> tuple[list[str], list[str]]:
    fields = {f.attname: f.column for f in model._meta.concrete_fields}
    names = list(values)
    return [fields[n] for n in names], names


class Context:
    """What every chunk needs: ids of the reference rows, the pools, the id bases."""

    def __init__(self, seed: int, total: int) -> None:
        self.seed = seed
        self.total = total
        self.orgs = list(
            Organisation.objects.filter(acronym__startswith="SCALE-")
            .exclude(acronym__startswith="SCALE-P")
            .values_list("pk", "country")
        )
        self.partners = list(
            Organisation.objects.filter(acronym__startswith="SCALE-P").values_list("pk", flat=True)
        )
        self.workers = {}
        for user_id, org_id in User.objects.filter(username__startswith="scale-cw-").values_list(
            "pk", "organisation_id"
        ):
            self.workers.setdefault(org_id, []).append(user_id)
        self.regions = {}
        for pk, country in Region.objects.values_list("pk", "country"):
            self.regions.setdefault(country, []).append(pk)
        self.projects = list(
            Project.objects.filter(code__startswith="SCALE-").values_list("pk", flat=True)
        )
        self.bases = {model._meta.db_table: scale.next_id(model._meta.db_table) for model in TABLES}


def make_reference_data(rng: random.Random) -> None:
    donor, _ = Donor.objects.get_or_create(name="Scale donor")
    countries = ["CF", "GN", "ML", "NG", "NE", "TD"]
    for i, country in enumerate(countries):
        org, _ = Organisation.objects.get_or_create(
            name=f"Scale mission {country}",
            defaults={"acronym": f"SCALE-{country}", "type": "IOMMission", "country": country},
        )
        for j in range(3):
            Organisation.objects.get_or_create(
                name=f"Scale partner {country} {j}",
                defaults={
                    "acronym": f"SCALE-P{i}{j}",
                    "type": "NGO",
                    "country": country,
                    "services": ";shelter;medical;mhpss;legal;",
                },
            )
        for k in range(8):
            user, created = User.objects.get_or_create(
                username=f"scale-cw-{country.lower()}-{k}",
                defaults={"organisation": org, "first_name": "Scale", "last_name": f"{k}"},
            )
            if created:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                UserRole.objects.create(user=user, role="caseworker")
        project, _ = Project.objects.get_or_create(
            code=f"SCALE-{country}",
            defaults={
                "title": f"Scale project {country}",
                "donor": donor,
                "countries": [country],
                "start_date": date(2020, 1, 1),
                "end_date": date(2030, 12, 31),
            },
        )
        project.organisations.add(org)


def _chunk(context: Context, start: int, size: int) -> dict[str, int]:
    """Generate and COPY one chunk of cases with everything attached to them."""
    rng = random.Random(context.seed * 1_000_003 + start)
    pool = scale.Pool(random.Random(context.seed))
    today = date(2026, 11, 1)
    b = context.bases
    cases, persons, keys, m2m, consents, assessments = [], [], [], [], [], []
    services, referrals, events, notes, statuses, audits = [], [], [], [], [], []
    for i in range(start, start + size):
        case_id = b["cases_case"] + i
        org_id, org_country = context.orgs[i % len(context.orgs)]
        worker = rng.choice(context.workers[org_id])
        sex = "female" if rng.random() < 0.78 else "male"
        first = rng.choice(scale.FEMALE if sex == "female" else scale.MALE)
        last = rng.choice(scale.LAST)
        age = min(max(int(rng.triangular(9, 38, 22)), 9), 60)
        identified = today - timedelta(days=rng.randint(0, 6 * 365))
        citizenship = rng.choice(scale.CITIZENSHIPS)
        exploitation = rng.choice(scale.EXPLOITATION)
        status = rng.choice(scale.STATUSES)
        region = rng.choice(context.regions.get(str(org_country), [None]))
        created = scale.timestamp(identified, rng)
        updated = scale.timestamp(min(today, identified + timedelta(days=rng.randint(0, 200))), rng)
        cases.append(
            dict(
                id=case_id,
                # Digits only, as the search recognises a case number; from 9,000,000 on,
                # clear of the numbers the app allocates.
                case_number=f"{org_country}-{identified.year}-{9_000_000 + i}",
                external_id="",
                organisation_id=org_id,
                primary_caseworker_id=worker,
                status=status,
                identified_on=identified,
                registered_on=identified,
                closed_on=identified + timedelta(days=180)
                if status in ("closed", "not_a_victim", "transferred")
                else None,
                identified_country=org_country,
                identified_region_id=region,
                identified_locality="",
                identification_method=rng.choice(
                    [
                        "ngo",
                        "police_gendarmerie",
                        "hotline",
                        "community_leader",
                        "self",
                        "flow_monitoring_point",
                    ]
                ),
                referring_organisation_id=None,
                trafficking_status="NotAVictimOfTrafficking"
                if status == "not_a_victim"
                else rng.choice(["PossibleVictimOfTrafficking", "ActualVictimOfTrafficking"]),
                status_decided_by="NGO",
                risk_level=rng.choice(["low", "medium", "high"]),
                is_child=age < 18,
                unaccompanied_child=age < 18 and rng.random() < 0.3,
                urgent_medical_need=rng.random() < 0.1,
                security_risk=rng.random() < 0.1,
                project_id=rng.choice(context.projects),
                exploitation_types=f";{exploitation};",
                labour_industry="B_MiningAndQuarrying"
                if exploitation == "ForcedLabour" and rng.random() < 0.4
                else "",
                sex_exploitation_types="",
                methods_of_control=";DebtBondage;FalsePromises;",
                recruitment_methods=";ThroughFriendsOrSocialEvents;",
                relationship_to_trafficker=rng.choice(
                    ["Familial", "Acquainted", "Unaquainted", ""]
                ),
                age_when_trafficked=age,
                exploitation_months=rng.randint(1, 36),
                is_transnational=citizenship != org_country,
                sex=sex,
                age_at_identification=age,
                citizenships=f";{citizenship};",
                possible_duplicate=False,
                version=1,
                created_by_id=worker,
                created_at=created,
                updated_at=updated,
            )
        )
        person_id = b["cases_person"] + i
        persons.append(
            dict(
                id=person_id,
                case_id=case_id,
                first_name=pool.names[first],
                middle_name="",
                last_name=pool.names[last],
                aliases="",
                gender="Feminine" if sex == "female" else "Masculine",
                date_of_birth=None,
                estimated_age=age,
                birth_year=identified.year - age,
                languages=";fra;",
                marital_status="",
                number_of_children=None,
                education="",
                identity_documents="",
                phone=rng.choice(pool.phones),
                address=rng.choice(pool.addresses),
                displacement_status=rng.choice(["idp", "returnee", "migrant", ""]),
                has_disability=False,
                disability_details="",
                sogiesc_consent=False,
                sogiesc="",
            )
        )
        keys.append(dict(person_id=person_id, kind="name", key=pool.name_keys[first]))
        keys.append(dict(person_id=person_id, kind="name", key=pool.name_keys[last]))
        keys.append(
            dict(
                person_id=person_id,
                kind="dup",
                key=pool.duplicate_key(first, last, identified.year - age, citizenship),
            )
        )
        m2m.append(dict(case_id=case_id, user_id=worker))
        consents.append(
            dict(
                case_id=case_id,
                scope="data_collection",
                granted=True,
                given_by="guardian" if age < 18 else "person",
                method="written",
                given_on=identified,
                recorded_by_id=worker,
                recorded_at=created,
                withdrawn_on=None,
                withdrawn_by_id=None,
            )
        )
        consents.append(
            dict(
                case_id=case_id,
                scope="referral_sharing",
                granted=True,
                given_by="guardian" if age < 18 else "person",
                method="written",
                given_on=identified,
                recorded_by_id=worker,
                recorded_at=created,
                withdrawn_on=None,
                withdrawn_by_id=None,
            )
        )
        needs = rng.sample(scale.SERVICES, 3)
        assessments.append(
            dict(
                case_id=case_id,
                assessed_on=identified,
                assessed_by_id=worker,
                needs=f";{';'.join(needs)};",
                risk_level="medium",
                risks="",
                created_at=created,
            )
        )
        for j in range(REFERRALS_PER_CASE):
            ref_id = b["referrals_referral"] + i * REFERRALS_PER_CASE + j
            state = rng.choice(scale.REFERRAL_STATES)
            sent = (
                None
                if state == "draft"
                else scale.timestamp(identified + timedelta(days=rng.randint(1, 30)), rng)
            )
            responded = sent if state not in ("draft", "sent", "cancelled") else None
            partner = rng.choice(context.partners)
            referrals.append(
                dict(
                    id=ref_id,
                    case_id=case_id,
                    from_organisation_id=org_id,
                    to_organisation_id=partner,
                    external_organisation="",
                    service_type=needs[j],
                    urgency=rng.choice(["emergency", "high", "normal", "normal"]),
                    reason=pool.reason,
                    destination_country=org_country,
                    status=state,
                    packet_fields=";case_number;first_name;sex;",
                    # A cancelled referral's packet is erased (issue 11: consent and
                    # cancellation end sharing); the metadata stays.
                    packet=pool.packet(first, sex) if sent and state != "cancelled" else "",
                    packet_withdrawn_at=sent if state == "cancelled" else None,
                    packet_withdrawn_because="cancelled" if state == "cancelled" else "",
                    consent_override=False,
                    override_justification="",
                    created_by_id=worker,
                    created_at=created,
                    sent_at=sent,
                    respond_by=sent,
                    responded_at=responded,
                    responded_by_id=None,
                    decline_reason="No capacity" if state == "declined" else "",
                    outcome="Done" if state == "completed" else "",
                    feedback="",
                    closed_at=responded
                    if state in ("declined", "completed", "closed_no_service")
                    else None,
                    reminder_sent_for=None,
                    updated_at=updated,
                )
            )
            events.append(
                dict(
                    referral_id=ref_id,
                    from_status="",
                    to_status=state,
                    by_id=worker,
                    at=sent or created,
                    note="",
                )
            )
        for j in range(SERVICES_PER_CASE):
            services.append(
                dict(
                    case_id=case_id,
                    service_type=needs[j],
                    delivered_on=identified + timedelta(days=rng.randint(1, 90)),
                    provider_id=org_id,
                    cost=rng.choice([15000, 25000, 40000]),
                    currency="XAF",
                    project_id=rng.choice(context.projects),
                    notes="",
                    referral_id=None,
                    recorded_by_id=worker,
                    created_at=created,
                )
            )
        for _j in range(NOTES_PER_CASE):
            notes.append(
                dict(
                    case_id=case_id,
                    body=rng.choice(pool.notes),
                    author_id=worker,
                    created_at=created,
                )
            )
        statuses.append(
            dict(
                case_id=case_id,
                from_status="",
                to_status=status,
                changed_by_id=worker,
                changed_at=created,
                note="",
            )
        )
        audits.append(
            dict(
                at=created,
                actor_id=worker,
                organisation_id=org_id,
                action="cases.case.created",
                target_type="cases.case",
                target_id=str(case_id),
                data='{"via": "seed_scale"}',
            )
        )
    counts = {}
    with transaction.atomic():
        for model, rows in (
            (Case, cases),
            (Person, persons),
            (PersonKey, keys),
            (Consent, consents),
            (Assessment, assessments),
            (Referral, referrals),
            (ReferralEvent, events),
            (ServiceDelivery, services),
            (CaseNote, notes),
            (StatusChange, statuses),
            (AuditEntry, audits),
        ):
            columns, names = _columns(model, rows[0])
            counts[model._meta.db_table] = scale.copy(
                model._meta.db_table, columns, (tuple(r[n] for n in names) for r in rows)
            )
        counts[M2M] = scale.copy(
            M2M, ["case_id", "user_id"], ((r["case_id"], r["user_id"]) for r in m2m)
        )
    return counts


def run_chunks(args: tuple) -> dict[str, int]:
    """One worker's share of the chunks: (context, [(start, size), ...]) -> rows per table."""
    context, spans = args
    connection.close()  # a fresh connection in each worker process
    totals: dict[str, int] = {}
    for start, size in spans:
        for table, n in _chunk(context, start, size).items():
            totals[table] = totals.get(table, 0) + n
    return totals


def training_sessions(rng: random.Random, n: int, context: Context) -> int:
    """N training sessions of the missions over five years, by COPY; returns the count."""
    base = scale.next_id("trainings_trainingsession")
    audiences = [
        "community_leaders",
        "police",
        "magistrates",
        "social_workers",
        "peer_educators",
        "general_public",
        "government_focal_points",
    ]
    topics = ["tip_basics", "victim_identification", "legal_framework", "sgbv"]
    rows = []
    for i in range(n):
        org_id, country = rng.choice(context.orgs)
        start = date(2021, 1, 1) + timedelta(days=rng.randint(0, 5 * 365))
        rows.append(
            dict(
                id=base + i,
                title=f"Session {i}",
                session_type=rng.choice(
                    ["training", "awareness", "workshop", "community_dialogue"]
                ),
                topics=f";{rng.choice(topics)};",
                audiences=f";{rng.choice(audiences)};",
                organiser_id=org_id,
                facilitators="",
                country=country,
                region_id=rng.choice(context.regions.get(str(country), [None])),
                locality="",
                venue="",
                online=False,
                start_date=start,
                end_date=start + timedelta(days=1),
                project_id=rng.choice(context.projects),
                notes="",
                participants_female=rng.randint(0, 40),
                participants_male=rng.randint(0, 40),
                participants_other=0,
                age_under_18=None,
                age_18_24=None,
                age_25_plus=None,
                pre_test_average=None,
                post_test_average=None,
                created_by_id=None,
                created_at=scale.timestamp(start, rng),
                updated_at=scale.timestamp(start, rng),
            )
        )
    columns, names = _columns(TrainingSession, rows[0])
    return scale.copy(
        "trainings_trainingsession", columns, (tuple(r[n] for n in names) for r in rows)
    )
