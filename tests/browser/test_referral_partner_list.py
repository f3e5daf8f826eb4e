"""In a real browser, on a phone: the referral form's partner list follows the chosen
service (htmx swaps the list alone), offers the partners of the case's region with their
free beds and languages, and, where none covers the region, the nearest ones marked as
such; without JavaScript the form's button brings the new list."""

from __future__ import annotations

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from accounts.models import User
from cases.services import records
from demo.data.users import DEMO_PASSWORD
from partners.models import Organisation, Region
from tests import factories

pytestmark = pytest.mark.browser
PHONE = {"viewport": {"width": 360, "height": 740}, "locale": "en-GB"}


@pytest.fixture
def world(transactional_db, demo_data):
    """The demo caseworker's case in Bangui; the demo shelter (MAE) in Bangui and
    Ombella-M'Poko with 6 free beds; a clinic in Ouham only."""
    bangui = Region.objects.get_or_create(country="CF", name="Bangui")[0]
    ouham = Region.objects.get_or_create(country="CF", name="Ouham")[0]
    mae = Organisation.objects.get(acronym="MAE")
    mae.services, mae.languages, mae.beds_free = ["shelter", "mhpss"], ["fra", "sag"], 6
    mae.save()
    mae.regions.set([bangui])
    clinic = Organisation.objects.get(acronym="CSC Bimbo")
    clinic.services = ["medical"]
    clinic.save()
    clinic.regions.set([ouham])
    caseworker = User.objects.get(username="caseworker")
    with transaction.atomic():
        case = factories.case(caseworker=caseworker, case_data={"identified_region": bangui})
        records.assessment_add(
            actor=caseworker,
            case=case,
            assessed_on=timezone.localdate(),
            needs=["shelter"],
            risk_level="medium",
        )
    return {"case": case, "mae": mae, "clinic": clinic}


def _sign_in(page, live_server) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    page.locator("#id_username").fill("caseworker")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")


def test_changing_the_service_swaps_the_partner_list(new_page, live_server, world, screenshot):
    page = new_page(**PHONE)
    _sign_in(page, live_server)
    page.goto(live_server.url + reverse("referrals:referral_create", args=[world["case"].pk]))

    partners = page.locator("#id_to_organisation")
    expect(partners.locator("option[value]:not([value=''])")).to_have_count(1)
    expect(partners.locator(f"option[value='{world['mae'].pk}']")).to_have_text(
        "Maison d'accueil Espoir (MAE) – 6 beds free – French, Sango"
    )
    page.locator("#id_service_type").select_option("medical")

    # htmx replaced the list: the clinic of another region, marked as such.
    expect(partners.locator(f"option[value='{world['clinic'].pk}']")).to_contain_text("Ouham")
    expect(partners.locator(f"option[value='{world['mae'].pk}']")).to_have_count(0)
    expect(page.get_by_test_id("partner-fallback")).to_be_visible()
    expect(partners.locator("optgroup")).to_have_attribute("label", "Other regions of the country")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    screenshot(page, "referral-form-fallback", "en")


def test_without_javascript_the_button_brings_the_new_list(new_page, live_server, world):
    page = new_page(java_script_enabled=False, **PHONE)
    _sign_in(page, live_server)
    page.goto(live_server.url + reverse("referrals:referral_create", args=[world["case"].pk]))

    page.locator("#id_service_type").select_option("medical")
    page.locator("#id_reason").fill("Fever")
    page.get_by_role("button", name="Show the partners for this service").click()

    partners = page.locator("#id_to_organisation")
    expect(partners.locator(f"option[value='{world['clinic'].pk}']")).to_have_count(1)
    expect(page.locator("#id_reason")).to_have_value("Fever")
    expect(page.locator("#id_service_type")).to_have_value("medical")
