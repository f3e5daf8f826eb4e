"""The co-organising partners of a session are checkboxes with a filter, not a list box
(issue 14, item 1): traffick_cm/widgets.py's ChoiceFilterWidget, as the session form renders
it, and as any form may use it. The browser's side: tests/browser/test_choice_filter.py."""

from __future__ import annotations

import re

import pytest
from django import forms
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from tests import factories
from traffick_cm.widgets import ChoiceFilterWidget
from trainings.models import TrainingSession


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def partners(org):
    names = ["Caritas Bangui", "Croix-Rouge centrafricaine", "Médecins d'Afrique"]
    names += [f"Association {n}" for n in range(1, 8)]
    return [factories.organisation(name=name, acronym="") for name in names]


def _session_form(client: Client, **data):
    base = {
        "title": "Atelier des OPJ",
        "session_type": "training",
        "audiences": ["police"],
        "country": "CF",
        "start_date": "2026-03-12",
        "end_date": "2026-03-12",
        "participants_female": "3",
        "participants_male": "0",
        "participants_other": "0",
    }
    return client.post(reverse("trainings:session_create"), {**base, **data})


def test_the_session_form_shows_partners_as_checkboxes_with_a_filter(client, users, org, partners):
    client.force_login(users[Role.PROGRAMME])

    page = client.get(reverse("trainings:session_create")).content.decode()

    group = page[page.index('id="div_id_partners"') : page.index('id="div_id_facilitators"')]
    assert "<select" not in group
    assert "<legend" in group and "Co-organising partners" in group
    # One checkbox per partner, the session's own organisation not among them.
    boxes = re.findall(r'<input type="checkbox" name="partners" value="(\d+)"', group)
    assert sorted(map(int, boxes)) == sorted(p.pk for p in partners)
    assert f'value="{org.pk}"' not in group
    assert 'class="form-check-input"' in group
    assert 'for="id_partners_0"' in group
    # The filter and the count wait for the script: without it, every checkbox shows.
    assert re.search(r'class="choice-filter-search" hidden', group)
    assert 'id="id_partners_filter"' in group
    assert 'aria-describedby="id_partners_count"' in group
    assert re.search(r'id="id_partners_count" aria-live="polite" hidden', group)
    # The page loads the widget's script and style; the other pages do not.
    assert '<script src="/static/js/choices.js" defer></script>' in page
    assert 'href="/static/css/choices.css"' in page
    other = client.get(reverse("trainings:session_list")).content.decode()
    assert "choices.js" not in other and "choices.css" not in other


def test_ticked_partners_are_saved_and_stay_ticked_after_an_error(client, users, partners):
    client.force_login(users[Role.PROGRAMME])
    chosen = [partners[0].pk, partners[2].pk]

    refused = _session_form(client, partners=chosen, title="")
    page = refused.content.decode()

    assert refused.status_code == 200
    ticked = re.findall(r'name="partners" value="(\d+)" id="id_partners_\d+" checked', page)
    assert sorted(map(int, ticked)) == sorted(chosen)
    assert "2 selected" in page

    saved = _session_form(client, partners=chosen)

    assert saved.status_code == 302
    session = TrainingSession.objects.get()
    assert sorted(session.partners.values_list("pk", flat=True)) == sorted(chosen)


class _Countries(forms.Form):
    countries = forms.MultipleChoiceField(
        label="Citizenships",
        help_text="All that apply.",
        choices=[("CF", "Central African Republic"), ("CI", "Côte d'Ivoire"), ("GN", "Guinea")]
        + [(f"X{n}", f"Country {n}") for n in range(10)],
        widget=ChoiceFilterWidget(),
    )


def _crispy(form: forms.Form) -> str:
    return Template("{% load crispy_forms_tags %}{{ form|crispy }}").render(Context({"form": form}))


@pytest.mark.parametrize("render", [_crispy, lambda form: form.as_div()], ids=["crispy", "django"])
def test_the_widget_is_a_drop_in_for_any_multiple_choice(render):
    with translation.override("en"):
        refused = _Countries({})
        assert not refused.is_valid()
        html = render(refused)

    assert "<fieldset" in html and "Citizenships" in html
    assert "All that apply." in html
    assert "This field is required." in html
    assert len(re.findall(r'type="checkbox" name="countries"', html)) == 13
    assert 'class="form-check-input is-invalid"' in html
    assert "Côte d&#x27;Ivoire" in html
    assert "data-choice-filter " in html or "data-choice-filter>" in html

    accepted = _Countries({"countries": ["CI", "GN"]})
    assert accepted.is_valid()
    assert accepted.cleaned_data["countries"] == ["CI", "GN"]


def test_a_short_list_gets_no_filter_box():
    class _Few(forms.Form):
        sex = forms.MultipleChoiceField(
            choices=[("f", "Female"), ("m", "Male")], widget=ChoiceFilterWidget()
        )

    html = str(_Few()["sex"])

    assert "id_sex_filter" not in html
    assert 'id="id_sex_count"' in html  # the count still shows what is ticked


@pytest.mark.parametrize(
    ("lang", "ticked", "expected"),
    [("en", 1, "1 selected"), ("en", 2, "2 selected"), ("en", 0, "0 selected")],
)
def test_the_count_is_a_plural_of_the_language(lang, ticked, expected):
    codes = ["CF", "CI", "GN"][:ticked]
    with translation.override(lang):
        html = str(_Countries({"countries": codes})["countries"])

    assert re.search(rf"data-choice-filter-count>{expected}</p>", html)
    # Both wordings for the script, which picks one with the page language's rules.
    assert 'data-count-one="%(count)s selected"' in html
    assert 'data-count-other="%(count)s selected"' in html
