"""Two people editing at once, or one form submitted twice, never lose or silently
overwrite data."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.urls import reverse

from accounts.roles import Role
from cases.models import Case
from cases.services import ConflictError, records
from cases.services import case as case_services
from tests import factories

from .steps import (
    english_client,
    form_post,
    load_edit_form,
    register_data,
)


def _edit(client, case, data):
    return client.post(reverse("cases:case_edit", kwargs={"pk": case.pk}), data)


@pytest.fixture
def two_editors(caseworker, supervisor):
    return english_client(caseworker), english_client(supervisor)


def test_the_second_of_two_concurrent_edits_gets_a_conflict(two_editors, case):
    first, second = two_editors
    first_form = load_edit_form(first, case)
    second_form = load_edit_form(second, case)

    assert _edit(first, case, form_post(first_form, identified_locality="Bimbo")).status_code == 302
    response = _edit(second, case, form_post(second_form, risk_level="high"))

    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else saved this case while you were editing it" in html
    assert "<strong>Locality</strong>: Bimbo" in html
    conflict = {row["field"]: row["now"] for row in response.context["conflict"]}
    assert conflict["identified_locality"] == "Bimbo"
    case.refresh_from_db()
    assert case.identified_locality == "Bimbo"
    assert case.risk_level == "medium"


def test_the_conflict_page_keeps_the_second_editors_entries(two_editors, case):
    first, second = two_editors
    first_form = load_edit_form(first, case)
    second_form = load_edit_form(second, case)
    _edit(first, case, form_post(first_form, identified_locality="Bimbo"))

    response = _edit(second, case, form_post(second_form, risk_level="high"))

    form = response.context["form"]
    assert form.data["risk_level"] == "high"
    assert int(form.data["version"]) == Case.objects.get(pk=case.pk).version


def test_saving_again_after_a_conflict_succeeds(two_editors, case):
    first, second = two_editors
    first_form = load_edit_form(first, case)
    second_form = load_edit_form(second, case)
    _edit(first, case, form_post(first_form, identified_locality="Bimbo"))
    conflict = _edit(second, case, form_post(second_form, risk_level="high"))

    # The second editor keeps the first one's locality and saves the refreshed form.
    retry = dict(conflict.context["form"].data.lists())
    retry["identified_locality"] = ["Bimbo"]
    response = second.post(reverse("cases:case_edit", kwargs={"pk": case.pk}), retry)

    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.identified_locality, case.risk_level) == ("Bimbo", "high")


def test_the_conflict_names_the_person_field_the_first_editor_changed(two_editors, case):
    first, second = two_editors
    first_form = load_edit_form(first, case)
    second_form = load_edit_form(second, case)
    _edit(first, case, form_post(first_form, phone="+23672000001"))

    response = _edit(second, case, form_post(second_form, risk_level="high"))

    assert response.status_code == 409
    conflict = {row["field"]: row for row in response.context["conflict"]}
    assert conflict["phone"]["label"] == "Phone"
    assert conflict["phone"]["now"] == "+23672000001"
    case.person.refresh_from_db()
    assert case.person.phone == "+23672000001"


def test_the_conflict_names_only_the_fields_the_other_editor_changed(two_editors, case):
    first, second = two_editors
    first_form = load_edit_form(first, case)
    second_form = load_edit_form(second, case)
    _edit(first, case, form_post(first_form, identified_locality="Bimbo"))

    response = _edit(second, case, form_post(second_form, risk_level="high"))

    assert [row["field"] for row in response.context["conflict"]] == ["identified_locality"]


def test_a_stale_exploitation_edit_gets_a_conflict(client_for, caseworker, supervisor, case):
    url = reverse("cases:exploitation_edit", kwargs={"pk": case.pk})
    first, second = english_client(caseworker), english_client(supervisor)
    first_form = dict(first.get(url).context["form"].initial)
    second_form = dict(second.get(url).context["form"].initial)

    first.post(url, form_post(first_form, exploitation_types=["ForcedLabour", "ForcedBegging"]))
    response = second.post(url, form_post(second_form, exploitation_months="6"))

    assert response.status_code == 409
    case.refresh_from_db()
    assert case.exploitation_types == ["ForcedLabour", "ForcedBegging"]
    assert case.exploitation_months is None


def test_a_new_record_makes_an_open_edit_form_stale(client_for, caseworker, case):
    client = client_for(caseworker)
    form = load_edit_form(client, case)
    records.note_add(actor=caseworker, case=case, body="Visited.")

    response = _edit(client, case, form_post(form, risk_level="high"))

    # The version moved; nothing the form shows changed, so the conflict names the version.
    assert response.status_code == 409
    case.refresh_from_db()
    assert case.risk_level == "medium"


def test_a_double_submitted_registration_creates_one_case(client_for, caseworker):
    client = client_for(caseworker)
    data = register_data()
    url = reverse("cases:case_register")

    first = client.post(url, data)
    second = client.post(url, data)

    assert Case.objects.count() == 1
    case = Case.objects.get()
    assert first.status_code == second.status_code == 302
    assert (
        first["Location"]
        == second["Location"]
        == reverse("cases:case_detail", kwargs={"pk": case.pk})
    )


def test_two_registrations_with_different_tokens_create_two_cases(client_for, caseworker):
    client = client_for(caseworker)

    client.post(reverse("cases:case_register"), register_data())
    client.post(reverse("cases:case_register"), register_data(first_name="Binta"))

    assert Case.objects.count() == 2


def test_a_double_submitted_note_is_recorded_once(client_for, caseworker, case):
    client = client_for(caseworker)
    url = reverse("cases:record_add", kwargs={"pk": case.pk, "kind": "note"})
    data = {"body": "Called her sister.", "submission_token": str(uuid.uuid4())}

    client.post(url, data)
    client.post(url, data)

    assert case.notes.count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_saves_at_the_same_version_one_wins_one_conflicts():
    org = factories.organisation()
    caseworker = factories.user(Role.CASEWORKER, organisation=org)
    supervisor = factories.user(Role.SUPERVISOR, organisation=org)
    case = factories.case(caseworker=caseworker)
    version = case.version
    loaded = {"identified_locality": "", "risk_level": "medium"}
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def save(name, actor, changes):
        try:
            start.wait(timeout=10)
            case_services.case_update(
                actor=actor, case=case, expected_version=version, loaded=loaded, changes=changes
            )
            outcomes[name] = "saved"
        except Exception as error:  # the assertion below names any unexpected one
            outcomes[name] = error
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("a", caseworker, {"identified_locality": "Bimbo"})),
        threading.Thread(target=save, args=("b", supervisor, {"risk_level": "high"})),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    saved = [name for name, outcome in outcomes.items() if outcome == "saved"]
    refused = [name for name, o in outcomes.items() if isinstance(o, ConflictError)]
    assert (len(saved), len(refused)) == (1, 1), outcomes
    case.refresh_from_db()
    assert case.version == version + 1
    if saved == ["a"]:
        assert (case.identified_locality, case.risk_level) == ("Bimbo", "medium")
    else:
        assert (case.identified_locality, case.risk_level) == ("", "high")


# Outside a test transaction, as in production: registering must be atomic on its own.
@pytest.mark.django_db(transaction=True)
def test_a_registration_posted_without_its_token_still_registers_the_case():
    org = factories.organisation()
    caseworker = factories.user(Role.CASEWORKER, organisation=org)
    data = register_data()
    del data["submission_token"]

    response = english_client(caseworker).post(reverse("cases:case_register"), data)

    assert response.status_code == 302
    assert Case.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_registration_that_fails_half_way_leaves_nothing_behind():
    org = factories.organisation()
    caseworker = factories.user(Role.CASEWORKER, organisation=org)

    with pytest.raises(ValidationError):
        factories.case(caseworker=caseworker, person_data={"gender": "NotAGender"})

    assert not Case.objects.exists()
