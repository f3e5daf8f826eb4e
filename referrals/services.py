"""Every change to a referral: create, send (behind the consent gate), answer, deliver,
close, cancel; and the overdue reminders. Each change writes a ReferralEvent and an audit
entry; e-mails are queued after the transaction commits."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can, can_on
from cases.models import Case, ServiceDelivery
from cases.selectors import has_current_consent
from partners.models import Organisation
from referrals import notifications
from referrals.models import (
    CLOSED_STATUSES,
    PacketField,
    PacketWithdrawal,
    Referral,
    ReferralEvent,
    ReferralStatus,
    Urgency,
)
from traffick_cm import codebooks as v
from traffick_cm import events

S = ReferralStatus
MIN_JUSTIFICATION = 20


def _event(referral: Referral, *, actor: User | None, to_status: str, note: str = "") -> None:
    ReferralEvent.objects.create(
        referral=referral,
        from_status=referral.status,
        to_status=to_status,
        by=actor,
        note=note[:300],
    )
    referral.status = to_status


def _audit(action: str, *, actor: User | None, referral: Referral, **data: Any) -> None:
    log_action(
        f"referrals.referral.{action}",
        actor=actor,
        target=referral,
        data={"case": referral.case_id, "status": referral.status, **data},
    )


def _locked(referral: Referral) -> Referral:
    return Referral.objects.select_for_update().select_related("case").get(pk=referral.pk)


def _withdraw_packet(referral: Referral, *, because: str, now: datetime) -> bool:
    """Erase the shared copy of the person's details; the referral's metadata (number,
    service, dates, status, which fields were shared) stays. False if nothing was shared."""
    if not referral.packet:
        return False
    referral.packet = ""
    referral.packet_withdrawn_at = now
    referral.packet_withdrawn_because = because
    return True


def _notify(referral: Referral, what: str) -> None:
    from referrals import tasks  # referrals.tasks imports this module: the cycle is broken here

    transaction.on_commit(lambda: tasks.notify_referral.delay(referral.pk, what))


def _publish(
    event: str, referral: Referral, *, referrer: bool = True, partner: bool = True
) -> None:
    """Tell the organisations' systems (webhooks, after commit): ids, codes and dates, never
    the person, the packet or a free-text reason. The receiving partner learns of a referral
    once it is sent, and never the case's id."""
    data = {
        "referral": referral.pk,
        "status": referral.status,
        "service_type": referral.service_type,
        "urgency": referral.urgency,
        "from_organisation": referral.from_organisation_id,
        "to_organisation": referral.to_organisation_id,
        "destination_country": str(referral.destination_country or ""),
        "created_at": referral.created_at,
        "sent_at": referral.sent_at,
        "respond_by": referral.respond_by,
        "responded_at": referral.responded_at,
        "closed_at": referral.closed_at,
    }
    if referrer:
        events.publish(
            event,
            organisations=[referral.from_organisation_id],
            payload={**data, "case": referral.case_id},
        )
    if partner and referral.to_organisation_id and referral.sent_at:
        events.publish(event, organisations=[referral.to_organisation_id], payload=data)


def packet_build(case: Case, fields: list[str], service_type: str) -> dict[str, Any]:
    """The minimal packet: only the fields the caseworker chose."""
    person = case.person
    packet: dict[str, Any] = {}
    if PacketField.CASE_NUMBER in fields:
        packet["case_number"] = case.case_number
    if PacketField.FIRST_NAME in fields:
        packet["first_name"] = person.first_name or person.aliases
    if PacketField.LAST_NAME in fields:
        packet["last_name"] = person.last_name
    if PacketField.SEX in fields:
        packet["sex"] = case.sex
    if PacketField.AGE_GROUP in fields:
        packet["age_group"] = case.age_group
    if PacketField.DATE_OF_BIRTH in fields and person.date_of_birth:
        packet["date_of_birth"] = person.date_of_birth.isoformat()
    if PacketField.LANGUAGE in fields:
        packet["languages"] = list(person.languages)
    if PacketField.CITIZENSHIP in fields:
        packet["citizenships"] = list(case.citizenships)
    if PacketField.NEEDS in fields:
        latest = case.assessments.order_by("-assessed_on", "-pk").first()
        needs = latest.needs if latest else []
        packet["needs"] = [service_type, *[n for n in needs if n != service_type]]
    if PacketField.CONTACT in fields:
        packet["contact"] = person.phone
    if PacketField.CHILD_FLAGS in fields:
        packet["child"] = case.is_child
        packet["unaccompanied_child"] = case.unaccompanied_child
    if PacketField.MEDICAL_URGENCY in fields:
        packet["urgent_medical_need"] = case.urgent_medical_need
    return packet


