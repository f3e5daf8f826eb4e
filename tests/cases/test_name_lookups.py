"""Name look-ups are no cross-organisation oracle and leave no name in an address.

The registration form's duplicate check is posted (with its CSRF token), counted against an
hourly budget per user (then 429), audited under a keyed hash, and tells a caseworker only
that a possible match exists and whom to ask; a supervisor sees which organisation; another
organisation's case is never named. The case list's name search is posted too; the name is
kept server-side, encrypted, under an opaque key in the address."""

from __future__ import annotations

import json
import re
from datetime import date
from urllib.parse import unquote_plus

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from accounts.models import AuditEntry
from tests import factories

from .steps import english_client, register_data

NAMES = {"first_name": "Aissatou Fatoumata", "last_name": "Mohamed"}
CHECK = {**NAMES, "date_of_birth": "2000-03-01", "citizenships": ["ML"]}
LIMITS = {"duplicate_check": 3, "case_search": 2}


@pytest.fixture
def registered_elsewhere(outside_caseworker):
    """A person registered by the other organisation."""
    return factories.case(
        caseworker=outside_caseworker,
        first_name="Aïssatou Fatoumata",
        last_name="Mohamed",
        date_of_birth=date(2000, 3, 1),
        citizenships=["ML"],
    )


@pytest.fixture
def registered_here(caseworker):
    """The same person, registered by the user's own organisation, assigned to `caseworker`."""
    return factories.case(
        caseworker=caseworker,
        first_name="Aïssatou Fatoumata",
        last_name="Mohamed",
        date_of_birth=date(2000, 3, 1),
        citizenships=["ML"],
    )


def _check(client: Client, **data):
    return client.post(reverse("cases:duplicate_check"), {**CHECK, **data})


def _text(response) -> str:
    return response.content.decode()


# The duplicate check: by POST, with the token


def test_the_duplicate_check_refuses_a_get_with_names_in_the_address(
    client_for, caseworker, registered_elsewhere
):
    response = client_for(caseworker).get(reverse("cases:duplicate_check"), CHECK)

    assert response.status_code == 405
    assert "may already be registered" not in _text(response)
    assert not AuditEntry.objects.filter(action="cases.person.duplicate_checked").exists()


def test_the_duplicate_check_needs_the_csrf_token(caseworker):
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.force_login(caseworker)
    page = client.get(reverse("cases:case_register"))
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', _text(page)).group(1)

    refused = _check(client)
    accepted = _check(client, csrfmiddlewaretoken=token)

    assert refused.status_code == 403
    assert accepted.status_code == 200


def test_the_registration_form_posts_only_the_fields_the_check_needs(client_for, caseworker):
    page = _text(client_for(caseworker).get(reverse("cases:case_register")))

    url = reverse("cases:duplicate_check")
    assert f'hx-post="{url}"' in page
    # The only requests by address: the region list (sent the country typed) and the
    # country names (a static file): never a name.
    gets = set(re.findall(r'hx-get="([^"]+)"', page))
    assert {g for g in gets if not g.startswith("/static/")} == {reverse("cases:region_options")}
    # The suggestion lists of the country boxes send nothing at all.
    lists = re.findall(r"<datalist [^>]*>", page)
    assert lists and all('hx-params="none"' in tag for tag in lists)
    check = re.search(rf'<fieldset[^>]*hx-post="{url}"[^>]*>', page).group(0)
    params = re.search(r'hx-params="([^"]+)"', check).group(1).split(",")
    assert sorted(params) == sorted(
        [
            "csrfmiddlewaretoken",
            "first_name",
            "middle_name",
            "last_name",
            "aliases",
            "date_of_birth",
            "estimated_age",
            "citizenships",
        ]
    )
    assert "[name=csrfmiddlewaretoken]" in re.search(r'hx-include="([^"]+)"', check).group(1)
    assert "js/duplicate-check.js" in page


# What the answer says, to whom


def test_a_caseworker_learns_only_that_a_match_exists_and_whom_to_ask(
    client_for, caseworker, registered_elsewhere, other_org
):
    response = _check(client_for(caseworker))

    html = _text(response)
    assert response.status_code == 200
    assert "may already be registered" in html
    assert "contact your supervisor" in html
    for hidden in (registered_elsewhere.case_number, other_org.name, other_org.acronym):
        assert hidden not in html


def test_a_supervisor_sees_which_organisation_but_never_its_case(
    client_for, supervisor, registered_elsewhere, other_org
):
    response = _check(client_for(supervisor))

    html = _text(response)
    assert other_org.name in html
    assert reverse("partners:organisation_detail", kwargs={"pk": other_org.pk}) in html
    assert "contact its focal point" in html
    assert registered_elsewhere.case_number not in html
    assert reverse("cases:case_detail", kwargs={"pk": registered_elsewhere.pk}) not in html


