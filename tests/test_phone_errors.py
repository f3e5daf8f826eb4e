"""Errors you can find, a light wire and no missing favicon (issue 14, items 2, 8 and 9).

After a failed submit every page shows an error summary at the top of its main content
(GOV.UK pattern: role="alert", labelled by its heading, focusable), each field's error a
link to its field, errors of no field plain items; pages go out gzip-compressed (with
Django's length-hiding padding); /favicon.ico does not 404."""

from __future__ import annotations

import gzip
from xml.etree.ElementTree import Element

import pytest
import tinyhtml5
from django import forms
from django.template import Context, Template
from django.templatetags.static import static
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from tests import factories

NS = {"h": "http://www.w3.org/1999/xhtml"}


def tr(message: str, lang: str = "en") -> str:
    with translation.override(lang):
        return translation.gettext(message)


def parse(html: bytes | str) -> Element:
    return tinyhtml5.parse(html.decode() if isinstance(html, bytes) else html)


def summaries(root: Element) -> list[Element]:
    return root.findall(".//h:*[@data-error-summary]", NS)


def the_summary(response, lang: str = "en") -> Element:
    assert response.status_code == 200
    root = parse(response.content)
    found = summaries(root)
    assert len(found) == 1, "one error summary"
    summary = found[0]
    # At the top of the main content, before the page's own heading.
    main = root.find(".//h:main", NS)
    assert main is not None and next(iter(main)) is summary
    assert summary.get("role") == "alert"
    assert summary.get("tabindex") == "-1"
    heading = root.find(f".//h:*[@id='{summary.get('aria-labelledby')}']", NS)
    assert heading is not None
    assert "".join(heading.itertext()).strip() == tr("There is a problem", lang)
    return summary


def links(summary: Element) -> dict[str, str]:
    """href -> text of each link of the summary."""
    return {
        a.get("href"): " ".join("".join(a.itertext()).split())
        for a in summary.findall(".//h:li/h:a", NS)
    }


def plain_items(summary: Element) -> list[str]:
    return [
        " ".join("".join(li.itertext()).split())
        for li in summary.findall(".//h:li", NS)
        if li.find("h:a", NS) is None
    ]


@pytest.fixture
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


def test_password_change_errors_are_summarised_with_links_to_their_fields(english, db):
    user = factories.user(Role.CASEWORKER)
    english.force_login(user)
    response = english.post(reverse("accounts:password_change"), {})

    summary = the_summary(response)
    found = links(summary)
    required = tr("This field is required.")
    assert set(found) == {"#id_old_password", "#id_new_password1", "#id_new_password2"}
    assert found["#id_old_password"] == f"Old password: {required}"
    # Each link leads to a field of the page.
    root = parse(response.content)
    for href in found:
        assert root.find(f".//h:input[@id='{href[1:]}']", NS) is not None


def test_registration_errors_link_to_each_field(english, db):
    caseworker = factories.user(Role.CASEWORKER)
    english.force_login(caseworker)
    # (An empty POST is no submit for this view: `request.POST or None`.)
    response = english.post(reverse("cases:case_register"), {"first_name": ""})

    found = links(the_summary(response))
    for name in ("consent_confirmed", "consent_given_on", "first_name", "identified_on"):
        assert f"#id_{name}" in found
    root = parse(response.content)
    for href in found:
        assert root.find(f".//*[@id='{href[1:]}']", NS) is not None, href


def test_an_error_of_no_field_is_a_plain_item(english, db):
    factories.user(Role.CASEWORKER, username="someone")
    response = english.post(
        reverse("accounts:login"), {"username": "someone", "password": "not-the-password"}
    )

    summary = the_summary(response)
    assert links(summary) == {}
    [item] = plain_items(summary)
    assert "username" in item.lower() and "password" in item.lower()


def test_the_summary_is_in_the_users_language(client, db):
    user = factories.user(Role.CASEWORKER)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "fr"
    response = client.post(reverse("accounts:password_change"), {})

    summary = the_summary(response, "fr")
    heading = summary.find(".//h:h2", NS)
    assert "".join(heading.itertext()).strip() == tr("There is a problem", "fr")
    assert tr("This field is required.", "fr") in links(summary)["#id_old_password"]


