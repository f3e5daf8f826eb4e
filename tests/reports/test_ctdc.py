"""The CTDC dataset: one row per identified victim in CTDC's columns, k-anonymous over all
of them (every combination of values describes at least k people), with no name or case
number, and without the people found not to be victims. M&E officers download it; nobody
else may. k is never under 11, whoever asks (form, command, service, database); each
calendar year of registration is released once, and asked again gives the same file."""

from __future__ import annotations

import csv
import io
import random
from collections import Counter
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import AuditEntry
from accounts.roles import Role
from cases.models import Case, TraffickingEvent
from reports import ctdc
from reports.models import CtdcRelease
from reports.services import ctdc as ctdc_services
from tests import factories
from traffick_cm import codebooks as cv

K = 11
YEAR = 2025
CTDC_COLUMNS = [
    "yearOfRegistration",
    "gender",
    "ageBroad",
    "citizenship",
    "CountryOfExploitation",
    "isForcedLabour",
    "isSexualExploit",
    "isOtherExploit",
]
FIRST_NAMES = ["Aïssatou", "Mariam", "Ousmane", "Boubacar", "Fatoumata", "Hadiza"]


def _row(**cells: str) -> tuple[str, ...]:
    """A full CSV row: the cells given, "0" for every flag not given."""
    values = dict.fromkeys(ctdc.COLUMNS, "0")
    values.update(cells)
    return tuple(values[column] for column in ctdc.COLUMNS)


COMMON = {
    "yearOfRegistration": "2025",
    "gender": "Female",
    "ageBroad": "24-26",
    "majorityStatus": "Adult",
    "citizenship": "CF",
    "CountryOfExploitation": "CF",
    "isForcedLabour": "1",
    "typeOfLabourAgriculture": "1",
    "recruiterRelationFamily": "1",
}


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def population(caseworker):
    """60 identified victims: 40 alike (women of 25 from CF, forced labour in agriculture,
    recruited by family; 12 of them exploited in Libya) and 20 in varied, rare
    combinations; and 15 people found not to be victims, all alike (men of 33 from Niger)."""
    rng = random.Random(11)  # noqa: S311 - test data
    people = []

    def register(n, *, status=cv.TraffickingStatus.POSSIBLE, **fields):
        age = fields.pop("age")
        # A child's consent is given with a parent or guardian (the service refuses their own).
        child = fields.get("is_child") or (age is not None and age < 18)
        case = factories.case(
            caseworker=caseworker,
            first_name=f"{FIRST_NAMES[n % len(FIRST_NAMES)]}{n:03d}",
            last_name=f"Ndoumbé{n:03d}",
            phone=f"+2367500{n:04d}",
            date_of_birth=None,
            person_data={"estimated_age": age},
            sex=fields.pop("sex"),
            citizenships=fields.pop("citizenships"),
            exploitation_types=fields.pop("exploitation_types"),
            identified_on=date(2026, 3, 1),
            consent_given_by="guardian" if child else "person",
            case_data={"trafficking_status": status, **fields},
        )
        people.append(case)
        return case

    for n in range(40):
        case = register(
            n,
            sex="female",
            age=25,
            citizenships=["CF"],
            exploitation_types=["ForcedLabour"],
            labour_industry="A_AgricultureForestryAndFishing",
            relationship_to_trafficker="Familial",
        )
        if n < 12:
            TraffickingEvent.objects.create(case=case, type="Exploitation", country="LY")
    for n in range(40, 60):
        age = rng.choice([10, 19, 33, 50])
        register(
            n,
            sex=rng.choice(["female", "male", "other"]),
            age=age,
            citizenships=[rng.choice(["CM", "TD", "SD", "CF"])],
            exploitation_types=rng.choice(
                [["SexualExploitation"], ["Other"], ["ForcedLabour", "SexualExploitation"]]
            ),
            labour_industry=rng.choice(["", "B_MiningAndQuarrying", "C_Manufacturing"]),
            methods_of_control=rng.sample(["DebtBondage", "FalsePromises", "PhysicalAbuse"], 2),
            relationship_to_trafficker=rng.choice(["", "Acquainted", "Unaquainted"]),
        )
    for n in range(60, 75):
        register(
            n,
            status=cv.TraffickingStatus.NOT_A_VICTIM,
            sex="male",
            age=33,
            citizenships=["NE"],
            exploitation_types=["ForcedLabour"],
        )
    # All registered in 2025, a year that has ended.
    Case.objects.filter(pk__in=[case.pk for case in people]).update(registered_on=date(YEAR, 3, 1))
    return people


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _read(text: str) -> tuple[list[str], list[tuple[str, ...]]]:
    header, *rows = list(csv.reader(io.StringIO(text)))
    return header, [tuple(row) for row in rows]


