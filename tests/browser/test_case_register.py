"""A case's life in the browser, in French: a caseworker registers it through the real
form, adds a note, opens it and asks for its closure; a supervisor approves the closure;
an empty registration form answers with French errors tied to their fields.

Every expected label is computed from the app's catalogue (gettext under
override("fr")), so the tests follow whatever the French catalogue says."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django_countries import countries
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from cases.forms import CaseRegisterForm
from cases.models import Case, CaseNote, ClosureRequest, Consent, Person
from cases.services import case as case_services
from cases.services import workflow as case_workflow
from demo.data.users import DEMO_PASSWORD
from partners.models import Region
from traffick_cm import codebooks as v

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]

LANG = "fr"
# The browser asks for English: only the footer's switcher can make the pages French.
BROWSER_LOCALE = "en-GB"
CASE_NUMBER = re.compile(r"^CF-\d{4}-\d{5}$")
FIRST_NAME, LAST_NAME = "Aïssatou", "Ndoumbé"
NOTE = "Entretien initial à Bangui : la personne souhaite un hébergement sûr."


def tr(message: str) -> str:
    """`message` as the app's catalogue renders it in French."""
    with translation.override(LANG):
        return translation.gettext(message)


def form_labels(actor: User) -> dict[str, str]:
    """The registration form's field labels, in French."""
    with translation.override(LANG):
        form = CaseRegisterForm(actor=actor)
        return {name: str(form[name].label) for name in form.fields}


def choice_label(choices, value: str) -> str:
    with translation.override(LANG):
        return str(dict(choices)[value])


def status_label(status: str) -> str:
    return choice_label(v.CaseStatus.choices, status)


@pytest.fixture
def bangui(transactional_db) -> Region:
    """The region rows come from a data migration, which a transactional test's flush
    removes: make sure the one the test picks exists."""
    return Region.objects.get_or_create(country="CF", name="Bangui")[0]


def choose_language(page: Page, lang: str) -> None:
    """Use the footer's language switcher, as a person would."""
    page.locator("footer select#language-select").select_option(lang)
    page.locator("footer #language-select + button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def sign_in_french(page: Page, live_server, username: str) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    choose_language(page, LANG)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=tr("Sign in"), exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", LANG)


def nav_link(page: Page, label: str) -> Locator:
    return page.locator("#main-nav a.nav-link").filter(has_text=re.compile(rf"^\s*{label}\s*$"))


def field(page: Page, labels: dict[str, str], name: str) -> Locator:
    """The input of form field `name`, after checking that its French label is shown."""
    expect(page.locator(f"#div_id_{name}")).to_contain_text(labels[name])
    return page.locator(f"#id_{name}")


def radio(page: Page, labels: dict[str, str], name: str, choice: str) -> Locator:
    """Check the radio button labelled `choice` of field `name`, after checking that the
    group's French label is shown."""
    group = page.locator(f"#div_id_{name}")
    expect(group).to_contain_text(labels[name])
    button = group.get_by_label(choice, exact=True)
    button.check()
    expect(button).to_be_checked()
    return button


def expect_message(page: Page, text: str) -> None:
    expect(page.locator("main [role=alert]").filter(has_text=text)).to_be_visible()


def card(page: Page, heading: str) -> Locator:
    return page.locator("section.card").filter(
        has=page.get_by_role("heading", name=heading, exact=True)
    )


