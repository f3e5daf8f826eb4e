"""Widgets for a phone: a long multiple choice as checkboxes a finger can hit, with a filter.

A `<select multiple>` list box is hard to use by touch (a long press, a tiny scrolling box,
a tap that unselects everything else). ChoiceFilterWidget shows the choices as a group of
checkboxes, each 44 px high; with JavaScript (static/js/choices.js), a filter box above a
long list narrows it as one types (accents and case ignored) and "3 selected" keeps count.
Without JavaScript every checkbox shows and the form works the same.

A drop-in for any multiple-choice field (ModelMultipleChoiceField, MultipleChoiceField):

    widgets = {"partners": ChoiceFilterWidget()}
    # or: forms.MultipleChoiceField(..., widget=ChoiceFilterWidget())

and the page renders the form's media once, anywhere before the end of the page:
`{{ form.media }}` (its script is deferred and allowed by the CSP's 'self'). Rendered by
crispy-forms (`|crispy`, `|as_crispy_field`) or by Django, the field keeps its legend, help
text and errors (templates/bootstrap5/layout/radio_checkbox_select.html hands crispy's
rendering of checkboxes to this widget)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms import Script
from django.utils.translation import gettext, ngettext


def _count_text(count: int) -> str:
    return ngettext("%(count)s selected", "%(count)s selected", count) % {"count": count}


class ChoiceFilterWidget(forms.CheckboxSelectMultiple):
    # Found by Django's form renderer in the core app's templates (it does not read the
    # project's templates/ folder).
    template_name = "traffick_cm/widgets/choice_filter.html"
    option_template_name = "traffick_cm/widgets/choice_filter_option.html"
    # Read by the crispy template override: the widget renders its own group.
    choice_filter = True

    class Media:
        css = {"all": ["css/choices.css"]}
        js = [Script("js/choices.js", defer=True)]

    def __init__(self, attrs: dict[str, Any] | None = None, *, filter_from: int = 8) -> None:
        """`filter_from`: below this many choices the list is read at a glance, with no
        filter box."""
        super().__init__(attrs)
        self.filter_from = filter_from

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        options = [option for _group, members, _index in widget["optgroups"] for option in members]
        invalid = widget["attrs"].get("aria-invalid") == "true"
        for option in options:
            classes = ["form-check-input", "is-invalid" if invalid else ""]
            classes.append(option["attrs"].get("class", ""))
            option["attrs"]["class"] = " ".join(c for c in classes if c)
        selected = sum(1 for option in options if option["selected"])
        base_id = widget["attrs"].get("id") or ""
        widget["filter"] = {
            # Ids only when the form gives ids: a filter box without one has no label.
            "show": bool(base_id) and len(options) >= self.filter_from,
            "input_id": f"{base_id}_filter",
            "count_id": f"{base_id}_count",
            "options_id": f"{base_id}_options",
            "label": gettext("Filter the list"),
            "no_match": gettext("No choice matches the filter."),
            "count_text": _count_text(selected),
            # Both forms for the script, which picks one with the page language's rules.
            "count_one": ngettext("%(count)s selected", "%(count)s selected", 1),
            "count_other": ngettext("%(count)s selected", "%(count)s selected", 2),
        }
        return context
