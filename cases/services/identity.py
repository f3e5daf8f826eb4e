"""Search and duplicate keys for persons: keyed hashes of normalised names, so that the
database never holds a readable name and a search still finds one."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import Count, QuerySet

from cases.models import Case, Person, PersonKey
from traffick_cm import crypto


def birth_year(*, date_of_birth: date | None, estimated_age: int | None, on: date) -> int | None:
    if date_of_birth:
        return date_of_birth.year
    if estimated_age is not None:
        return on.year - estimated_age
    return None


def age_on(*, date_of_birth: date | None, estimated_age: int | None, on: date) -> int | None:
    if date_of_birth:
        before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
        return on.year - date_of_birth.year - before_birthday
    return estimated_age


def _names(person: Person) -> list[str]:
    return [person.first_name, person.middle_name, person.last_name, person.aliases]


def duplicate_keys(
    *, names: list[str], birth_year: int | None, citizenships: Iterable[str]
) -> list[str]:
    keys = []
    for citizenship in list(citizenships) or [""]:
        key = crypto.duplicate_key(names=names, birth_year=birth_year, citizenship=citizenship)
        if key:
            keys.append(key)
    return keys


def person_keys_refresh(person: Person, *, citizenships: Iterable[str]) -> None:
    """Recompute the person's search and duplicate keys (after any identity change)."""
    names = _names(person)
    rows = [
        PersonKey(person=person, kind=PersonKey.Kind.NAME, key=key)
        for key in crypto.name_search_keys(*names)
    ]
    rows += [
        PersonKey(person=person, kind=PersonKey.Kind.DUPLICATE, key=key)
        for key in duplicate_keys(
            names=names, birth_year=person.birth_year, citizenships=citizenships
        )
    ]
    PersonKey.objects.filter(person=person).delete()
    PersonKey.objects.bulk_create(rows)


def possible_duplicates(
    *,
    names: list[str],
    birth_year: int | None,
    citizenships: Iterable[str],
    exclude_case: Case | None = None,
) -> QuerySet[Case]:
    """Cases, in any organisation, whose person has the same normalised names and
    citizenship and a birth year within one year (ages are often estimated)."""
    if birth_year is None:
        return Case.objects.none()
    keys = []
    for year in (birth_year - 1, birth_year, birth_year + 1):
        for citizenship in list(citizenships) or [""]:
            keys += crypto.duplicate_lookup_keys(
                names=names, birth_year=year, citizenship=citizenship
            )
    qs = Case.objects.filter(
        person__keys__kind=PersonKey.Kind.DUPLICATE, person__keys__key__in=keys
    ).distinct()
    if exclude_case is not None:
        qs = qs.exclude(pk=exclude_case.pk)
    return qs


def cases_matching_name(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose person's names hold every word of `text` (normalised)."""
    words, keys = crypto.name_lookup_keys(text)
    if not words:
        return qs.none()
    # A person's hashes are all under one key, so matching every word means `words` hits.
    matching = (
        PersonKey.objects.filter(kind=PersonKey.Kind.NAME, key__in=keys)
        .values("person_id")
        .annotate(n=Count("key", distinct=True))
        .filter(n=words)
        .values("person__case_id")
    )
    return qs.filter(pk__in=matching)