def test_caseworker_registers_a_case_end_to_end_in_french(
    new_page, live_server, demo_data, bangui, screenshot
):
    caseworker = User.objects.get(username="caseworker")
    labels = form_labels(caseworker)
    today = timezone.localdate()
    identified_on = today - timedelta(days=3)
    consent_on = today - timedelta(days=2)
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE)

    sign_in_french(page, live_server, "caseworker")
    nav_link(page, tr("Cases")).click()
    expect(page).to_have_url(live_server.url + reverse("cases:case_list"))
    expect(page.locator("main h1")).to_have_text(tr("Cases"))
    page.get_by_role("link", name=tr("Register a case"), exact=True).click()

    expect(page).to_have_url(live_server.url + reverse("cases:case_register"))
    expect(page.locator("main h1")).to_have_text(tr("Register a case"))

    # Consent to data collection, and to sharing with partners at the same time.
    field(page, labels, "consent_confirmed").check()
    field(page, labels, "share_consent").check()
    consent_by = radio(
        page,
        labels,
        "consent_given_by",
        choice_label(v.ConsentGiver.choices, v.ConsentGiver.PERSON),
    )
    expect(consent_by).to_have_value(v.ConsentGiver.PERSON)
    method = radio(
        page,
        labels,
        "consent_method",
        choice_label(v.ConsentMethod.choices, v.ConsentMethod.VERBAL),
    )
    expect(method).to_have_value(v.ConsentMethod.VERBAL)
    field(page, labels, "consent_given_on").fill(consent_on.isoformat())

    # Identification.
    field(page, labels, "identified_on").fill(identified_on.isoformat())
    with translation.override(LANG):
        car = countries.name("CF")  # "République centrafricaine"
    # The country is typed: its suggestions come from the static files on the first focus,
    # and the region list then loads the country's regions.
    country = field(page, labels, "identified_country")
    country.focus()
    expect(page.locator("#id_identified_country-names option")).to_have_count(len(list(countries)))
    expect(page.locator(f'#id_identified_country-names option[value="{car}"]')).to_have_count(1)
    country.fill(car)
    region = field(page, labels, "identified_region")
    expect(region.locator("option", has_text="Bangui")).to_have_count(1)
    region.select_option(label="Bangui")
    expect(region).to_have_value(str(bangui.pk))
    field(page, labels, "identified_locality").fill("PK5")
    how = field(page, labels, "identification_method")
    how.select_option(
        label=choice_label(v.IdentificationMethod.choices, v.IdentificationMethod.HOTLINE)
    )
    expect(how).to_have_value(v.IdentificationMethod.HOTLINE)

    # The person.
    field(page, labels, "first_name").fill(FIRST_NAME)
    field(page, labels, "last_name").fill(LAST_NAME)
    radio(page, labels, "sex", choice_label(v.Sex.choices, v.Sex.FEMALE))
    field(page, labels, "date_of_birth").fill("1998-04-12")
    # Typed by name, one box per citizenship; the names are suggested from the static files.
    citizenships = field(page, labels, "citizenships")
    with page.expect_request(re.compile(r"/static/lists/countries\.fr\.")) as names:
        citizenships.fill(car)
    # The names come from the static files, with nothing of the form in the address.
    assert "?" not in names.value.url
    expect(citizenships).to_have_value(car)
    expect(page.locator("#id_citizenships-names option")).not_to_have_count(0)
    expect(page.locator("#div_id_languages")).to_contain_text(labels["languages"])
    sango = page.get_by_label(choice_label(v.Language.choices, v.Language.SANGO), exact=True)
    sango.check()
    expect(sango).to_have_value(v.Language.SANGO)
    field(page, labels, "phone").fill("+236 72 00 00 00")

    # The situation: forced labour, picked by its code; its label is the French one.
    expect(page.locator("#div_id_exploitation_types")).to_contain_text(labels["exploitation_types"])
    forced_labour = page.locator("input[name=exploitation_types][value=ForcedLabour]")
    forced_labour.check()
    forced_labour_id = forced_labour.get_attribute("id")
    expect(page.locator(f"label[for={forced_labour_id}]")).to_have_text(
        choice_label(v.ExploitationType.choices, v.ExploitationType.FORCED_LABOUR)
    )

    page.get_by_role("button", name=tr("Register the case"), exact=True).click()

    # The case file.
    expect(page).to_have_url(re.compile(r"/cases/\d+/$"))
    case_number_heading = page.locator("main h1")
    expect(case_number_heading).to_have_text(CASE_NUMBER)
    case_number = case_number_heading.inner_text().strip()
    assert CASE_NUMBER.fullmatch(case_number)
    expect_message(
        page,
        tr(
            "Case %(number)s registered, with consent to data collection and to sharing with "
            "partners: it can be referred."
        )
        % {"number": case_number},
    )
    # The next steps offer the referral at once.
    refer = page.get_by_test_id("next-steps").get_by_role("link", name=tr("Refer to a partner"))
    expect(refer).to_be_visible()
    expect(page.get_by_test_id("person-name")).to_contain_text(FIRST_NAME)
    expect(page.get_by_test_id("person-name")).to_contain_text(LAST_NAME)
    status = page.get_by_test_id("case-status")
    expect(status).to_have_text(status_label(v.CaseStatus.SCREENING))
    expect(page.locator("html")).to_have_attribute("lang", LANG)

    # A case note, through the notes card's own "Add" link.
    notes = card(page, tr("Case notes"))
    expect(notes).to_contain_text(tr("No note yet."))
    notes.get_by_role("link", name=tr("Add"), exact=True).click()
    expect(page.locator("main h1")).to_have_text(tr("Add a case note"))
    page.locator("#id_body").fill(NOTE)
    page.get_by_role("button", name=tr("Save"), exact=True).click()
    expect(page.locator("main h1")).to_have_text(case_number)
    expect_message(page, tr("Note added to %(number)s.") % {"number": case_number})
    notes = card(page, tr("Case notes"))
    expect(notes.locator("article")).to_have_count(1)
    expect(notes.locator("article")).to_contain_text(NOTE)
    expect(notes.locator("article")).to_contain_text(caseworker.get_full_name())

    # Screening -> Open, with the workflow button.
    workflow = page.locator("section[aria-labelledby=workflow-heading]")
    move_to_open = tr("Move to: %(label)s") % {"label": status_label(v.CaseStatus.OPEN)}
    workflow.get_by_role("button", name=move_to_open, exact=True).click()
    expect_message(
        page,
        tr("Case %(number)s moved to: %(status)s.")
        % {"number": case_number, "status": status_label(v.CaseStatus.OPEN)},
    )
    expect(page.get_by_test_id("case-status")).to_have_text(status_label(v.CaseStatus.OPEN))

    # Ask for the closure, with a reason.
    workflow.get_by_role("link", name=tr("Request closure"), exact=True).click()
    expect(page.locator("main h1")).to_have_text(tr("Request closure"))
    reason = page.locator("#id_reason")
    expect(page.locator("#div_id_reason")).to_contain_text(tr("Reason for closure"))
    reason_label = choice_label(v.ClosureReason.choices, v.ClosureReason.COMPLETED)
    reason.select_option(label=reason_label)
    expect(reason).to_have_value(v.ClosureReason.COMPLETED)
    page.locator("#id_details").fill("Plan d'accompagnement achevé ; réintégration réussie.")
    page.get_by_role("button", name=tr("Save"), exact=True).click()

    expect(page.locator("main h1")).to_have_text(case_number)
    expect_message(
        page,
        tr("Closure of case %(number)s requested: a supervisor will review it.")
        % {"number": case_number},
    )
    awaiting = tr("Closure requested by %(who)s: %(reason)s. Awaiting a supervisor's approval.") % {
        "who": caseworker.get_full_name(),
        "reason": reason_label,
    }
    expect(workflow).to_contain_text(awaiting)
    # Only a supervisor decides; the caseworker sees no decision button.
    expect(workflow.get_by_role("button", name=tr("Approve closure"))).to_have_count(0)
    expect(page.get_by_test_id("case-status")).to_have_text(status_label(v.CaseStatus.OPEN))

    screenshot(page, "caseworker", LANG)

    # What was stored.
    case = Case.objects.select_related("person").get(case_number=case_number)
    assert case.status == v.CaseStatus.OPEN
    assert case.organisation == caseworker.organisation
    assert case.primary_caseworker == caseworker
    assert str(case.identified_country) == "CF"
    assert case.identified_region == bangui
    assert case.identified_on == identified_on
    assert case.exploitation_types == [v.ExploitationType.FORCED_LABOUR]
    assert case.citizenships == ["CF"]
    assert case.sex == v.Sex.FEMALE
    assert case.person.first_name == FIRST_NAME
    assert case.person.last_name == LAST_NAME
    assert case.person.languages == [v.Language.SANGO]
    assert case.person.date_of_birth == date(1998, 4, 12)
    assert set(
        Consent.objects.filter(case=case, given_on=consent_on, granted=True).values_list(
            "scope", flat=True
        )
    ) == {v.ConsentScope.DATA_COLLECTION, v.ConsentScope.REFERRAL}
    assert CaseNote.objects.get(case=case).body == NOTE
    closure = ClosureRequest.objects.get(case=case)
    assert closure.decision == ClosureRequest.Decision.PENDING
    assert closure.reason == v.ClosureReason.COMPLETED

    # The name is encrypted at rest: the column holds no trace of it.
    table = connection.ops.quote_name(Person._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT first_name, last_name FROM {table} WHERE id = %s",  # noqa: S608
            [case.person.pk],
        )
        raw_first, raw_last = cursor.fetchone()
    assert raw_first
    assert FIRST_NAME not in raw_first
    assert LAST_NAME not in raw_last


