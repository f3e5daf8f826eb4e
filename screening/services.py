"""Every change to a screening: record it, edit it, decide (and revise) its status, open a
case from it. Each validates, saves and writes its audit entry; audit entries name the
screening by its code and never hold a name, an answer or the person's account."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import submissions
from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can, can_on
from cases.models import Case
from cases.services import ConflictError, records
from cases.services import case as case_services
from screening import indicators, sop
from screening.models import CHILD_AGE_GROUPS, PlaceType, Risk, Screening, StatusDecision
from screening.questions import Answers, clean_answers
from traffick_cm import codebooks as v

# What a caseworker records on a screening, besides the answers.
FIELDS = (
    "screened_at",
    "identified_country",
    "identified_region",
    "identified_locality",
    "place_type",
    "first_name",
    "last_name",
    "sex",
    "age_group",
    "estimated_age",
    "citizenship",
    "account",
    "needs",
    "risks",
    "risk_level",
    "risks_note",
)
# No screening interview of this kind predates the Palermo Protocol (2000).
FIRST_YEAR = 2000
# A clock a few minutes ahead on a phone is not a screening in the future.
CLOCK_SKEW = timedelta(minutes=10)

# How a case opened from a screening says the person was identified.
IDENTIFICATION_METHODS = {
    PlaceType.FLOW_MONITORING: v.IdentificationMethod.FLOW_MONITORING,
    PlaceType.POLICE_STATION: v.IdentificationMethod.POLICE,
}
# Places where the person is met on the move: the case gets a transit event there.
TRANSIT_PLACES = frozenset(
    {PlaceType.FLOW_MONITORING, PlaceType.TRANSIT_CENTRE, PlaceType.BORDER_POST}
)
OPENS_A_CASE = frozenset({v.TraffickingStatus.POSSIBLE, v.TraffickingStatus.ACTUAL})

# What the pages and the API say when a screening's state does not allow a step.
CASE_OPENED_CHANGE = gettext_lazy(
    "A case was opened from this screening: change the case file instead."
)
CASE_OPENED_DECISION = gettext_lazy(
    "A case was opened from this screening: its status is decided in the case file now."
)
NOT_DECIDED_A_VICTIM = gettext_lazy(
    "A case is opened once the status is decided as a possible or actual victim."
)


class CaseAlreadyOpened(Exception):
    """A case was opened from this screening before (a second submit, or a colleague)."""

    def __init__(self, case: Case) -> None:
        super().__init__("A case was already opened from this screening.")
        self.case = case


def screening_code_allocate(*, organisation: Any, year: int) -> str:
    """The next code of the organisation's country for the year, e.g. SCR-CF-2026-00012:
    it says nothing about the person. Numbered under a row lock, like case numbers."""
    prefix = f"SCR-{organisation.country.code}"
    return f"{prefix}-{year}-{case_services.numbers_reserve(prefix=prefix, year=year):05d}"


def _require(actor: User, kind: str, action: Action, screening: Screening) -> None:
    if not can_on(actor, kind, action, screening):
        raise PermissionDenied


def _age_facts(age_group: str, estimated_age: int | None) -> tuple[str, bool]:
    """The age group (from the estimated age when there is one) and whether a child."""
    if estimated_age is not None:
        if estimated_age > 120:
            raise ValidationError({"estimated_age": _("Enter an age of 120 or less.")})
        age_group = v.age_group(estimated_age)
    if not age_group:
        raise ValidationError({"age_group": _("Give an age group or an estimated age.")})
    return age_group, age_group in CHILD_AGE_GROUPS


def _valid_codes(values: list[str], choices: Any, field: str) -> list[str]:
    allowed = set(choices.values)
    if any(value not in allowed for value in values):
        raise ValidationError({field: _("Choose among the choices offered.")})
    return [value for value in choices.values if value in values]


def _apply(screening: Screening, data: dict[str, Any], answers: dict[str, Any]) -> None:
    """Set the fields and the answers, derive the age facts and read the indicators."""
    for name in FIELDS:
        if name in data:
            setattr(screening, name, data[name])
    screening.first_name = (screening.first_name or "").strip()
    screening.last_name = (screening.last_name or "").strip()
    when = screening.screened_at
    # The year first: comparing a date near year 1 across time zones overflows.
    if isinstance(when, datetime) and when.year < FIRST_YEAR:
        raise ValidationError(
            {
                "screened_at": _("Give the date of the screening (from %(year)s).")
                % {"year": FIRST_YEAR}
            }
        )
    if isinstance(when, datetime) and when > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"screened_at": _("The screening date is in the future.")})
    region = screening.identified_region
    if region is not None and region.country != screening.identified_country:
        raise ValidationError({"identified_region": _("This region is not in the chosen country.")})
    screening.needs = _valid_codes(list(screening.needs or []), v.ServiceType, "needs")
    screening.risks = _valid_codes(list(screening.risks or []), Risk, "risks")
    screening.age_group, screening.is_child = _age_facts(
        screening.age_group, screening.estimated_age
    )
    country = str(screening.identified_country)
    screening.answers = clean_answers(answers, country=country, child=screening.is_child)
    suggestion = indicators.assess(screening.answers, child=screening.is_child, country=country)
    screening.indicators = suggestion.codes
    screening.suggested_status = suggestion.status
    screening.rule_version = indicators.RULE_VERSION


def screening_create(
    *,
    actor: User,
    data: dict[str, Any],
    answers: dict[str, Any],
    consented: bool,
    submission_token: uuid.UUID | None = None,
) -> Screening:
    """Record a screening interview the person agreed to. A repeated submission token
    returns the screening the first submission recorded."""
    if not can(actor, "screening", Action.CREATE) or not actor.organisation_id:
        raise PermissionDenied
    if not consented:
        raise ValidationError(
            {"consented": _("Record a screening only when the person agreed to the interview.")}
        )
    screening, _created = submissions.once(
        token=submission_token,
        user=actor,
        model=Screening,
        create=lambda: _screening_create(actor=actor, data=data, answers=answers),
    )
    return screening


def _screening_create(*, actor: User, data: dict[str, Any], answers: dict[str, Any]) -> Screening:
    screening = Screening(organisation=actor.organisation, screened_by=actor)
    _apply(screening, data, answers)
    year = timezone.localtime(screening.screened_at).year
    screening.code = screening_code_allocate(organisation=actor.organisation, year=year)
    screening.full_clean()
    screening.save()
    log_action(
        "screening.screening.created",
        actor=actor,
        target=screening,
        data={
            "code": screening.code,
            "place_type": screening.place_type,
            "named": not screening.anonymous,
            "suggested_status": screening.suggested_status,
            "indicators": len(screening.indicators),
        },
    )
    return screening


def screening_update(
    *,
    actor: User,
    screening: Screening,
    expected_version: int,
    data: dict[str, Any],
    answers: dict[str, Any],
) -> Screening:
    """Save an edit made on a form loaded at `expected_version`; refuse with ConflictError
    if someone saved in the meantime (never overwrite). Once a case is opened from it, the
    screening is kept as it was: the case file is edited instead."""
    _require(actor, "screening", Action.CHANGE, screening)
    with transaction.atomic():
        current = Screening.objects.select_for_update().get(pk=screening.pk)
        if current.case_id:
            raise ValidationError(CASE_OPENED_CHANGE)
        if current.version != expected_version:
            raise ConflictError({"version": (expected_version, current.version)})
        before = {name: getattr(current, name) for name in (*FIELDS, "answers")}
        suggested_before = current.suggested_status
        _apply(current, data, answers)
        changed = [
            name
            for name in (*FIELDS, "answers")
            if _comparable(before[name]) != _comparable(getattr(current, name))
        ]
        current.version = F("version") + 1
        current.full_clean(exclude=["version"])
        current.save()
        current.refresh_from_db()
        if changed:
            log_action(
                "screening.screening.changed",
                actor=actor,
                target=current,
                data={
                    "code": current.code,
                    "fields": changed,
                    "suggested_status": {
                        "before": suggested_before,
                        "after": current.suggested_status,
                    },
                },
            )
        return current


def _comparable(value: Any) -> Any:
    if hasattr(value, "pk"):
        return value.pk
    if value in (None, ""):
        return None
    if isinstance(value, list):
        return sorted(str(item) for item in value) or None
    return str(value) if not isinstance(value, dict) else value


def status_decide(
    *,
    actor: User,
    screening: Screening,
    status: str,
    justification: str,
    reason_against_suggestion: str = "",
) -> StatusDecision:
    """Decide the person's trafficking status, or revise an earlier decision: each call
    adds a decision, the newest is the current one, the earlier ones stay as its history.
    Deciding against what the indicators suggest needs a reason."""
    _require(actor, "screening_decision", Action.CHANGE, screening)
    if status not in v.TraffickingStatus.values:
        raise ValidationError({"status": _("Choose a status.")})
    justification = (justification or "").strip()
    reason = (reason_against_suggestion or "").strip()
    if not justification:
        raise ValidationError(
            {"justification": _("Say what the decision rests on: the answers, documents, a check.")}
        )
    with transaction.atomic():
        current = Screening.objects.select_for_update().get(pk=screening.pk)
        if current.case_id:
            raise ValidationError(CASE_OPENED_DECISION)
        sop.check_decider(
            organisation=actor.organisation,
            country=str(current.identified_country),
            status=status,
        )
        country = str(current.identified_country)
        suggestion = indicators.assess(current.answers, child=current.is_child, country=country)
        if status != suggestion.status and not reason:
            raise ValidationError(
                {
                    "reason_against_suggestion": _(
                        "The indicators suggest “%(suggested)s” and you decided “%(decided)s”: "
                        "give the reason for deciding otherwise."
                    )
                    % {
                        "suggested": v.TraffickingStatus(suggestion.status).label,
                        "decided": v.TraffickingStatus(status).label,
                    }
                }
            )
        previous = current.status
        decision = StatusDecision(
            screening=current,
            status=status,
            suggested_status=suggestion.status,
            suggestion=suggestion.as_json(),
            decided_by=actor,
            deciding_organisation=actor.organisation,
            decision_maker=sop.decision_maker(actor.organisation),
            justification=justification,
            reason_against_suggestion=reason if status != suggestion.status else "",
        )
        decision.full_clean()
        decision.save()
        current.status = status
        current.indicators = suggestion.codes
        current.suggested_status = suggestion.status
        current.rule_version = indicators.RULE_VERSION
        # A decision changes what the screening says: a form or a copy read before it is
        # stale (its version, the API's ETag).
        current.version = F("version") + 1
        current.save(
            update_fields=[
                "status",
                "indicators",
                "suggested_status",
                "rule_version",
                "version",
                "updated_at",
            ]
        )
        log_action(
            "screening.status.revised" if previous else "screening.status.decided",
            actor=actor,
            target=current,
            data={
                "code": current.code,
                "status": status,
                "previous_status": previous,
                "suggested_status": suggestion.status,
                "against_suggestion": status != suggestion.status,
                "decision_maker": decision.decision_maker,
            },
        )
        screening.status = status
        current.refresh_from_db(fields=["version"])
        screening.version = current.version
        return decision


def current_decision(screening: Screening) -> StatusDecision | None:
    return screening.decisions.order_by("-decided_at", "-pk").first()


def _case_data(screening: Screening, decision: StatusDecision) -> dict[str, Any]:
    """The case file's fields that the screening already answers."""
    answers = Answers(screening.answers)
    risks = set(screening.risks)
    recruiter = answers.one("recruiter")
    return {
        "identified_on": timezone.localtime(screening.screened_at).date(),
        "identified_country": screening.identified_country,
        "identified_region": screening.identified_region,
        "identified_locality": screening.identified_locality,
        "identification_method": IDENTIFICATION_METHODS.get(
            screening.place_type, v.IdentificationMethod.NGO
        ),
        "trafficking_status": decision.status,
        "status_decided_by": decision.decision_maker,
        "risk_level": screening.risk_level or v.RiskLevel.MEDIUM,
        "unaccompanied_child": Risk.UNACCOMPANIED_CHILD in risks,
        "urgent_medical_need": Risk.URGENT_MEDICAL in risks,
        "security_risk": bool({Risk.EXPLOITER_NEARBY, Risk.THREATS} & risks),
        "exploitation_types": answers.listed("exploitation_types"),
        "labour_industry": answers.one("labour_industry"),
        "methods_of_control": answers.listed("methods_of_control"),
        "recruitment_methods": answers.listed("recruitment_methods"),
        "relationship_to_trafficker": recruiter
        if recruiter in v.RelationshipToTrafficker.values
        else "",
    }