@pytest.fixture
def exported(population, tmp_path):
    output = tmp_path / "ctdc.csv"
    out = io.StringIO()
    call_command("export_ctdc", year=YEAR, k=K, output=str(output), stdout=out)
    text = output.read_text(encoding="utf-8")
    return {"text": text, "stdout": out.getvalue(), "path": output}


def test_the_header_has_the_ctdc_columns(exported):
    header, _rows = _read(exported["text"])

    assert header == ctdc.COLUMNS
    for column in CTDC_COLUMNS:
        assert column in header
    for prefix in ("typeOfLabour", "meansOf", "recruiterRelation"):
        assert [c for c in header if c.startswith(prefix)], prefix


def test_every_combination_of_all_columns_describes_at_least_k_people(exported):
    _header, rows = _read(exported["text"])

    assert len(rows) >= 40
    sizes = Counter(rows)
    assert min(sizes.values()) >= K
    assert {row: n for row, n in sizes.items() if n < K} == {}


def test_large_groups_are_released_whole(exported):
    _header, rows = _read(exported["text"])
    sizes = Counter(rows)

    assert sizes[_row(**COMMON)] == 28
    assert sizes[_row(**{**COMMON, "CountryOfExploitation": "LY"})] == 12


def test_no_name_phone_or_case_number_is_released(exported, population):
    text = exported["text"]

    for case in population:
        assert case.case_number not in text
        assert case.person.first_name not in text
        assert case.person.last_name not in text
        assert case.person.phone not in text
    assert "Ndoumbé" not in text


def test_people_found_not_to_be_victims_are_left_out(exported):
    header, rows = _read(exported["text"])
    citizenship = header.index("citizenship")

    assert "NE" not in {row[citizenship] for row in rows}
    # Every victim is released or counted as left out; the 15 others are not counted.
    assert f"{len(rows)} records registered in {YEAR}, k={K}" in exported["stdout"]
    left_out = int(exported["stdout"].split("; ")[1].split(" left out")[0])
    assert len(rows) + left_out == 60


def test_the_export_is_written_aside_then_moved_into_place_and_audited(exported):
    assert not exported["path"].with_name("ctdc.csv.part").exists()
    entry = AuditEntry.objects.get(action="reports.ctdc.exported")
    assert entry.actor is None
    assert entry.data["k"] == K
    assert entry.data["via"] == "command line"


def test_anonymise_blanks_rare_values_before_leaving_anyone_out():
    common = (2026, "Female", "24-26", "Adult", "CF", "CF", 1, 1, 0, "Familial")
    debt = (2026, "Female", "24-26", "Adult", "CF", "CF", 1, 1, 0b01, "Familial")
    threats = (2026, "Female", "24-26", "Adult", "CF", "CF", 1, 1, 0b10, "Familial")
    alone = (2019, "Male", "48+", "Adult", "SD", "LY", 4, 0, 0, "Unaquainted")

    kept, left_out = ctdc.anonymise([common] * 3 + [debt, threats, alone], k=2)

    # The two differ only by their means of control: blanked, they form a group of two.
    assert Counter(kept) == Counter({common: 3, (*common[:8], None, "Familial"): 2})
    # Still alone once every value is blanked: left out.
    assert left_out == 1
    assert ctdc.is_k_anonymous(kept, 2)


# The M&E download


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


def _body(response) -> str:
    return b"".join(response.streaming_content).decode()


def test_mne_downloads_the_k_anonymous_csv(client, users, population):
    client.force_login(users[Role.MNE])

    assert client.get(reverse("reports:ctdc_export")).status_code == 200
    response = client.post(reverse("reports:ctdc_export"), {"year": str(YEAR), "k": str(K)})

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="ctdc-{YEAR}-k11.csv"'
    header, rows = _read(_body(response))
    assert header == ctdc.COLUMNS
    assert rows and min(Counter(rows).values()) >= K
    entry = AuditEntry.objects.get(action="reports.ctdc.exported")
    assert entry.actor == users[Role.MNE]
    assert entry.data["records"] == len(rows)


# k is never under 11 (issue 11, finding 11)


@pytest.mark.parametrize("k", ["1", "2", "10", "-11", "eleven", ""])
def test_a_k_under_11_is_refused_with_the_page_again_and_nothing_released(
    client, users, population, k
):
    client.force_login(users[Role.MNE])

    response = client.post(reverse("reports:ctdc_export"), {"year": str(YEAR), "k": k})

    assert response.status_code == 400
    assert response["Content-Type"].startswith("text/html")
    assert response.context["form"].errors["k"]
    assert not CtdcRelease.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="reports.ctdc.").exists()