def test_supervisor_approves_closure_in_french(new_page, live_server, demo_data, screenshot):
    caseworker = User.objects.get(username="caseworker")
    supervisor = User.objects.get(username="supervisor")
    today = timezone.localdate()
    # Called without a submission token, case_register relies on its caller's
    # transaction (its case-number allocation locks with select_for_update), as the
    # demo loader and the import do.
    with transaction.atomic():
        case = case_services.case_register(
            actor=caseworker,
            case_data={
                "identified_on": today - timedelta(days=30),
                "identified_country": "CF",
                "identification_method": v.IdentificationMethod.NGO,
                "exploitation_types": [v.ExploitationType.FORCED_LABOUR],
            },
            person_data={"first_name": FIRST_NAME, "last_name": LAST_NAME, "estimated_age": 26},
            sex=v.Sex.FEMALE,
            citizenships=["CF"],
            consent_given_by=v.ConsentGiver.PERSON,
            consent_method=v.ConsentMethod.WRITTEN,
            consent_given_on=today - timedelta(days=30),
        )
        closure = case_workflow.closure_request(
            actor=caseworker, case=case, reason=v.ClosureReason.COMPLETED, details="Plan achevé."
        )
    reason_label = choice_label(v.ClosureReason.choices, v.ClosureReason.COMPLETED)
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE)

    sign_in_french(page, live_server, "supervisor")
    nav_link(page, tr("Approvals")).click()
    expect(page).to_have_url(live_server.url + reverse("cases:approvals"))
    expect(page.locator("main h1")).to_have_text(tr("Closures awaiting approval"))
    request_row = page.locator("main .list-group-item").filter(has_text=case.case_number)
    expect(request_row).to_have_count(1)
    expect(request_row).to_contain_text(reason_label)
    expect(request_row).to_contain_text(caseworker.get_full_name())
    request_row.get_by_role("link", name=case.case_number, exact=True).click()

    expect(page.locator("main h1")).to_have_text(case.case_number)
    workflow = page.locator("section[aria-labelledby=workflow-heading]")
    awaiting = tr("Closure requested by %(who)s: %(reason)s. Awaiting a supervisor's approval.") % {
        "who": caseworker.get_full_name(),
        "reason": reason_label,
    }
    expect(workflow).to_contain_text(awaiting)
    expect(page.get_by_test_id("case-status")).to_have_text(status_label(v.CaseStatus.SCREENING))
    workflow.get_by_role("button", name=tr("Approve closure"), exact=True).click()

    expect_message(
        page,
        tr("Closure of case %(number)s approved: the case is closed.")
        % {"number": case.case_number},
    )
    expect(page.get_by_test_id("case-status")).to_have_text(status_label(v.CaseStatus.CLOSED))
    with translation.override(LANG):
        closed_on = formats.date_format(today, "DATE_FORMAT")
    expect(workflow).to_contain_text(tr("Closed on %(date)s.") % {"date": closed_on})
    expect(workflow.get_by_role("button", name=tr("Approve closure"))).to_have_count(0)
    expect(workflow.get_by_role("link", name=tr("Reopen"), exact=True)).to_be_visible()
    # A closed case takes no additions.
    expect(card(page, tr("Case notes")).get_by_role("link", name=tr("Add"))).to_have_count(0)

    screenshot(page, "supervisor", LANG)

    closure.refresh_from_db()
    case.refresh_from_db()
    assert closure.decision == ClosureRequest.Decision.APPROVED
    assert closure.decided_by == supervisor
    assert case.status == v.CaseStatus.CLOSED
    assert case.closed_on == today

    # Nothing is left to approve.
    nav_link(page, tr("Approvals")).click()
    expect(page.locator("main .list-group-item")).to_have_text(tr("Nothing awaits your approval."))


