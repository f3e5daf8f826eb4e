"""One record per form, however often it is submitted: each form carries a one-time token;
the first submission stores it with what it created, a repeat finds it and gets that record
back instead of creating a second one."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext_lazy as _

from accounts.models import FormSubmission, User

M = TypeVar("M", bound=models.Model)


class TokenUsedElsewhere(ValidationError):
    """The form's one-time token was used by another user or for another kind of record (a
    copied or forged form): nothing is recorded, and the user is asked for a new form."""

    def __init__(self) -> None:
        super().__init__(
            _("This form was already used for another submission: open a new form."),
            code="token_used",
        )


def once(
    *, token: uuid.UUID | None, user: User | None, model: type[M], create: Callable[[], M]
) -> tuple[M, bool]:
    """Run `create` unless this token was used before; returns (record, created)."""
    if token is None or user is None:
        with transaction.atomic():
            return create(), True
    label = model._meta.label_lower
    try:
        with transaction.atomic():
            FormSubmission.objects.create(token=token, user=user, target_type=label)
            record = create()
            FormSubmission.objects.filter(token=token).update(target_id=str(record.pk))
            return record, True
    except IntegrityError:
        # The same token again (also when a concurrent twin committed first).
        earlier = FormSubmission.objects.filter(token=token, user=user, target_type=label).first()
        if earlier is None and FormSubmission.objects.filter(token=token).exists():
            raise TokenUsedElsewhere() from None
        if earlier is None or not earlier.target_id:
            raise
        return model.objects.get(pk=earlier.target_id), False
