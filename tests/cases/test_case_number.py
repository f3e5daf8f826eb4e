"""Case numbers carry the organisation's country once (CF-2026-00015, never CF-CF-2026-00015);
the migration that repairs the numbers given before keeps the sequence going and leaves the
numbers of cases identified abroad as they are."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from cases.forms import is_case_number
from cases.models import Case, CaseNumberSequence
from tests import factories

from .steps import register_data

repair = importlib.import_module("cases.migrations.0005_case_numbers_without_doubled_prefix")


def _year() -> int:
    return timezone.localdate().year


def test_a_case_identified_at_home_has_the_country_once(caseworker):
    case = factories.case(caseworker=caseworker)

    assert case.case_number == f"CF-{_year()}-00001"


def test_a_case_identified_abroad_follows_the_same_sequence(caseworker):
    first = factories.case(caseworker=caseworker)
    abroad = factories.case(caseworker=caseworker, first_name="Other", identified_country="CM")

    assert first.case_number == f"CF-{_year()}-00001"
    assert abroad.case_number == f"CF-{_year()}-00002"


def test_the_registration_message_names_the_new_number(client_for, caseworker):
    response = client_for(caseworker).post(
        reverse("cases:case_register"), register_data(), follow=True
    )

    assert [str(m) for m in response.context["messages"]] == [
        f"Case CF-{_year()}-00001 registered."
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("CF-2026-00015", True),
        (" cf-2026-15 ", True),
        ("CF-CM-2025-00003", True),  # a case identified abroad, numbered before the repair
        ("CF-CF-2025-00012", True),  # as a paper file may still write it
        ("CF-2026", False),
        ("Amina Diallo", False),
        ("C-2026-00015", False),
    ],
)
def test_what_reads_as_a_case_number(text, expected):
    assert is_case_number(text) is expected


def _numbered(caseworker, number: str, **overrides) -> Case:
    case = factories.case(caseworker=caseworker, **overrides)
    Case.objects.filter(pk=case.pk).update(case_number=number)
    return case


def test_the_repair_removes_the_doubled_prefix_and_keeps_the_sequence(caseworker, other_org):
    year = _year()
    home = _numbered(caseworker, f"CF-CF-{year}-00001")
    second = _numbered(caseworker, f"CF-CF-{year}-00002", first_name="Second")
    abroad = _numbered(caseworker, f"CF-CM-{year}-00001", first_name="Third")
    CaseNumberSequence.objects.all().delete()
    CaseNumberSequence.objects.create(prefix="CF-CF", year=year, last=2)
    CaseNumberSequence.objects.create(prefix="CF-CM", year=year, last=1)

    repair.undouble(apps, None)

    numbers = dict(Case.objects.values_list("pk", "case_number"))
    assert numbers[home.pk] == f"CF-{year}-00001"
    assert numbers[second.pk] == f"CF-{year}-00002"
    assert numbers[abroad.pk] == f"CF-CM-{year}-00001"
    assert set(CaseNumberSequence.objects.values_list("prefix", "last")) == {
        ("CF", 2),
        ("CF-CM", 1),
    }
    # The next number follows the last one given: no collision with a repaired number.
    following = factories.case(caseworker=caseworker, first_name="Fourth")
    assert following.case_number == f"CF-{year}-00003"


def test_the_repair_can_be_undone(caseworker):
    year = _year()
    case = _numbered(caseworker, f"CF-CF-{year}-00007")
    abroad = _numbered(caseworker, f"CF-CM-{year}-00001", first_name="Other")

    repair.undouble(apps, None)
    repair.double(apps, None)

    case.refresh_from_db()
    abroad.refresh_from_db()
    assert case.case_number == f"CF-CF-{year}-00007"
    assert abroad.case_number == f"CF-CM-{year}-00001"
    assert CaseNumberSequence.objects.get(year=year).prefix == "CF-CF"


def test_a_number_written_with_the_doubled_prefix_still_finds_the_case(
    client_for, caseworker, case
):
    doubled = "CF-" + case.case_number

    response = client_for(caseworker).get(reverse("cases:case_list"), {"number": doubled})

    assert [c.pk for c in response.context["page"].object_list] == [case.pk]
