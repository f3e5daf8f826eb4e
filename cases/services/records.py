"""The records a case file accumulates: consents, events, assessments, support plans,
services delivered, notes, follow-ups, documents and legal proceedings. Each is written with
an audit entry against its case; personal text is never copied into the audit data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from cases.models import (
    Assessment,
    Case,
    CaseDocument,
    CaseNote,
    Consent,
    FollowUp,
    LegalProceeding,
    ServiceDelivery,
    SupportPlan,
    TraffickingEvent,
)
from cases.selectors import has_current_consent
from cases.signals import consent_ended
from cases.uploads import sniff_document
from traffick_cm import codebooks as v


def _touch(case: Case) -> None:
    """A new record changes the case: its position in 'last updated' lists and its version."""
    Case.objects.filter(pk=case.pk).update(updated_at=timezone.now(), version=F("version") + 1)


def _not_future(value: date | None, field: str) -> None:
    if value and value > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def _refuse_if_closed(case: Case) -> None:
    """A closed case is read-only until a supervisor reopens it."""
    if Case.objects.filter(pk=case.pk, status__in=v.TERMINAL_STATUSES).exists():
        raise ValidationError(_("This case is closed: reopen it before changing it."))


def _save(
    record: Model,
    *,
    actor: User,
    case: Case,
    action: str,
    data: dict[str, Any] | None = None,
    then: Callable[[], dict[str, Any]] | None = None,
    closed_ok: bool = False,
) -> Model:
    """Validate, save and audit a record. `then` runs after the save and before the audit
    entry, and adds what it returns to the entry's data."""
    if not closed_ok:
        _refuse_if_closed(case)
    record.full_clean()
    record.save()
    _touch(case)
    extra = then() if then is not None else {}
    log_action(
        action,
        actor=actor,
        target=case,
        data={"record": record._meta.model_name, "id": record.pk, **(data or {}), **extra},
    )
    return record


# Scopes whose end ends all sharing with partners: without consent to data collection
# nothing may be shared either.
SHARING_SCOPES = frozenset({v.ConsentScope.REFERRAL, v.ConsentScope.DATA_COLLECTION})


def _end_sharing_if_consent_ended(consent: Consent, *, actor: User) -> dict[str, Any]:
    """After a withdrawal or a refusal: if the case no longer has a current consent in a
    sharing scope, every referral's copy of the person's details is withdrawn at once.
    The referrals affected are kept on the consent (for the confirmation) and returned
    for the audit entry."""
    if consent.scope not in SHARING_SCOPES or has_current_consent(consent.case, consent.scope):
        return {}
    # The apps above cases end what the consent allowed (referrals/: the shared packets).
    referrals = [
        record
        for _receiver, changed in consent_ended.send(sender=Consent, case=consent.case, actor=actor)
        for record in changed
    ]
    consent.referrals_withdrawn = tuple(referrals)
    return {"referrals_withdrawn": [r.pk for r in referrals]}


@transaction.atomic
def consent_record(
    *,
    actor: User,
    case: Case,
    scope: str,
    granted: bool,
    given_by: str,
    method: str,
    given_on: date,
) -> Consent:
    _not_future(given_on, "given_on")
    if case.is_child and given_by == v.ConsentGiver.PERSON:
        raise ValidationError(
            {
                "given_by": _(
                    "For a child, consent is given with a parent or guardian, or "
                    "through a best-interest determination."
                )
            }
        )
    consent = Consent(
        case=case,
        scope=scope,
        granted=granted,
        given_by=given_by,
        method=method,
        given_on=given_on,
        recorded_by=actor,
    )
    return _save(
        consent,
        actor=actor,
        case=case,
        action="cases.consent.recorded",
        data={"scope": scope, "granted": granted, "given_by": given_by},
        then=None if granted else lambda: _end_sharing_if_consent_ended(consent, actor=actor),
    )


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent, withdrawn_on: date) -> Consent:
    """Withdraw a consent, also on a closed case: withdrawing is the person's right at any
    time, and it adds nothing to the file. Ending a sharing consent withdraws what the
    referrals shared (`consent.referrals_withdrawn` lists them)."""
    consent = (
        Consent.objects.select_for_update(of=("self",)).select_related("case").get(pk=consent.pk)
    )
    if consent.withdrawn_on is not None:
        raise ValidationError(_("This consent was already withdrawn."))
    if not consent.granted:
        raise ValidationError(_("Only a consent that was granted can be withdrawn."))
    _not_future(withdrawn_on, "withdrawn_on")
    if withdrawn_on < consent.given_on:
        raise ValidationError({"withdrawn_on": _("The withdrawal comes before the consent.")})
    consent.withdrawn_on = withdrawn_on
    consent.withdrawn_by = actor
    return _save(
        consent,
        actor=actor,
        case=consent.case,
        action="cases.consent.withdrawn",
        data={"scope": consent.scope},
        then=lambda: _end_sharing_if_consent_ended(consent, actor=actor),
        closed_ok=True,
    )


@transaction.atomic
def event_add(*, actor: User, case: Case, **fields: Any) -> TraffickingEvent:
    _not_future(fields.get("date"), "date")
    event = _save(
        TraffickingEvent(case=case, **fields),
        actor=actor,
        case=case,
        action="cases.event.added",
        data={"type": fields.get("type")},
    )
    transnational_refresh(case)
    return event