def test_registration_form_shows_field_errors_in_french(
    new_page, live_server, demo_data, screenshot
):
    required = tr("This field is required.")
    with translation.override("en"):
        required_en = translation.gettext("This field is required.")
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE)

    sign_in_french(page, live_server, "caseworker")
    register_url = live_server.url + reverse("cases:case_register")
    page.goto(register_url)
    expect(page.locator("main h1")).to_have_text(tr("Register a case"))
    page.get_by_role("button", name=tr("Register the case"), exact=True).click()

    # Back on the form, in French, with each error next to its field.
    expect(page).to_have_url(register_url)
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    first_name = page.locator("#id_first_name")
    expect(first_name).to_have_attribute("aria-invalid", "true")
    expect(first_name).to_have_class(re.compile(r"\bis-invalid\b"))
    first_name_error = page.locator("#div_id_first_name .invalid-feedback")
    expect(first_name_error).to_be_visible()
    expect(first_name_error).to_have_text(required)
    expect(first_name_error).not_to_have_text(required_en)
    # The error is announced with the field.
    error_id = first_name_error.get_attribute("id")
    assert error_id
    expect(first_name).to_have_attribute("aria-describedby", re.compile(rf"\b{error_id}\b"))

    for name in ("consent_confirmed", "consent_given_on", "identified_on", "identified_country"):
        expect(page.locator(f"#id_{name}")).to_have_attribute("aria-invalid", "true")
        expect(page.locator(f"#div_id_{name} .invalid-feedback")).to_have_text(required)
    expect(page.locator("main .invalid-feedback").first).to_be_visible()

    screenshot(page, "caseworker", LANG)

    assert Case.objects.count() == 0
    assert Person.objects.count() == 0
    assert Consent.objects.count() == 0


