"""A case's workflow: status transitions, closure (requested, then approved or returned by a
supervisor), reopening and the caseworkers assigned."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can
from cases.models import Case, ClosureRequest, StatusChange
from traffick_cm import codebooks as v
from traffick_cm import events

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
    if not can(actor, "case_supervision", Action.CHANGE):
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
            # For the organisation's systems (webhooks, after commit): codes and dates only.
            events.publish(
                "case.closed",
                organisations=[case.organisation_id],
                payload={
                    "case": case.pk,
                    "organisation": case.organisation_id,
                    "status": to_status,
                    "closure_reason": closure.reason,
                    "closed_on": case.closed_on,
                },
            )
        log_action(
            "cases.case.closure_approved" if approve else "cases.case.closure_returned",
            actor=actor,
            target=case,
            data={"reason": closure.reason},
        )
        return closure


def case_reopen(*, actor: User, case: Case, note: str) -> Case:
    if not can(actor, "case_supervision", Action.CHANGE):
        raise PermissionDenied
    if not note.strip():
        raise ValidationError({"note": _("Say why the case is reopened.")})
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if not current.is_closed:
            raise ValidationError(_("Only a closed case can be reopened."))
        _set_status(actor=actor, case=current, to_status=v.CaseStatus.OPEN, note=note)
        return current


def _may_work_on(member: User, case: Case) -> bool:
    """Only a caseworker of the case's own organisation may be put on its team."""
    return member.organisation_id == case.organisation_id and can(
        member, "case_assignee", Action.CHANGE
    )


def case_assign(*, actor: User, case: Case, caseworkers: list[User], primary: User | None) -> Case:
    if not can(actor, "case_supervision", Action.CHANGE):
        raise PermissionDenied
    team = set(caseworkers)
    if primary is not None:
        team.add(primary)
    for member in team:
        if not _may_work_on(member, case):
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
