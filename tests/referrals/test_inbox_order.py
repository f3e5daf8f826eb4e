"""The partner's inbox puts the most pressing first: the open referrals before the closed,
an emergency before a high urgency before a normal one, those waiting for an answer by
their deadline. The partner sees who referred and how to reach them (the caseworker's
e-mail, the referring organisation's phone), and every list is a table on a wide screen and
cards on a phone."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from referrals import services
from referrals.models import Referral

from .steps import english_client, send


def _inbox(client, **params) -> list[int]:
    response = client.get(reverse("referrals:inbox"), params)
    assert response.status_code == 200
    return [r.pk for r in response.context["page"].object_list]


def _due_in(referral: Referral, hours: int) -> Referral:
    due = timezone.now() + timedelta(hours=hours)
    Referral.objects.filter(pk=referral.pk).update(respond_by=due)
    return referral


@pytest.fixture
def mixed(consented_case, caseworker, partner_org, focal_point):
    """Referrals to the shelter: normal ones due soon and later, a high one, an emergency due
    last of all, and a completed emergency."""
    case, to = consented_case, partner_org
    normal_soon = _due_in(send(case, caseworker, to), 2)
    normal_later = _due_in(send(case, caseworker, to), 20)
    high = _due_in(send(case, caseworker, to, urgency="high"), 30)
    emergency = _due_in(send(case, caseworker, to, urgency="emergency"), 40)
    done = send(case, caseworker, to, urgency="emergency")
    services.referral_respond(actor=focal_point, referral=done, accept=True)
    services.referral_complete(actor=focal_point, referral=done, outcome="Placed")
    return {
        "normal_soon": normal_soon,
        "normal_later": normal_later,
        "high": high,
        "emergency": emergency,
        "done": done,
    }


def test_emergencies_come_first_then_by_urgency_and_deadline_closed_last(focal_point, mixed):
    assert _inbox(english_client(focal_point)) == [
        mixed[key].pk for key in ("emergency", "high", "normal_soon", "normal_later", "done")
    ]


def test_an_answered_referral_follows_the_waiting_ones_of_its_urgency(
    focal_point, consented_case, caseworker, partner_org
):
    accepted = send(consented_case, caseworker, partner_org)
    services.referral_respond(actor=focal_point, referral=accepted, accept=True)
    waiting = _due_in(send(consented_case, caseworker, partner_org), 100)

    assert _inbox(english_client(focal_point)) == [waiting.pk, accepted.pk]


def test_the_filters_keep_the_order(focal_point, mixed):
    assert _inbox(english_client(focal_point), status="sent") == [
        mixed[key].pk for key in ("emergency", "high", "normal_soon", "normal_later")
    ]


def test_the_partners_home_lists_the_emergency_first_and_marks_it(focal_point, mixed):
    response = english_client(focal_point).get(reverse("home"))

    assert [r.pk for r in response.context["inbox_new"]][:2] == [
        mixed["emergency"].pk,
        mixed["high"].pk,
    ]
    page = response.content.decode()
    reference = page.index(mixed["emergency"].reference)
    item = page[page.rindex("<li>", 0, reference) : reference]
    assert '<span class="badge text-bg-danger">Emergency</span>' in item


def test_the_inbox_is_a_table_on_a_wide_screen_and_cards_on_a_phone(focal_point, mixed):
    page = english_client(focal_point).get(reverse("referrals:inbox")).content.decode()

    assert 'class="table table-sm align-middle table-cards"' in page
    assert "table-responsive" not in page
    assert 'data-label="Urgency"' in page
    assert 'data-label="Answer due"' in page
    assert re.search(rf'<td class="card-title">\s*<a href="{_detail(mixed["high"])}">', page)


def _detail(referral) -> str:
    return reverse("referrals:inbox_detail", kwargs={"pk": referral.pk})


# Who referred, and how to reach them


def test_the_partner_sees_the_referring_caseworkers_email_and_organisation_phone(
    focal_point, referral, caseworker
):
    caseworker.organisation.phone = "+236 72 11 22 33"
    caseworker.organisation.save()

    response = english_client(focal_point).get(_detail(referral))

    page = response.content.decode()
    assert response.status_code == 200
    assert caseworker.get_full_name() in page
    assert 'href="mailto:caseworker@iom.example.org">caseworker@iom.example.org</a>' in page
    assert 'href="tel:+23672112233">+236 72 11 22 33</a>' in page


def test_without_email_or_phone_the_partner_is_told_so(focal_point, referral, caseworker):
    type(caseworker).objects.filter(pk=caseworker.pk).update(email="")

    page = english_client(focal_point).get(_detail(referral)).content.decode()

    assert "No e-mail address or phone number on record." in page
    assert "mailto:" not in page


def test_another_partner_does_not_reach_the_referral_nor_the_contact(rival_focal_point, referral):
    response = english_client(rival_focal_point).get(_detail(referral))

    assert response.status_code == 404
    assert b"caseworker@iom.example.org" not in response.content