def _require_recorded_consent(case: Case) -> None:
    """A case imported without consent to data collection (consent "not recorded") is
    shared with nobody, not even in an emergency, until that consent is recorded."""
    if not case.consents.filter(scope=v.ConsentScope.DATA_COLLECTION).exists():
        raise ValidationError(
            _(
                "Consent to data collection is not recorded for this case (it was imported "
                "without it). Record the person's consent before referring."
            )
        )


@transaction.atomic
def referral_create(
    *,
    actor: User,
    case: Case,
    service_type: str,
    urgency: str,
    reason: str,
    packet_fields: list[str],
    to_organisation: Organisation | None = None,
    external_organisation: str = "",
    destination_country: str = "",
) -> Referral:
    if case.is_closed:
        raise ValidationError(_("This case is closed: reopen it before referring."))
    _require_recorded_consent(case)
    if (to_organisation is None) == (not external_organisation.strip()):
        raise ValidationError(
            {"to_organisation": _("Choose a partner, or name an organisation outside the system.")}
        )
    if to_organisation is not None and not to_organisation.is_active:
        raise ValidationError({"to_organisation": _("This organisation is no longer active.")})
    if to_organisation is not None and to_organisation.pk == case.organisation_id:
        raise ValidationError({"to_organisation": _("Refer to another organisation.")})
    if (
        to_organisation is not None
        and to_organisation.services
        and service_type not in to_organisation.services
    ):
        # A partner whose directory entry lists no service at all has simply not said
        # (the directory shows "Not stated"): only a listed refusal is known.
        raise ValidationError(
            {
                "to_organisation": _("%(partner)s does not offer %(service)s.")
                % {
                    "partner": to_organisation,
                    "service": dict(v.ServiceType.choices).get(service_type, service_type),
                }
            }
        )
    if not reason.strip():
        raise ValidationError({"reason": _("Give the reason for the referral.")})
    if not packet_fields:
        raise ValidationError({"packet_fields": _("Choose what the partner needs to know.")})
    referral = Referral(
        case=case,
        from_organisation=case.organisation,
        to_organisation=to_organisation,
        external_organisation=external_organisation.strip() if to_organisation is None else "",
        service_type=service_type,
        urgency=urgency,
        reason=reason,
        packet_fields=packet_fields,
        destination_country=destination_country
        or (to_organisation.country.code if to_organisation else case.identified_country.code),
        created_by=actor,
    )
    referral.full_clean()
    referral.save()
    ReferralEvent.objects.create(referral=referral, to_status=S.DRAFT, by=actor)
    _audit(
        "created",
        actor=actor,
        referral=referral,
        service_type=service_type,
        to=to_organisation.pk if to_organisation else "external",
    )
    _publish("referral.created", referral)
    return referral


def can_override_consent(user: User) -> bool:
    """A member of the case team the organisation designated for emergencies (the policy's
    DESIGNATIONS)."""
    return can(user, "referral_consent_override", Action.CHANGE)


def referral_send(*, actor: User, referral: Referral, override_justification: str = "") -> Referral:
    """Send a draft. Without a current consent to referral and sharing, only a user with the
    override permission may send, in an emergency, with a written justification."""
    with transaction.atomic():
        referral = _locked(referral)
        if referral.status != S.DRAFT:
            raise ValidationError(_("Only a draft can be sent."))
        case = referral.case
        if case.is_closed:
            raise ValidationError(_("This case is closed: reopen it before referring."))
        _require_recorded_consent(case)
        consented = has_current_consent(case, v.ConsentScope.REFERRAL)
        if not consented:
            if not override_justification.strip():
                raise ValidationError(
                    _(
                        "There is no current consent to referral and data sharing. Record the "
                        "person's consent first."
                    )
                )
            if not can_override_consent(actor):
                raise PermissionDenied
            if referral.urgency != Urgency.EMERGENCY:
                raise ValidationError(
                    _("Sending without consent is possible only for an emergency referral.")
                )
            if len(override_justification.strip()) < MIN_JUSTIFICATION:
                raise ValidationError(
                    {
                        "override_justification": _(
                            "Explain the emergency in at least %(n)s characters."
                        )
                        % {"n": MIN_JUSTIFICATION}
                    }
                )
            referral.consent_override = True
            referral.override_justification = override_justification.strip()
        now = timezone.now()
        referral.packet = json.dumps(
            packet_build(case, list(referral.packet_fields), referral.service_type),
            ensure_ascii=False,
        )
        referral.sent_at = now
        referral.respond_by = now + timedelta(
            hours=settings.REFERRAL_DEADLINE_HOURS[referral.urgency]
        )
        _event(referral, actor=actor, to_status=S.SENT)
        referral.save()
        if referral.consent_override:
            _audit(
                "consent_overridden",
                actor=actor,
                referral=referral,
                justification_length=len(referral.override_justification),
            )
        _audit("sent", actor=actor, referral=referral, fields=list(referral.packet_fields))
        # For the partner, a referral is created when it arrives in its inbox.
        _publish("referral.created", referral, referrer=False)
        if referral.to_organisation_id:
            _notify(referral, "sent")
        return referral


