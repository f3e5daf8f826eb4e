"""A referral's life in the browser, in French: a caseworker refers a case to the shelter
the pathway suggests, checks what the partner will see and sends it; the partner's focal
point accepts it, delivers the service and reports the outcome, and cannot open the case
file itself; the caseworker finds the outcome and the service delivered on the case file.
Without a consent to referral, the draft cannot be sent.

Every expected label is computed from the app's catalogue (gettext under
override("fr")), so the tests follow whatever the French catalogue says."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from playwright.sync_api import Locator, Page, expect

from accounts.models import User
from cases.models import Case, ServiceDelivery
from cases.services import records
from demo.data.users import DEMO_PASSWORD
from partners.models import Organisation, PathwayStep, Region
from referrals import services as referral_services
from referrals.forms import ReferralForm
from referrals.models import DEFAULT_PACKET, PacketField, Referral, ReferralStatus
from tests import factories
from traffick_cm import codebooks as v

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]

LANG = "fr"
# The browser asks for English: only the footer's switcher can make the pages French.
BROWSER_LOCALE = "en-GB"
FIRST_NAME, LAST_NAME = "Bénédicte", "Kongbo-Wazoua"
PHONE = "+23675123456"
REASON = "Hébergement sûr demandé : la personne ne peut pas retourner dans sa famille."
OUTCOME = "Hébergée 14 nuits à la Maison d'accueil Espoir."
FEEDBACK = "Accueil bien passé ; un suivi psychosocial est conseillé."


def tr(message: str) -> str:
    """`message` as the app's catalogue renders it in French."""
    with translation.override(LANG):
        return translation.gettext(message)


def choice_label(choices, value: str) -> str:
    with translation.override(LANG):
        return str(dict(choices)[value])


def referral_status(status: str) -> str:
    return choice_label(ReferralStatus.choices, status)


def shelter_label() -> str:
    return choice_label(v.ServiceType.choices, v.ServiceType.SHELTER)


def form_labels(case: Case) -> dict[str, str]:
    """The referral form's field labels, in French."""
    with translation.override(LANG):
        form = ReferralForm(case=case)
        return {name: str(form[name].label) for name in form.fields}


def reference(referral: Referral) -> str:
    return f"R-{referral.pk:06d}"


def referral_heading(referral: Referral) -> str:
    return tr("Referral R-%(ref)s") % {"ref": f"{referral.pk:06d}"}


# -- Set-up, through the services ----------------------------------------------------


@pytest.fixture
def bangui(transactional_db) -> Region:
    """The region rows come from a data migration, which a transactional test's flush
    removes: make sure the one the test uses exists (before the demo data links the
    organisations to their regions)."""
    return Region.objects.get_or_create(country="CF", name="Bangui")[0]


@pytest.fixture
def mae(bangui, demo_data) -> Organisation:
    """The demo shelter, on the SOP's pathway for shelter in Bangui."""
    shelter = Organisation.objects.get(acronym="MAE")
    assert shelter.is_active and shelter.receives_referrals
    PathwayStep.objects.create(
        service_type=v.ServiceType.SHELTER, country="CF", region=bangui, partner=shelter, rank=1
    )
    return shelter


def make_case(caseworker: User, region: Region, *, referral_consent: bool) -> Case:
    """A case of the demo caseworker, identified in Bangui, assessed as needing shelter."""
    today = timezone.localdate()
    # case_register relies on its caller's transaction (select_for_update on the
    # case-number counter), as the demo loader does.
    with transaction.atomic():
        case = factories.case(
            caseworker=caseworker,
            first_name=FIRST_NAME,
            last_name=LAST_NAME,
            phone=PHONE,
            case_data={"identified_region": region},
        )
        if referral_consent:
            records.consent_record(
                actor=caseworker,
                case=case,
                scope=v.ConsentScope.REFERRAL,
                granted=True,
                given_by=v.ConsentGiver.PERSON,
                method=v.ConsentMethod.WRITTEN,
                given_on=today,
            )
        records.assessment_add(
            actor=caseworker,
            case=case,
            assessed_on=today,
            needs=[v.ServiceType.SHELTER],
            risk_level=v.RiskLevel.MEDIUM,
        )
    return Case.objects.get(pk=case.pk)


