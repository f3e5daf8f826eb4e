"""A country typed by its name, in a text box that suggests names as the person types.

A <select> of the 249 countries weighs on every page load that shows one (the case list
and the registration form had two of them, 500 <option>s). Here the box is a plain text
input whose suggestions (a <datalist>) are fetched once, on its first focus, from a file of
the static files, one per language (static/lists/countries.<lang>.html, written by
`manage.py country_lists` and checked by tests/cases/test_case_options.py): browsers keep
it for a year, and pages without a focus never fetch it. Without scripts the box still
works: the server reads a name (in any of the app's languages) or an ISO code, and refuses
anything else."""

from __future__ import annotations

import functools
import re
import unicodedata
from typing import Any

from django import forms
from django.conf import settings
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from traffick_cm import imports

LIST_PATH = "lists/countries.{language}.html"


def _key(text: str) -> str:
    """A name as typed, made comparable: no accents, case or punctuation."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", " ", text.casefold()).strip()


def _language() -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    return language if language in codes else settings.LANGUAGE_CODE


@functools.cache
def _codes_by_name(language: str) -> dict[str, str]:
    with override(language):
        return {_key(str(name)): code for code, name in countries}


def country_code(text: str) -> str | None:
    """The ISO code of a country typed as a name (in the page's language first, then in
    any of the app's languages, or by a common or former name, as imported files are read)
    or as a code; None if it is neither."""
    text = (text or "").strip()
    if len(text) == 2 and text.upper() in countries:
        return text.upper()
    key = _key(text)
    if not key:
        return None
    if code := _codes_by_name(_language()).get(key):
        return code
    # In another language of the app, or a common or former name: as the imports read it.
    return imports.country_lookup().get(imports.label_key(text))


def country_name(code: Any) -> str:
    """The country's name in the page's language ("" for an unknown code)."""
    code = str(code or "")
    return str(countries.name(code)) if code else ""


def datalist_options(language: str) -> str:
    """The static file's content for `language`: one <option> per country name."""
    with override(language):
        names = sorted((str(name) for _code, name in countries), key=_key)
    return "".join(format_html('<option value="{}"></option>\n', name) for name in names)


class CountryNameInput(forms.TextInput):
    """A text box with a <datalist> of country names, filled from the static files on the
    box's first focus (htmx)."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        # A stored code shows as its name; what the person typed is shown back as typed.
        text = str(value or "")
        if len(text) == 2 and text.upper() in countries:
            return country_name(text.upper())
        return text or None

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer=None):
        attrs = {**(attrs or {})}
        input_id = attrs.get("id") or self.attrs.get("id") or f"id_{name}"
        list_id = f"{input_id}-names"
        attrs["list"] = list_id
        box = super().render(name, value, attrs, renderer)
        url = static(LIST_PATH.format(language=_language()))
        # Its own target and no parameters: a form around it may set hx-target and
        # hx-include for its own requests (the registration's duplicate check does), which
        # htmx would otherwise apply here too, and names must never go into an address.
        return box + format_html(
            '<datalist id="{}" hx-get="{}" hx-trigger="focus once from:#{}" '
            'hx-target="this" hx-params="none" hx-swap="innerHTML"></datalist>',
            list_id,
            url,
            input_id,
        )


class CountryNameField(forms.CharField):
    """A country typed by name (or ISO code); cleans to the ISO code, "" when left empty."""

    widget = CountryNameInput
    default_error_messages = {
        "unknown": _("Choose a country from the suggestions, e.g. %(example)s."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 100)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        if not text:
            return ""
        code = country_code(text)
        if code is None:
            raise forms.ValidationError(
                self.error_messages["unknown"],
                code="unknown",
                params={"example": country_name("CF")},
            )
        return code

    def label_for(self, value: Any) -> str:
        return country_name(value)


class CountryNamesInput(forms.Widget):
    """Several country boxes under one name (a person's citizenships): as many boxes as
    values, plus an empty one, at least `boxes`. The first box carries the field's id, so
    its label and the error summary lead to it; the others are named by their rank."""

    boxes = 2
    ranks = (_("Second citizenship"), _("Third citizenship"), _("Further citizenship"))

    def value_from_datadict(self, data: Any, files: Any, name: str) -> list[str]:
        values = data.getlist(name) if hasattr(data, "getlist") else data.get(name)
        if isinstance(values, str):
            values = [values]
        return [str(value) for value in values or [] if str(value).strip()]

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return name not in data

    def render(self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer=None):
        values = [v for v in (value or []) if v] if not isinstance(value, str) else [value]
        attrs = {**self.attrs, **(attrs or {})}
        base_id = attrs.pop("id", None) or f"id_{name}"
        count = max(self.boxes, len(values) + 1)
        boxes = []
        for index in range(count):
            box_attrs = {**attrs, "id": base_id if index == 0 else f"{base_id}_{index}"}
            if index:
                box_attrs["aria-label"] = str(self.ranks[min(index, len(self.ranks)) - 1])
            box_value = values[index] if index < len(values) else None
            box = CountryNameInput().render(name, box_value, box_attrs, renderer)
            boxes.append(format_html('<div class="mb-2">{}</div>', box))
        return mark_safe("".join(boxes))  # noqa: S308 - each box is escaped by format_html


class CountryNamesField(forms.Field):
    """Countries typed by name (or ISO code) in several boxes; cleans to a list of distinct
    ISO codes, in the order typed."""

    widget = CountryNamesInput
    default_error_messages = CountryNameField.default_error_messages

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if isinstance(value, str):
            value = [value]
        codes: list[str] = []
        for text in value:
            if not str(text).strip():
                continue
            code = country_code(str(text))
            if code is None:
                raise forms.ValidationError(
                    self.error_messages["unknown"],
                    code="unknown",
                    params={"example": country_name("CF")},
                )
            if code not in codes:
                codes.append(code)
        return codes