def _is_partner_for(actor: User, referral: Referral) -> bool:
    """A focal point of the receiving organisation, for a referral in its inbox."""
    return can_on(actor, "referral_inbox", Action.CHANGE, referral)


def _is_referrer_for(actor: User, referral: Referral) -> bool:
    """A member of the referred case's team."""
    return can_on(actor, "referral", Action.CHANGE, referral)


def _may_answer(actor: User, referral: Referral) -> bool:
    """The partner answers; for an organisation outside the system the referrer records
    the answer they received."""
    if referral.is_external:
        return _is_referrer_for(actor, referral)
    return _is_partner_for(actor, referral)


def referral_respond(
    *, actor: User, referral: Referral, accept: bool, reason: str = ""
) -> Referral:
    """Accept or decline. Two focal points answering at once: the row lock makes the second
    one find the referral answered, so there is exactly one outcome."""
    with transaction.atomic():
        referral = _locked(referral)
        if not _may_answer(actor, referral):
            raise PermissionDenied
        if referral.status != S.SENT:
            raise ValidationError(
                _("This referral was already answered (%(status)s).")
                % {"status": S(referral.status).label}
            )
        if not accept and not reason.strip():
            raise ValidationError({"reason": _("Give the reason for declining.")})
        referral.responded_at = timezone.now()
        referral.responded_by = actor
        if accept:
            _event(referral, actor=actor, to_status=S.ACCEPTED)
        else:
            referral.decline_reason = reason.strip()[:300]
            referral.closed_at = referral.responded_at
            _event(referral, actor=actor, to_status=S.DECLINED, note=reason)
        referral.save()
        _audit("accepted" if accept else "declined", actor=actor, referral=referral)
        _publish("referral.accepted" if accept else "referral.declined", referral)
        _notify_referrer(referral, "accepted" if accept else "declined")
        return referral


def referral_start(*, actor: User, referral: Referral) -> Referral:
    with transaction.atomic():
        referral = _locked(referral)
        if not _may_answer(actor, referral):
            raise PermissionDenied
        if referral.status != S.ACCEPTED:
            raise ValidationError(_("Only an accepted referral can start."))
        _event(referral, actor=actor, to_status=S.IN_PROGRESS)
        referral.save()
        _audit("started", actor=actor, referral=referral)
        return referral


def referral_complete(
    *,
    actor: User,
    referral: Referral,
    outcome: str,
    feedback: str = "",
    delivered_on: date | None = None,
) -> Referral:
    """The service was delivered: it returns to the case as a service delivered."""
    with transaction.atomic():
        referral = _locked(referral)
        if not _may_answer(actor, referral):
            raise PermissionDenied
        if referral.status not in (S.ACCEPTED, S.IN_PROGRESS):
            raise ValidationError(_("Only an accepted referral can be completed."))
        if not outcome.strip():
            raise ValidationError({"outcome": _("Describe the outcome.")})
        delivered_on = delivered_on or timezone.localdate()
        if delivered_on > timezone.localdate():
            raise ValidationError({"delivered_on": _("This date is in the future.")})
        referral.outcome = outcome.strip()[:300]
        referral.feedback = feedback
        referral.closed_at = timezone.now()
        _event(referral, actor=actor, to_status=S.COMPLETED)
        referral.save()
        provider = referral.to_organisation or referral.from_organisation
        ServiceDelivery.objects.create(
            case=referral.case,
            service_type=referral.service_type,
            delivered_on=delivered_on,
            provider=provider,
            project=referral.case.project,
            referral=referral,
            recorded_by=actor,
        )
        Case.objects.filter(pk=referral.case_id).update(updated_at=timezone.now())
        _audit("completed", actor=actor, referral=referral)
        _publish("referral.completed", referral)
        _notify_referrer(referral, "completed")
        return referral