# -- Browser helpers -----------------------------------------------------------------


def choose_language(page: Page, lang: str) -> None:
    """Use the footer's language switcher, as a person would."""
    page.locator("footer select#language-select").select_option(lang)
    page.locator("footer #language-select + button[type=submit]").click()
    expect(page.locator("html")).to_have_attribute("lang", lang)


def sign_in(page: Page, live_server, username: str) -> None:
    """Sign in on the login page, which must already be French."""
    expect(page).to_have_url(live_server.url + reverse("accounts:login"))
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form").get_by_role("button", name=tr("Sign in"), exact=True).click()
    expect(page).to_have_url(live_server.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    expect(page.locator("#account-menu")).to_have_text(username)


def sign_out(page: Page, live_server) -> None:
    # Bootstrap's script is deferred: the dropdown works once the page has loaded.
    page.wait_for_load_state("load")
    page.locator("#account-menu").click()
    logout = page.get_by_test_id("logout")
    expect(logout).to_have_text(tr("Sign out"))
    logout.click()
    expect(page).to_have_url(live_server.url + reverse("accounts:login"))
    # The language is the browser's choice (a cookie), not the session's: it stays.
    expect(page.locator("html")).to_have_attribute("lang", LANG)


def nav_link(page: Page, label: str) -> Locator:
    return page.locator("#main-nav a.nav-link").filter(
        has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")
    )


def expect_message(page: Page, text: str) -> None:
    expect(page.locator("main [role=alert]").filter(has_text=text)).to_be_visible()


def card(page: Page, heading: str) -> Locator:
    return page.locator("section.card").filter(
        has=page.get_by_role("heading", name=heading, exact=True)
    )


def open_case(page: Page, live_server, case: Case) -> None:
    """From anywhere: the Cases menu, then the case's row."""
    nav_link(page, tr("Cases")).click()
    expect(page).to_have_url(live_server.url + reverse("cases:case_list"))
    page.locator("main table").get_by_role("link", name=case.case_number, exact=True).click()
    expect(page).to_have_url(live_server.url + reverse("cases:case_detail", args=[case.pk]))
    expect(page.locator("main h1")).to_have_text(case.case_number)


def open_referral_form(page: Page, live_server, case: Case) -> None:
    """On the case file, the referrals card's "Refer to a partner"."""
    referrals_card = page.get_by_test_id("case-referrals")
    referrals_card.get_by_role("link", name=tr("Refer to a partner"), exact=True).click()
    expect(page).to_have_url(live_server.url + reverse("referrals:referral_create", args=[case.pk]))
    expect(page.locator("main h1")).to_have_text(tr("Refer to a partner"))


def draft_referral(
    page: Page,
    live_server,
    case: Case,
    partner: Organisation,
    before_saving: Callable[[], object] = lambda: None,
) -> Referral:
    """On the referral form: pick the partner, give the reason, keep the default packet,
    save the draft. Returns the draft, once its page is shown."""
    labels = form_labels(case)

    # The service is the assessed need.
    service = page.locator("#id_service_type")
    expect(page.locator("#div_id_service_type")).to_contain_text(labels["service_type"])
    expect(service).to_have_value(v.ServiceType.SHELTER)

    expect(page.locator("#div_id_to_organisation")).to_contain_text(labels["to_organisation"])
    to_org = page.locator("#id_to_organisation")
    # Each option also tells the free beds and the languages: chosen by its value.
    expect(to_org.locator(f"option[value='{partner.pk}']")).to_contain_text(str(partner))
    to_org.select_option(value=str(partner.pk))
    expect(to_org).to_have_value(str(partner.pk))

    expect(page.locator("#div_id_reason")).to_contain_text(labels["reason"])
    page.locator("#id_reason").fill(REASON)

    # The default packet is ticked, and only it.
    expect(page.locator("#div_id_packet_fields")).to_contain_text(labels["packet_fields"])
    for code in PacketField.values:
        box = page.locator(f"input[name=packet_fields][value={code}]")
        if code in DEFAULT_PACKET:
            expect(box).to_be_checked()
        else:
            expect(box).not_to_be_checked()

    before_saving()
    page.get_by_role("button", name=tr("Save the draft"), exact=True).click()
    expect(page).to_have_url(re.compile(r"/referrals/\d+/$"))
    referral = Referral.objects.get(case=case)
    expect(page).to_have_url(
        live_server.url + reverse("referrals:referral_detail", args=[referral.pk])
    )
    expect_message(
        page,
        tr("Referral %(reference)s to %(partner)s drafted: check it, then send it.")
        % {"reference": referral.reference, "partner": partner.name},
    )
    expect(page.locator("main h1")).to_have_text(referral_heading(referral))
    expect(page.get_by_test_id("referral-status")).to_have_text(
        referral_status(ReferralStatus.DRAFT)
    )
    return referral


def expect_default_packet(packet: Locator, case: Case) -> None:
    """The packet holds the default fields: case number and first name, never the last
    name; the phone only if the default shares the contact."""
    assert PacketField.CASE_NUMBER in DEFAULT_PACKET
    assert PacketField.FIRST_NAME in DEFAULT_PACKET
    assert PacketField.LAST_NAME not in DEFAULT_PACKET
    expect(packet).to_contain_text(tr("Case number"))
    expect(packet).to_contain_text(case.case_number)
    expect(packet).to_contain_text(tr("First name or alias"))
    expect(packet).to_contain_text(FIRST_NAME)
    expect(packet).to_contain_text(shelter_label())
    expect(packet).not_to_contain_text(LAST_NAME)
    last_name_label = re.compile(rf"^\s*{re.escape(tr('Last name'))}\s*$")
    expect(packet.locator("dt").filter(has_text=last_name_label)).to_have_count(0)
    if PacketField.CONTACT in DEFAULT_PACKET:
        expect(packet).to_contain_text(PHONE)
    else:
        expect(packet).not_to_contain_text(PHONE)


# -- Tests ---------------------------------------------------------------------------


def test_caseworker_refers_partner_accepts_and_completes_caseworker_sees_outcome(
    new_page, live_server, bangui, mae, screenshot
):
    caseworker = User.objects.get(username="caseworker")
    partner_user = User.objects.get(username="partner")
    assert partner_user.organisation == mae
    case = make_case(caseworker, bangui, referral_consent=True)
    shelter = shelter_label()
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE)

    # -- The caseworker drafts the referral. --
    page.goto(live_server.url + reverse("accounts:login"))
    choose_language(page, LANG)
    sign_in(page, live_server, "caseworker")
    open_case(page, live_server, case)
    referrals_card = page.get_by_test_id("case-referrals")
    expect(referrals_card).to_contain_text(tr("No referral yet."))

    open_referral_form(page, live_server, case)
    # The pathway for the assessed need names the shelter.
    pathway = page.locator("section[aria-labelledby=pathway-heading]")
    expect(pathway.get_by_role("heading")).to_have_text(tr("Pathway for the assessed needs"))
    expect(pathway.locator("dt")).to_have_text(shelter)
    expect(pathway.locator("dd")).to_contain_text(f"1. {mae}")
    expect(pathway.get_by_role("link", name=str(mae), exact=True)).to_have_attribute(
        "href", reverse("partners:organisation_detail", args=[mae.pk])
    )
    referral = draft_referral(
        page, live_server, case, mae, lambda: screenshot(page, "caseworker-form", LANG)
    )
    assert referral.status == ReferralStatus.DRAFT
    assert referral.to_organisation == mae
    assert referral.service_type == v.ServiceType.SHELTER
    assert list(referral.packet_fields) == [str(code) for code in DEFAULT_PACKET]

    # What the partner will see, then send.
    will_see = card(page, tr("What the partner will see"))
    expect(will_see).to_be_visible()
    expect_default_packet(will_see.get_by_test_id("packet"), case)
    expect(page.locator("main")).to_contain_text(REASON)
    expect(page.locator("main")).to_contain_text(
        tr("The person consented to referral and data sharing.")
    )
    screenshot(page, "caseworker-draft", LANG)
    page.get_by_role("button", name=tr("Send the referral"), exact=True).click()

    expect_message(
        page,
        tr("Referral %(reference)s sent to %(partner)s.")
        % {"reference": referral.reference, "partner": mae.name},
    )
    expect(page.get_by_test_id("referral-status")).to_have_text(
        referral_status(ReferralStatus.SENT)
    )
    expect(card(page, tr("What was shared"))).to_be_visible()
    expect(page.get_by_role("button", name=tr("Send the referral"))).to_have_count(0)
    screenshot(page, "caseworker-sent", LANG)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    assert referral.sent_at is not None
    assert not referral.consent_override

    sign_out(page, live_server)

    # -- The partner answers, from its inbox. --
    sign_in(page, live_server, "partner")
    nav_link(page, tr("Referral inbox")).click()
    expect(page).to_have_url(live_server.url + reverse("referrals:inbox"))
    expect(page.locator("main h1")).to_have_text(tr("Referrals to your organisation"))
    row = page.locator("main tbody tr").filter(has_text=reference(referral))
    expect(row).to_have_count(1)
    expect(row).to_contain_text(str(caseworker.organisation))
    expect(row).to_contain_text(shelter)
    expect(row.get_by_test_id("referral-status")).to_have_text(referral_status(ReferralStatus.SENT))
    # The inbox shows no name.
    expect(page.locator("main")).not_to_contain_text(FIRST_NAME)
    screenshot(page, "partner-inbox", LANG)
    row.get_by_role("link", name=reference(referral), exact=True).click()

    expect(page).to_have_url(
        live_server.url + reverse("referrals:inbox_detail", args=[referral.pk])
    )
    expect(page.locator("main h1")).to_have_text(referral_heading(referral))
    packet_card = card(page, tr("The referral packet"))
    expect_default_packet(packet_card.get_by_test_id("packet"), case)
    expect(page.locator("main")).to_contain_text(REASON)
    expect(page.locator("main")).not_to_contain_text(LAST_NAME)
    screenshot(page, "partner-referral", LANG)

    page.get_by_role("button", name=tr("Accept"), exact=True).click()
    expect_message(
        page,
        tr("Referral %(reference)s accepted by %(partner)s.")
        % {"reference": referral.reference, "partner": mae.name},
    )
    expect(page.get_by_test_id("referral-status")).to_have_text(
        referral_status(ReferralStatus.ACCEPTED)
    )
    expect(page.get_by_role("button", name=tr("Accept"), exact=True)).to_have_count(0)

    page.get_by_role("button", name=tr("Start the service"), exact=True).click()
    expect_message(
        page,
        tr("Referral %(reference)s: %(partner)s started the service.")
        % {"reference": referral.reference, "partner": mae.name},
    )
    expect(page.get_by_test_id("referral-status")).to_have_text(
        referral_status(ReferralStatus.IN_PROGRESS)
    )
    expect(page.get_by_role("button", name=tr("Start the service"))).to_have_count(0)

    expect(page.locator("label[for=outcome]")).to_have_text(tr("Outcome"))
    page.locator("#outcome").fill(OUTCOME)
    expect(page.locator("label[for=feedback]")).to_have_text(
        tr("Feedback to the referring caseworker")
    )
    page.locator("#feedback").fill(FEEDBACK)
    screenshot(page, "partner-completing", LANG)
    page.get_by_role("button", name=tr("Service completed"), exact=True).click()

    expect_message(
        page,
        tr("Referral %(reference)s completed by %(partner)s.")
        % {"reference": referral.reference, "partner": mae.name},
    )
    expect(page.get_by_test_id("referral-status")).to_have_text(
        referral_status(ReferralStatus.COMPLETED)
    )
    expect(page.locator("#outcome")).to_have_count(0)
    history = page.get_by_test_id("referral-history").locator("li")
    expect(history).to_have_count(5)
    for item, status in zip(
        history.all(),
        [
            ReferralStatus.DRAFT,
            ReferralStatus.SENT,
            ReferralStatus.ACCEPTED,
            ReferralStatus.IN_PROGRESS,
            ReferralStatus.COMPLETED,
        ],
        strict=True,
    ):
        expect(item).to_contain_text(referral_status(status))
    screenshot(page, "partner-completed", LANG)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.COMPLETED
    assert referral.responded_by == partner_user
    assert referral.outcome == OUTCOME
    assert referral.feedback == FEEDBACK
    delivery = ServiceDelivery.objects.get(referral=referral)
    assert delivery.case == case
    assert delivery.provider == mae
    assert delivery.service_type == v.ServiceType.SHELTER
    assert delivery.delivered_on == timezone.localdate()

    # The partner never reaches the case file itself.
    case_url = live_server.url + reverse("cases:case_detail", args=[case.pk])
    response = page.goto(case_url)
    assert response is not None
    assert response.status == 403
    expect(page.locator("main h1")).to_have_text(tr("Access refused"))
    expect(page.locator("main")).not_to_contain_text(case.case_number)
    expect(page.locator("main")).not_to_contain_text(LAST_NAME)
    expect(page.locator("html")).to_have_attribute("lang", LANG)
    screenshot(page, "partner-403", LANG)

    sign_out(page, live_server)

    # -- The caseworker finds the outcome on the case file. --
    sign_in(page, live_server, "caseworker")
    open_case(page, live_server, case)
    item = page.get_by_test_id("case-referrals").locator("li").filter(has_text=reference(referral))
    expect(item).to_have_count(1)
    expect(item.get_by_test_id("referral-status")).to_have_text(
        referral_status(ReferralStatus.COMPLETED)
    )
    expect(item).to_contain_text(OUTCOME)
    expect(item).to_contain_text(shelter)
    expect(item).to_contain_text(str(mae))

    services_card = card(page, tr("Services delivered"))
    service_items = services_card.locator("li")
    expect(service_items).to_have_count(1)
    expect(service_items).to_contain_text(shelter)
    expect(service_items).to_contain_text(str(mae))
    services_card.scroll_into_view_if_needed()
    screenshot(page, "caseworker-case", LANG)

    # The referral itself shows the outcome and the partner's feedback.
    item.get_by_role("link", name=reference(referral), exact=True).click()
    expect(page.locator("main h1")).to_have_text(referral_heading(referral))
    expect(page.get_by_test_id("referral-outcome")).to_have_text(OUTCOME)
    expect(page.locator("main")).to_contain_text(tr("Partner's feedback"))
    expect(page.locator("main")).to_contain_text(FEEDBACK)
    screenshot(page, "caseworker-outcome", LANG)


