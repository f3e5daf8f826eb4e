"""Model fields shared by the apps: encrypted personal data and multi-choice lists."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.db import models
from django.utils.text import capfirst

from traffick_cm import crypto

# The largest value of a PostgreSQL integer column (counts, totals).
LARGEST_INTEGER = 2**31 - 1


class EncryptedTextField(models.TextField):
    """Text encrypted at rest. The database holds only a Fernet token; it cannot be
    filtered or sorted on (use the keyed search hashes). A one-line input unless
    `multiline=True` (notes, descriptions)."""

    def __init__(self, *args: Any, multiline: bool = False, **kwargs: Any) -> None:
        self.multiline = multiline
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.multiline:
            kwargs["multiline"] = True
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        if self.multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 3}))
        else:
            kwargs.setdefault("widget", forms.TextInput)
        return super().formfield(**kwargs)

    def from_db_value(self, value: str | None, expression, connection) -> str | None:
        if value is None or value == "":
            return value
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return crypto.encrypt(str(value))

    def get_lookup(self, lookup_name: str):
        if lookup_name not in {"isnull", "exact"}:
            raise TypeError(f"Encrypted fields cannot be searched with {lookup_name}.")
        return super().get_lookup(lookup_name)


class EncryptedDateField(EncryptedTextField):
    def from_db_value(self, value, expression, connection):
        text = super().from_db_value(value, expression, connection)
        return datetime.date.fromisoformat(text) if text else None

    def to_python(self, value: Any) -> datetime.date | None:
        if value in (None, "") or isinstance(value, datetime.date):
            return value or None
        return datetime.date.fromisoformat(str(value))

    def get_prep_value(self, value: Any) -> str | None:
        if isinstance(value, datetime.date):
            value = value.isoformat()
        return super().get_prep_value(value)

    def formfield(self, **kwargs):
        return forms.DateField(
            required=not self.blank,
            label=self.verbose_name,
            help_text=self.help_text,
            widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        )


class ChoiceListField(models.TextField):
    """Several codes from a choice list, stored as ";A;B;" so that a filter for one code
    is a plain `contains=";A;"` on every database."""

    def __init__(self, *args: Any, choices_list=None, **kwargs: Any) -> None:
        self.choices_list = choices_list
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", list)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["choices_list"] = self.choices_list
        return name, path, args, kwargs

    def from_db_value(self, value, expression, connection) -> list[str]:
        return self.to_python(value)

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, list):
            return value
        if not value:
            return []
        return [v for v in str(value).split(";") if v]

    def get_prep_value(self, value: Any) -> str:
        values = self.to_python(value)
        return f";{';'.join(values)};" if values else ""

    def value_to_string(self, obj) -> str:
        return self.get_prep_value(self.value_from_object(obj))

    def formfield(self, **kwargs):
        choices = self.choices_list.choices if self.choices_list is not None else []
        return forms.MultipleChoiceField(
            choices=choices,
            required=not self.blank,
            label=capfirst(self.verbose_name),
            help_text=self.help_text,
            widget=forms.CheckboxSelectMultiple,
        )

    @staticmethod
    def has(code: str) -> str:
        """The `contains` value matching rows whose list holds `code`."""
        return f";{code};"