@transaction.atomic
def event_delete(*, actor: User, event: TraffickingEvent) -> None:
    case = event.case
    _refuse_if_closed(case)
    log_action(
        "cases.event.deleted",
        actor=actor,
        target=case,
        data={"record": "traffickingevent", "id": event.pk},
    )
    event.delete()
    _touch(case)
    transnational_refresh(case)


def transnational_refresh(case: Case) -> bool:
    """Transnational when the events, or the events and the person's citizenship, span more
    than one country."""
    countries = {str(c) for c in case.events.values_list("country", flat=True)}
    if countries and case.citizenships:
        countries |= set(case.citizenships)
    transnational = len(countries) > 1
    Case.objects.filter(pk=case.pk).update(is_transnational=transnational)
    case.is_transnational = transnational
    return transnational


@transaction.atomic
def assessment_add(
    *,
    actor: User,
    case: Case,
    assessed_on: date,
    needs: list[str],
    risk_level: str,
    risks: str = "",
) -> Assessment:
    _not_future(assessed_on, "assessed_on")
    assessment = _save(
        Assessment(
            case=case,
            assessed_on=assessed_on,
            assessed_by=actor,
            needs=needs,
            risk_level=risk_level,
            risks=risks,
        ),
        actor=actor,
        case=case,
        action="cases.assessment.added",
        data={"needs": needs, "risk_level": risk_level},
    )
    # The latest assessment sets the case's risk level.
    Case.objects.filter(pk=case.pk).update(risk_level=risk_level)
    return assessment


@transaction.atomic
def support_plan_add(*, actor: User, case: Case, **fields: Any) -> SupportPlan:
    plan = SupportPlan(case=case, created_by=actor, **fields)
    if plan.planned_end_on and plan.actual_end_on and plan.actual_end_on < case.identified_on:
        raise ValidationError({"actual_end_on": _("The end date comes before identification.")})
    return _save(
        plan,
        actor=actor,
        case=case,
        action="cases.support_plan.added",
        data={"type": plan.type, "planned_services": plan.planned_services},
    )


@transaction.atomic
def support_plan_close(*, actor: User, plan: SupportPlan, actual_end_on: date) -> SupportPlan:
    _not_future(actual_end_on, "actual_end_on")
    plan.actual_end_on = actual_end_on
    return _save(plan, actor=actor, case=plan.case, action="cases.support_plan.ended")


@transaction.atomic
def service_record(*, actor: User, case: Case, **fields: Any) -> ServiceDelivery:
    _not_future(fields.get("delivered_on"), "delivered_on")
    if fields.get("cost") is not None and fields["cost"] < 0:
        raise ValidationError({"cost": _("A cost cannot be negative.")})
    fields.setdefault("provider", case.organisation)
    fields.setdefault("project", case.project)
    service = ServiceDelivery(case=case, recorded_by=actor, **fields)
    return _save(
        service,
        actor=actor,
        case=case,
        action="cases.service.recorded",
        data={
            "service_type": service.service_type,
            "project": service.project_id,
            "cost": str(service.cost or ""),
        },
    )


@transaction.atomic
def note_add(*, actor: User, case: Case, body: str) -> CaseNote:
    if not body.strip():
        raise ValidationError({"body": _("The note is empty.")})
    return _save(
        CaseNote(case=case, body=body, author=actor),
        actor=actor,
        case=case,
        action="cases.note.added",
    )


@transaction.atomic
def follow_up_add(
    *, actor: User, case: Case, due_on: date, purpose: str, assigned_to: User | None = None
) -> FollowUp:
    return _save(
        FollowUp(
            case=case,
            due_on=due_on,
            purpose=purpose,
            assigned_to=assigned_to or actor,
            created_by=actor,
        ),
        actor=actor,
        case=case,
        action="cases.follow_up.added",
        data={"due_on": due_on.isoformat()},
    )


@transaction.atomic
def follow_up_done(*, actor: User, follow_up: FollowUp, done_on: date) -> FollowUp:
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if follow_up.done_on is not None:
        raise ValidationError(_("This follow-up is already done."))
    _not_future(done_on, "done_on")
    follow_up.done_on = done_on
    follow_up.done_by = actor
    return _save(follow_up, actor=actor, case=follow_up.case, action="cases.follow_up.done")


@transaction.atomic
def document_upload(*, actor: User, case: Case, kind: str, upload: UploadedFile) -> CaseDocument:
    content_type = sniff_document(upload)  # raises ValidationError when not allowed
    document = CaseDocument(
        case=case,
        kind=kind,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    document.file.save("upload", upload, save=False)
    try:
        return _save(
            document,
            actor=actor,
            case=case,
            action="cases.document.uploaded",
            data={"kind": kind, "content_type": content_type, "size": upload.size},
        )
    except Exception:
        document.file.delete(save=False)
        raise


@transaction.atomic
def legal_proceeding_save(
    *, actor: User, case: Case, proceeding: LegalProceeding | None = None, **fields: Any
) -> LegalProceeding:
    for field in ("complaint_on", "investigation_on", "prosecution_on", "judgment_on"):
        _not_future(fields.get(field), field)
    if fields.get("compensation_amount") is not None and fields["compensation_amount"] < 0:
        raise ValidationError({"compensation_amount": _("An amount cannot be negative.")})
    proceeding = proceeding or LegalProceeding(case=case, recorded_by=actor)
    for key, value in fields.items():
        setattr(proceeding, key, value)
    created = proceeding.pk is None
    return _save(
        proceeding,
        actor=actor,
        case=case,
        action="cases.legal.added" if created else "cases.legal.changed",
        data={"stage": proceeding.stage, "outcome": proceeding.outcome},
    )
