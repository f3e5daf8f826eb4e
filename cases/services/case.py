"""Register, edit and move a case through its workflow."""

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
from accounts.audit import log_action
from accounts.models import User
from accounts.roles import Role
from cases.models import (
    Case,
    CaseNumberSequence,
    ClosureRequest,
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

# The workflow. Terminal statuses are reached only through an approved closure request.
TRANSITIONS: dict[str, frozenset[str]] = {
    v.CaseStatus.SCREENING: frozenset({v.CaseStatus.OPEN}),
    v.CaseStatus.OPEN: frozenset({v.CaseStatus.ASSISTANCE}),
    v.CaseStatus.ASSISTANCE: frozenset({v.CaseStatus.REINTEGRATION, v.CaseStatus.FOLLOW_UP}),
    v.CaseStatus.REINTEGRATION: frozenset({v.CaseStatus.FOLLOW_UP, v.CaseStatus.ASSISTANCE}),
    v.CaseStatus.FOLLOW_UP: frozenset({v.CaseStatus.ASSISTANCE, v.CaseStatus.REINTEGRATION}),
}
CLOSURE_STATUS = {
    v.ClosureReason.NOT_A_VICTIM: v.CaseStatus.NOT_A_VICTIM,
    v.ClosureReason.TRANSFERRED: v.CaseStatus.TRANSFERRED,
}


def _audit_value(field: str, value: Any) -> Any:
    if field in PERSONAL_FIELDS:
        return "***" if value not in (None, "", []) else ""
    if hasattr(value, "pk"):
        return value.pk
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return list(value)
    return value if value is None or isinstance(value, bool | int) else str(value)


def case_number_allocate(*, organisation: Organisation, country: str, year: int) -> str:
    """The next number for the organisation's country, the identification country and the
    year, e.g. CF-CF-2026-00042. It says nothing about the person."""
    prefix = f"{organisation.country.code}-{country}"
    sequence, _created = CaseNumberSequence.objects.select_for_update().get_or_create(
        prefix=prefix, year=year
    )
    CaseNumberSequence.objects.filter(pk=sequence.pk).update(last=F("last") + 1)
    sequence.refresh_from_db(fields=["last"])
    return f"{prefix}-{year}-{sequence.last:05d}"


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
        names=[person.first_name, person.middle_name, person.last_name, person.aliases],
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
) -> Case:
    """Open a case file for a person who consented to data collection. A repeated
    submission token returns the case the first submission created."""
    if not actor.has_role(Role.CASEWORKER, Role.SUPERVISOR):
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
    status=v.CaseStatus.SCREENING,
    audit_data=None,
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
        primary_caseworker=actor if actor and actor.has_role(Role.CASEWORKER) else None,
        status=status,
        closed_on=today if status in v.TERMINAL_STATUSES else None,
        case_number=case_number_allocate(
            organisation=organisation,
            country=str(case_data["identified_country"]),
            year=identified_on.year,
        ),
        **{k: case_data[k] for k in (*CASE_FIELDS, *EXPLOITATION_FIELDS) if k in case_data},
    )
    person = Person(**{k: person_data[k] for k in PERSON_FIELDS if k in person_data})
    _derive_person_facts(case, person, sex=sex, citizenships=citizenships)
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
    Consent.objects.create(
        case=case,
        scope=v.ConsentScope.DATA_COLLECTION,
        granted=True,
        given_by=consent_given_by,
        method=consent_method,
        given_on=consent_given_on,
        recorded_by=actor,
    )
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
            **(audit_data or {}),
            **{k: _audit_value(k, person_data.get(k)) for k in PERSONAL_FIELDS if k in person_data},
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


def case_transition(*, actor: User, case: Case, to_status: str, note: str = "") -> Case:
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        allowed = TRANSITIONS.get(current.status, frozenset())
        if to_status not in allowed:
            raise ValidationError(
                _("A case in status “%(from)s” cannot move to “%(to)s”.")
                % {
                    "from": v.CaseStatus(current.status).label,
                    "to": v.CaseStatus(to_status).label
                    if to_status in v.CaseStatus.values
                    else to_status,
                }
            )
        _set_status(actor=actor, case=current, to_status=to_status, note=note)
        return current


