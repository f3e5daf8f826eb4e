"""Synthetic data at scale for the benchmark: PostgreSQL COPY in chunks, no per-row ORM save.

Personal fields are stored as the app stores them: Fernet tokens that decrypt with the
configured keys, and the keyed search and duplicate hashes. To keep a million persons fast,
each distinct value of the synthetic name, phone and address pools is encrypted once and its
token reused (real data encrypts every value with its own random IV); search, duplicate
detection and decryption work exactly as on real data."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime

from django.db import connection

from traffick_cm import codebooks as cv
from traffick_cm import crypto

FEMALE = [
    "Aminata",
    "Fatoumata",
    "Mariama",
    "Aïssatou",
    "Kadiatou",
    "Hawa",
    "Awa",
    "Oumou",
    "Grâce",
    "Chantal",
    "Josiane",
    "Prisca",
    "Mireille",
    "Nadège",
    "Christelle",
    "Blessing",
    "Joy",
    "Precious",
    "Esther",
    "Ruth",
    "Salimata",
    "Djeneba",
    "Nafissatou",
    "Ramatou",
    "Zeinab",
    "Halima",
    "Estelle",
    "Odile",
    "Clarisse",
    "Bintou",
]
MALE = [
    "Mamadou",
    "Ibrahima",
    "Moussa",
    "Sékou",
    "Rodrigue",
    "Brice",
    "Jonas",
    "Serge",
    "Adama",
    "Boubacar",
    "Ousmane",
    "Abdoulaye",
    "Issa",
    "Yaya",
    "Emmanuel",
    "Chinedu",
    "Samuel",
    "Didier",
    "Armel",
    "Blaise",
]
LAST = [
    "Diallo",
    "Barry",
    "Bah",
    "Camara",
    "Sow",
    "Keïta",
    "Traoré",
    "Coulibaly",
    "Diarra",
    "Koné",
    "Touré",
    "Sylla",
    "Condé",
    "Bangoura",
    "Soumah",
    "Yakoma",
    "Ndakala",
    "Zanga",
    "Kossi",
    "Mbaïkoua",
    "Feidangamo",
    "Gbadamassi",
    "Sélémby",
    "Ngaïssona",
    "Okafor",
    "Eze",
    "Osagie",
    "Okonkwo",
    "Maïga",
    "Cissé",
    "Sidibé",
    "Dembélé",
    "Mahamat",
    "Abakar",
    "Doko",
    "Namsené",
    "Wakanga",
    "Yangana",
    "Ndanga",
    "Gbazi",
]
CITIZENSHIPS = (
    ["CF"] * 30
    + ["GN"] * 18
    + ["ML"] * 14
    + ["NG"] * 14
    + ["NE"] * 6
    + ["TD"] * 6
    + ["BF"] * 5
    + ["CM"] * 4
    + ["SN"] * 3
)
EXPLOITATION = (
    ["ForcedLabour"] * 40
    + ["SexualExploitation"] * 35
    + ["ForcedBegging"] * 7
    + ["Servitude"] * 6
    + ["ChildLabour"] * 5
    + ["ForcedMarriage"] * 4
    + ["ForcedMilitaryByNonStateActors"] * 2
    + ["Other"]
)
STATUSES = (
    ["screening"] * 8
    + ["open"] * 14
    + ["assistance"] * 25
    + ["reintegration"] * 15
    + ["follow_up"] * 13
    + ["closed"] * 18
    + ["not_a_victim"] * 3
    + ["transferred"] * 4
)
REFERRAL_STATES = (
    ["sent"] * 10
    + ["accepted"] * 15
    + ["declined"] * 8
    + ["in_progress"] * 15
    + ["completed"] * 40
    + ["closed_no_service"] * 6
    + ["cancelled"] * 4
    + ["draft"] * 2
)
SERVICES = [s.value for s in cv.ServiceType]
NOTE_TEXTS = [
    "Entretien de suivi.",
    "Visite à domicile réalisée.",
    "Orientée vers le centre.",
    "Contact avec la famille.",
    "Besoin d'appui psychosocial.",
    "Rendez-vous médical.",
]
NULL = "\\N"


def _esc(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def copy(table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    """COPY rows into a table; returns the count."""
    buffer = io.StringIO()
    n = 0
    for row in rows:
        buffer.write("\t".join(NULL if v is None else _esc(str(v)) for v in row))
        buffer.write("\n")
        n += 1
    buffer.seek(0)
    statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    with connection.cursor() as cursor, cursor.copy(statement) as copier:
        while chunk := buffer.read(1 << 20):
            copier.write(chunk)
    return n


def next_id(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")  # noqa: S608
        return cursor.fetchone()[0]


def reset_sequence(table: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
            f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
        )


class Pool:
    """Encrypted tokens and keyed hashes of the synthetic values, computed once each."""

    def __init__(self, rng: random.Random) -> None:
        self.names = {n: crypto.encrypt(n) for n in FEMALE + MALE + LAST}
        self.name_keys = {n: crypto.name_search_keys(n)[0] for n in FEMALE + MALE + LAST}
        self.phones = [
            crypto.encrypt(
                f"+236 7{rng.randint(0, 9)} {rng.randint(10, 99)} "
                f"{rng.randint(10, 99)} {rng.randint(10, 99)}"
            )
            for _ in range(500)
        ]
        self.addresses = [
            crypto.encrypt(f"Quartier {q}, {city}")
            for q in ("Boy-Rabe", "PK5", "Lakouanga", "Matam", "Kaloum", "Hamdallaye")
            for city in ("Bangui", "Conakry", "Bamako", "Kayes")
        ]
        self.notes = [crypto.encrypt(text) for text in NOTE_TEXTS]
        self.reason = crypto.encrypt("Besoin identifié lors de l'évaluation.")
        self.packets = {}
        self._duplicate_keys: dict[tuple, str] = {}

    def packet(self, first: str, sex: str) -> str:
        key = (first, sex)
        if key not in self.packets:
            self.packets[key] = crypto.encrypt(
                json.dumps({"case_number": "", "first_name": first, "sex": sex}, ensure_ascii=False)
            )
        return self.packets[key]

    def duplicate_key(self, first: str, last: str, year: int, citizenship: str) -> str:
        key = (first, last, year, citizenship)
        if key not in self._duplicate_keys:
            self._duplicate_keys[key] = crypto.duplicate_key(
                names=[first, last], birth_year=year, citizenship=citizenship
            )
        return self._duplicate_keys[key]


def timestamp(d: date, rng: random.Random) -> str:
    moment = datetime(d.year, d.month, d.day, rng.randint(7, 18), rng.randint(0, 59), tzinfo=UTC)
    return moment.isoformat()


def chunks(total: int, size: int) -> Iterator[tuple[int, int]]:
    start = 0
    while start < total:
        yield start, min(size, total - start)
        start += size


ProgressFn = Callable[[str], None]
