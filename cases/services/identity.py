"""Search and duplicate keys for persons: keyed hashes of normalised names, so that the
database never holds a readable name and a search still finds one.

Name look-ups (the registration form's duplicate check, the case list's name search) are
counted against an hourly budget per user and audited under a keyed hash of what was looked
up, never the names: across organisations the duplicate check would otherwise answer "is
this person registered?" for anyone, without limit and without trace."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count, Exists, OuterRef, QuerySet

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can, scope
from cases.models import Case, Person, PersonKey
from partners.models import Organisation
from traffick_cm import crypto

# Look-ups per user per hour. The duplicate check reaches every organisation's cases; the
# name search only the user's own, so it may be used more.
WINDOW_SECONDS = 3600


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


def names_of(person: Person) -> list[str]:
    """The names a person's keys are made of."""
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


def full_name_keys(person: Person) -> set[str]:
    """The whole-name keys: first, middle and last names, and first and last without the
    middle one (people are searched for by the names they go by)."""
    keys = (
        crypto.full_name_key(person.first_name, person.middle_name, person.last_name),
        crypto.full_name_key(person.first_name, person.last_name),
    )
    return {key for key in keys if key}


def key_pairs(person: Person, *, citizenships: Iterable[str]) -> list[tuple[str, str]]:
    """The (kind, key) pairs of a person's search and duplicate keys."""
    names = names_of(person)
    kinds = [
        (PersonKey.Kind.NAME, crypto.name_search_keys(*names)),
        (PersonKey.Kind.FULL_NAME, sorted(full_name_keys(person))),
        (
            PersonKey.Kind.DUPLICATE,
            duplicate_keys(names=names, birth_year=person.birth_year, citizenships=citizenships),
        ),
    ]
    return [(kind, key) for kind, keys in kinds for key in keys]


def person_keys(person: Person, *, citizenships: Iterable[str]) -> list[PersonKey]:
    """The search and duplicate keys of a person (unsaved), for one person or a batch. The
    person's case must be saved: each key carries it and its organisation."""
    return [key_of(person, kind, key) for kind, key in key_pairs(person, citizenships=citizenships)]


def key_of(person: Person, kind: str, key: str) -> PersonKey:
    """One key of a saved person (unsaved itself), with the person's case and its
    organisation; by their ids."""
    case = person.case
    return PersonKey(
        person_id=person.pk,
        case_id=case.pk,
        organisation_id=case.organisation_id,
        kind=kind,
        key=key,
    )


def person_keys_refresh(person: Person, *, citizenships: Iterable[str]) -> None:
    """Recompute the person's search and duplicate keys (after any identity change). The
    import key stays: it recognises the file row the case came from, whatever was edited
    since."""
    PersonKey.objects.filter(person=person).exclude(kind=PersonKey.Kind.IMPORT).delete()
    PersonKey.objects.bulk_create(person_keys(person, citizenships=citizenships))


def duplicate_lookup_keys(
    *, names: list[str], birth_year: int, citizenships: Iterable[str]
) -> list[str]:
    """The duplicate keys a person may have been registered under: the same names and a
    citizenship, born a year before or after (ages are often estimated), under every
    hash key in use."""
    return [
        key
        for year in (birth_year - 1, birth_year, birth_year + 1)
        for citizenship in list(citizenships) or [""]
        for key in crypto.duplicate_lookup_keys(
            names=names, birth_year=year, citizenship=citizenship
        )
    ]


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
    keys = duplicate_lookup_keys(names=names, birth_year=birth_year, citizenships=citizenships)
    qs = Case.objects.filter(
        pk__in=PersonKey.objects.filter(kind=PersonKey.Kind.DUPLICATE, key__in=keys).values(
            "case_id"
        )
    )
    if exclude_case is not None:
        qs = qs.exclude(pk=exclude_case.pk)
    return qs


def cases_matching_name(qs: QuerySet[Case], text: str) -> QuerySet[Case]:
    """Cases whose person's names hold every word of `text` (normalised). A whole name is
    looked up first, in one index probe; when no one goes by exactly that name, every
    person whose names hold all its words (one grouped read of the index: the persons
    sharing a common word are counted before anything is joined)."""
    words, keys = crypto.name_lookup_keys(text)
    if not words:
        return qs.none()
    if words > 1:
        whole = PersonKey.objects.filter(
            kind=PersonKey.Kind.FULL_NAME, key__in=crypto.full_name_lookup_keys(text)
        )
        if whole.exists():
            # Matched on the case and its organisation: when the list is one organisation's,
            # the database reads only that organisation's keys of the name, not every
            # bearer's in the country.
            return qs.filter(
                Exists(whole.filter(case=OuterRef("pk"), organisation=OuterRef("organisation")))
            )
    # A person's hashes are all under one key, so matching every word means `words` hits.
    matching = (
        PersonKey.objects.filter(kind=PersonKey.Kind.NAME, key__in=keys)
        .values("case_id")
        .annotate(n=Count("key", distinct=True))
        .filter(n=words)
        .values("case_id")
    )
    return qs.filter(pk__in=matching)