def _set_status(*, actor: User, case: Case, to_status: str, note: str = "") -> None:
    from_status = case.status
    case.status = to_status
    case.closed_on = timezone.localdate() if to_status in v.TERMINAL_STATUSES else None
    Case.objects.filter(pk=case.pk).update(
        status=to_status,
        closed_on=case.closed_on,
        version=F("version") + 1,
        updated_at=timezone.now(),
    )
    StatusChange.objects.create(
        case=case, from_status=from_status, to_status=to_status, changed_by=actor, note=note[:300]
    )
    log_action(
        "cases.case.status_changed",
        actor=actor,
        target=case,
        data={"from": from_status, "to": to_status},
    )


def closure_request(*, actor: User, case: Case, reason: str, details: str = "") -> ClosureRequest:
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.is_closed:
            raise ValidationError(_("This case is already closed."))
        if current.closure_requests.filter(decision=ClosureRequest.Decision.PENDING).exists():
            raise ValidationError(_("A closure request is already awaiting approval."))
        if reason not in v.ClosureReason.values:
            raise ValidationError(_("Choose a reason for closure."))
        request = ClosureRequest.objects.create(
            case=current, reason=reason, details=details, requested_by=actor
        )
        log_action(
            "cases.case.closure_requested", actor=actor, target=current, data={"reason": reason}
        )
        return request


def closure_decide(
    *, actor: User, closure: ClosureRequest, approve: bool, note: str = ""
) -> ClosureRequest:
    """A supervisor approves (the case closes with the outcome of its reason) or returns
    the request to the caseworker with a comment."""
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied
    with transaction.atomic():
        closure = ClosureRequest.objects.select_for_update().get(pk=closure.pk)
        if closure.decision != ClosureRequest.Decision.PENDING:
            raise ValidationError(_("This closure request has already been decided."))
        if not approve and not note.strip():
            raise ValidationError({"note": _("Say why the request is returned.")})
        closure.decision = (
            ClosureRequest.Decision.APPROVED if approve else ClosureRequest.Decision.REJECTED
        )
        closure.decided_by = actor
        closure.decided_at = timezone.now()
        closure.decision_note = note[:300]
        closure.save(update_fields=["decision", "decided_by", "decided_at", "decision_note"])
        case = Case.objects.select_for_update().get(pk=closure.case_id)
        if approve:
            to_status = CLOSURE_STATUS.get(closure.reason, v.CaseStatus.CLOSED)
            if closure.reason == v.ClosureReason.NOT_A_VICTIM:
                Case.objects.filter(pk=case.pk).update(
                    trafficking_status=v.TraffickingStatus.NOT_A_VICTIM
                )
            _set_status(actor=actor, case=case, to_status=to_status, note=closure.reason)
        log_action(
            "cases.case.closure_approved" if approve else "cases.case.closure_returned",
            actor=actor,
            target=case,
            data={"reason": closure.reason},
        )
        return closure


def case_reopen(*, actor: User, case: Case, note: str) -> Case:
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say why the case is reopened.")})
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if not current.is_closed:
            raise ValidationError(_("Only a closed case can be reopened."))
        _set_status(actor=actor, case=current, to_status=v.CaseStatus.OPEN, note=note)
        return current


def case_assign(*, actor: User, case: Case, caseworkers: list[User], primary: User | None) -> Case:
    if not actor.has_role(Role.SUPERVISOR):
        raise PermissionDenied
    team = set(caseworkers)
    if primary is not None:
        team.add(primary)
    for member in team:
        if member.organisation_id != case.organisation_id or not member.has_role(Role.CASEWORKER):
            raise ValidationError(
                _("%(name)s is not a caseworker of this organisation.") % {"name": member}
            )
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        before = sorted(current.caseworkers.values_list("pk", flat=True))
        current.caseworkers.set(team)
        Case.objects.filter(pk=current.pk).update(
            primary_caseworker=primary, version=F("version") + 1, updated_at=timezone.now()
        )
        log_action(
            "cases.case.assigned",
            actor=actor,
            target=current,
            data={
                "before": before,
                "after": sorted(u.pk for u in team),
                "primary": primary.pk if primary else None,
            },
        )
        current.refresh_from_db()
        return current
