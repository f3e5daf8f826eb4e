"""Register and edit a case (its workflow is in workflow.py)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import submissions
from accounts.audit import log_action, mask_value
from accounts.models import User
from accounts.policy import Action, can
from cases.models import (
    Case,
    CaseNumberSequence,
    Consent,
    DuplicateFlag,
    Person,
    StatusChange,
)
from cases.services import ConflictError, identity
from partners.models import Organisation
from traffick_cm import codebooks as v

# Fields a caseworker edits on the case and on the person. Personal values are masked
# in audit entries.
CASE_FIELDS = (
    "identified_on",
    "identified_country",
    "identified_region",
    "identified_locality",
    "identification_method",
    "referring_organisation",
    "trafficking_status",
    "status_decided_by",
    "risk_level",
    "unaccompanied_child",
    "urgent_medical_need",
    "security_risk",
    "project",
    "external_id",
)
EXPLOITATION_FIELDS = (
    "exploitation_types",
    "labour_industry",
    "sex_exploitation_types",
    "methods_of_control",
    "recruitment_methods",
    "relationship_to_trafficker",
    "age_when_trafficked",
    "exploitation_months",
)
PERSON_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "aliases",
    "gender",
    "date_of_birth",
    "estimated_age",
    "languages",
    "marital_status",
    "number_of_children",
    "education",
    "identity_documents",
    "phone",
    "address",
    "displacement_status",
    "has_disability",
    "disability_details",
    "sogiesc_consent",
    "sogiesc",
)
PERSONAL_FIELDS = frozenset(
    {
        "first_name",
        "middle_name",
        "last_name",
        "aliases",
        "date_of_birth",
        "identity_documents",
        "phone",
        "address",
        "disability_details",
        "sogiesc",
    }
)
# Fields kept on the case itself for statistics and filters.
CASE_PERSON_FIELDS = ("sex", "citizenships")


def _audit_value(field: str, value: Any) -> Any:
    if field in PERSONAL_FIELDS:
        return mask_value(value) or ""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value if value is None or isinstance(value, bool | int) else str(value)


def case_number_allocate(*, organisation: Organisation, year: int) -> str:
    """The next number of the organisation's country for the year, e.g. CF-2026-00042. It
    says nothing about the person. Earlier numbers also carried the country of
    identification: CF-CF-2025-00015 (renamed CF-2025-00015 by migration 0005) and, for a
    case identified abroad, CF-CM-2025-00003 (kept as it is)."""
    prefix = organisation.country.code
    return f"{prefix}-{year}-{numbers_reserve(prefix=prefix, year=year):05d}"


def numbers_reserve(*, prefix: str, year: int, count: int = 1) -> int:
    """Reserve `count` consecutive numbers of a sequence (case numbers, screening codes)
    for the year, under the sequence's row lock until the transaction ends; returns the
    first of them."""
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    CaseNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + count)
    return sequence.last + 1


def _derive_person_facts(case: Case, person: Person, *, sex: str, citizenships: list[str]) -> None:
    person.birth_year = identity.birth_year(
        date_of_birth=person.date_of_birth,
        estimated_age=person.estimated_age,
        on=case.identified_on,
    )
    case.age_at_identification = identity.age_on(
        date_of_birth=person.date_of_birth,
        estimated_age=person.estimated_age,
        on=case.identified_on,
    )
    case.is_child = case.age_at_identification is not None and case.age_at_identification < 18
    case.sex = sex
    case.citizenships = citizenships
    if not person.sogiesc_consent:
        person.sogiesc = ""
    if not person.has_disability:
        person.disability_details = ""


def _flag_duplicates(case: Case, person: Person) -> list[DuplicateFlag]:
    matches = identity.possible_duplicates(
        names=identity.names_of(person),
        birth_year=person.birth_year,
        citizenships=case.citizenships,
        exclude_case=case,
    ).only("pk", "organisation_id")
    flags = [
        DuplicateFlag(
            case=case,
            other_case=other,
            same_organisation=other.organisation_id == case.organisation_id,
        )
        for other in matches
    ]
    DuplicateFlag.objects.bulk_create(flags, ignore_conflicts=True)
    if flags and not case.possible_duplicate:
        Case.objects.filter(pk=case.pk).update(possible_duplicate=True)
        case.possible_duplicate = True
    return flags


def case_register(
    *,
    actor: User,
    case_data: dict[str, Any],
    person_data: dict[str, Any],
    sex: str,
    citizenships: list[str],
    consent_given_by: str,
    consent_method: str,
    consent_given_on: date,
    submission_token: uuid.UUID | None = None,
    organisation: Organisation | None = None,
    caseworkers: list[User] | None = None,
    share_consent: bool = False,
) -> Case:
    """Open a case file for a person who consented to data collection; with
    `share_consent`, they also consented to referral and sharing with partners, given by
    the same person, the same way, the same day (so the case can be referred at once).
    A repeated submission token returns the case the first submission created."""
    if not can(actor, "case", Action.CREATE):
        raise PermissionDenied
    organisation = organisation or actor.organisation
    case, _created = submissions.once(
        token=submission_token,
        user=actor,
        model=Case,
        create=lambda: _case_create(
            actor=actor,
            organisation=organisation,
            case_data=case_data,
            person_data=person_data,
            sex=sex,
            citizenships=citizenships,
            consent_given_by=consent_given_by,
            consent_method=consent_method,
            consent_given_on=consent_given_on,
            caseworkers=caseworkers,
            share_consent=share_consent,
        ),
    )
    return case


def _case_create(
    *,
    actor,
    organisation,
    case_data,
    person_data,
    sex,
    citizenships,
    consent_given_by,
    consent_method,
    consent_given_on,
    caseworkers,
    share_consent=False,
) -> Case:
    today = timezone.localdate()
    identified_on = case_data["identified_on"]
    if identified_on > today:
        raise ValidationError({"identified_on": _("The date of identification is in the future.")})
    if consent_given_on > today:
        raise ValidationError({"consent_given_on": _("The consent date is in the future.")})
    case = Case(
        organisation=organisation,
        created_by=actor,
        registered_on=today,
        primary_caseworker=actor if actor and can(actor, "case_assignee", Action.CHANGE) else None,
        status=v.CaseStatus.SCREENING,
        case_number=case_number_allocate(organisation=organisation, year=identified_on.year),
        **{k: case_data[k] for k in (*CASE_FIELDS, *EXPLOITATION_FIELDS) if k in case_data},
    )
    person = Person(**{k: person_data[k] for k in PERSON_FIELDS if k in person_data})
    _derive_person_facts(case, person, sex=sex, citizenships=citizenships)
    if case.is_child and consent_given_by == v.ConsentGiver.PERSON:
        raise ValidationError(
            {
                "consent_given_by": _(
                    "For a child, consent is given with a parent or guardian, or through a "
                    "best-interest determination."
                )
            }
        )
    case.full_clean(exclude=["person"])
    case.save()
    person.case = case
    person.full_clean()
    person.save()
    team = set(caseworkers or [])
    if case.primary_caseworker:
        team.add(case.primary_caseworker)
    case.caseworkers.set(team)
    identity.person_keys_refresh(person, citizenships=citizenships)
    scopes = [v.ConsentScope.DATA_COLLECTION]
    if share_consent:
        scopes.append(v.ConsentScope.REFERRAL)
    consents = [
        Consent(
            case=case,
            scope=scope,
            granted=True,
            given_by=consent_given_by,
            method=consent_method,
            given_on=consent_given_on,
            recorded_by=actor,
        )
        for scope in scopes
    ]
    for consent in consents:
        consent.full_clean()
        consent.save()
    StatusChange.objects.create(case=case, from_status="", to_status=case.status, changed_by=actor)
    flags = _flag_duplicates(case, person)
    log_action(
        "cases.case.created",
        actor=actor,
        target=case,
        data={
            "case_number": case.case_number,
            "status": case.status,
            "possible_duplicates": len(flags),
            **{k: _audit_value(k, person_data.get(k)) for k in PERSONAL_FIELDS if k in person_data},
        },
    )
    # The consent to share, as every later consent decision is recorded in the history.
    for consent in consents[1:]:
        log_action(
            "cases.consent.recorded",
            actor=actor,
            target=case,
            data={
                "record": "consent",
                "id": consent.pk,
                "scope": consent.scope,
                "granted": True,
                "given_by": consent.given_by,
            },
        )
    return case


def _snapshot(case: Case, fields: tuple[str, ...]) -> dict[str, Any]:
    person = case.person
    values = {}
    for field in fields:
        source = person if field in PERSON_FIELDS else case
        values[field] = getattr(source, field)
    return values


def case_update(
    *,
    actor: User,
    case: Case,
    expected_version: int,
    loaded: dict[str, Any],
    changes: dict[str, Any],
) -> Case:
    """Save an edit made on a form loaded at `expected_version`. If someone saved in the
    meantime, refuse with ConflictError naming what they changed: never overwrite."""
    fields = tuple(changes)
    with transaction.atomic():
        current = (
            Case.objects.select_for_update(of=("self",)).select_related("person").get(pk=case.pk)
        )
        if current.version != expected_version:
            now = _snapshot(current, fields)
            changed = {
                f: (loaded.get(f), now[f])
                for f in fields
                if _comparable(loaded.get(f)) != _comparable(now[f])
            }
            raise ConflictError(changed or {"version": (expected_version, current.version)})
        before = _snapshot(current, fields)
        person = current.person
        for field, value in changes.items():
            if field in PERSON_FIELDS:
                setattr(person, field, value)
            elif field not in CASE_PERSON_FIELDS:
                setattr(current, field, value)
        _derive_person_facts(
            current,
            person,
            sex=changes.get("sex", current.sex),
            citizenships=changes.get("citizenships", current.citizenships),
        )
        current.version = F("version") + 1
        current.full_clean(exclude=["version", "person"])
        current.save()
        person.full_clean()
        person.save()
        identity_fields = {
            "first_name",
            "middle_name",
            "last_name",
            "aliases",
            "date_of_birth",
            "estimated_age",
            "citizenships",
        }
        if identity_fields & set(fields):
            identity.person_keys_refresh(person, citizenships=current.citizenships)
            _flag_duplicates(current, person)
        after = _snapshot(current, tuple(f for f in fields if f != "version"))
        diff = {
            f: {"before": _audit_value(f, before[f]), "after": _audit_value(f, after[f])}
            for f in fields
            if _comparable(before[f]) != _comparable(after[f])
        }
        if diff:
            log_action("cases.case.changed", actor=actor, target=current, data=diff)
        current.refresh_from_db()
        return current


def _comparable(value: Any) -> Any:
    if hasattr(value, "pk"):
        return str(value.pk)
    if value in (None, ""):
        return None
    if isinstance(value, list | tuple):
        return sorted(str(x) for x in value) or None
    return str(value)