def referral_close_without_service(*, actor: User, referral: Referral, outcome: str) -> Referral:
    with transaction.atomic():
        referral = _locked(referral)
        if not _may_answer(actor, referral):
            raise PermissionDenied
        if referral.status not in (S.ACCEPTED, S.IN_PROGRESS):
            raise ValidationError(_("Only an accepted referral can be closed this way."))
        if not outcome.strip():
            raise ValidationError({"outcome": _("Say why no service was given.")})
        referral.outcome = outcome.strip()[:300]
        referral.closed_at = timezone.now()
        _event(referral, actor=actor, to_status=S.CLOSED_NO_SERVICE, note=outcome)
        referral.save()
        _audit("closed_without_service", actor=actor, referral=referral)
        _notify_referrer(referral, "closed_no_service")
        return referral


def referral_cancel(*, actor: User, referral: Referral, reason: str) -> Referral:
    """Cancel a referral: what it shared is withdrawn at once and the partner is told."""
    with transaction.atomic():
        referral = _locked(referral)
        if not _is_referrer_for(actor, referral):
            raise PermissionDenied
        if referral.status in CLOSED_STATUSES:
            raise ValidationError(_("This referral is already closed."))
        if not reason.strip():
            raise ValidationError({"reason": _("Give the reason for cancelling.")})
        notify = referral.status != S.DRAFT and referral.to_organisation_id
        referral.closed_at = timezone.now()
        withdrawn = _withdraw_packet(
            referral, because=PacketWithdrawal.CANCELLED, now=referral.closed_at
        )
        _event(referral, actor=actor, to_status=S.CANCELLED, note=reason)
        referral.save()
        _audit("cancelled", actor=actor, referral=referral, packet_withdrawn=withdrawn)
        if notify:
            _notify(referral, "cancelled")
        return referral


def referral_packets_withdraw(*, actor: User | None, case: Case) -> list[Referral]:
    """The person's consent to sharing ended: every referral of the case that holds a copy
    of their details loses it at once, whatever its status (a closed one would show it
    during its retention period). Then, by status:

    - sent, not yet answered: cancelled, since it cannot go on without the consent that
      sending it required;
    - accepted or in progress: stays open, so the partner can finish the service the person
      is already receiving and report its outcome, with the metadata only;
    - closed: stays closed.

    Each referral gets its own audit entry and its partner an e-mail (no personal data).
    Consenting again restores nothing: sharing again takes a new referral, sent behind
    the consent gate. Called inside the consent service's transaction."""
    with transaction.atomic():
        referrals = list(
            Referral.objects.select_for_update().filter(case=case).exclude(packet="").order_by("pk")
        )
        now = timezone.now()
        for referral in referrals:
            _withdraw_packet(referral, because=PacketWithdrawal.CONSENT_WITHDRAWN, now=now)
            if referral.status == S.SENT:
                referral.closed_at = now
                _event(referral, actor=actor, to_status=S.CANCELLED)
            referral.save()
            _audit(
                "packet_withdrawn",
                actor=actor,
                referral=referral,
                because=PacketWithdrawal.CONSENT_WITHDRAWN,
                fields=list(referral.packet_fields),
            )
            if referral.to_organisation_id:
                _notify(referral, "consent_withdrawn")
        return referrals


def packets_withdraw_on_consent_end(sender, *, case: Case, actor: User | None, **kwargs) -> list:
    """Receiver of cases.signals.consent_ended (connected in referrals/apps.py)."""
    return referral_packets_withdraw(actor=actor, case=case)


def _notify_referrer(referral: Referral, what: str) -> None:
    _notify(referral, what)


def overdue_q(now: datetime) -> Q:
    return Q(status=S.SENT, respond_by__lt=now)


def reminders_send(*, now: datetime) -> int:
    """One reminder per overdue deadline: each referral is claimed with a conditional UPDATE,
    so two workers, or a task run twice, never send it twice."""
    sent = 0
    candidates = (
        Referral.objects.filter(overdue_q(now))
        .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=F("respond_by")))
        .values_list("pk", "respond_by", "reminder_sent_for")
    )
    for pk, respond_by, previous in candidates:
        claimed = (
            Referral.objects.filter(pk=pk, status=S.SENT, respond_by=respond_by)
            .filter(Q(reminder_sent_for__isnull=True) | ~Q(reminder_sent_for=respond_by))
            .update(reminder_sent_for=respond_by)
        )
        if not claimed:
            continue  # another worker has it
        referral = Referral.objects.select_related(
            "case", "to_organisation", "from_organisation", "created_by"
        ).get(pk=pk)
        try:
            notifications.send(referral, "overdue")
        except Exception:
            # Not sent: release the claim so that the next run tries again.
            Referral.objects.filter(pk=pk, reminder_sent_for=respond_by).update(
                reminder_sent_for=previous
            )
            raise
        log_action(
            "referrals.referral.reminder_sent",
            actor=None,
            target=referral,
            data={"respond_by": respond_by.isoformat()},
        )
        sent += 1
    return sent
