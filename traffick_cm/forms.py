"""Form pieces every app uses: the date input, the region choice, and attaching a service's
ValidationError to the form that called it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from partners.models import Region


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


class RegionChoiceField(forms.ModelChoiceField):
    """Regions of several countries in one list: the country code tells them apart."""

    def label_from_instance(self, obj: Region) -> str:
        return f"{obj.name} ({obj.country.code})"


def attach_service_errors(form: forms.BaseForm, error: ValidationError) -> None:
    """A service refused the data: show its messages on the fields they name, else on top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)
