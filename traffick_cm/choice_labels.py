"""`get_<field>_display()` from a map made once per field.

Django's own builds a dict of the field's choices on every call (and makes each key
hashable): a list of 25 cases asked for 50 labels, 2.5 ms of the page. The labels in the map
are the lazy translations of the choices, so one map serves every language. For fields with
fixed choices, which all of ours are."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.db import models
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@cache
def _labels(field: models.Field) -> dict[Any, Any]:
    return {make_hashable(value): label for value, label in field.flatchoices}


class ChoiceLabels:
    """Mixed into a model before models.Model."""

    def _get_FIELD_display(self, field: models.Field) -> str:
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
