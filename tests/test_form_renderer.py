"""Select boxes written in Python (traffick_cm/form_renderer.py) are the HTML Django's own
templates write, option for option: selected values, groups, attributes, escaping (without
the templates' line breaks and indentation between tags, which a select ignores)."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates

from traffick_cm.form_renderer import FormRenderer

CHOICES = [
    ("", "---------"),
    ("CF", "Central African Republic"),
    ("GN", 'Guinée <script>alert("x")</script> & co'),
    ("Sahel", [("ML", "Mali"), ("NE", "Niger")]),
    (3, "A number"),
]


class _Form(forms.Form):
    one = forms.ChoiceField(choices=CHOICES, required=False)
    many = forms.MultipleChoiceField(choices=CHOICES, required=False)
    yes_no = forms.NullBooleanField(required=False)
    flagged = forms.ChoiceField(
        choices=CHOICES,
        widget=forms.Select(
            attrs={"class": "form-select", "data-x": '"quoted"', "disabled": True, "hidden": False}
        ),
    )


@pytest.mark.parametrize(
    "data",
    [
        None,
        {"one": "GN", "many": ["ML", "3"], "yes_no": "true", "flagged": "NE"},
        {"one": "nope", "many": ["CF"], "yes_no": "unknown", "flagged": ""},
    ],
)
@pytest.mark.parametrize("name", ["one", "many", "yes_no", "flagged"])
def test_a_select_is_the_html_django_s_templates_write(data, name):
    ours = _Form(data, renderer=FormRenderer())
    django = _Form(data, renderer=DjangoTemplates())
    if data is not None:
        ours.is_valid(), django.is_valid()

    assert str(ours[name]) == re.sub(r">\s+<", "><", str(django[name]))
    assert "<option" in str(ours[name])


def test_labels_are_escaped():
    html = str(_Form(renderer=FormRenderer())["one"])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html


def test_the_app_s_forms_use_it(settings):
    from django.forms.renderers import get_default_renderer

    assert settings.FORM_RENDERER == "traffick_cm.form_renderer.FormRenderer"
    assert isinstance(get_default_renderer(), FormRenderer)
