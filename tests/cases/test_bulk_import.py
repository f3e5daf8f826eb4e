"""The batched import keeps the rules of a registration: all rows or none (across batches),
re-import creates nothing, duplicate flags as the row path sets them, consecutive case numbers,
the audit (one entry per batch, and each case's own creation entry), and a query count per
batch that does not grow with the batch."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import AuditEntry
from cases.models import Case, Consent, DuplicateFlag, Person, PersonKey
from cases.services import bulk_import, transfer
from tests import factories

from .steps import HTCDS_HEADER, distinct_rows, htcds_csv

pytestmark = pytest.mark.django_db


def _import(supervisor, rows, header=HTCDS_HEADER):
    return transfer.import_cases(
        name="cases.csv",
        stream=io.BytesIO(htcds_csv(rows, header)),
        organisation=supervisor.organisation,
        actor=supervisor,
    )


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(bulk_import, "BATCH_SIZE", 20)


def test_rows_are_written_in_batches_with_consecutive_numbers(supervisor, small_batches):
    report = _import(supervisor, distinct_rows(45))

    assert report.ok, report.errors
    assert report.created == 45
    numbers = sorted(Case.objects.values_list("case_number", flat=True))
    year = timezone.localdate().year
    assert numbers == [f"CF-{year}-{n:05d}" for n in range(1, 46)]
    assert Person.objects.count() == 45
    assert Consent.objects.filter(scope="data_collection").count() == 45
    # Every case can be found by its names, as a registered one can.
    assert PersonKey.objects.filter(kind=PersonKey.Kind.NAME).count() == 90
    assert PersonKey.objects.filter(kind=PersonKey.Kind.FULL_NAME).count() == 45


def test_numbers_follow_the_registrations_made_before(supervisor, caseworker, small_batches):
    factories.case(caseworker=caseworker)
    _import(supervisor, distinct_rows(3))

    year = timezone.localdate().year
    assert sorted(Case.objects.values_list("case_number", flat=True)) == [
        f"CF-{year}-{n:05d}" for n in range(1, 5)
    ]
    registered_after = factories.case(caseworker=caseworker, first_name="Nafi")
    assert registered_after.case_number == f"CF-{year}-00005"


def test_a_row_refused_in_the_last_batch_undoes_the_earlier_batches(
    supervisor, small_batches, monkeypatch
):
    """The model's own validation of the last batch refuses a row: nothing of the file stays,
    and the report names the row."""
    original = Person.clean_fields

    def refuse_one(person, exclude=None):
        if person.first_name == "Zeinab":
            raise ValidationError({"first_name": "refused by the model"})
        return original(person, exclude=exclude)

    monkeypatch.setattr(Person, "clean_fields", refuse_one)
    rows = distinct_rows(44)
    rows[-1]["prs_FirstName"] = "Zeinab"

    report = _import(supervisor, rows)

    assert not report.ok
    assert (45, "first_name", "refused by the model") in report.errors
    assert report.created == 0
    assert Case.objects.count() == 0
    assert PersonKey.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="cases.").exists()


def test_importing_again_creates_nothing_and_new_rows_only_once(supervisor, small_batches):
    _import(supervisor, distinct_rows(30))

    again = _import(supervisor, distinct_rows(30))
    assert again.ok and again.created == 0 and again.already_imported == 30

    more = _import(supervisor, distinct_rows(35))
    assert more.created == 5 and more.already_imported == 30
    assert Case.objects.count() == 35


def test_duplicates_are_flagged_against_earlier_cases_and_earlier_rows(
    supervisor, outside_caseworker, small_batches
):
    """As the registration flags them: each new case against every case registered before
    it, in any organisation, and a file row against an earlier row of the same file."""
    elsewhere = factories.case(
        caseworker=outside_caseworker,
        first_name="Kadiatou",
        last_name="Barry",
        date_of_birth=date(1995, 4, 12),
        citizenships=["GN"],
    )
    same = {
        "prs_FirstName": "Kadiatou",
        "prs_SecondName": "Barry",
        "prs_Birthdate": "1995-04-12",
        "prs_Citizenship": "GN",
    }
    rows = distinct_rows(25)
    rows[3].update(same)  # first batch
    rows[22].update({**same, "prs_Birthdate": "1996-01-01"})  # second batch, a year apart

    _import(supervisor, rows)

    first = Case.objects.get(external_id="ROW-00003")
    second = Case.objects.get(external_id="ROW-00022")
    assert {(f.other_case_id, f.same_organisation) for f in first.duplicate_flags.all()} == {
        (elsewhere.pk, False)
    }
    assert {(f.other_case_id, f.same_organisation) for f in second.duplicate_flags.all()} == {
        (elsewhere.pk, False),
        (first.pk, True),
    }
    assert first.possible_duplicate and second.possible_duplicate
    assert not Case.objects.get(pk=elsewhere.pk).possible_duplicate
    assert DuplicateFlag.objects.count() == 3
    created = AuditEntry.objects.get(action="cases.case.created", target_id=str(second.pk))
    assert created.data["possible_duplicates"] == 2


def test_the_audit_has_one_entry_per_batch_and_each_case_its_creation(supervisor, small_batches):
    _import(supervisor, distinct_rows(45))

    batches = list(AuditEntry.objects.filter(action="cases.import.batch").order_by("pk"))
    assert [len(b.data["cases"]) for b in batches] == [20, 20, 5]
    created = AuditEntry.objects.filter(action="cases.case.created")
    assert created.count() == 45
    entry = created.get(target_id=str(Case.objects.get(external_id="ROW-00007").pk))
    assert entry.actor == supervisor
    assert entry.data["via"] == "import"
    assert entry.data["first_name"] == "***"
    assert entry.data["batch"] in {b.pk for b in batches}
    assert AuditEntry.objects.filter(action="cases.import.completed").count() == 1


def test_the_queries_of_a_batch_do_not_grow_with_its_rows(supervisor):
    """One duplicate look-up, one insert per table: a batch of 60 rows costs what a batch of
    6 does (after a first import: the year's number sequence then exists)."""
    first = distinct_rows(1, prefix="FIRST")
    first[0]["prs_FirstName"] = "Zeinab"
    _import(supervisor, first)
    with CaptureQueriesContext(connection) as few:
        _import(supervisor, distinct_rows(6, prefix="FEW"))
    with CaptureQueriesContext(connection) as many:
        _import(supervisor, distinct_rows(60, start=100, prefix="MANY"))

    assert Case.objects.count() == 67
    if connection.vendor == "postgresql":  # COPY: one statement per table, any size
        assert len(many) == len(few)
    else:  # multi-row INSERTs are cut by SQLite's parameter limit; the reads are not
        assert _reads(many) == _reads(few)


def _reads(queries: CaptureQueriesContext) -> int:
    return sum(not q["sql"].startswith("INSERT") for q in queries.captured_queries)


def test_a_row_without_recorded_consent_imports_without_any_consent(supervisor):
    """The writer's side of a file without con_Consent: the parser marks the row, the case has
    no consent record (the case shows "not recorded")."""
    report = transfer.ImportReport()
    rows = list(
        transfer._parsed_rows(
            transfer._sheet("cases.csv", io.BytesIO(htcds_csv(distinct_rows(2))), 0),
            report,
            transfer._references(supervisor.organisation),
            expected=2,
        )
    )
    for _number, data in rows:
        data["consent"] = None

    bulk_import.write_cases(rows, report, organisation=supervisor.organisation, actor=supervisor)

    assert report.created == 2
    assert not Consent.objects.exists()
