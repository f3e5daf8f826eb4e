"""Search by name: a whole name is one index probe; when nobody goes by exactly that name,
every person whose names hold all its words is found (the per-word keys)."""

from __future__ import annotations

from datetime import date

import pytest

from accounts.roles import Role
from cases.models import Case, DuplicateFlag, PersonKey
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
    identity.key_of(person, PersonKey.Kind.IMPORT, "x" * 40).save()

    person.last_name = "Keita"
    person.save()
    identity.person_keys_refresh(person, citizenships=case.citizenships)

    assert _found("Aminata Traoré") == set()
    assert _found("Aminata Keita") == {case.pk}
    assert PersonKey.objects.filter(person=person, kind=PersonKey.Kind.IMPORT).count() == 1
    assert PersonKey.objects.filter(person=person, kind=PersonKey.Kind.FULL_NAME).count() == 1


def test_every_key_carries_its_case_and_organisation(caseworker):
    case = factories.case(caseworker=caseworker, first_name="Aminata", last_name="Traoré")

    keys = PersonKey.objects.filter(person=case.person)
    assert keys.count() >= 4  # the name words, the whole name, the duplicate key
    assert set(keys.values_list("case_id", "organisation_id")) == {(case.pk, case.organisation_id)}


def test_a_name_borne_in_two_organisations_lists_the_reader_s_cases_only(caseworker, other_org):
    """The list's organisation is carried over to the keys (one organisation's bearers of a
    common name read, not the country's); what the list shows is the same."""
    ours = factories.case(caseworker=caseworker, first_name="Aminata", last_name="Traoré")
    colleague = factories.user(Role.CASEWORKER, organisation=other_org)
    theirs = factories.case(caseworker=colleague, first_name="Aminata", last_name="Traoré")

    in_ours = Case.objects.filter(organisation=caseworker.organisation)
    assert set(
        identity.cases_matching_name(in_ours, "Aminata Traoré").values_list("pk", flat=True)
    ) == {ours.pk}
    assert _found("Aminata Traoré") == {ours.pk, theirs.pk}
    # Each organisation's keys are its own.
    assert PersonKey.objects.filter(organisation=other_org).exists()
    assert not PersonKey.objects.filter(organisation=other_org, case=ours).exists()


def test_duplicates_are_found_across_organisations_through_the_keys(caseworker, other_org):
    ours = factories.case(
        caseworker=caseworker,
        first_name="Aminata",
        last_name="Traoré",
        date_of_birth=date(1999, 3, 1),
    )
    colleague = factories.user(Role.CASEWORKER, organisation=other_org)
    theirs = factories.case(
        caseworker=colleague,
        first_name="Aminata",
        last_name="Traoré",
        date_of_birth=date(2000, 3, 1),
    )

    names = ["Aminata", "", "Traoré", ""]
    found = identity.possible_duplicates(
        names=names, birth_year=2000, citizenships=ours.citizenships, exclude_case=theirs
    )
    assert list(found.values_list("pk", flat=True)) == [ours.pk]
    assert DuplicateFlag.objects.filter(case=theirs, other_case=ours).exists()
