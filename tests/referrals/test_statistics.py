"""Referral statistics per partner (received, acceptance rate, median time to respond,
completion rate), per service type, per region and for cross-border referrals, over a
calendar month, quarter or year that has ended. The case team (supervisors) sees its own
organisation's referrals exactly; outside it (M&E, ministry, administrators) the national
figures show small counts as "<5", with the zeros beside them and complementary
suppression, so that no hidden count can be worked out; a ministry focal point sees its own
country only."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from partners.models import Organisation, OrganisationType, Region
from referrals import services
from referrals.models import Referral
from referrals.selectors import partner_statistics
from tests import factories
from traffick_cm import periods

from .steps import consent_to_referral, draft, english_client, send


@pytest.fixture
def legal_org(bangui):
    org = factories.organisation(
        name="Clinique juridique de Bangui",
        acronym="CJB",
        type=OrganisationType.LEGAL,
        services=["legal"],
    )
    org.regions.set([bangui])
    return org


def _answered_after(referral: Referral, hours: float) -> None:
    """Move the sending back so that the answer came `hours` after it."""
    referral.refresh_from_db()
    Referral.objects.filter(pk=referral.pk).update(
        sent_at=referral.responded_at - timedelta(hours=hours)
    )


@pytest.fixture
def referrals(
    caseworker, consented_case, partner_org, rival_org, legal_org, focal_point, rival_focal_point
):
    """The shelter (MAE) received 6 referrals, the clinic (CMSA) 3, the legal aid (CJB) 5.

    MAE: 2 completed, 1 in progress, 1 accepted, 1 declined, 1 waiting; answers after
    2, 4, 6, 10 and 30 hours. CMSA (cases in Ouham): 1 accepted after 12 hours, 2 waiting.
    CJB: 5 waiting, 2 of them to Nigeria. Plus a draft and a referral outside the system,
    which count nowhere."""
    ouham_case = factories.case(
        caseworker=caseworker,
        case_data={"identified_region": factories.region("CF", "Ouham")},
        first_name="Mariam",
    )
    consent_to_referral(ouham_case, caseworker)

    shelter = [send(consented_case, caseworker, partner_org) for _ in range(6)]
    for referral, hours in zip(shelter[:5], (2, 4, 6, 10, 30), strict=True):
        services.referral_respond(
            actor=focal_point, referral=referral, accept=referral != shelter[4], reason="Full"
        )
        _answered_after(referral, hours)
    for referral in shelter[:2]:
        services.referral_complete(actor=focal_point, referral=referral, outcome="Placed")
    services.referral_start(actor=focal_point, referral=shelter[2])

    medical = [send(ouham_case, caseworker, rival_org, service_type="medical") for _ in range(3)]
    services.referral_respond(actor=rival_focal_point, referral=medical[0], accept=True)
    _answered_after(medical[0], 12)

    for n in range(5):
        send(
            consented_case,
            caseworker,
            legal_org,
            service_type="legal",
            destination_country="NG" if n < 2 else "",
        )

    draft(consented_case, caseworker, partner_org)
    send(consented_case, caseworker, external_organisation="Barreau de Bangui")
    _into_last_month()


LAST_MONTH = periods.last_complete(periods.Unit.MONTH, timezone.localdate())


def _into_last_month() -> None:
    """Move every referral sent so far to the middle of the last complete month, keeping
    the delays: statistics cover periods that have ended."""
    anchor = datetime.combine(
        LAST_MONTH.start + timedelta(days=14), time(12), tzinfo=timezone.get_current_timezone()
    )
    shift = anchor - timezone.now()
    # Those not moved yet: sent now, or a day or so before (answers dated back).
    Referral.objects.filter(sent_at__gt=anchor + timedelta(days=3)).update(
        sent_at=F("sent_at") + shift, responded_at=F("responded_at") + shift
    )


def _stats(user, period=LAST_MONTH):
    response = english_client(user).get(reverse("referrals:statistics"), {"period": period.key})
    assert response.status_code == 200
    return response, response.context["stats"]


def _by_name(stats) -> dict[str, dict]:
    return {row["name"]: row for row in stats["partners"]}


def test_statistics_per_partner_give_received_acceptance_median_response_and_completion(
    supervisor, referrals
):
    _, stats = _stats(supervisor)

    assert _by_name(stats) == {
        "Maison d'accueil Espoir": {
            "name": "Maison d'accueil Espoir",
            "received": 6,
            "acceptance_rate": 80,  # 4 accepted of 5 answered
            "median_response_hours": 6.0,
            "completion_rate": 50,  # 2 completed of 4 accepted
        },
        "Centre médical Sainte-Anne": {
            "name": "Centre médical Sainte-Anne",
            "received": 3,
            "acceptance_rate": 100,
            "median_response_hours": 12.0,
            "completion_rate": 0,
        },
        "Clinique juridique de Bangui": {
            "name": "Clinique juridique de Bangui",
            "received": 5,
            "acceptance_rate": None,
            "median_response_hours": None,
            "completion_rate": None,
        },
    }
    assert stats["total"] == 14


def test_statistics_count_referrals_per_service_type_and_region(supervisor, referrals):
    _, stats = _stats(supervisor)

    assert stats["by_service"] == [
        {"service_type": "legal", "n": 5},
        {"service_type": "medical", "n": 3},
        {"service_type": "shelter", "n": 6},
    ]
    assert stats["by_region"] == [
        {"case__identified_region__name": "Bangui", "n": 11},
        {"case__identified_region__name": "Ouham", "n": 3},
    ]


def test_cross_border_referrals_show_in_statistics_by_destination(supervisor, referrals):
    response, stats = _stats(supervisor)

    assert stats["by_destination"] == [{"destination_country": "NG", "n": 2}]
    assert "Cross-border, by destination" in response.content.decode()


def test_a_referral_to_a_partner_in_another_country_is_cross_border(
    supervisor, caseworker, consented_case, other_org
):
    send(consented_case, caseworker, other_org)
    _into_last_month()

    _, stats = _stats(supervisor)

    assert stats["by_destination"] == [{"destination_country": "GN", "n": 1}]


def test_the_case_team_sees_small_counts_exactly(supervisor, referrals):
    response, stats = _stats(supervisor)

    assert _by_name(stats)["Centre médical Sainte-Anne"]["received"] == 3
    assert "&lt;5" not in response.content.decode()


@pytest.mark.parametrize("role", [Role.MNE, Role.MINISTRY, Role.ADMIN])
def test_small_counts_are_suppressed_outside_the_case_team(users, referrals, role):
    response, stats = _stats(users[role])

    partners = _by_name(stats)
    # 3 is small; the next smallest (5) is hidden too, or 14 - 6 - 5 would give it away. It
    # is not small itself, so it shows as "*" rather than a false "<5".
    assert partners["Centre médical Sainte-Anne"]["received"] == "<5"
    assert partners["Clinique juridique de Bangui"]["received"] == "*"
    assert partners["Maison d'accueil Espoir"]["received"] == 6
    # No referral to a partner in another country: a 0 beside "<5" would say where the few
    # went, so it reads "<5" too.
    assert partners[None]["received"] == "<5"
    assert stats["total"] == 14
    by_service = {row["service_type"]: row["n"] for row in stats["by_service"]}
    assert by_service["shelter"] == 6
    assert sorted([by_service["legal"], by_service["medical"]]) == ["*", "<5"]
    assert {n for code, n in by_service.items() if code not in ("legal", "shelter")} == {"<5"}
    by_region = {row["case__identified_region__name"]: row["n"] for row in stats["by_region"]}
    assert (by_region["Bangui"], by_region["Ouham"]) == ("*", "<5")
    # Every region of the country is listed, those with none as "<5" beside Ouham's 3.
    assert set(by_region) >= set(Region.objects.filter(country="CF").values_list("name", flat=True))
    assert {n for name, n in by_region.items() if name != "Bangui"} == {"<5"}
    # Two went to Nigeria: a rare destination is not named.
    assert stats["by_destination"] == [{"destination_country": "other", "n": "<5"}]
    assert "&lt;5" in response.content.decode()


@pytest.mark.parametrize("role", [Role.MNE, Role.MINISTRY])
def test_rates_of_a_suppressed_partner_are_hidden_too(users, referrals, role):
    _, stats = _stats(users[role])

    partners = _by_name(stats)
    hidden = partners["Centre médical Sainte-Anne"]
    assert (
        hidden["acceptance_rate"],
        hidden["median_response_hours"],
        hidden["completion_rate"],
    ) == (None, None, None)
    shown = partners["Maison d'accueil Espoir"]
    # 4 accepted of 5 answers would say that one declined; 2 completed of 4 accepted, that
    # two did not. The median of 5 answers tells no single one.
    assert (shown["acceptance_rate"], shown["completion_rate"]) == (None, None)
    assert shown["median_response_hours"] == 6.0


def test_a_single_small_total_is_suppressed(users, caseworker, consented_case, partner_org):
    for _ in range(2):
        send(consented_case, caseworker, partner_org)
    _into_last_month()

    _, stats = _stats(users[Role.MNE])

    assert stats["total"] == "<5"
    assert stats["partners"][0]["received"] == "<5"


def test_drafts_and_referrals_outside_the_system_are_not_counted(
    supervisor, caseworker, consented_case, partner_org
):
    draft(consented_case, caseworker, partner_org)
    send(consented_case, caseworker, external_organisation="Barreau de Bangui")

    _, stats = _stats(supervisor)

    assert stats["partners"] == []
    assert stats["total"] == 0


def test_a_draft_cancelled_before_sending_is_not_counted_as_received(
    supervisor, caseworker, consented_case, partner_org
):
    unsent = draft(consented_case, caseworker, partner_org)
    services.referral_cancel(actor=caseworker, referral=unsent, reason="Wrong partner")

    _, stats = _stats(supervisor)

    assert stats["total"] == 0
    assert stats["partners"] == []


def test_statistics_are_national(supervisor, other_org):
    guinea_worker = factories.user(Role.CASEWORKER, organisation=other_org)
    guinea_partner = factories.organisation(name="Guinea shelter", country="GN")
    guinea_case = factories.case(caseworker=guinea_worker, identified_country="GN")
    consent_to_referral(guinea_case, guinea_worker)
    send(guinea_case, guinea_worker, guinea_partner)

    assert partner_statistics(actor=supervisor)["total"] == 0
    assert partner_statistics(actor=factories.superuser())["total"] == 1


@pytest.mark.parametrize("role", [Role.CASEWORKER, Role.PARTNER, Role.PROGRAMME])
def test_statistics_are_refused_to_other_roles(users, role):
    response = english_client(users[role]).get(reverse("referrals:statistics"))

    assert response.status_code == 403


# Periods (issue 11, finding 4) and countries (finding 5)


def _guinea_referrals(other_org, n: int = 6) -> Organisation:
    guinea_worker = factories.user(Role.CASEWORKER, organisation=other_org)
    guinea_partner = factories.organisation(name="Guinea shelter", country="GN")
    guinea_case = factories.case(caseworker=guinea_worker, identified_country="GN")
    consent_to_referral(guinea_case, guinea_worker)
    for _ in range(n):
        send(guinea_case, guinea_worker, guinea_partner)
    return guinea_partner


def test_a_ministry_focal_point_sees_its_own_country_only(users, referrals, other_org):
    _guinea_referrals(other_org)
    _into_last_month()
    guinea_ministry = factories.user(Role.MINISTRY, organisation=other_org)

    _, central_african = _stats(users[Role.MINISTRY])
    _, guinean = _stats(guinea_ministry)
    # A country asked for in the address changes nothing: the policy decides.
    forged = english_client(users[Role.MINISTRY]).get(
        reverse("referrals:statistics"), {"period": LAST_MONTH.key, "country": "GN"}
    )

    assert central_african["total"] == 14
    assert "Guinea shelter" not in _by_name(central_african)
    assert guinean["total"] == 6
    assert set(_by_name(guinean)) == {"Guinea shelter", None}
    assert forged.context["stats"]["total"] == 14
    assert "Guinea shelter" not in forged.content.decode()


def test_a_supervisor_sees_its_own_organisation_referrals_only(
    supervisor, referrals, other_org, bangui
):
    # Another organisation's referrals in the same country: not the supervisor's case team.
    ngo = factories.organisation(name="Autre ONG", acronym="AO")
    ngo_worker = factories.user(Role.CASEWORKER, organisation=ngo)
    ngo_case = factories.case(caseworker=ngo_worker, case_data={"identified_region": bangui})
    consent_to_referral(ngo_case, ngo_worker)
    send(ngo_case, ngo_worker, factories.organisation(name="Foyer des Jeunes"))
    _into_last_month()

    _response, stats = _stats(supervisor)

    assert stats["exact"] is True
    assert stats["total"] == 14
    assert "Foyer des Jeunes" not in _by_name(stats)


def test_statistics_cover_one_calendar_period_that_has_ended(users, referrals):
    mne = users[Role.MNE]
    before = LAST_MONTH.previous()

    _, last_month = _stats(mne)
    _, earlier = _stats(mne, before)
    unfinished = english_client(mne).get(
        reverse("referrals:statistics"), {"period": timezone.localdate().strftime("%Y-%m")}
    )
    # Dates in the address are not a period: the page shows its default period instead.
    dated = english_client(mne).get(
        reverse("referrals:statistics"),
        {"date_from": LAST_MONTH.start.isoformat(), "date_to": LAST_MONTH.start.isoformat()},
    )

    assert last_month["total"] == 14
    assert earlier["total"] == 0
    assert unfinished.status_code == 400
    assert dated.status_code == 200
    assert dated.context["period"] != LAST_MONTH or dated.context["stats"]["total"] == 14


def test_rates_over_enough_answers_are_shown(users, caseworker, consented_case, partner_org):
    focal = factories.user(Role.PARTNER, organisation=partner_org)
    sent = [send(consented_case, caseworker, partner_org) for _ in range(10)]
    for n, referral in enumerate(sent):
        services.referral_respond(actor=focal, referral=referral, accept=n < 5, reason="Full")
    _into_last_month()

    _, stats = _stats(users[Role.MNE])

    row = _by_name(stats)["Maison d'accueil Espoir"]
    assert row["received"] == 10
    assert row["acceptance_rate"] == 50  # 5 of 10, 5 declined: no small count
    assert row["median_response_hours"] is not None
