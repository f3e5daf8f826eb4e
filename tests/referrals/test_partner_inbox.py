"""A partner focal point sees an inbox of the referrals sent to their own organisation,
and only those, with the packet the caseworker chose: never the case, other cases, other
partners' referrals, case notes or documents. Once a referral is closed, its packet stays
visible for a while, then only its metadata. Overdue referrals show on both home pages."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from cases.services import records
from referrals import services
from referrals.models import Referral, ReferralStatus
from tests import factories

from .steps import answer, draft, english_client, make_overdue, send

S = ReferralStatus


def _inbox_detail(referral) -> str:
    return reverse("referrals:inbox_detail", kwargs={"pk": referral.pk})


def _inbox(client, **params) -> set[int]:
    response = client.get(reverse("referrals:inbox"), params)
    assert response.status_code == 200
    return {r.pk for r in response.context["page"].object_list}


@pytest.fixture
def rival_referral(consented_case, caseworker, rival_org) -> Referral:
    return send(consented_case, caseworker, rival_org, service_type="medical")


def _close(referral, focal_point) -> Referral:
    services.referral_respond(actor=focal_point, referral=referral, accept=True)
    return services.referral_complete(actor=focal_point, referral=referral, outcome="Placed")


# The inbox


def test_focal_point_sees_only_referrals_to_their_own_organisation(
    focal_point, referral, rival_referral
):
    assert _inbox(english_client(focal_point)) == {referral.pk}


def test_every_focal_point_of_the_partner_sees_its_referrals(second_focal_point, referral):
    assert _inbox(english_client(second_focal_point)) == {referral.pk}


def test_a_draft_does_not_reach_the_inbox(focal_point, caseworker, consented_case, partner_org):
    unsent = draft(consented_case, caseworker, partner_org)
    client = english_client(focal_point)

    assert _inbox(client) == set()
    assert client.get(_inbox_detail(unsent)).status_code == 404


def test_a_draft_cancelled_before_sending_never_reaches_the_partner(
    focal_point, caseworker, case, partner_org
):
    # No consent: this referral could never have been sent.
    unsent = draft(case, caseworker, partner_org, reason="Amina fled her employer")
    services.referral_cancel(actor=caseworker, referral=unsent, reason="Wrong partner")
    client = english_client(focal_point)

    assert _inbox(client) == set()
    assert client.get(_inbox_detail(unsent)).status_code == 404


def test_the_inbox_filters_by_status(
    focal_point, referral, caseworker, consented_case, partner_org
):
    accepted = send(consented_case, caseworker, partner_org)
    services.referral_respond(actor=focal_point, referral=accepted, accept=True)
    client = english_client(focal_point)

    assert _inbox(client, status="sent") == {referral.pk}
    assert _inbox(client, status="accepted") == {accepted.pk}


def test_partner_cannot_open_another_partners_referral(
    focal_point, rival_focal_point, rival_referral
):
    client = english_client(focal_point)

    assert client.get(_inbox_detail(rival_referral)).status_code == 404
    response = client.post(
        reverse("referrals:inbox_answer", kwargs={"pk": rival_referral.pk}),
        {"step": "respond", "accept": "0", "reason": "Not for us"},
    )
    assert response.status_code == 404
    rival_referral.refresh_from_db()
    assert rival_referral.status == S.SENT
    assert rival_referral.decline_reason == ""


def test_partner_cannot_answer_for_another_organisation_through_the_service(
    focal_point, rival_referral
):
    with pytest.raises(PermissionDenied):
        services.referral_respond(actor=focal_point, referral=rival_referral, accept=True)


def test_partner_cannot_open_the_case(focal_point, referral):
    client = english_client(focal_point)

    response = client.get(reverse("cases:case_detail", kwargs={"pk": referral.case_id}))

    assert response.status_code == 403


def test_partner_cannot_open_the_referrers_pages(focal_point, referral):
    client = english_client(focal_point)

    assert (
        client.get(reverse("referrals:referral_detail", kwargs={"pk": referral.pk})).status_code
        == 403
    )
    assert client.get(reverse("referrals:referral_list")).status_code == 403
    assert client.get(reverse("cases:case_list")).status_code == 403


def test_partner_sees_the_packet_and_nothing_else_of_the_case(
    settings, tmp_path, focal_point, caseworker, consented_case, partner_org
):
    settings.MEDIA_ROOT = tmp_path
    records.note_add(actor=caseworker, case=consented_case, body="Her uncle recruited her.")
    records.document_upload(
        actor=caseworker,
        case=consented_case,
        kind="consent_form",
        upload=SimpleUploadedFile("statement-diallo.pdf", factories.PDF_BYTES),
    )
    referral = send(
        consented_case,
        caseworker,
        partner_org,
        packet_fields=["case_number", "first_name", "age_group"],
    )

    response = english_client(focal_point).get(_inbox_detail(referral))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["packet"] == {
        "case_number": consented_case.case_number,
        "first_name": "Amina",
        "age_group": consented_case.age_group,
    }
    assert consented_case.case_number in page
    assert "Amina" in page
    assert "Needs a safe place to stay tonight" in page
    for hidden in (
        "Diallo",  # last name, not chosen
        "+23675123456",  # phone, not chosen
        "1998",  # date of birth, not chosen
        "Her uncle recruited her.",
        "statement-diallo",
        reverse("cases:case_detail", kwargs={"pk": consented_case.pk}),
    ):
        assert hidden not in page


def test_the_inbox_list_shows_no_personal_data(focal_point, referral):
    response = english_client(focal_point).get(reverse("referrals:inbox"))

    page = response.content.decode()
    assert f"R-{referral.pk:06d}" in page
    assert "Amina" not in page
    assert referral.case.case_number not in page


# Retention of the packet


@pytest.mark.parametrize(
    "expire",
    ["retention_of_zero_days", "closed_longer_ago_than_the_retention"],
)
def test_packet_hidden_after_retention(focal_point, referral, expire):
    _close(referral, focal_point)
    if expire == "closed_longer_ago_than_the_retention":
        Referral.objects.filter(pk=referral.pk).update(
            closed_at=timezone.now() - timedelta(days=31)
        )
        response = english_client(focal_point).get(_inbox_detail(referral))
    else:
        with override_settings(REFERRAL_PACKET_RETENTION_DAYS=0):
            response = english_client(focal_point).get(_inbox_detail(referral))

    page = response.content.decode()
    assert response.status_code == 200
    assert response.context["packet"] is None
    assert 'data-testid="packet-expired"' in page
    for hidden in ("Amina", referral.case.case_number, "Needs a safe place to stay tonight"):
        assert hidden not in page
    # The metadata stays: reference, service, status, history.
    assert f"R-{referral.pk:06d}" in page
    assert "Shelter and safe accommodation" in page
    assert "Completed" in page


def test_packet_stays_visible_during_retention(focal_point, referral):
    _close(referral, focal_point)
    Referral.objects.filter(pk=referral.pk).update(closed_at=timezone.now() - timedelta(days=29))

    response = english_client(focal_point).get(_inbox_detail(referral))

    assert response.context["packet"]["first_name"] == "Amina"
    assert 'data-testid="packet-expired"' not in response.content.decode()


@override_settings(REFERRAL_PACKET_RETENTION_DAYS=0)
def test_an_open_referral_always_shows_its_packet(focal_point, referral):
    services.referral_respond(actor=focal_point, referral=referral, accept=True)

    response = english_client(focal_point).get(_inbox_detail(referral))

    assert response.context["packet"]["first_name"] == "Amina"


# Overdue


def test_an_overdue_referral_shows_on_both_home_pages(caseworker, focal_point, referral):
    make_overdue(referral)

    partner_home = english_client(focal_point).get(reverse("home")).content.decode()
    referrer_home = english_client(caseworker).get(reverse("home"))

    assert "1 referral is past its response deadline." in partner_home
    assert [r.pk for r in referrer_home.context["referrals_overdue"]] == [referral.pk]
    assert f"R-{referral.pk:06d}" in referrer_home.content.decode()


def test_a_referral_within_its_deadline_is_not_overdue(caseworker, focal_point, referral):
    partner_home = english_client(focal_point).get(reverse("home")).content.decode()
    referrer_home = english_client(caseworker).get(reverse("home"))

    assert 'data-testid="inbox-overdue"' not in partner_home
    assert referrer_home.context["referrals_overdue"] == []


def test_an_answered_referral_is_no_longer_overdue(caseworker, focal_point, referral):
    make_overdue(referral)
    answer(english_client(focal_point), referral, step="respond", accept="1")

    partner_home = english_client(focal_point).get(reverse("home")).content.decode()
    referrer_home = english_client(caseworker).get(reverse("home"))

    assert 'data-testid="inbox-overdue"' not in partner_home
    assert referrer_home.context["referrals_overdue"] == []


def test_the_overdue_filter_of_the_inbox_keeps_only_overdue_referrals(
    focal_point, caseworker, consented_case, partner_org, referral
):
    late = make_overdue(send(consented_case, caseworker, partner_org))

    assert _inbox(english_client(focal_point), overdue="on") == {late.pk}


def test_another_partners_overdue_referral_is_not_counted(focal_point, rival_referral):
    make_overdue(rival_referral)

    partner_home = english_client(focal_point).get(reverse("home"))

    assert partner_home.context["inbox_overdue"] == 0
