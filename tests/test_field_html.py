"""Fields written in Python (traffick_cm/field_html.py) are the HTML crispy-forms' templates
write (the project's override of radio_checkbox_select.html included), field kind by field
kind: labels, required marks, classes, help text, errors, groups, escaping, and a widget
that writes its own group. Compared as HTML (Django's assertHTMLEqual: whitespace between
tags and the order of attributes and classes do not count), but for one attribute crispy
writes and HTML does not have: `for` on a legend."""

from __future__ import annotations

import re

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field
from django import forms
from django.template.loader import render_to_string
from django.test import SimpleTestCase

from accounts.roles import Role
from cases.forms import CaseFilterForm
from traffick_cm.field_html import field_group
from traffick_cm.widgets import ChoiceFilterWidget

CHOICES = [("a", "Alpha"), ("b", 'Bravo <b>"bold"</b>'), ("c", "Charlie & co")]
GROUPED = [("Sahel", [("ML", "Mali"), ("NE", "Niger")]), ("Coast", [("GN", "Guinée")])]


class _Form(forms.Form):
    text = forms.CharField(help_text="Help <em>as written</em>", max_length=5)
    optional_text = forms.CharField(required=False, label="Optional <text>")
    number = forms.IntegerField(required=False, min_value=0)
    date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    select = forms.ChoiceField(choices=[("", "---"), *CHOICES])
    multiple_select = forms.MultipleChoiceField(choices=GROUPED, required=False)
    flag = forms.BooleanField(required=False, help_text="Tick it")
    required_flag = forms.BooleanField(label="I agree")
    radios = forms.ChoiceField(choices=CHOICES, widget=forms.RadioSelect, help_text="One")
    checks = forms.MultipleChoiceField(
        choices=CHOICES, widget=forms.CheckboxSelectMultiple, required=False
    )
    grouped_checks = forms.MultipleChoiceField(
        choices=GROUPED, widget=forms.CheckboxSelectMultiple, required=False
    )
    filtered = forms.MultipleChoiceField(
        choices=CHOICES, widget=ChoiceFilterWidget(filter_from=2), required=False
    )
    secret = forms.CharField(widget=forms.HiddenInput, required=False)
    unlabelled = forms.CharField(required=False, label="")
    classed = forms.CharField(required=False, widget=forms.TextInput(attrs={"class": "wide"}))


VALID = {
    "text": "abc",
    "number": "3",
    "date": "2026-11-30",
    "note": "Two\nlines <b>",
    "select": "b",
    "multiple_select": ["NE"],
    "flag": "on",
    "required_flag": "on",
    "radios": "c",
    "checks": ["a", "c"],
    "grouped_checks": ["GN"],
    "filtered": ["b"],
    "secret": "s<>",
    "classed": "x",
}
INVALID = {
    "text": "far too long",
    "number": "-1",
    "date": "not a date",
    "select": "z",
    "radios": "z",
    "checks": ["z"],
    "filtered": ["z"],
}


def _bound(data):
    form = _Form(data)
    if data is not None:
        form.is_valid()
    return form


def _assert_same(ours: str, theirs: str) -> None:
    # crispy writes a `for` on a fieldset's legend, which HTML gives only to a label; ours
    # leaves it out.
    theirs = re.sub(r'(<legend[^>]*?) for="[^"]*"', r"\1", theirs)
    case = SimpleTestCase()
    case.maxDiff = None
    case.assertHTMLEqual(ours, theirs)


@pytest.mark.parametrize("data", [None, VALID, INVALID], ids=["unbound", "valid", "invalid"])
@pytest.mark.parametrize("name", list(_Form.base_fields))
def test_a_field_is_the_html_crispy_writes(data, name):
    ours = field_group(_bound(data)[name])
    theirs = as_crispy_field(_bound(data)[name])
    _assert_same(ours, theirs)


@pytest.mark.parametrize("data", [None, VALID, INVALID], ids=["unbound", "valid", "invalid"])
@pytest.mark.parametrize("name", ["radios", "checks", "grouped_checks", "filtered"])
def test_an_inline_choice_is_the_html_crispy_writes(data, name):
    ours = field_group(_bound(data)[name], inline=True)
    theirs = render_to_string(
        "bootstrap5/layout/radioselect_inline.html",
        {"field": _bound(data)[name], "inline_class": "inline", "form_show_errors": True},
    )
    _assert_same(ours, theirs)


def test_errors_and_escaping_are_in_the_html():
    html = field_group(_bound(INVALID)["text"])
    assert "is-invalid" in html
    assert 'class="invalid-feedback"' in html
    assert "Help <em>as written</em>" in html  # help text is the form's own HTML
    assert "Optional &lt;text&gt;" in field_group(_bound(None)["optional_text"])
    assert "<b>" not in field_group(_bound(None)["select"]).split("Bravo")[1][:10]


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"status": "nope", "sex": "x", "sort": "name"}])
def test_the_case_filters_are_the_html_crispy_writes(data, users):
    user = users[Role.SUPERVISOR]
    for name in CaseFilterForm(data, actor=user).fields:
        ours_form, their_form = CaseFilterForm(data, actor=user), CaseFilterForm(data, actor=user)
        if data is not None:
            ours_form.is_valid(), their_form.is_valid()
        _assert_same(field_group(ours_form[name]), as_crispy_field(their_form[name]))
