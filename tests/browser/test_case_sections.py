"""The sections of the case file that load when opened (issue 15, item 6), in a real
browser: opening the documents, the legal proceedings or the status history puts their
records in the page; without scripts, the link in the opened section leads to them."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from playwright.sync_api import Page, expect

from accounts.models import User
from cases.models import Case
from cases.services import records
from cases.services import workflow as case_workflow
from demo.data.users import DEMO_PASSWORD
from tests import factories

pytestmark = [
    pytest.mark.browser,
    # Transactional: the live server runs in another thread.
    pytest.mark.django_db(transaction=True),
]

DOCUMENT = "Passeport_scan.pdf"


@pytest.fixture
def case(demo_data, settings, tmp_path) -> Case:
    settings.MEDIA_ROOT = tmp_path / "media"
    caseworker = User.objects.get(username="caseworker")
    case = factories.case(caseworker=caseworker, last_name="Sections")
    records.document_upload(
        actor=caseworker,
        case=case,
        kind="other",
        upload=SimpleUploadedFile(DOCUMENT, factories.PDF_BYTES),
    )
    records.legal_proceeding_save(
        actor=caseworker, case=case, stage="complaint", person_role="witness"
    )
    case_workflow.case_transition(actor=caseworker, case=case, to_status="open")
    return case


def _open_case(page: Page, live_server, case: Case) -> None:
    page.goto(live_server.url + reverse("accounts:login"))
    page.locator("#id_username").fill("caseworker")
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("main form [type=submit]").click()
    expect(page).to_have_url(live_server.url + "/")
    page.goto(live_server.url + reverse("cases:case_detail", kwargs={"pk": case.pk}))


def test_opening_a_section_loads_its_records_into_the_case_file(new_page, live_server, case):
    page = new_page(viewport={"width": 360, "height": 740}, locale="en-GB")
    _open_case(page, live_server, case)
    documents = page.get_by_test_id("on-demand-documents")
    expect(documents.locator("summary")).to_have_text("1 document attached")
    expect(page.get_by_text(DOCUMENT)).to_have_count(0)

    documents.locator("summary").click()
    download = documents.get_by_role("link", name=re.compile(DOCUMENT))
    expect(download).to_be_visible()
    document = case.documents.get()
    expect(download).to_have_attribute(
        "href", reverse("cases:document_download", kwargs={"document_pk": document.pk})
    )

    legal = page.get_by_test_id("on-demand-legal")
    legal.locator("summary").click()
    expect(legal).to_contain_text("Complaint filed")

    asked = []
    page.on("request", lambda request: asked.append(request.url))
    history = page.get_by_test_id("on-demand-status-history")
    history.locator("summary").click()
    expect(history.locator("li")).to_have_count(2)
    # Loaded once: closing and opening it again asks for nothing more.
    history.locator("summary").click()
    history.locator("summary").click()
    page.wait_for_load_state("networkidle")
    expect(history.locator("li")).to_have_count(2)
    assert len([url for url in asked if "/sections/status-history/" in url]) == 1


def test_without_scripts_the_opened_section_links_to_its_records(new_page, live_server, case):
    page = new_page(java_script_enabled=False, locale="en-GB")
    _open_case(page, live_server, case)
    documents = page.get_by_test_id("on-demand-documents")

    documents.locator("summary").click()
    documents.get_by_role("link", name="Show the documents").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Documents")
    expect(page.get_by_role("link", name=re.compile(DOCUMENT))).to_be_visible()
    page.get_by_role("link", name="Back to the case").click()
    expect(page).to_have_url(
        live_server.url + reverse("cases:case_detail", kwargs={"pk": case.pk}) + "#documents"
    )