def _events(screening: Screening, identified_on: date) -> list[dict[str, Any]]:
    """The trafficking events the answers and the place of the screening describe."""
    answers = Answers(screening.answers)
    events = []
    if country := answers.one("recruitment_country"):
        events.append({"type": v.EventType.RECRUITMENT, "country": country})
    if screening.place_type in TRANSIT_PLACES:
        events.append(
            {
                "type": v.EventType.TRANSIT,
                "country": str(screening.identified_country),
                "place": screening.identified_locality,
                "date": identified_on,
            }
        )
    if country := answers.one("exploitation_country"):
        events.append({"type": v.EventType.EXPLOITATION, "country": country})
    return events


def screening_case_open(
    *,
    actor: User,
    screening: Screening,
    person_data: dict[str, Any],
    consent_given_by: str,
    consent_method: str,
    consent_given_on: date,
    share_consent: bool = False,
    submission_token: uuid.UUID | None = None,
) -> Case:
    """Open a case file for a person decided a possible or actual victim, in one step: the
    case is registered (with its duplicate check and consent) carrying what the screening
    found: exploitation, methods of control and recruitment, events, needs. The identity
    moves to the case file: the screening keeps its code and the link, no name."""
    _require(actor, "screening", Action.CHANGE, screening)
    if not can(actor, "case", Action.CREATE):
        raise PermissionDenied
    with transaction.atomic():
        current = Screening.objects.select_for_update().get(pk=screening.pk)
        if current.case_id:
            raise CaseAlreadyOpened(current.case)
        decision = current_decision(current)
        if decision is None:
            raise ValidationError(_("Decide the trafficking status before opening a case."))
        if decision.status not in OPENS_A_CASE:
            raise ValidationError(
                _(
                    "The decision is “not a victim of trafficking”: no case is opened. The "
                    "screening is kept and counted."
                )
            )
        person = {k: value for k, value in person_data.items() if value not in (None, "")}
        if not (person.get("first_name") or "").strip():
            raise ValidationError({"first_name": _("A case file needs the person's first name.")})
        if current.estimated_age is not None and not (
            person.get("date_of_birth") or person.get("estimated_age") is not None
        ):
            person["estimated_age"] = current.estimated_age
        if current.is_child and not (
            person.get("date_of_birth") or person.get("estimated_age") is not None
        ):
            raise ValidationError(
                {
                    "estimated_age": _(
                        "The person was screened as a child: give the date of birth or an "
                        "estimated age, so that the case file is a child's."
                    )
                }
            )
        case_data = _case_data(current, decision)
        case = case_services.case_register(
            actor=actor,
            case_data=case_data,
            person_data=person,
            sex=current.sex,
            citizenships=[str(current.citizenship)] if current.citizenship else [],
            consent_given_by=consent_given_by,
            consent_method=consent_method,
            consent_given_on=consent_given_on,
            submission_token=submission_token,
            share_consent=share_consent,
        )
        for event in _events(current, case_data["identified_on"]):
            records.event_add(actor=actor, case=case, **event)
        if current.needs or current.risks_note:
            records.assessment_add(
                actor=actor,
                case=case,
                assessed_on=case_data["identified_on"],
                needs=list(current.needs),
                risk_level=case_data["risk_level"],
                risks=current.risks_note,
            )
        current.case = case
        current.first_name = ""
        current.last_name = ""
        current.save(update_fields=["case", "first_name", "last_name", "updated_at"])
        log_action(
            "screening.case.opened",
            actor=actor,
            target=current,
            data={
                "code": current.code,
                "case_number": case.case_number,
                "status": decision.status,
                "possible_duplicate": case.possible_duplicate,
            },
        )
        screening.case = case
        return case
