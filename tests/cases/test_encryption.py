"""Personal data is encrypted at rest: the database holds Fernet tokens, the application
reads plain values, and the keys can be rotated without losing data or search."""

from __future__ import annotations

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from cases.models import Case, CaseNote, Person
from cases.selectors import case_list
from cases.services import identity, records
from tests import factories

PERSON = {
    "first_name": "Aïssatou",
    "last_name": "Ndiaye",
    "phone": "+23672112233",
    "address": "Quartier Lakouanga, Bangui",
}
IDENTITY_DOCUMENT = "Passport CF7788990"
NOTE = "She fears her former employer in Bimbo is looking for her."


def _raw(sql: str, pk: int) -> tuple:
    with connection.cursor() as cursor:
        cursor.execute(sql, [pk])
        return cursor.fetchone()


def _raw_person(case: Case) -> tuple:
    return _raw(
        "SELECT first_name, last_name, phone, address, identity_documents "
        "FROM cases_person WHERE case_id = %s",
        case.pk,
    )


def _register(caseworker):
    return factories.case(
        caseworker=caseworker,
        **PERSON,
        person_data={"identity_documents": IDENTITY_DOCUMENT},
    )


def test_person_columns_hold_no_plaintext(caseworker):
    case = _register(caseworker)

    raw = _raw_person(case)

    plain = [*PERSON.values(), IDENTITY_DOCUMENT]
    for stored, value in zip(raw, plain, strict=True):
        assert stored, "every value was given and must be stored"
        assert value not in stored
        assert stored.startswith("gAAAAA")  # a Fernet token
    for word in ("Aïssatou", "Aissatou", "Ndiaye", "Lakouanga", "7788990"):
        assert all(word not in stored for stored in raw)


def test_the_orm_reads_the_person_decrypted(caseworker):
    case = _register(caseworker)

    person = Person.objects.get(case=case)

    assert person.first_name == PERSON["first_name"]
    assert person.last_name == PERSON["last_name"]
    assert person.phone == PERSON["phone"]
    assert person.address == PERSON["address"]
    assert person.identity_documents == IDENTITY_DOCUMENT


def test_date_of_birth_is_encrypted_but_the_birth_year_is_kept_for_statistics(caseworker):
    case = _register(caseworker)

    (stored_birth_date,) = _raw(
        "SELECT date_of_birth FROM cases_person WHERE case_id = %s", case.pk
    )

    assert "1998" not in stored_birth_date
    person = Person.objects.get(case=case)
    assert person.date_of_birth.isoformat() == "1998-05-17"
    assert person.birth_year == 1998


def test_search_keys_hold_no_name(caseworker):
    case = _register(caseworker)

    keys = list(case.person.keys.values_list("key", flat=True))

    assert keys
    assert all("ndiaye" not in key.lower() and "aisa" not in key for key in keys)


def test_case_note_bodies_are_encrypted_at_rest(caseworker):
    case = _register(caseworker)
    note = records.note_add(actor=caseworker, case=case, body=NOTE)

    (stored,) = _raw("SELECT body FROM cases_casenote WHERE id = %s", note.pk)

    assert NOTE not in stored
    assert "Bimbo" not in stored
    assert CaseNote.objects.get(pk=note.pk).body == NOTE


def test_encrypted_fields_cannot_be_searched_with_a_substring(caseworker):
    _register(caseworker)

    with pytest.raises(TypeError):
        Person.objects.filter(last_name__icontains="ndi").exists()


KEY_A = Fernet.generate_key().decode()
KEY_B = Fernet.generate_key().decode()


def _names_found(caseworker, text: str) -> list[str]:
    cases = case_list(actor=caseworker, criteria={"q": text}, today=timezone.localdate())
    return [c.person.last_name for c in cases]


@pytest.fixture
def registered_under_key_a(caseworker):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]):
        case = _register(caseworker)
        note = records.note_add(actor=caseworker, case=case, body=NOTE)
    return case, note


def test_adding_a_new_key_in_front_keeps_old_rows_readable(caseworker, registered_under_key_a):
    case, note = registered_under_key_a

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        assert Person.objects.get(case=case).last_name == "Ndiaye"
        assert CaseNote.objects.get(pk=note.pk).body == NOTE
        assert _names_found(caseworker, "ndiaye aissatou") == ["Ndiaye"]


def test_rotation_re_encrypts_every_row_with_the_newest_key(caseworker, registered_under_key_a):
    case, note = registered_under_key_a
    before = _raw_person(case)

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())

    after = _raw_person(case)
    assert all(old != new for old, new in zip(before, after, strict=True))
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        person = Person.objects.get(case=case)
        assert (person.first_name, person.last_name) == ("Aïssatou", "Ndiaye")
        assert person.identity_documents == IDENTITY_DOCUMENT
        assert CaseNote.objects.get(pk=note.pk).body == NOTE
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_A]), pytest.raises(ValueError):
        Person.objects.get(case=case)


def test_name_search_still_works_after_the_old_key_is_removed(caseworker, registered_under_key_a):
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        assert _names_found(caseworker, "ndiaye aissatou") == ["Ndiaye"]


def test_duplicate_detection_still_works_after_the_old_key_is_removed(
    caseworker, registered_under_key_a
):
    case, _note = registered_under_key_a
    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B, KEY_A]):
        call_command("rotate_encryption_keys", stdout=io.StringIO())

    with override_settings(FIELD_ENCRYPTION_KEYS=[KEY_B]):
        found = identity.possible_duplicates(
            names=["Ndiaye", "Aissatou"], birth_year=1998, citizenships=["CF"]
        )
        assert list(found) == [case]
