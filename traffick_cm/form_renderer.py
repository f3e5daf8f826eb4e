"""Django's form renderer, with the select boxes and the input boxes written in Python.

A select is rendered by Django through three templates: the box, then for every option the
option's template and its attributes' template. The filters of a list hold hundreds of
options (every country, every region, every caseworker), and rendering them through
templates took most of a list page's time (issue 15: 63% of the case list). `render` writes
the same HTML for those templates in one pass, and for Django's `<input>` widgets (text,
number, date...: each a template that includes input.html and attrs.html); every other
widget goes through Django's templates unchanged."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
# Django's widget templates that are input.html and nothing else.
INPUTS = {
    f"django/forms/widgets/{kind}.html"
    for kind in (
        "input",
        "text",
        "number",
        "email",
        "url",
        "password",
        "hidden",
        "date",
        "datetime",
        "time",
        "search",
        "tel",
        "color",
    )
}


def attributes(attrs: dict[str, Any]) -> SafeString:
    """As django/forms/widgets/attrs.html: False leaves the attribute out, True writes its
    name alone, anything else its value as text, escaped."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        if value is True:
            parts.append(f" {conditional_escape(name)}")
        else:
            parts.append(f' {conditional_escape(name)}="{conditional_escape(str(value))}"')
    return mark_safe("".join(parts))  # noqa: S308 (names and values escaped above)


def _select(widget: dict[str, Any]) -> SafeString:
    html = [format_html('<select name="{}"', widget["name"]), attributes(widget["attrs"]), ">"]
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            html.append(format_html('<optgroup label="{}">', group_name))
        for option in options:
            if option.get("template_name", OPTION) != OPTION:
                raise _Unknown
            html += [
                format_html('<option value="{}"', str(option["value"])),
                attributes(option["attrs"]),
                format_html(">{}</option>", option["label"]),
            ]
        if group_name:
            html.append("</optgroup>")
    html.append("</select>")
    return mark_safe("".join(html))  # noqa: S308 (every value above is escaped)


def _input(widget: dict[str, Any]) -> SafeString:
    value = widget["value"]
    return format_html(
        '<input type="{}" name="{}"{}{}>',
        widget["type"],
        widget["name"],
        format_html(' value="{}"', str(value)) if value is not None else "",
        attributes(widget["attrs"]),
    )


class _Unknown(Exception):
    """An option with a template of its own: Django's templates render the select."""


class FormRenderer(DjangoTemplates):
    def render(self, template_name, context, request=None):
        if template_name == SELECT:
            try:
                return _select(context["widget"])
            except _Unknown:
                pass
        elif template_name in INPUTS:
            return _input(context["widget"])
        return super().render(template_name, context, request=request)