# Look-ups: budget, audit, and what the answer may say


class LookupLimitReached(Exception):
    """The user made as many name look-ups of this kind as an hour allows."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"name look-up limit of {limit} an hour reached")
        self.limit = limit


def lookup_limit(kind: str) -> int:
    return int(settings.NAME_LOOKUPS_PER_HOUR[kind])


def lookup_fingerprint(*parts: object) -> str:
    """A keyed hash of what was looked up: the same look-up gives the same fingerprint, and
    nobody without the key can tell which names it stands for."""
    return crypto.keyed_hash("lookup:" + "|".join(str(p) for p in parts))


def lookup_count(*, actor: User, kind: str, fingerprint: str) -> bool:
    """Count a look-up against the user's hourly budget, or raise LookupLimitReached.
    The same look-up again within the hour (htmx asks again on every change of the form)
    is not counted twice: returns False for it, True for a new one. The cache holds only
    counters and fingerprints."""
    seen = f"name-lookups:{kind}:{actor.pk}:{fingerprint}"
    if cache.get(seen):
        return False
    counter = f"name-lookups:{kind}:{actor.pk}"
    limit = lookup_limit(kind)
    cache.add(counter, 0, timeout=WINDOW_SECONDS)
    try:
        count = cache.incr(counter)
    except ValueError:  # expired between add and incr
        cache.set(counter, 1, timeout=WINDOW_SECONDS)
        count = 1
    if count > limit:
        if count == limit + 1:  # once per window, not once per refused request
            log_action(
                "cases.person.lookup_limit_reached",
                actor=actor,
                data={"kind": kind, "limit": limit},
            )
        raise LookupLimitReached(limit)
    cache.set(seen, 1, timeout=WINDOW_SECONDS)
    return True


@dataclass(frozen=True)
class DuplicateAnswer:
    """What the duplicate check may tell this user. Another organisation's case is never
    named; its organisation only to a supervisor, who coordinates with its focal point."""

    found: bool = False
    # Matching cases the user may open through the policy: their numbers may be shown.
    own_cases: list[Case] = field(default_factory=list)
    # Matches in the user's organisation that the user may not open.
    in_own_organisation: bool = False
    # Matches in other organisations; which ones, for a supervisor only.
    elsewhere: bool = False
    organisations: list[Organisation] = field(default_factory=list)


def duplicate_lookup(
    *, actor: User, names: list[str], birth_year: int | None, citizenships: list[str]
) -> DuplicateAnswer | None:
    """The registration form's check: may this person be registered already, anywhere?
    None when there is not enough to look up (no name or no birth year): not counted.
    Raises LookupLimitReached past the hourly budget. Each new look-up is audited with
    its fingerprint and what was revealed."""
    if birth_year is None or not crypto.name_tokens(*names):
        return None
    fingerprint = lookup_fingerprint(
        " ".join(crypto.name_tokens(*names)), birth_year, ",".join(sorted(citizenships))
    )
    new = lookup_count(actor=actor, kind="duplicate_check", fingerprint=fingerprint)
    matches = list(
        possible_duplicates(names=names, birth_year=birth_year, citizenships=citizenships)
        .select_related("organisation")
        .order_by("case_number")
    )
    reachable = set(
        scope(
            actor, "case", Action.VIEW, Case.objects.filter(pk__in=[m.pk for m in matches])
        ).values_list("pk", flat=True)
        if matches
        else []
    )
    own = [m for m in matches if m.pk in reachable]
    others = [m for m in matches if m.organisation_id != actor.organisation_id]
    organisations: list[Organisation] = []
    if others and can(actor, "case_supervision", Action.VIEW):
        organisations = sorted({m.organisation for m in others}, key=lambda o: o.name)
    answer = DuplicateAnswer(
        found=bool(matches),
        own_cases=own,
        in_own_organisation=any(
            m.organisation_id == actor.organisation_id and m.pk not in reachable for m in matches
        ),
        elsewhere=bool(others),
        organisations=organisations,
    )
    if new:
        log_action(
            "cases.person.duplicate_checked",
            actor=actor,
            data={
                "lookup": fingerprint,
                "found": answer.found,
                "cases_shown": [c.pk for c in own],
                "organisations_shown": [o.pk for o in organisations],
            },
        )
    return answer


def name_search_record(*, actor: User, text: str) -> None:
    """A name search of the case list: counted against the hourly budget (raises
    LookupLimitReached past it) and audited under its fingerprint."""
    tokens = crypto.name_tokens(text)
    if not tokens:
        return
    fingerprint = lookup_fingerprint(" ".join(tokens))
    if lookup_count(actor=actor, kind="case_search", fingerprint=fingerprint):
        log_action(
            "cases.case.searched",
            actor=actor,
            data={"lookup": fingerprint, "words": len(tokens)},
        )
