"""Identification in the browser, in French, on a phone: a caseworker at the Beloko flow
monitoring point screens a person, sees the suggested status with its reasons, decides it,
and opens the case in one step.

Every expected label is computed from the app's catalogue (gettext under override("fr")),
so the test follows whatever the French catalogue says."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import Locator, Page, expect

from cases.models import Case
from demo.data.users import DEMO_PASSWORD
from partners.models import Region
from screening import indicators
from screening.models import PlaceType, Screening
from screening.questions import questions
from tests.browser.phone import PHONE, sign_in
from traffick_cm import codebooks as v

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]

LANG = "fr"
ACCOUNT = "Recruté à Berbérati pour une mine d'or ; le chef garde ma carte et ma paie."


def tr(message: str) -> str:
    with translation.override(LANG):
        return translation.gettext(message)


def label(choices, value: str) -> str:
    with translation.override(LANG):
        return str(dict(choices)[value])


def answer_label(code: str, value: str) -> str:
    question = next(q for q in questions("CF") if q.code == code)
    return label(question.choices, value)


def choose(page: Page, name: str, text: str) -> Locator:
    """Tick the radio button or checkbox labelled `text` in field `name`'s group."""
    box = page.locator(f"#div_id_{name}").get_by_label(text, exact=True)
    box.check()
    expect(box).to_be_checked()
    return box


@pytest.fixture
def nana_mambere(transactional_db) -> Region:
    """The region rows come from a data migration, which a transactional test's flush
    removes: make sure the one the test picks exists."""
    return Region.objects.get_or_create(country="CF", name="Nana-Mambéré")[0]


def test_a_caseworker_screens_decides_and_opens_the_case_on_a_phone_in_french(
    new_page, live_server, demo_data, nana_mambere, screenshot
):
    page = new_page(**PHONE)
    sign_in(page, live_server.url, "caseworker", DEMO_PASSWORD)
    expect(page.locator("html")).to_have_attribute("lang", LANG)

    # The menu, folded on a phone, leads to the screenings.
    page.locator(".navbar-toggler").click()
    page.locator("#main-nav a.nav-link").filter(
        has_text=re.compile(rf"^\s*{tr('Screenings')}\s*$")
    ).click()
    expect(page.locator("main h1")).to_have_text(tr("Screenings"))
    page.get_by_role("link", name=tr("New screening"), exact=True).click()
    expect(page).to_have_url(live_server.url + reverse("screening:screening_create"))

    # The interview, section by section.
    page.locator("#id_consented").check()
    page.locator("#id_identified_locality").fill("Beloko")
    choose(page, "place_type", label(PlaceType.choices, PlaceType.FLOW_MONITORING))
    choose(page, "sex", label(v.Sex.choices, v.Sex.MALE))
    page.locator("#id_estimated_age").fill("24")
    choose(page, "recruiter", answer_label("recruiter", "Unaquainted"))
    choose(page, "debt", answer_label("debt", "owes"))
    choose(page, "journey_arranged_by", answer_label("journey_arranged_by", "recruiter"))
    choose(page, "documents_held_by", answer_label("documents_held_by", "other"))
    choose(page, "exploitation_types", label(v.ExploitationType.choices, "ForcedLabour"))
    page.locator("#id_labour_industry").select_option("B_MiningAndQuarrying")
    choose(page, "could_leave", answer_label("could_leave", "no"))
    choose(page, "methods_of_control", label(v.MethodOfControl.choices, "WithholdsDocuments"))
    page.locator("#id_account").fill(ACCOUNT)
    choose(page, "needs", label(v.ServiceType.choices, "medical"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["viewport"]["width"]
    screenshot(page, "caseworker-interview", LANG)
    page.get_by_role("button", name=tr("Record the screening"), exact=True).click()

    # The suggestion, with the rule that produced it, in words.
    screening = Screening.objects.get()
    expect(page).to_have_url(
        live_server.url + reverse("screening:screening_detail", kwargs={"pk": screening.pk})
    )
    expect(page.locator("main h1")).to_have_text(screening.code)
    assert screening.anonymous
    expect(page.get_by_test_id("suggested-status")).to_have_text(
        label(v.TraffickingStatus.choices, v.TraffickingStatus.ACTUAL)
    )
    with translation.override(LANG):
        reason = indicators.from_codes(screening.indicators, child=False).reason
    expect(page.get_by_test_id("suggestion-reason")).to_have_text(reason)
    expect(page.get_by_test_id("element-means")).to_contain_text(
        tr("identity documents confiscated").capitalize()
    )
    screenshot(page, "caseworker-suggestion", LANG)

    # The decision, with its justification; it follows the suggestion.
    choose(page, "status", label(v.TraffickingStatus.choices, v.TraffickingStatus.ACTUAL))
    page.locator("#id_justification").fill("Carte et paie retenues, récit cohérent.")
    page.get_by_role("button", name=tr("Record the decision"), exact=True).click()
    expect(page.locator("main [role=alert]").first).to_contain_text(
        label(v.TraffickingStatus.choices, v.TraffickingStatus.ACTUAL)
    )
    expect(page.get_by_test_id("decision-history")).to_contain_text(
        "Carte et paie retenues, récit cohérent."
    )

    # One step to the case file: the name now, and the consent, as at registration.
    page.get_by_role("link", name=tr("Open a case"), exact=True).click()
    page.locator("#id_consent_confirmed").check()
    choose(page, "consent_given_by", label(v.ConsentGiver.choices, v.ConsentGiver.PERSON))
    choose(page, "consent_method", label(v.ConsentMethod.choices, v.ConsentMethod.VERBAL))
    page.locator("#id_first_name").fill("Serge")
    page.locator("#id_last_name").fill("Ndoubabé")
    screenshot(page, "caseworker-open-case", LANG)
    page.get_by_role("button", name=tr("Open the case"), exact=True).click()

    case = Case.objects.get()
    expect(page).to_have_url(live_server.url + reverse("cases:case_detail", kwargs={"pk": case.pk}))
    expect(page.locator("main h1")).to_have_text(case.case_number)
    assert case.trafficking_status == v.TraffickingStatus.ACTUAL
    assert case.exploitation_types == ["ForcedLabour"]
    assert case.methods_of_control == ["WithholdsDocuments"]
    assert case.labour_industry == "B_MiningAndQuarrying"
    assert case.person.first_name == "Serge"
    assert Screening.objects.get(pk=screening.pk).case_id == case.pk
    screenshot(page, "caseworker-case", LANG)