def test_within_the_organisation_the_number_is_shown_to_whoever_may_open_the_case(
    client_for, caseworker, colleague, supervisor, registered_here
):
    assigned = _text(_check(english_client(caseworker)))
    unassigned = _text(_check(english_client(colleague)))
    supervising = _text(_check(english_client(supervisor)))

    assert registered_here.case_number in assigned
    assert registered_here.case_number in supervising
    assert registered_here.case_number not in unassigned
    assert "ask your supervisor" in unassigned


def test_an_unknown_person_gets_no_warning(client_for, caseworker, registered_elsewhere):
    response = _check(client_for(caseworker), citizenships=["NE"])

    assert response.status_code == 200
    assert "may already be registered" not in _text(response)


# Counted and audited


def test_each_new_lookup_is_audited_under_a_keyed_hash_never_the_names(
    client_for, supervisor, registered_elsewhere, other_org
):
    client = client_for(supervisor)
    _check(client)
    _check(client)  # the same look-up again (htmx asks on every change): one entry

    [entry] = AuditEntry.objects.filter(action="cases.person.duplicate_checked")
    assert entry.actor == supervisor
    assert re.fullmatch(r"[0-9a-f]{40}", entry.data["lookup"])
    assert entry.data["found"] is True
    assert entry.data["organisations_shown"] == [other_org.pk]
    assert entry.data["cases_shown"] == []
    stored = json.dumps(entry.data).lower()
    for value in ("aissatou", "fatoumata", "mohamed", "2000-03-01", "2000"):
        assert value not in stored


def test_the_duplicate_check_is_limited_per_user_then_answers_429(
    client_for, caseworker, colleague, settings
):
    settings.NAME_LOOKUPS_PER_HOUR = LIMITS
    client = client_for(caseworker)
    for year in (1990, 1991, 1992):
        assert _check(client, date_of_birth=f"{year}-01-01").status_code == 200
    # Asking again about a person already checked does not use the budget.
    assert _check(client, date_of_birth="1990-01-01").status_code == 200

    refused = _check(client, date_of_birth="1993-01-01")
    again = _check(client, date_of_birth="1994-01-01")

    assert refused.status_code == 429
    assert "You have made 3 name checks in the last hour, the most allowed." in _text(refused)
    assert again.status_code == 429
    # Logged once per window, not once per refusal; the budget is the user's own.
    assert AuditEntry.objects.filter(action="cases.person.lookup_limit_reached").count() == 1
    assert _check(english_client(colleague), date_of_birth="1993-01-01").status_code == 200


def test_an_incomplete_lookup_is_neither_counted_nor_audited(client_for, caseworker, settings):
    settings.NAME_LOOKUPS_PER_HOUR = LIMITS
    client = client_for(caseworker)

    for _ in range(5):
        assert _check(client, date_of_birth="", first_name="", last_name="").status_code == 200
        assert _check(client, date_of_birth="").status_code == 200

    assert not AuditEntry.objects.filter(action="cases.person.duplicate_checked").exists()
    assert _check(client).status_code == 200


def test_the_registration_still_flags_a_duplicate_when_the_budget_is_spent(
    client_for, caseworker, registered_elsewhere, settings
):
    settings.NAME_LOOKUPS_PER_HOUR = {**LIMITS, "duplicate_check": 0}
    client = client_for(caseworker)
    assert _check(client).status_code == 429

    response = client.post(
        reverse("cases:case_register"),
        register_data(
            first_name="Aissatou Fatoumata",
            last_name="Mohamed",
            date_of_birth="2000-03-01",
            citizenships=["ML"],
        ),
    )

    assert response.status_code == 302


# The case detail page's warning follows the same rules


def test_the_case_page_names_the_other_organisation_to_a_supervisor_only(
    client_for, caseworker, supervisor, registered_elsewhere, other_org
):
    mine = factories.case(
        caseworker=caseworker,
        first_name="Aissatou Fatoumata",
        last_name="Mohamed",
        date_of_birth=date(2000, 3, 1),
        citizenships=["ML"],
    )
    url = reverse("cases:case_detail", kwargs={"pk": mine.pk})

    as_caseworker = _text(english_client(caseworker).get(url))
    as_supervisor = _text(english_client(supervisor).get(url))

    assert "may already be registered by another organisation" in as_caseworker
    assert other_org.name not in as_caseworker
    assert f"may already be registered by {other_org.name}" in as_supervisor
    for page in (as_caseworker, as_supervisor):
        assert registered_elsewhere.case_number not in page


