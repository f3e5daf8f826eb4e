"""Search by name: a whole name is one index probe; when nobody goes by exactly that name,
every person whose names hold all its words is found (the per-word keys)."""

from __future__ import annotations

import pytest

from cases.models import Case, PersonKey
from cases.services import identity
from tests import factories

pytestmark = pytest.mark.django_db


def _found(text: str) -> set[int]:
    return set(identity.cases_matching_name(Case.objects.all(), text).values_list("pk", flat=True))


def test_a_whole_name_finds_the_person_in_any_word_order_and_spelling(caseworker):
    aminata = factories.case(caseworker=caseworker, first_name="Aminata", last_name="Traoré")
    factories.case(caseworker=caseworker, first_name="Aminata", last_name="Koné")

    assert _found("Aminata Traoré") == {aminata.pk}
    assert _found("TRAORE aminata") == {aminata.pk}


def test_the_middle_name_may_be_left_out(caseworker):
    person = factories.case(
        caseworker=caseworker,
        first_name="Aminata",
        last_name="Traoré",
        person_data={"middle_name": "Fatou"},
    )

    assert _found("Aminata Traoré") == {person.pk}
    assert _found("Aminata Fatou Traoré") == {person.pk}


def test_without_an_exact_whole_name_every_person_holding_all_the_words_is_found(caseworker):
    """Nobody is called just "Aminata Sow": the two people whose names hold both words are."""
    first = factories.case(caseworker=caseworker, first_name="Aminata Mariam", last_name="Sow")
    second = factories.case(caseworker=caseworker, first_name="Aminata", last_name="Sow Diallo")
    factories.case(caseworker=caseworker, first_name="Mariam", last_name="Sow")

    assert _found("Aminata Sow") == {first.pk, second.pk}
    assert _found("Sow") == {first.pk, second.pk, _only_sow()}


def _only_sow() -> int:
    return Case.objects.order_by("-pk").values_list("pk", flat=True).first()


def test_whole_name_keys_follow_an_edit_and_the_import_key_stays(caseworker):
    case = factories.case(caseworker=caseworker, first_name="Aminata", last_name="Traoré")
    person = case.person
    PersonKey.objects.create(person=person, kind=PersonKey.Kind.IMPORT, key="x" * 40)

    person.last_name = "Keita"
    person.save()
    identity.person_keys_refresh(person, citizenships=case.citizenships)

    assert _found("Aminata Traoré") == set()
    assert _found("Aminata Keita") == {case.pk}
    assert PersonKey.objects.filter(person=person, kind=PersonKey.Kind.IMPORT).count() == 1
    assert PersonKey.objects.filter(person=person, kind=PersonKey.Kind.FULL_NAME).count() == 1
