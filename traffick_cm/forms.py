"""Form pieces every app uses: bounded dates and ids, calendar periods, and attaching a
service's ValidationError to the form that called it."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from traffick_cm import periods
from traffick_cm.periods import Period

# Every date the app takes lies in these years: a date such as 9999-12-31 passes Python's
# parser but overflows the first time a day is added to it (a 500), and no birth,
# identification, session or report date of this work falls outside them.
EARLIEST = date(1900, 1, 1)
LATEST = date(2100, 12, 31)
# The largest id a primary key can hold (bigint): a longer number in a query string overflows
# the database driver instead of finding nothing.
LARGEST_ID = 2**63 - 1


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        attrs = {"min": EARLIEST.isoformat(), "max": LATEST.isoformat(), **kwargs.pop("attrs", {})}
        super().__init__(format="%Y-%m-%d", attrs=attrs, **kwargs)


class DateField(forms.DateField):
    """A date between EARLIEST and LATEST, entered with the browser's date picker."""

    widget = DateInput
    default_error_messages = {
        "out_of_range": _("Enter a date between %(earliest)s and %(latest)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        message = self.error_messages["out_of_range"] % {
            "earliest": EARLIEST.year,
            "latest": LATEST.year,
        }
        self.validators += [
            MinValueValidator(EARLIEST, message=message),
            MaxValueValidator(LATEST, message=message),
        ]


def formfield(field: models.Field, **kwargs: Any) -> forms.Field | None:
    """Model forms' fields, with every date bounded (see DateField)."""
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        kwargs.setdefault("form_class", DateField)
        kwargs.setdefault("widget", DateInput())
    return field.formfield(**kwargs)


class ModelForm(forms.ModelForm):
    """The base of the app's model forms: dates are bounded as in DateField."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Django reads formfield_callback from the subclass's own Meta only; set it there
        # (this runs before the metaclass builds the fields) so no form can forget it.
        meta = cls.__dict__.get("Meta")
        if meta is not None and not hasattr(meta, "formfield_callback"):
            meta.formfield_callback = staticmethod(formfield)
        super().__init_subclass__(**kwargs)


class IdListField(forms.TypedMultipleChoiceField):
    """Record ids from a query string (`?case=1&case=2`): whole numbers that a primary key can
    hold, at most `limit` of them; anything else is refused with a message, never passed to
    the database."""

    default_error_messages = {
        "invalid_id": _("“%(value)s” is not a record number."),
        "too_many": _("Choose at most %(limit)s records."),
    }

    def __init__(self, *, limit: int = 500, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(coerce=int, **kwargs)
        self.limit = limit

    def to_python(self, value: Any) -> list[str]:
        values = super().to_python(value)
        if len(values) > self.limit:
            raise ValidationError(
                self.error_messages["too_many"], code="too_many", params={"limit": self.limit}
            )
        for item in values:
            text = str(item).strip()
            if not (text.isascii() and text.isdigit() and 0 < int(text) <= LARGEST_ID):
                raise ValidationError(
                    self.error_messages["invalid_id"],
                    code="invalid_id",
                    params={"value": text[:20]},
                )
        return values

    def valid_value(self, value: Any) -> bool:
        return True  # any id in range; the access policy decides which records it reaches


def attach_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service refused the data: show its messages on the fields they name, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


class PeriodField(forms.ChoiceField):
    """A calendar month, quarter or year that has ended (traffick_cm/periods.py): the only
    periods over which figures about victims leave the case team."""

    def __init__(self, *, today: date, first_year: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Period"))
        super().__init__(choices=periods.choices(today, first_year=first_year), **kwargs)

    def clean(self, value: Any) -> Period | None:
        key = super().clean(value)
        return periods.parse(key) if key else None


class PeriodForm(forms.Form):
    """Choose the calendar period of a page of statistics."""

    def __init__(self, *args, today: date, first_year: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["period"] = PeriodField(today=today, first_year=first_year, required=False)


class _LoadedChoices(BaseChoiceIterator):
    """The choices of a LoadedModelChoiceField, from its objects (read when first needed:
    a choice iterator, which Django's fields and widgets keep as it is)."""

    def __init__(self, field: LoadedModelChoiceField) -> None:
        self.field = field

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for instance in self.field.objects():
            yield (self.field.prepare_value(instance), self.field.label_from_instance(instance))

    def __len__(self) -> int:
        return len(self.field.objects()) + (self.field.empty_label is not None)

    def __bool__(self) -> bool:
        return self.field.empty_label is not None or bool(self.field.objects())


class LoadedModelChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for a short list (a country's regions, an organisation's
    caseworkers) read in one query for both the options shown and the check of the value
    chosen: Django's runs one query for each, and the case list's filters paid two."""

    def _set_queryset(self, queryset: models.QuerySet | None) -> None:
        self._objects: list[models.Model] | None = None
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def objects(self) -> list[models.Model]:
        if self._objects is None:
            self._objects = list(self.queryset) if self.queryset is not None else []
        return self._objects

    def _get_choices(self) -> _LoadedChoices:
        return _LoadedChoices(self)

    choices = property(_get_choices, forms.ChoiceField.choices.fset)

    def to_python(self, value: Any) -> models.Model | None:
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        for instance in self.objects():
            if str(getattr(instance, key)) == str(value):
                return instance
        raise ValidationError(
            self.error_messages["invalid_choice"],
            code="invalid_choice",
            params={"value": value},
        )
