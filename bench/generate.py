"""Synthetic data at scale: the reference rows (missions, partners, caseworkers, projects),
then the cases in chunks, each generated from its own seeded generator and loaded with COPY
(bench/scale.py), so that worker processes can share the work and every run with the same
seed writes the same rows.

Rows are written straight as COPY text lines, with the values that vary drawn from lookup
tables (dates, times, ages) and every constant column folded into one suffix per table:
a million cases are some 23 million rows, and each Python operation per row costs seconds.
Search, whole-name and duplicate keys come from the app's own functions (traffick_cm.crypto),
each distinct name computed once."""

from __future__ import annotations

import csv
import functools
import json
import random
from collections import Counter
from datetime import date, timedelta

from django.db import connection, transaction

from accounts.models import AuditEntry, User, UserRole
from bench import scale
from bench.names import Names
from bench.scale import DAYS, NULL, TIMES, YEARS, Table
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
from traffick_cm import crypto
from trainings.models import TrainingSession

CHUNK = 5_000
SERVICES_PER_CASE = 3
REFERRALS_PER_CASE = 3
NOTES_PER_CASE = 2
KEYS_PER_PERSON = 4  # two words, the whole name, the duplicate key
TODAY = date(2026, 11, 1)
M2M = Case.caseworkers.through
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
    M2M,
    TrainingSession,
]
IDENTIFICATION = [
    "ngo",
    "police_gendarmerie",
    "hotline",
    "community_leader",
    "self",
    "flow_monitoring_point",
]
RELATIONSHIP = ["Familial", "Acquainted", "Unaquainted", ""]
URGENCY = ["emergency", "high", "normal", "normal"]
COSTS = ["15000", "25000", "40000"]
DISPLACEMENT = ["idp", "returnee", "migrant", ""]
CLOSED_STATUSES = {"closed", "not_a_victim", "transferred"}


def _tables() -> dict[str, Table]:
    """The COPY layout of every table: the columns the loop writes, in its order."""
    return {
        "case": Table(
            Case,
            [
                "id",
                "case_number",
                "organisation_id",
                "primary_caseworker_id",
                "status",
                "identified_on",
                "registered_on",
                "closed_on",
                "identified_country",
                "identified_region_id",
                "identification_method",
                "trafficking_status",
                "risk_level",
                "is_child",
                "unaccompanied_child",
                "urgent_medical_need",
                "security_risk",
                "project_id",
                "exploitation_types",
                "labour_industry",
                "relationship_to_trafficker",
                "age_when_trafficked",
                "exploitation_months",
                "is_transnational",
                "sex",
                "age_at_identification",
                "citizenships",
                "created_by_id",
                "created_at",
                "updated_at",
            ],
            fixed={
                "status_decided_by": "NGO",
                "methods_of_control": ";DebtBondage;FalsePromises;",
                "recruitment_methods": ";ThroughFriendsOrSocialEvents;",
            },
        ),
        "person": Table(
            Person,
            [
                "id",
                "case_id",
                "first_name",
                "last_name",
                "gender",
                "estimated_age",
                "birth_year",
                "phone",
                "address",
                "displacement_status",
            ],
            fixed={"languages": ";fra;"},
        ),
        "key": Table(PersonKey, ["id", "person_id", "case_id", "organisation_id", "kind", "key"]),
        "consent": Table(
            Consent,
            ["id", "case_id", "scope", "given_by", "given_on", "recorded_by_id", "recorded_at"],
            fixed={"granted": True, "method": "written"},
        ),
        "assessment": Table(
            Assessment,
            ["id", "case_id", "assessed_on", "assessed_by_id", "needs", "created_at"],
            fixed={"risk_level": "medium"},
        ),
        "referral": Table(
            Referral,
            [
                "id",
                "case_id",
                "from_organisation_id",
                "to_organisation_id",
                "service_type",
                "urgency",
                "reason",
                "destination_country",
                "status",
                "packet",
                "packet_withdrawn_at",
                "packet_withdrawn_because",
                "created_by_id",
                "created_at",
                "sent_at",
                "respond_by",
                "responded_at",
                "decline_reason",
                "outcome",
                "closed_at",
                "updated_at",
            ],
            fixed={"packet_fields": ";case_number;first_name;sex;"},
        ),
        "event": Table(ReferralEvent, ["id", "referral_id", "to_status", "by_id", "at"]),
        "service": Table(
            ServiceDelivery,
            [
                "id",
                "case_id",
                "service_type",
                "delivered_on",
                "provider_id",
                "cost",
                "project_id",
                "recorded_by_id",
                "created_at",
            ],
        ),
        "note": Table(CaseNote, ["id", "case_id", "body", "author_id", "created_at"]),
        "status": Table(
            StatusChange, ["id", "case_id", "to_status", "changed_by_id", "changed_at"]
        ),
        "audit": Table(
            AuditEntry,
            ["id", "at", "actor_id", "organisation_id", "target_id"],
            fixed={
                "action": "cases.case.created",
                "target_type": "cases.case",
                "data": '{"via": "seed_scale"}',
            },
        ),
        "m2m": Table(M2M, ["id", "case_id", "user_id"]),
    }


