"""The error summary at the top of every page after a failed submit (GOV.UK pattern):
{% load error_summary %}{% error_summary %}, once, in base.html.

It lists the errors of every form (and formset) in the template context that the view has
validated, each field's error as a link to the field; crispy-forms still shows each error
next to its field. static/js/forms.js moves the focus to the summary."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django import template
from django.forms import BaseForm, BoundField
from django.forms.formsets import BaseFormSet
from django.utils.translation import gettext

register = template.Library()


def _validated(value: Any) -> Iterator[BaseForm | BaseFormSet]:
    # type(), not isinstance(): isinstance would evaluate the context's lazy objects
    # (csrf_token, user), and evaluating the CSRF token sets its cookie on every page.
    # Only what the view validated (validating here could run a form's side effects).
    if (
        issubclass(type(value), BaseForm | BaseFormSet)
        and value.is_bound
        and getattr(value, "_errors", None) is not None
    ):
        yield value


def _target(bound: BoundField) -> str:
    """The id of the field's input; of its first box for a group of radio buttons or
    checkboxes (whose label is a legend, so Django gives no id for it)."""
    if bound.is_hidden:
        return ""
    if bound.id_for_label:
        return bound.id_for_label
    subwidgets = bound.subwidgets
    return subwidgets[0].id_for_label if subwidgets else ""


def _form_items(form: BaseForm) -> Iterator[dict[str, str]]:
    for message in form.non_field_errors():
        yield {"text": str(message), "href": ""}
    for name, messages in form.errors.items():
        if name not in form.fields:
            continue
        bound = form[name]
        target = _target(bound)
        for message in messages:
            text = (
                gettext("%(label)s: %(message)s") % {"label": bound.label, "message": message}
                if bound.label and not bound.is_hidden
                else str(message)
            )
            yield {"text": text, "href": f"#{target}" if target else ""}


def _items(form: BaseForm | BaseFormSet) -> Iterator[dict[str, str]]:
    if isinstance(form, BaseFormSet):
        for message in form.non_form_errors():
            yield {"text": str(message), "href": ""}
        for member in form.forms:
            yield from _form_items(member)
    else:
        yield from _form_items(form)


def summary_items(context: template.Context) -> list[dict[str, str]]:
    """The errors of the context's validated forms: [{"text", "href"}], href "" when the
    error belongs to no visible field."""
    seen: set[int] = set()
    items: list[dict[str, str]] = []
    for value in context.flatten().values():
        for form in _validated(value):
            if id(form) not in seen:
                seen.add(id(form))
                items.extend(_items(form))
    return items


@register.inclusion_tag("includes/_error_summary.html", takes_context=True)
def error_summary(context: template.Context) -> dict[str, Any]:
    return {"errors": summary_items(context)}
