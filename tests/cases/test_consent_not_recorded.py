"""A file without con_Consent imports its rows with consent "not recorded": the case shows
it, and nothing of it is shared (no referral drafted or sent, not even in an emergency)
until the consent is recorded."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from cases.services import records, transfer
from referrals import services as referral_services
from tests import factories

from .steps import GOOD_ROWS, HTCDS_HEADER, htcds_csv

pytestmark = pytest.mark.django_db

WITHOUT_CONSENT = [c for c in HTCDS_HEADER if c != "con_Consent"]


@pytest.fixture
def imported(supervisor, caseworker):
    report = transfer.import_cases(
        name="cases.csv",
        stream=io.BytesIO(htcds_csv(GOOD_ROWS[:1], WITHOUT_CONSENT)),
        organisation=supervisor.organisation,
        actor=supervisor,
    )
    assert report.ok and report.created == 1, report.errors
    case = Case.objects.get(external_id=GOOD_ROWS[0]["external_id"])
    case.caseworkers.add(caseworker)
    return case


def _refer(actor, case, partner):
    return referral_services.referral_create(
        actor=actor,
        case=case,
        service_type="medical",
        urgency="emergency",
        reason="Needs care",
        packet_fields=["first_name"],
        to_organisation=partner,
    )


def test_the_case_shows_consent_not_recorded(client_for, caseworker, imported):
    assert not imported.consents.exists()
    page = client_for(caseworker).get(reverse("cases:case_detail", kwargs={"pk": imported.pk}))
    assert page.status_code == 200
    assert 'data-testid="consent-not-recorded"' in page.content.decode()


def test_no_referral_until_consent_is_recorded(caseworker, imported, other_org):
    with pytest.raises(ValidationError, match="Consent to data collection is not recorded"):
        _refer(caseworker, imported, other_org)

    records.consent_record(
        actor=caseworker,
        case=imported,
        scope="data_collection",
        granted=True,
        given_by="person",
        method="written",
        given_on=timezone.localdate(),
    )
    referral = _refer(caseworker, imported, other_org)
    assert referral.pk is not None


def test_a_registered_case_is_referred_as_before(caseworker, other_org):
    case = factories.case(caseworker=caseworker)
    assert _refer(caseworker, case, other_org).pk is not None