class Context:
    """What every chunk needs, made once before the workers fork: ids of the reference rows,
    the id bases, the name pools with their tokens and keys, the other encrypted values."""

    def __init__(self, seed: int, total: int) -> None:
        self.seed = seed
        self.total = total
        workers: dict[int, list[int]] = {}
        for user_id, org_id in User.objects.filter(username__startswith="scale-cw-").values_list(
            "pk", "organisation_id"
        ):
            workers.setdefault(org_id, []).append(user_id)
        self.regions: dict[str, list[int]] = {}
        for pk, country in Region.objects.values_list("pk", "country"):
            self.regions.setdefault(str(country), []).append(pk)
        # (id, country, regions, caseworkers) of each mission
        self.orgs = [
            (pk, str(country), self.regions.get(str(country)) or [None], workers[pk])
            for pk, country in Organisation.objects.filter(acronym__startswith="SCALE-")
            .exclude(acronym__startswith="SCALE-P")
            .order_by("pk")
            .values_list("pk", "country")
        ]
        self.partners = list(
            Organisation.objects.filter(acronym__startswith="SCALE-P")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.projects = list(
            Project.objects.filter(code__startswith="SCALE-")
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        self.bases = {model._meta.db_table: scale.next_id(model._meta.db_table) for model in TABLES}
        self.tables = _tables()
        self.names = Names()
        every_name = sorted(self.names.all())
        self.tokens = {name: crypto.encrypt(name) for name in every_name}
        self.name_keys = {name: crypto.name_search_keys(name)[0] for name in every_name}
        pool = random.Random(seed)
        self.phones = [
            crypto.encrypt(
                f"+236 7{pool.randint(0, 9)} {pool.randint(10, 99)} "
                f"{pool.randint(10, 99)} {pool.randint(10, 99)}"
            )
            for _ in range(500)
        ]
        self.addresses = [
            crypto.encrypt(f"Quartier {q}, {city}")
            for q in ("Boy-Rabe", "PK5", "Lakouanga", "Matam", "Kaloum", "Hamdallaye")
            for city in ("Bangui", "Conakry", "Bamako", "Kayes")
        ]
        self.notes = [crypto.encrypt(text) for text in scale.NOTE_TEXTS]
        self.reason = crypto.encrypt("Besoin identifié lors de l'évaluation.")
        # Lookup tables that stand in for per-row random calls.
        self.ages = [min(max(int(pool.triangular(9, 38, 22)), 9), 60) for _ in range(4096)]
        self.needs = [pool.sample(scale.SERVICES, 3) for _ in range(4096)]


@functools.lru_cache(maxsize=1 << 16)
def _full_name_key(first: str, last: str) -> str | None:
    return crypto.full_name_key(first, last)


@functools.lru_cache(maxsize=1 << 15)
def _packet(first: str, sex: str) -> str:
    return crypto.encrypt(
        json.dumps({"case_number": "", "first_name": first, "sex": sex}, ensure_ascii=False)
    )


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


def _draw_names(context: Context, rng: random.Random, citizenships, female) -> tuple[list, list]:
    """First and last names of a chunk's persons, each from its citizenship's pool."""
    region = context.names.region
    firsts = [
        (region(c), "female" if f else "male") for c, f in zip(citizenships, female, strict=True)
    ]
    lasts = [region(c) for c in citizenships]
    drawn_first = {
        key: iter(context.names.draw(rng, *key, k)) for key, k in sorted(Counter(firsts).items())
    }
    drawn_last = {
        key: iter(context.names.draw(rng, key, "last", k))
        for key, k in sorted(Counter(lasts).items())
    }
    return (
        [next(drawn_first[key]) for key in firsts],
        [next(drawn_last[key]) for key in lasts],
    )


def _chunk(context: Context, start: int, size: int) -> dict[str, int]:
    """Generate and COPY one chunk of cases with everything attached to them."""
    # The whole-name and duplicate keys of a person normalise the same names: once.
    with crypto.names_memoised():
        out = _rows(context, start, size)
    counts = {}
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit = off")
        for name, lines in out.items():
            table = context.tables[name]
            scale.copy(table.name, table.columns, "".join(lines))
            counts[table.name] = len(lines)
    return counts


def _rows(context: Context, start: int, size: int) -> dict[str, list[str]]:
    """A chunk's rows, as COPY text lines by table."""
    rng = random.Random(context.seed * 1_000_003 + start)
    rand = rng.random
    b = context.bases
    t = context.tables
    case_base, person_base = b["cases_case"], b["cases_person"]
    key_base, consent_base = b["cases_personkey"], b["cases_consent"]
    assessment_base, referral_base = b["cases_assessment"], b["referrals_referral"]
    event_base, service_base = b["referrals_referralevent"], b["cases_servicedelivery"]
    note_base, status_base = b["cases_casenote"], b["cases_statuschange"]
    audit_base, m2m_base = b["accounts_auditentry"], b[M2M._meta.db_table]
    orgs, partners, projects = context.orgs, context.partners, context.projects
    tokens, name_keys, ages, needs_pool = (
        context.tokens,
        context.name_keys,
        context.ages,
        context.needs,
    )
    phones, addresses, notes_pool, reason = (
        context.phones,
        context.addresses,
        context.notes,
        context.reason,
    )
    today = scale.day(TODAY)
    citizenships = rng.choices(scale.CITIZENSHIPS, k=size)
    female = [rand() < 0.78 for _ in range(size)]
    firsts, lasts = _draw_names(context, rng, citizenships, female)
    out: dict[str, list[str]] = {name: [] for name in t}
    cases, persons, keys, consents = out["case"], out["person"], out["key"], out["consent"]
    assessments, referrals, events = out["assessment"], out["referral"], out["event"]
    services, notes, statuses, audits = out["service"], out["note"], out["status"], out["audit"]
    m2m = out["m2m"]
    case_end, person_end, key_end = t["case"].suffix, t["person"].suffix, t["key"].suffix
    consent_end, assessment_end = t["consent"].suffix, t["assessment"].suffix
    referral_end, event_end, service_end = (
        t["referral"].suffix,
        t["event"].suffix,
        t["service"].suffix,
    )
    note_end, status_end, audit_end, m2m_end = (
        t["note"].suffix,
        t["status"].suffix,
        t["audit"].suffix,
        t["m2m"].suffix,
    )
    states, statuses_pool, exploitation = (
        scale.REFERRAL_STATES,
        scale.STATUSES,
        scale.EXPLOITATION,
    )
    for i in range(size):
        n = start + i
        case_id, person_id = case_base + n, person_base + n
        org_id, country, regions, workers = orgs[n % len(orgs)]
        worker = workers[int(rand() * len(workers))]
        citizenship, is_female = citizenships[i], female[i]
        first, last = firsts[i], lasts[i]
        sex = "female" if is_female else "male"
        age = ages[int(rand() * 4096)]
        identified = today - int(rand() * 2191)
        on = DAYS[identified]
        status = statuses_pool[int(rand() * len(statuses_pool))]
        kind = exploitation[int(rand() * len(exploitation))]
        region = regions[int(rand() * len(regions))]
        project = projects[int(rand() * len(projects))]
        created = on + TIMES[int(rand() * 720)]
        updated = DAYS[min(today, identified + int(rand() * 201))] + TIMES[int(rand() * 720)]
        child = age < 18
        birth_year = YEARS[identified] - age
        # Digits only, as the search recognises a case number; from 9,000,000 on, clear of
        # the numbers the app allocates, and of an earlier load's (ids only grow).
        number = f"{country}-{YEARS[identified]}-{9_000_000 + case_id}"
        cases.append(
            f"{case_id}\t{number}\t{org_id}\t{worker}\t"
            f"{status}\t{on}\t{on}\t"
            f"{DAYS[identified + 180] if status in CLOSED_STATUSES else NULL}\t{country}\t"
            f"{NULL if region is None else region}\t"
            f"{IDENTIFICATION[int(rand() * 6)]}\t"
            f"{'NotAVictimOfTrafficking' if status == 'not_a_victim' else ('PossibleVictimOfTrafficking' if rand() < 0.5 else 'ActualVictimOfTrafficking')}\t"  # noqa: E501
            f"{('low', 'medium', 'high')[int(rand() * 3)]}\t"
            f"{'t' if child else 'f'}\t{'t' if child and rand() < 0.3 else 'f'}\t"
            f"{'t' if rand() < 0.1 else 'f'}\t{'t' if rand() < 0.1 else 'f'}\t{project}\t"
            f";{kind};\t"
            f"{'B_MiningAndQuarrying' if kind == 'ForcedLabour' and rand() < 0.4 else ''}\t"
            f"{RELATIONSHIP[int(rand() * 4)]}\t{age}\t{1 + int(rand() * 36)}\t"
            f"{'f' if citizenship == country else 't'}\t{sex}\t{age}\t;{citizenship};\t"
            f"{worker}\t{created}\t{updated}{case_end}"
        )
        persons.append(
            f"{person_id}\t{case_id}\t{tokens[first]}\t{tokens[last]}\t"
            f"{'Feminine' if is_female else 'Masculine'}\t{age}\t{birth_year}\t"
            f"{phones[int(rand() * 500)]}\t{addresses[int(rand() * len(addresses))]}\t"
            f"{DISPLACEMENT[int(rand() * 4)]}{person_end}"
        )
        key = key_base + n * KEYS_PER_PERSON
        first_key, last_key = name_keys[first], name_keys[last]
        owner = f"{person_id}\t{case_id}\t{org_id}"
        keys.append(f"{key}\t{owner}\tname\t{first_key}{key_end}")
        if last_key != first_key:
            keys.append(f"{key + 1}\t{owner}\tname\t{last_key}{key_end}")
        if whole := _full_name_key(first, last):
            keys.append(f"{key + 2}\t{owner}\tfull\t{whole}{key_end}")
        duplicate = crypto.duplicate_key(
            names=[first, last], birth_year=birth_year, citizenship=citizenship
        )
        keys.append(f"{key + 3}\t{owner}\tdup\t{duplicate}{key_end}")
        m2m.append(f"{m2m_base + n}\t{case_id}\t{worker}{m2m_end}")
        given_by = "guardian" if child else "person"
        consent = consent_base + 2 * n
        consents.append(
            f"{consent}\t{case_id}\tdata_collection\t{given_by}\t{on}\t{worker}\t{created}"
            f"{consent_end}"
        )
        consents.append(
            f"{consent + 1}\t{case_id}\treferral_sharing\t{given_by}\t{on}\t{worker}\t{created}"
            f"{consent_end}"
        )
        needs = needs_pool[int(rand() * 4096)]
        assessments.append(
            f"{assessment_base + n}\t{case_id}\t{on}\t{worker}\t;{';'.join(needs)};\t{created}"
            f"{assessment_end}"
        )
        for j in range(REFERRALS_PER_CASE):
            referral = referral_base + n * REFERRALS_PER_CASE + j
            state = states[int(rand() * len(states))]
            sent = (
                NULL
                if state == "draft"
                else DAYS[identified + 1 + int(rand() * 30)] + TIMES[int(rand() * 720)]
            )
            responded = sent if state not in ("draft", "sent", "cancelled") else NULL
            cancelled = state == "cancelled"
            # A cancelled referral's packet is erased (issue 11: consent and cancellation end
            # sharing); the metadata stays.
            packet = _packet(first, sex) if sent != NULL and not cancelled else ""
            referrals.append(
                f"{referral}\t{case_id}\t{org_id}\t{partners[int(rand() * len(partners))]}\t"
                f"{needs[j]}\t{URGENCY[int(rand() * 4)]}\t{reason}\t{country}\t{state}\t"
                f"{packet}\t{sent if cancelled else NULL}\t{'cancelled' if cancelled else ''}\t"
                f"{worker}\t{created}\t{sent}\t{sent}\t{responded}\t"
                f"{'No capacity' if state == 'declined' else ''}\t"
                f"{'Done' if state == 'completed' else ''}\t"
                f"{responded if state in ('declined', 'completed', 'closed_no_service') else NULL}"
                f"\t{updated}{referral_end}"
            )
            events.append(
                f"{event_base + n * REFERRALS_PER_CASE + j}\t{referral}\t{state}\t{worker}\t"
                f"{created if sent == NULL else sent}{event_end}"
            )
        for j in range(SERVICES_PER_CASE):
            services.append(
                f"{service_base + n * SERVICES_PER_CASE + j}\t{case_id}\t{needs[j]}\t"
                f"{DAYS[identified + 1 + int(rand() * 90)]}\t{org_id}\t{COSTS[int(rand() * 3)]}\t"
                f"{projects[int(rand() * len(projects))]}\t{worker}\t{created}{service_end}"
            )
        for j in range(NOTES_PER_CASE):
            notes.append(
                f"{note_base + n * NOTES_PER_CASE + j}\t{case_id}\t"
                f"{notes_pool[int(rand() * len(notes_pool))]}\t{worker}\t{created}{note_end}"
            )
        statuses.append(f"{status_base + n}\t{case_id}\t{status}\t{worker}\t{created}{status_end}")
        audits.append(f"{audit_base + n}\t{created}\t{worker}\t{org_id}\t{case_id}{audit_end}")
    return out


_context: Context | None = None


def prepare(context: Context) -> None:
    """Hand the context to the worker processes (inherited at fork, not pickled)."""
    global _context
    _context = context


def run_chunks(spans: list[tuple[int, int]]) -> dict[str, int]:
    """One worker's share of the chunks: [(start, size), ...] -> rows per table."""
    connection.close()  # a fresh connection in each worker process
    totals: dict[str, int] = {}
    for start, size in spans:
        for table, n in _chunk(_context, start, size).items():
            totals[table] = totals.get(table, 0) + n
    connection.close()
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
    table = Table(
        TrainingSession,
        [
            "id",
            "title",
            "session_type",
            "topics",
            "audiences",
            "organiser_id",
            "country",
            "region_id",
            "start_date",
            "end_date",
            "project_id",
            "participants_female",
            "participants_male",
            "created_at",
            "updated_at",
        ],
    )
    first = scale.day(date(2021, 1, 1))
    lines = []
    for i in range(n):
        org_id, country, regions, _workers = rng.choice(context.orgs)
        start = first + rng.randint(0, 5 * 365)
        region = rng.choice(regions)
        lines.append(
            f"{base + i}\tSession {i}\t"
            f"{rng.choice(['training', 'awareness', 'workshop', 'community_dialogue'])}\t"
            f";{rng.choice(topics)};\t;{rng.choice(audiences)};\t{org_id}\t{country}\t"
            f"{NULL if region is None else region}\t{DAYS[start]}\t{DAYS[start + 1]}\t"
            f"{rng.choice(context.projects)}\t{rng.randint(0, 40)}\t{rng.randint(0, 40)}\t"
            f"{DAYS[start]}{TIMES[rng.randrange(720)]}\t{DAYS[start]}{TIMES[rng.randrange(720)]}"
            f"{table.suffix}"
        )
    scale.copy(table.name, table.columns, "".join(lines))
    return n


def write_import_file(stream, rows: int, seed: int = 7, names: Names | None = None) -> None:
    """An HTCDS import file of `rows` persons with names drawn as seed_scale draws them, so
    that the import meets the duplicate rate of real files, not one person repeated."""
    names = names or Names()
    rng = random.Random(seed)
    stamp = rng.randrange(10**9)
    writer = csv.writer(stream)
    writer.writerow(
        [
            "external_id",
            "prs_FirstName",
            "prs_SecondName",
            "prs_Birthdate",
            "prs_Gender",
            "prs_Citizenship",
            "vic_TraffickingStatus",
            "vic_TypeOfExploitation",
            "cas_Status",
            "con_Consent",
        ]
    )
    born = date(1975, 1, 1)
    for i in range(rows):
        citizenship = rng.choice(scale.CITIZENSHIPS)
        region = names.region(citizenship)
        is_female = rng.random() < 0.78
        first = names.draw(rng, region, "female" if is_female else "male", 1)[0]
        last = names.draw(rng, region, "last", 1)[0]
        writer.writerow(
            [
                f"BENCH-{stamp}-{i}",
                first,
                last,
                (born + timedelta(days=rng.randrange(40 * 365))).isoformat(),
                "Feminine" if is_female else "Masculine",
                citizenship,
                "PossibleVictimOfTrafficking",
                rng.choice(["ForcedLabour", "SexualExploitation", "ForcedBegging"]),
                "Active",
                "yes",
            ]
        )
