"""LoadedModelChoiceField (traffick_cm/forms.py): the options shown and the check of the
value chosen from one query, the same HTML and errors as Django's ModelChoiceField."""

from __future__ import annotations

import pytest
from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext

from partners.models import Region
from tests import factories
from traffick_cm.forms import LoadedModelChoiceField


def _forms(data=None):
    class Loaded(forms.Form):
        region = LoadedModelChoiceField(queryset=Region.objects.filter(country="CF"))

    class Django(forms.Form):
        region = forms.ModelChoiceField(queryset=Region.objects.filter(country="CF"))

    return Loaded(data), Django(data)


@pytest.fixture
def regions(db):
    return [factories.region("CF", name) for name in ("Bangui", "Ouham", "Lobaye")] + [
        factories.region("GN", "Conakry")
    ]


def test_rendering_and_checking_the_value_take_one_query(regions):
    loaded, _django = _forms({"region": str(regions[1].pk)})
    with CaptureQueriesContext(connection) as queries:
        assert loaded.is_valid()
        html = str(loaded["region"])
    assert len(queries) == 1
    assert loaded.cleaned_data["region"] == regions[1]
    assert f'<option value="{regions[1].pk}" selected>Ouham</option>' in html


@pytest.mark.parametrize("value", ["", "ouham", "999999"])
def test_the_html_and_the_errors_are_django_s(regions, value):
    data = {"region": value if value != "999999" else str(regions[3].pk)}
    loaded, django = _forms(data)
    assert loaded.is_valid() is django.is_valid() is False
    assert loaded.errors == django.errors
    assert str(loaded["region"]) == str(django["region"])


def test_an_unbound_form_reads_nothing_until_shown(regions):
    with CaptureQueriesContext(connection) as queries:
        loaded, _django = _forms()
    assert len(queries) == 0
    assert "Conakry" not in str(loaded["region"])
    assert "Bangui" in str(loaded["region"])


def test_a_field_named_by_another_column_is_read_by_it(regions):
    class ByName(forms.Form):
        region = LoadedModelChoiceField(
            queryset=Region.objects.filter(country="CF"), to_field_name="name"
        )

    form = ByName({"region": "Lobaye"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["region"] == regions[2]
    assert '<option value="Lobaye" selected>Lobaye</option>' in str(form["region"])
    assert not ByName({"region": str(regions[2].pk)}).is_valid()