def test_the_duplicate_check_warns_while_typing_and_says_when_its_budget_is_spent(
    new_page, live_server, demo_data, settings
):
    """The check is posted by htmx with the form's CSRF token; the answer names nobody;
    past the hourly budget the 429 answer is shown in its place."""
    from accounts.roles import Role
    from partners.models import Organisation
    from tests import factories

    caseworker = User.objects.get(username="caseworker")
    elsewhere = Organisation.objects.exclude(pk=caseworker.organisation_id).first()
    with transaction.atomic():
        known = factories.case(
            caseworker=factories.user(Role.CASEWORKER, organisation=elsewhere),
            first_name=FIRST_NAME,
            last_name=LAST_NAME,
            date_of_birth=date(1998, 4, 12),
            citizenships=["CF"],
        )
    settings.NAME_LOOKUPS_PER_HOUR = {"duplicate_check": 1, "case_search": 1}
    labels = form_labels(caseworker)
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE)
    sign_in_french(page, live_server, "caseworker")
    page.goto(live_server.url + reverse("cases:case_register"))
    answer = page.locator("#duplicate-check")

    field(page, labels, "first_name").fill(FIRST_NAME)
    field(page, labels, "last_name").fill(LAST_NAME)
    with translation.override(LANG):
        car = countries.name("CF")
    field(page, labels, "citizenships").fill(car)
    with page.expect_response(re.compile(r"/cases/new/duplicate-check/$")) as checked:
        field(page, labels, "date_of_birth").fill("1998-04-12")
        field(page, labels, "date_of_birth").blur()

    assert checked.value.request.method == "POST"
    assert checked.value.status == 200
    expect(answer).to_contain_text(
        tr("A person with these names, citizenship and age may already be registered.")
    )
    expect(answer).not_to_contain_text(known.case_number)
    expect(answer).not_to_contain_text(elsewhere.name)

    with page.expect_response(re.compile(r"/cases/new/duplicate-check/$")) as refused:
        field(page, labels, "date_of_birth").fill("1997-04-12")
        field(page, labels, "date_of_birth").blur()

    assert refused.value.status == 429
    expect(page.get_by_test_id("lookup-limit")).to_be_visible()