def test_the_command_refuses_a_k_under_11(population, tmp_path):
    output = tmp_path / "ctdc.csv"

    with pytest.raises(CommandError, match="11 or more"):
        call_command("export_ctdc", year=YEAR, k=10, output=str(output), stdout=io.StringIO())

    assert not output.exists()
    assert not CtdcRelease.objects.exists()


@pytest.mark.parametrize("k", [2, 10, True, 11.5, "11"])
def test_the_service_refuses_a_k_under_11_whoever_calls_it(population, k):
    with pytest.raises(ValidationError):
        ctdc_services.release(year=YEAR, k=k, actor=None, today=timezone.localdate())
    with pytest.raises(ValidationError):
        ctdc.export(io.StringIO(), k=k, year=YEAR)

    assert not CtdcRelease.objects.exists()


def test_the_database_refuses_a_release_under_11(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        CtdcRelease.objects.create(year=YEAR, k=5, checksum="0" * 64, size=0, records=0, left_out=0)


# One release per year


def test_asking_again_for_a_year_gives_the_same_release(client, users, population):
    client.force_login(users[Role.MNE])

    first = _body(client.post(reverse("reports:ctdc_export"), {"year": str(YEAR), "k": "11"}))
    # More victims registered in that year since: the release made stays the release.
    factories.case(caseworker=users[Role.CASEWORKER], first_name="Later")
    Case.objects.filter(person__isnull=False).update(registered_on=date(YEAR, 6, 1))
    second = _body(client.post(reverse("reports:ctdc_export"), {"year": str(YEAR), "k": "11"}))

    assert second == first
    release = CtdcRelease.objects.get()
    assert (release.year, release.k) == (YEAR, 11)
    assert AuditEntry.objects.filter(action="reports.ctdc.released").count() == 1
    assert AuditEntry.objects.filter(action="reports.ctdc.exported").count() == 2


def test_a_year_released_at_one_k_is_refused_at_another(client, users, population):
    client.force_login(users[Role.MNE])
    client.post(reverse("reports:ctdc_export"), {"year": str(YEAR), "k": "11"})

    response = client.post(reverse("reports:ctdc_export"), {"year": str(YEAR), "k": "15"})

    assert response.status_code == 400
    assert "made with k = 11" in response.content.decode()
    assert CtdcRelease.objects.get().k == 11
    assert AuditEntry.objects.filter(action="reports.ctdc.exported").count() == 1


def test_a_year_that_has_not_ended_cannot_be_released(population):
    this_year = timezone.localdate().year

    with pytest.raises(ValidationError):
        ctdc_services.release(year=this_year, k=K, actor=None, today=timezone.localdate())

    assert not CtdcRelease.objects.exists()


def test_a_release_holds_the_people_registered_in_its_year_only(population, tmp_path):
    Case.objects.filter(pk__in=[case.pk for case in population[:20]]).update(
        registered_on=date(YEAR - 1, 5, 1)
    )
    output = tmp_path / "ctdc.csv"

    call_command("export_ctdc", year=YEAR, k=K, output=str(output), stdout=io.StringIO())

    _header, rows = _read(output.read_text(encoding="utf-8"))
    assert {row[0] for row in rows} <= {str(YEAR), ""}
    release = CtdcRelease.objects.get()
    assert release.records + release.left_out == 40  # 60 victims, 20 of them in 2024


def test_the_command_writes_the_stored_release(population, tmp_path):
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"

    call_command("export_ctdc", year=YEAR, k=K, output=str(first), stdout=io.StringIO())
    out = io.StringIO()
    call_command("export_ctdc", year=YEAR, k=K, output=str(second), stdout=out)

    assert first.read_bytes() == second.read_bytes()
    assert "The release made before." in out.getvalue()
    assert CtdcRelease.objects.count() == 1


@pytest.mark.parametrize(
    "role",
    [Role.CASEWORKER, Role.SUPERVISOR, Role.PARTNER, Role.PROGRAMME, Role.MINISTRY, Role.ADMIN],
)
def test_other_roles_may_not_download_the_dataset(client, users, role):
    client.force_login(users[role])

    assert client.get(reverse("reports:ctdc_export")).status_code == 403
    assert client.post(reverse("reports:ctdc_export"), {"k": str(K)}).status_code == 403
    assert not AuditEntry.objects.filter(action="reports.ctdc.exported").exists()
