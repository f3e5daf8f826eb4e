"""Two focal points of the same partner answering one referral at the same time end with
exactly one outcome: the second finds it answered and is told so."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction
from django.utils import translation

from accounts.roles import Role
from referrals import services
from referrals.models import Referral, ReferralStatus
from tests import factories

from .steps import answer, consent_to_referral, english_client, messages_of, send

S = ReferralStatus


def test_the_second_answer_is_refused_with_a_message(focal_point, second_focal_point, referral):
    first = answer(english_client(focal_point), referral, step="respond", accept="1")
    second = answer(
        english_client(second_focal_point), referral, step="respond", accept="0", reason="Full"
    )

    assert messages_of(first) == [
        f"Referral {referral.reference} accepted by Maison d'accueil Espoir."
    ]
    assert "This referral was already answered (Accepted)." in messages_of(second)
    referral.refresh_from_db()
    assert referral.status == S.ACCEPTED
    assert referral.responded_by == focal_point
    assert referral.decline_reason == ""
    assert referral.events.filter(to_status__in=[S.ACCEPTED, S.DECLINED]).count() == 1


def test_an_answer_from_a_page_loaded_before_the_first_answer_changes_nothing(
    focal_point, second_focal_point, referral
):
    # The second focal point holds the referral as it was when their page was loaded.
    stale = Referral.objects.get(pk=referral.pk)
    services.referral_respond(actor=focal_point, referral=referral, accept=False, reason="Full")

    with pytest.raises(ValidationError) as error:
        services.referral_respond(actor=second_focal_point, referral=stale, accept=True)

    assert error.value.messages == ["This referral was already answered (Declined)."]
    referral.refresh_from_db()
    assert (referral.status, referral.responded_by) == (S.DECLINED, focal_point)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks (PostgreSQL)")
@pytest.mark.django_db(transaction=True)
def test_two_focal_points_answering_at_once_end_with_one_outcome(mailoutbox):
    referrer_org = factories.organisation(name="IOM CAR")
    partner_org = factories.organisation(name="Maison d'accueil Espoir")
    caseworker = factories.user(
        Role.CASEWORKER, organisation=referrer_org, email="caseworker@iom.example.org"
    )
    focal_points = [factories.user(Role.PARTNER, organisation=partner_org) for _ in range(2)]
    with transaction.atomic():
        case = factories.case(caseworker=caseworker)
    consent_to_referral(case, caseworker)
    referral = send(case, caseworker, partner_org)
    mailoutbox.clear()
    start = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def respond(name, actor, accept):
        try:
            start.wait(timeout=10)
            # Each thread has its own active language: English, for the assertion below.
            translation.activate("en")
            services.referral_respond(
                actor=actor,
                referral=Referral.objects.get(pk=referral.pk),
                accept=accept,
                reason="" if accept else "No bed free",
            )
            outcomes[name] = "answered"
        except ValidationError as error:
            outcomes[name] = error
        finally:
            translation.deactivate()
            connections.close_all()

    threads = [
        threading.Thread(target=respond, args=("accept", focal_points[0], True)),
        threading.Thread(target=respond, args=("decline", focal_points[1], False)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert sorted(type(o).__name__ for o in outcomes.values()) == ["ValidationError", "str"]
    winner = next(name for name, o in outcomes.items() if o == "answered")
    loser = next(o for o in outcomes.values() if o != "answered")
    assert "This referral was already answered" in loser.messages[0]
    referral.refresh_from_db()
    answers = list(referral.events.filter(to_status__in=[S.ACCEPTED, S.DECLINED]))
    assert len(answers) == 1
    if winner == "accept":
        assert (referral.status, referral.responded_by) == (S.ACCEPTED, focal_points[0])
        assert referral.decline_reason == ""
    else:
        assert (referral.status, referral.responded_by) == (S.DECLINED, focal_points[1])
        assert referral.decline_reason == "No bed free"
    assert answers[0].to_status == referral.status
    # The referrer hears of the one outcome, once.
    assert [m.to for m in mailoutbox] == [["caseworker@iom.example.org"]]
