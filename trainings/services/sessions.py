"""Record sessions and their attachments. The participant register is in register.py,
sessions in and out of files in transfer.py."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from partners.models import Organisation
from traffick_cm import events, uploads
from trainings.models import SessionAttachment, TrainingSession

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
ONE_YEAR = timedelta(days=366)  # how far ahead a session may be planned
ATTACHMENT_TYPES = frozenset({uploads.PDF, uploads.JPEG, uploads.PNG, uploads.XLSX, uploads.DOCX})


def validate_session(session: TrainingSession) -> None:
    """The rules a session's figures obey, whatever form or file they come from."""
    errors: dict[str, str] = {}
    if session.start_date and session.end_date and session.end_date < session.start_date:
        errors["end_date"] = _("The end date comes before the start date.")
    if session.start_date and session.start_date > timezone.localdate() + ONE_YEAR:
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
    # For the organisers' systems (webhooks, after commit): no title, facilitator or note.
    partner_ids = sorted(session.partners.values_list("pk", flat=True))
    events.publish(
        "training.recorded",
        organisations=[session.organiser_id, *partner_ids],
        payload={
            "session": session.pk,
            "organiser": session.organiser_id,
            "partners": partner_ids,
            "session_type": session.session_type,
            "topics": list(session.topics),
            "audiences": list(session.audiences),
            "country": str(session.country or ""),
            "start_date": session.start_date,
            "end_date": session.end_date,
            "online": session.online,
            "participants_total": (session.participants_female or 0)
            + (session.participants_male or 0)
            + (session.participants_other or 0),
        },
    )
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
