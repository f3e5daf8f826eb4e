"""Light on the wire: the case list and the new-case form carry a few dozen <option>s, not
hundreds. Countries are typed by name, with suggestions fetched once from the static files;
the region list holds the chosen country's regions and follows the country; the server
still accepts only countries and regions of the codebooks."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation

from cases.countries import (
    LIST_PATH,
    CountryNamesField,
    CountryNamesInput,
    country_code,
    datalist_options,
)
from cases.management.commands.country_lists import list_file
from cases.models import Case
from partners.models import Region
from tests import factories
from traffick_cm import imports

from .steps import register_data

LIMIT = 60
SELECT = re.compile(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', re.S)


def _html(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _options_outside(html: str, field: str) -> int:
    inside = sum(body.count("<option") for name, body in SELECT.findall(html) if name == field)
    return html.count("<option") - inside


# How many <option>s


def test_the_case_list_carries_fewer_than_60_options(client_for, caseworker, case):
    html = _html(client_for(caseworker), reverse("cases:case_list"))

    assert html.count("<option") < LIMIT
    # The citizenship filter is a text box with suggestions, not a list of every country.
    box = re.search(r'<input type="text" name="citizenship"[^>]*>', html)
    assert box
    assert 'list="id_citizenship-names"' in box.group(0)
    assert "citizenship" not in dict(SELECT.findall(html))


def test_the_new_case_form_carries_fewer_than_60_options_besides_the_citizenships(
    client_for, caseworker
):
    html = _html(client_for(caseworker), reverse("cases:case_register"))

    assert _options_outside(html, "citizenships") < LIMIT


def test_the_new_case_form_carries_fewer_than_60_options(client_for, caseworker):
    html = _html(client_for(caseworker), reverse("cases:case_register"))

    assert html.count("<option") < LIMIT


def test_the_edit_form_offers_the_regions_of_the_case_country_only(client_for, caseworker, case):
    html = _html(client_for(caseworker), reverse("cases:case_edit", kwargs={"pk": case.pk}))

    regions = dict(SELECT.findall(html))["identified_region"]
    assert regions.count("<option") == Region.objects.filter(country="CF").count() + 1
    assert ">Bangui<" in regions
    assert ">Conakry<" not in regions
    assert 'value="Central African Republic"' in html


# Countries typed by name


@pytest.mark.parametrize(
    ("typed", "language"),
    [
        ("Central African Republic", "en"),
        ("  central african republic ", "en"),
        ("République centrafricaine", "fr"),
        ("republique centrafricaine", "en"),
        ("CF", "en"),
    ],
)
def test_a_country_is_read_by_its_name_in_either_language_or_its_code(typed, language):
    with translation.override(language):
        assert country_code(typed) == "CF"


@pytest.mark.parametrize(("typed", "code"), [("Swaziland", "SZ"), ("Russia", "RU")])
def test_a_former_or_common_name_is_read_as_an_imported_file_reads_it(typed, code):
    """The form knows the names the spreadsheet import knows (traffick_cm/imports.py)."""
    with translation.override("en"):
        assert country_code(typed) == code
    assert imports.country_lookup()[imports.label_key(typed)] == code


def test_a_case_is_registered_with_the_country_typed_by_name(client_for, caseworker):
    client_for(caseworker).post(
        reverse("cases:case_register"), register_data(identified_country="Guinea")
    )

    assert str(Case.objects.get().identified_country) == "GN"


def test_a_country_that_is_not_in_the_codebook_is_refused(client_for, caseworker):
    response = client_for(caseworker).post(
        reverse("cases:case_register"), register_data(identified_country="Wakanda")
    )

    assert response.context["form"].errors["identified_country"] == [
        "Choose a country from the suggestions, e.g. Central African Republic."
    ]
    assert not Case.objects.exists()


def test_a_region_of_another_country_is_refused(client_for, caseworker):
    conakry = factories.region(country="GN", name="Conakry")

    response = client_for(caseworker).post(
        reverse("cases:case_register"),
        register_data(identified_country="CF", identified_region=str(conakry.pk)),
    )

    assert response.context["form"].errors["identified_region"] == [
        "This region is not in the chosen country."
    ]
    assert not Case.objects.exists()


def test_the_case_list_filters_by_a_citizenship_typed_by_name(client_for, caseworker):
    guinean = factories.case(caseworker=caseworker, citizenships=["GN"])
    factories.case(caseworker=caseworker, first_name="Other", citizenships=["ML"])
    client = client_for(caseworker)

    posted = client.post(reverse("cases:case_list"), {"citizenship": "Guinée"})
    listed = client.get(posted["Location"])

    assert "citizenship=GN" in posted["Location"]
    assert [c.pk for c in listed.context["page"].object_list] == [guinean.pk]


# The suggestions and the regions, loaded when needed


def test_the_country_box_fetches_its_suggestions_from_the_static_files(client_for, caseworker):
    html = _html(client_for(caseworker), reverse("cases:case_register"))

    url = static(LIST_PATH.format(language="en"))
    assert (
        f'<datalist id="id_identified_country-names" hx-get="{url}" '
        'hx-trigger="focus once from:#id_identified_country"'
    ) in html
    assert 'list="id_identified_country-names"' in html


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_the_static_country_lists_are_up_to_date(language):
    """Written by `manage.py country_lists`: run it after upgrading django-countries."""
    assert list_file(language).read_text(encoding="utf-8") == datalist_options(language)


def test_the_country_list_is_served_as_a_static_file_that_browsers_may_keep(client_for, caseworker):
    response = client_for(caseworker).get(static(LIST_PATH.format(language="fr")))

    body = b"".join(response.streaming_content).decode()
    assert response.status_code == 200
    assert '<option value="République centrafricaine"></option>' in body
    assert body.count("<option") == 249
    assert "no-store" not in response.get("Cache-Control", "")


def test_the_region_list_follows_the_country_typed(client_for, caseworker):
    factories.region(country="GN", name="Conakry")
    client = client_for(caseworker)
    url = reverse("cases:region_options")

    guinea = _html(client, f"{url}?identified_country=Guinée")
    unknown = _html(client, f"{url}?identified_country=Gui")

    assert ">Conakry<" in guinea
    assert ">Bangui<" not in guinea
    assert guinea.count("<option") == Region.objects.filter(country="GN").count() + 1
    assert unknown.count("<option") == 1


@pytest.mark.parametrize("role", ["partner", "programme", "mne", "ministry", "admin"])
def test_only_the_case_team_loads_the_region_list(client_for, users, role):
    response = client_for(users[role]).get(reverse("cases:region_options"))

    assert response.status_code == 403


def test_a_visitor_who_is_not_signed_in_is_sent_to_sign_in(client):
    response = client.get(reverse("cases:region_options"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# Citizenships: one country box per citizenship


def test_citizenships_are_typed_by_name_in_boxes_and_clean_to_distinct_codes(db):
    field = CountryNamesField(required=False)
    with translation.override("fr"):
        assert field.clean(["Mali", "République centrafricaine", "", "ml"]) == ["ML", "CF"]
    assert field.clean([]) == []
    with pytest.raises(ValidationError) as refused:
        field.clean(["Mali", "Atlantis"])
    assert refused.value.code == "unknown"


def test_the_citizenship_boxes_show_each_stored_country_and_one_empty_box(db):
    html = CountryNamesInput().render("citizenships", ["ML", "CF"], {"id": "id_citizenships"})
    assert html.count('name="citizenships"') == 3
    assert 'id="id_citizenships"' in html and 'id="id_citizenships_2"' in html
    assert 'value="Mali"' in html and 'value="Central African Republic"' in html
    assert "<option" not in html  # the names come from the static files, on focus


def test_a_registration_with_two_citizenships_typed_by_name_stores_their_codes(
    client_for, caseworker
):
    client = client_for(caseworker)
    html = _html(client, reverse("cases:case_register"))
    assert html.count('name="citizenships"') == 2

    client.post(reverse("cases:case_register"), register_data(citizenships=["Guinea", "Mali", ""]))

    assert list(Case.objects.get().citizenships) == ["GN", "ML"]


def test_a_citizenship_that_is_not_a_country_is_refused_and_nothing_is_saved(
    client_for, caseworker
):
    response = client_for(caseworker).post(
        reverse("cases:case_register"), register_data(citizenships=["Guinea", "Atlantis"])
    )

    assert response.status_code == 200
    assert "citizenships" in response.context["form"].errors
    assert not Case.objects.exists()
