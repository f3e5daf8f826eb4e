"""The case import reads its file twice, one row at a time: every row is checked first, and
only a file without an error is read again and written, batch by batch, in one transaction.
Nothing is written when any row fails, however late in the file; the second reading writes
exactly what the first checked; only one batch of rows is held at a time."""

from __future__ import annotations

import io
from datetime import date

import pytest
from django.db import connection
from django.utils import translation

from accounts.models import AuditEntry
from cases.models import Case, Person, PersonKey
from cases.services import bulk_import, transfer
from traffick_cm import bulk
from traffick_cm.tables import ImportFileError

from .steps import HTCDS_HEADER, distinct_rows, htcds_csv

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_batches(monkeypatch):
    monkeypatch.setattr(bulk_import, "BATCH_SIZE", 20)


def _import(supervisor, stream, **options):
    return transfer.import_cases(
        name="cases.csv",
        stream=stream,
        organisation=supervisor.organisation,
        actor=supervisor,
        **options,
    )


def test_a_row_failing_late_in_a_file_of_several_batches_writes_nothing_at_all(
    supervisor, small_batches, monkeypatch
):
    """The bad row is the 44th of 45: the writer is never reached, not even for the batches
    before it (not written and undone: never written)."""
    batches = []
    monkeypatch.setattr(
        bulk_import, "_write_batch", lambda batch, *a, **k: batches.append(batch) or []
    )
    rows = distinct_rows(45)
    rows[43]["prs_Birthdate"] = "12/31/1990"

    report = _import(supervisor, io.BytesIO(htcds_csv(rows)))

    assert [(row, column) for row, column, _message in report.errors] == [(45, "prs_Birthdate")]
    assert report.rows == 45 and report.created == 0
    assert batches == []
    assert not Case.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="cases.").exists()


def test_the_rows_are_parsed_again_for_writing_one_batch_at_a_time(
    supervisor, small_batches, monkeypatch
):
    """When the first batch is written, the second reading has parsed that batch and no
    more: the rows of the file are never all held at once."""
    parse, parsed = transfer._parse_row, []
    monkeypatch.setattr(
        transfer,
        "_parse_row",
        lambda cells, refs: parsed.append(cells.number) or parse(cells, refs),
    )
    write, seen_at_writes = bulk_import._write_batch, []

    def write_batch(batch, *args, **kwargs):
        seen_at_writes.append((len(parsed), [number for number, _data in batch]))
        return write(batch, *args, **kwargs)

    monkeypatch.setattr(bulk_import, "_write_batch", write_batch)

    report = _import(supervisor, io.BytesIO(htcds_csv(distinct_rows(45))))

    assert report.ok, report.errors
    assert report.created == 45
    # 45 rows checked, then 20 parsed again before the first batch is written, and so on.
    assert [count for count, _numbers in seen_at_writes] == [65, 85, 90]
    assert [numbers for _count, numbers in seen_at_writes] == [
        list(range(2, 22)),
        list(range(22, 42)),
        list(range(42, 47)),
    ]
    assert sorted(Case.objects.values_list("external_id", flat=True)) == [
        f"ROW-{i:05d}" for i in range(45)
    ]


class _ChangingFile(io.BytesIO):
    """A file whose content is replaced when it is read from its start a second time."""

    def __init__(self, first: bytes, then: bytes) -> None:
        super().__init__(first)
        self.then, self.readings = then, 0

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        if (offset, whence) == (0, io.SEEK_SET):
            self.readings += 1
            if self.readings == 2:
                super().seek(0)
                self.truncate()
                self.write(self.then)
        return super().seek(offset, whence)


def test_a_file_with_more_rows_when_written_than_when_checked_is_undone(supervisor, small_batches):
    stream = _ChangingFile(htcds_csv(distinct_rows(30)), htcds_csv(distinct_rows(31)))

    with pytest.raises(RuntimeError, match="30 rows when checked and 31 when written"):
        _import(supervisor, stream)

    assert stream.readings == 2
    assert not Case.objects.exists()
    assert not PersonKey.objects.exists()


def test_a_row_that_fails_when_written_though_it_passed_when_checked_undoes_the_file(
    supervisor, small_batches
):
    changed = distinct_rows(30)
    changed[25]["prs_Citizenship"] = "Atlantis"
    stream = _ChangingFile(htcds_csv(distinct_rows(30)), htcds_csv(changed))

    report = _import(supervisor, stream)

    assert [(row, column) for row, column, _message in report.errors] == [(27, "prs_Citizenship")]
    assert report.created == 0
    assert not Case.objects.exists()