def test_no_summary_without_a_failed_submit(english, db):
    user = factories.user(Role.CASEWORKER)
    english.force_login(user)
    for url in (reverse("home"), reverse("accounts:password_change")):
        response = english.get(url)
        assert response.status_code == 200
        assert summaries(parse(response.content)) == []


class _Form(forms.Form):
    name = forms.CharField(label="Name")
    token = forms.CharField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=[("a", "A"), ("b", "B")], widget=forms.RadioSelect)


SUMMARY = Template("{% load error_summary %}{% error_summary %}")


def test_the_tag_lists_forms_and_formsets_the_view_validated():
    validated = _Form(data={"choice": "z"})
    assert not validated.is_valid()
    not_validated = _Form(data={}, prefix="other")
    formset = forms.formset_factory(_Form)(
        data={"form-TOTAL_FORMS": "1", "form-INITIAL_FORMS": "0", "form-0-choice": "z"}
    )
    assert not formset.is_valid()

    with translation.override("en"):
        html = SUMMARY.render(
            Context({"form": validated, "same": validated, "other": not_validated, "fs": formset})
        )

    summary = summaries(parse(html))[0]
    found = links(summary)
    # Radio buttons: the link goes to the first one; hidden fields have no link.
    assert set(found) == {"#id_name", "#id_choice_0", "#id_form-0-name", "#id_form-0-choice_0"}
    assert not any(href.startswith("#id_other") for href in found)
    assert len(plain_items(summary)) == 2  # the two hidden tokens
    # The same form under two names is listed once.
    assert html.count('href="#id_name"') == 1


def test_the_tag_shows_nothing_without_errors():
    form = _Form(data={"name": "x", "token": "t", "choice": "a"})
    assert form.is_valid()
    assert "data-error-summary" not in SUMMARY.render(Context({"form": form, "unbound": _Form()}))


def test_every_page_loads_the_forms_script_with_the_nonce(client, db):
    user = factories.user(Role.CASEWORKER)
    client.force_login(user)
    root = parse(client.get(reverse("home")).content)
    [script] = [s for s in root.findall(".//h:script", NS) if s.get("src") == static("js/forms.js")]
    assert script.get("nonce")


# Light on the wire


def test_a_signed_in_page_is_gzip_compressed(client, db):
    user = factories.user(Role.CASEWORKER)
    client.force_login(user)
    response = client.get(reverse("home"), headers={"accept-encoding": "gzip, deflate, br"})

    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in response["Vary"]
    assert "no-store" in response["Cache-Control"]
    html = gzip.decompress(response.content)
    assert b'data-testid="home-caseworker"' in html
    assert int(response["Content-Length"]) == len(response.content) < len(html)


def test_a_page_is_not_compressed_for_a_client_that_does_not_ask(client, db):
    user = factories.user(Role.CASEWORKER)
    client.force_login(user)
    response = client.get(reverse("home"))
    assert not response.has_header("Content-Encoding")


def test_compression_pads_with_random_bytes():
    """Django's length hiding against BREACH: the same page compresses to various lengths."""
    from django.http import HttpRequest, HttpResponse
    from django.middleware.gzip import GZipMiddleware

    request = HttpRequest()
    request.META["HTTP_ACCEPT_ENCODING"] = "gzip"
    body = b"<p>the same page</p>" * 50
    middleware = GZipMiddleware(lambda request: HttpResponse(body))
    lengths = {len(middleware(request).content) for _ in range(20)}
    assert len(lengths) > 1


# Favicon


def test_favicon_ico_leads_to_the_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("favicon.svg")
    icon = client.get(response["Location"])
    assert icon.status_code == 200
    assert b"<svg" in b"".join(icon.streaming_content if icon.streaming else [icon.content])


def test_favicon_ico_is_open_before_the_second_factor(client, db, settings):
    settings.TWO_FACTOR_REQUIRED = True
    user = factories.user(Role.CASEWORKER)
    client.force_login(user)
    response = client.get("/favicon.ico")
    assert response["Location"] == static("favicon.svg")


def test_pages_link_the_icon(client, db):
    for url in (reverse("accounts:login"),):
        root = parse(client.get(url).content)
        icons = [link for link in root.findall(".//h:head/h:link", NS) if link.get("rel") == "icon"]
        assert [link.get("href") for link in icons] == [static("favicon.svg")]
