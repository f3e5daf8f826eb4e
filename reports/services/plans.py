"""Services for national action plans: progress on action points, indicator values."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.audit import log_action
from accounts.models import User
from reports.models import ActionPoint, Indicator, IndicatorValue, ProgressUpdate
from traffick_cm import uploads

EVIDENCE_TYPES = frozenset({uploads.PDF, uploads.JPEG, uploads.PNG, uploads.XLSX, uploads.DOCX})


@transaction.atomic
def progress_record(
    *,
    actor: User,
    action_point: ActionPoint,
    status: str,
    narrative: str,
    on: date,
    evidence: UploadedFile | None = None,
) -> ProgressUpdate:
    if not narrative.strip():
        raise ValidationError({"narrative": _("Describe the progress.")})
    if on > timezone.localdate():
        raise ValidationError({"date": _("This date is in the future.")})
    update = ProgressUpdate(
        action_point=action_point, date=on, status=status, narrative=narrative, author=actor
    )
    if evidence is not None:
        update.evidence_type = uploads.sniff(evidence, EVIDENCE_TYPES)
        update.evidence_name = evidence.name[:200]
        update.evidence.save("upload", evidence, save=False)
    update.full_clean()
    update.save()
    ActionPoint.objects.filter(pk=action_point.pk).update(status=status)
    log_action(
        "reports.action_point.progress",
        actor=actor,
        target=action_point,
        data={"status": status, "update": update.pk},
    )
    return update


@transaction.atomic
def indicator_value_enter(
    *, actor: User, indicator: Indicator, period_start: date, period_end: date, value: Decimal
) -> IndicatorValue:
    if period_end < period_start:
        raise ValidationError({"period_end": _("The period ends before it starts.")})
    if value < 0:
        raise ValidationError({"value": _("A value cannot be negative.")})
    entry, _created = IndicatorValue.objects.update_or_create(
        indicator=indicator,
        period_start=period_start,
        period_end=period_end,
        defaults={"value": value, "entered_by": actor},
    )
    log_action(
        "reports.indicator.value_entered",
        actor=actor,
        target=indicator,
        data={"period": [period_start.isoformat(), period_end.isoformat()], "value": str(value)},
    )
    return entry