def test_progress_knows_the_number_of_rows_before_checking_them(
    supervisor, small_batches, monkeypatch
):
    monkeypatch.setattr(transfer, "PROGRESS_EVERY", 20)
    told = []

    report = _import(
        supervisor,
        io.BytesIO(htcds_csv(distinct_rows(45))),
        progress=lambda phase, done, total: told.append((phase, done, total)),
    )

    assert report.created == 45
    assert told == [
        ("checking", 20, 45),
        ("checking", 40, 45),
        ("checking", 45, 45),
        ("writing", 20, 45),
        ("writing", 40, 45),
        ("writing", 45, 45),
    ]


def test_a_dry_run_reads_the_file_once_and_writes_nothing(supervisor, monkeypatch):
    monkeypatch.setattr(bulk_import, "write_cases", lambda *a, **k: pytest.fail("written"))
    stream = _ChangingFile(htcds_csv(distinct_rows(5)), b"")

    report = _import(supervisor, stream, dry_run=True)

    assert report.ok and report.rows == 5
    assert stream.readings == 1
    assert not Case.objects.exists()


def test_a_stream_that_cannot_seek_is_read_once_and_kept_for_the_second_reading(supervisor):
    class Pipe(io.BytesIO):
        def seekable(self) -> bool:
            return False

    report = _import(supervisor, Pipe(htcds_csv(distinct_rows(3))))

    assert report.created == 3


def test_a_csv_record_that_cannot_be_read_late_in_the_file_refuses_the_file(supervisor):
    """The file is parsed as it is read: a malformed record after the first rows still
    refuses the whole file, before anything is written."""
    good = htcds_csv(distinct_rows(30))
    broken = good + b"ROW-99999,Ama\rBarry,Diallo,1990-01-01,,,,,,,yes\n"

    with pytest.raises(ImportFileError):
        _import(supervisor, io.BytesIO(broken))

    assert not Case.objects.exists()


def test_rows_without_external_id_repeated_late_in_the_file_are_refused(supervisor, small_batches):
    """The checks across rows keep only keys: the same person 40 rows later is still
    recognised, and the errors across rows follow the rows' own."""
    header = [column for column in HTCDS_HEADER if column != "external_id"]
    rows = distinct_rows(45)
    rows[44].update({k: rows[2][k] for k in ("prs_FirstName", "prs_SecondName", "prs_Birthdate")})
    rows[44]["prs_Citizenship"] = rows[2]["prs_Citizenship"]
    rows[10]["prs_Birthdate"] = "soon"

    with translation.override("en"):
        report = _import(supervisor, io.BytesIO(htcds_csv(rows, header)))

    assert [(row, column) for row, column, _message in report.errors] == [
        (12, "prs_Birthdate"),
        (46, "prs_FirstName"),
    ]
    assert "as row 4" in report.errors[1][2]
    assert not Case.objects.exists()


def test_the_bulk_writer_stores_what_a_save_stores(supervisor, caseworker):
    """COPY writes plain values as they are and prepares the others through their fields:
    a case and a person written in bulk read back as the same ones saved one by one."""
    organisation = supervisor.organisation

    def make(external_id: str) -> tuple[Case, Person]:
        case = Case(
            case_number=f"CF-2025-{external_id}",
            external_id=external_id,
            organisation=organisation,
            primary_caseworker=caseworker,
            status="open",
            identified_on=date(2025, 3, 4),
            registered_on=date(2025, 3, 5),
            identified_country="GN",
            exploitation_types=["ForcedLabour", "SexualExploitation"],
            citizenships=["GN", "ML"],
            is_child=True,
            age_at_identification=16,
            age_when_trafficked=None,
        )
        person = Person(
            first_name="Kadiatou",
            last_name="",
            date_of_birth=date(2009, 1, 2),
            birth_year=2009,
            languages=["fra"],
        )
        return case, person

    saved_case, saved_person = make("SAVED")
    saved_case.save()
    saved_person.case = saved_case
    saved_person.save()
    bulk_case, bulk_person = make("BULK")
    bulk.insert([bulk_case])
    bulk_person.case = bulk_case
    bulk.insert([bulk_person])

    skip = {"id", "case_number", "external_id", "created_at", "updated_at", "case"}
    for model, saved, written in (
        (Case, saved_case, bulk_case),
        (Person, saved_person, bulk_person),
    ):
        names = [f.attname for f in model._meta.concrete_fields if f.name not in skip]
        again = model.objects.filter(pk__in=[saved.pk, written.pk])
        values = {row.pop("id"): row for row in again.values("id", *names)}
        assert values[written.pk] == values[saved.pk], model
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT created_at IS NOT NULL, first_name <> 'Kadiatou', last_name FROM cases_case "
            "JOIN cases_person ON cases_person.case_id = cases_case.id WHERE cases_case.id = %s",
            [bulk_case.pk],
        )
        assert cursor.fetchone() == (True, True, "")  # the name is stored encrypted