def test_the_case_page_hides_a_same_organisation_number_from_an_unassigned_colleague(
    caseworker, colleague, supervisor, registered_here
):
    second = factories.case(
        caseworker=colleague,
        first_name="Fatoumata Aissatou",
        last_name="Mohamed",
        date_of_birth=date(2000, 3, 1),
        citizenships=["ML"],
    )
    url = reverse("cases:case_detail", kwargs={"pk": second.pk})

    as_colleague = _text(english_client(colleague).get(url))
    as_supervisor = _text(english_client(supervisor).get(url))

    assert registered_here.case_number not in as_colleague
    assert "in a case you are not assigned to" in as_colleague
    assert registered_here.case_number in as_supervisor


# The case list's name search


def _search(client: Client, q: str, **filters):
    return client.post(reverse("cases:case_list"), {"q": q, **filters})


def test_the_search_form_is_posted_with_its_token(client_for, caseworker):
    page = _text(client_for(caseworker).get(reverse("cases:case_list")))

    form = re.search(r'<form method="post"\s+action="([^"]+)"[^>]*role="search"', page)
    assert form and form.group(1) == reverse("cases:case_list")
    assert 'name="q"' in page
    assert 'method="get" class="row g-2 align-items-end" role="search"' not in page


def test_a_name_search_keeps_the_name_out_of_the_address(client_for, caseworker, case):
    client = client_for(caseworker)

    response = _search(client, "Amina Diallo", status="screening")

    assert response.status_code == 302
    address = unquote_plus(response["Location"])
    assert "amina" not in address.lower() and "diallo" not in address.lower()
    assert re.fullmatch(r"/cases/\?status=screening&search=[\w-]+", address)
    listed = client.get(response["Location"])
    assert [c.pk for c in listed.context["page"].object_list] == [case.pk]
    # Pagination and the back button use the same opaque key.
    assert "search=" in listed.context["querystring"]
    assert "Amina" not in listed.context["querystring"]
    # The box shows what was searched.
    assert 'value="Amina Diallo"' in _text(listed)


def test_the_search_is_kept_encrypted_in_the_session(client_for, caseworker, case):
    client = client_for(caseworker)
    _search(client, "Amina Diallo")

    for session in Session.objects.all():
        assert "Amina" not in json.dumps(session.get_decoded())


def test_the_search_key_means_nothing_to_another_user(client_for, caseworker, supervisor, case):
    response = _search(english_client(caseworker), "Amina")

    other = english_client(supervisor).get(response["Location"])

    assert other.status_code == 200
    assert "Amina" not in _text(other).split("<tbody>")[0]
    assert "This search has expired: search again." in [str(m) for m in other.context["messages"]]


def test_a_case_number_stays_in_the_address(client_for, caseworker, case):
    response = _search(client_for(caseworker), case.case_number.lower())

    assert response["Location"] == f"/cases/?number={case.case_number}"
    listed = client_for(caseworker).get(response["Location"])
    assert [c.pk for c in listed.context["page"].object_list] == [case.pk]


def test_an_old_address_with_a_name_is_cleaned(client_for, caseworker, case):
    response = client_for(caseworker).get(reverse("cases:case_list"), {"q": "Amina", "sex": "f"})

    assert response.status_code == 302
    assert response["Location"] == "/cases/?sex=f"
    assert not AuditEntry.objects.filter(action="cases.case.searched").exists()


def test_name_searches_are_audited_and_limited_per_user(
    client_for, caseworker, supervisor, settings
):
    settings.NAME_LOOKUPS_PER_HOUR = LIMITS
    client = client_for(caseworker)
    assert _search(client, "Amina").status_code == 302
    assert _search(client, "Mariama").status_code == 302

    refused = _search(client, "Kadiatou")

    assert refused.status_code == 429
    assert "You have searched for 2 names in the last hour" in _text(refused)
    # A case number is not a name look-up.
    assert _search(client, "CF-2025-00001").status_code == 302
    entries = AuditEntry.objects.filter(action="cases.case.searched")
    assert entries.count() == 2
    for entry in entries:
        assert re.fullmatch(r"[0-9a-f]{40}", entry.data["lookup"])
        assert "amina" not in json.dumps(entry.data).lower()
        assert "mariama" not in json.dumps(entry.data).lower()


# Error reports never carry what was typed


@pytest.mark.parametrize(
    ("url_name", "expected"),
    [
        ("cases:case_register", "__ALL__"),
        ("cases:duplicate_check", "__ALL__"),
        ("cases:case_list", ("q",)),
    ],
)
def test_posted_personal_values_are_hidden_from_error_reports(
    client_for, caseworker, url_name, expected
):
    response = client_for(caseworker).post(reverse(url_name), CHECK)

    assert response.wsgi_request.sensitive_post_parameters == expected
