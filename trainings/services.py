"""Record sessions, their participant registers and attachments; import them from files."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from accounts.policy import Action, can_on
from partners.models import Organisation
from traffick_cm import crypto, uploads
from trainings.models import Participant, SessionAttachment, TrainingSession

SESSION_FIELDS = (
    "title",
    "session_type",
    "topics",
    "audiences",
    "organiser",
    "facilitators",
    "country",
    "region",
    "locality",
    "venue",
    "online",
    "start_date",
    "end_date",
    "project",
    "notes",
    "participants_female",
    "participants_male",
    "participants_other",
    "age_under_18",
    "age_18_24",
    "age_25_plus",
    "pre_test_average",
    "post_test_average",
)
ATTACHMENT_TYPES = frozenset({uploads.PDF, uploads.JPEG, uploads.PNG, uploads.XLSX, uploads.DOCX})


def validate_session(session: TrainingSession) -> None:
    """The rules a session's figures obey, whatever form or file they come from."""
    errors: dict[str, str] = {}
    if session.start_date and session.end_date and session.end_date < session.start_date:
        errors["end_date"] = _("The end date comes before the start date.")
    if session.start_date and session.start_date > timezone.localdate() + _one_year():
        errors["start_date"] = _("The start date is more than a year ahead.")
    if session.region_id and session.country and session.region.country != session.country:
        errors["region"] = _("This region is not in the chosen country.")
    ages = [session.age_under_18, session.age_18_24, session.age_25_plus]
    total = (
        (session.participants_female or 0)
        + (session.participants_male or 0)
        + (session.participants_other or 0)
    )
    if any(a is not None for a in ages) and sum(a or 0 for a in ages) != total:
        errors["age_under_18"] = _(
            "The counts by age group add up to %(ages)s, but the counts by sex to %(total)s."
        ) % {"ages": sum(a or 0 for a in ages), "total": total}
    if not session.audiences:
        errors["audiences"] = _("Choose at least one target audience.")
    if errors:
        raise ValidationError(errors)


def _one_year():
    from datetime import timedelta

    return timedelta(days=366)


def _snapshot(session: TrainingSession) -> dict[str, Any]:
    data = {}
    for field in SESSION_FIELDS:
        value = getattr(session, field)
        data[field] = (
            value.pk
            if hasattr(value, "pk")
            else (
                list(value) if isinstance(value, list) else (None if value is None else str(value))
            )
        )
    data["partners"] = sorted(session.partners.values_list("pk", flat=True)) if session.pk else []
    return data


@transaction.atomic
def session_record(
    *, actor: User | None, partners: Iterable[Organisation] = (), **fields: Any
) -> TrainingSession:
    session = TrainingSession(
        created_by=actor, **{k: v for k, v in fields.items() if k in SESSION_FIELDS}
    )
    validate_session(session)
    session.full_clean(exclude=["participants_total"])
    session.save()
    session.partners.set(partners)
    log_action("trainings.session.recorded", actor=actor, target=session, data=_snapshot(session))
    return session


@transaction.atomic
def session_update(
    *, actor: User, session: TrainingSession, partners: Iterable[Organisation], **fields: Any
) -> TrainingSession:
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    before = _snapshot(session)
    for key, value in fields.items():
        if key in SESSION_FIELDS and key != "organiser":
            setattr(session, key, value)
    validate_session(session)
    session.full_clean(exclude=["participants_total"])
    session.save()
    session.partners.set(partners)
    session.refresh_from_db()
    after = _snapshot(session)
    changed = {k: {"before": before[k], "after": after[k]} for k in after if before[k] != after[k]}
    if changed:
        log_action("trainings.session.changed", actor=actor, target=session, data=changed)
    return session


def participant_key(name: str) -> str:
    return crypto.keyed_hash("participant:" + " ".join(crypto.name_tokens(name)))


@transaction.atomic
def participant_add(*, actor: User | None, session: TrainingSession, **fields: Any) -> Participant:
    # A person adds only to a register they may change (their organisation's sessions).
    if actor is not None and not can_on(actor, "training_register", Action.CHANGE, session):
        raise PermissionDenied
    name = (fields.get("name") or "").strip()
    if not name:
        raise ValidationError({"name": _("A name is required.")})
    # The session locked: the same person added twice at once is refused, not a crash.
    TrainingSession.objects.select_for_update().only("pk").get(pk=session.pk)
    key = participant_key(name)
    if Participant.objects.filter(session=session, name_key=key).exists():
        raise ValidationError({"name": _("This person is already on the register.")})
    participant = Participant(session=session, name_key=key, **fields)
    participant.full_clean()
    participant.save()
    log_action(
        "trainings.participant.added",
        actor=actor,
        target=session,
        data={"participant": participant.pk},
    )
    return participant


@transaction.atomic
def attachment_upload(
    *, actor: User, session: TrainingSession, kind: str, upload: UploadedFile
) -> SessionAttachment:
    content_type = uploads.sniff(upload, ATTACHMENT_TYPES)
    attachment = SessionAttachment(
        session=session,
        kind=kind,
        original_name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        uploaded_by=actor,
    )
    attachment.file.save("upload", upload, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    log_action(
        "trainings.attachment.uploaded",
        actor=actor,
        target=session,
        data={"attachment": attachment.pk, "kind": kind, "content_type": content_type},
    )
    return attachment