def test_sending_without_consent_shows_the_warning(new_page, live_server, bangui, mae, screenshot):
    caseworker = User.objects.get(username="caseworker")
    assert not referral_services.can_override_consent(caseworker)
    case = make_case(caseworker, bangui, referral_consent=False)
    page = new_page(viewport={"width": 1280, "height": 800}, locale=BROWSER_LOCALE)

    page.goto(live_server.url + reverse("accounts:login"))
    choose_language(page, LANG)
    sign_in(page, live_server, "caseworker")
    open_case(page, live_server, case)
    open_referral_form(page, live_server, case)
    referral = draft_referral(page, live_server, case, mae)

    expect(card(page, tr("What the partner will see"))).to_be_visible()
    warning = page.locator("main .alert-warning[role=alert]")
    expect(warning).to_have_text(
        tr(
            "There is no current consent to referral and data sharing. Record the person's "
            "consent on the case file before sending."
        )
    )
    expect(page.locator("main")).not_to_contain_text(
        tr("The person consented to referral and data sharing.")
    )
    expect(page.get_by_role("button", name=tr("Send the referral"))).to_have_count(0)
    expect(page.get_by_role("button", name=tr("Send without consent (audited)"))).to_have_count(0)
    expect(page.locator("form[action$='/send/']")).to_have_count(0)
    screenshot(page, "caseworker", LANG)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DRAFT
    assert referral.sent_at is None
