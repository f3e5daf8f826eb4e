"""The caseworker's home shows what partners answered lately to the referrals of their
cases: accepted, declined, completed or closed without service, with the referral's number,
the case number, the partner and the date; not what is still waiting, not what is old, and
not the referrals of cases the caseworker does not work on."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from referrals import services
from referrals.models import Referral
from referrals.selectors import RECENT_OUTCOME_DAYS
from tests import factories

from .steps import consent_to_referral, draft, english_client, send


@pytest.fixture
def answered(consented_case, caseworker, partner_org, focal_point):
    accepted = send(consented_case, caseworker, partner_org)
    services.referral_respond(actor=focal_point, referral=accepted, accept=True)
    declined = send(consented_case, caseworker, partner_org)
    services.referral_respond(actor=focal_point, referral=declined, accept=False, reason="Full")
    completed = send(consented_case, caseworker, partner_org)
    services.referral_respond(actor=focal_point, referral=completed, accept=True)
    services.referral_complete(actor=focal_point, referral=completed, outcome="Placed")
    return {"accepted": accepted, "declined": declined, "completed": completed}


def _outcomes(client) -> list[int]:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return [r.pk for r in response.context["referral_outcomes"]]


def test_the_caseworkers_home_shows_the_answers_latest_first(caseworker, answered):
    page = english_client(caseworker).get(reverse("home")).content.decode()

    assert _outcomes(english_client(caseworker)) == [
        answered[key].pk for key in ("completed", "declined", "accepted")
    ]
    section = page[page.index('data-testid="referral-outcomes"') :]
    completed = answered["completed"]
    assert completed.reference in section
    assert completed.case.case_number in section
    assert "Maison d&#x27;accueil Espoir (MAE)" in section
    for status in ("Completed", "Declined", "Accepted"):
        assert f'data-testid="referral-status">{status}</span>' in section
    with translation.override("en"):
        assert date_format(timezone.localdate(), "SHORT_DATE_FORMAT") in section


def test_waiting_referrals_and_drafts_are_not_outcomes(
    caseworker, consented_case, partner_org, referral
):
    draft(consented_case, caseworker, partner_org)

    assert _outcomes(english_client(caseworker)) == []
    page = english_client(caseworker).get(reverse("home")).content.decode()
    assert f"No referral answered in the last {RECENT_OUTCOME_DAYS} days." in page


def test_an_old_answer_drops_off(caseworker, answered):
    long_ago = timezone.now() - timedelta(days=RECENT_OUTCOME_DAYS + 1)
    Referral.objects.filter(pk=answered["declined"].pk).update(
        responded_at=long_ago, closed_at=long_ago
    )

    assert _outcomes(english_client(caseworker)) == [
        answered[key].pk for key in ("completed", "accepted")
    ]


def test_a_caseworker_sees_only_the_outcomes_of_their_own_cases(caseworker, focal_point, answered):
    colleague = factories.user(organisation=caseworker.organisation)
    their_case = factories.case(caseworker=colleague, first_name="Other")
    consent_to_referral(their_case, colleague)
    theirs = send(their_case, colleague, answered["accepted"].to_organisation)
    services.referral_respond(actor=focal_point, referral=theirs, accept=True)

    assert _outcomes(english_client(colleague)) == [theirs.pk]
    assert theirs.pk not in _outcomes(english_client(caseworker))


def test_a_partner_home_has_no_outcome_section(focal_point, answered):
    response = english_client(focal_point).get(reverse("home"))

    assert "referral_outcomes" not in response.context
    assert b'data-testid="referral-outcomes"' not in response.content
