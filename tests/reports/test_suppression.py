"""Small-cell suppression: counts from 1 to k-1 show as "<k"; 0 and counts of k or more
stay; a group with exactly one small cell hides one more, so that the small one cannot be
worked out from the total; and the ministry's dashboard never shows a victim count from 1
to 4."""

from __future__ import annotations

import html
import itertools
import json
import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from cases import vocabularies as cv
from referrals.models import Referral, ReferralStatus
from reports import statistics, suppression
from reports.statistics import Scope
from tests import factories
from trainings import services as training_services

K = 5
_people = itertools.count(1)


# suppress_group and suppress_total, on their own


@pytest.mark.parametrize(
    ("count", "shown"),
    [(0, 0), (1, "<5"), (2, "<5"), (3, "<5"), (4, "<5"), (5, 5), (6, 6), (250, 250)],
)
def test_suppress_total_hides_1_to_k_minus_1_and_keeps_0_and_k_or_more(count, shown):
    assert suppression.suppress_total(count, K) == shown


def test_suppress_total_uses_the_configured_threshold_by_default(settings):
    settings.SMALL_CELL_THRESHOLD = 11

    assert suppression.suppress_total(10) == "<11"
    assert suppression.suppress_total(11) == 11
    assert suppression.label() == "<11"


def test_a_group_with_several_small_cells_hides_exactly_those():
    assert suppression.suppress_group([0, 1, 4, 5, 12], K) == [0, "<5", "<5", 5, 12]


def test_a_group_without_small_cells_is_shown_unchanged():
    assert suppression.suppress_group([0, 5, 9, 40], K) == [0, 5, 9, 40]


def test_a_group_with_one_small_cell_also_hides_the_next_smallest_cell():
    shown = suppression.suppress_group([20, 3, 7, 9], K)

    assert shown[1] == "<5"
    # 7 is the next smallest: hidden, so 3 cannot be had as total - 20 - 9 - 7.
    assert not isinstance(shown[2], int)
    assert shown[0] == 20
    assert shown[3] == 9


def test_the_complementary_cell_is_never_an_empty_one():
    # Hiding a 0 would protect nothing: the next smallest non-zero cell goes instead.
    shown = suppression.suppress_group([0, 2, 0, 30, 11], K)

    assert shown[0] == 0
    assert shown[2] == 0
    assert shown[1] == "<5"
    assert not isinstance(shown[4], int)
    assert shown[3] == 30


def test_a_group_of_one_small_cell_has_no_complement_to_hide():
    assert suppression.suppress_group([3], K) == ["<5"]
    assert suppression.suppress_group([3, 0], K) == ["<5", 0]


def _hidden(shown: list[int | str]) -> list[int]:
    return [i for i, value in enumerate(shown) if not isinstance(value, int)]


def _groups(length: int, top: int = 9):
    return itertools.product(range(top), repeat=length)


@pytest.mark.parametrize("length", [1, 2, 3, 4])
def test_every_count_from_1_to_k_minus_1_is_hidden_and_no_other_count_is_altered(length):
    for counts in _groups(length):
        shown = suppression.suppress_group(list(counts), K)
        for count, value in zip(counts, shown, strict=True):
            if 1 <= count < K:
                assert value == "<5", counts
            elif isinstance(value, int):
                assert value == count, counts
            if count == 0:
                assert value == 0, counts


@pytest.mark.parametrize("length", [2, 3, 4])
def test_a_single_small_cell_never_stands_alone_when_a_complement_exists(length):
    for counts in _groups(length):
        small = [c for c in counts if 1 <= c < K]
        nonzero = [c for c in counts if c > 0]
        if len(small) != 1 or len(nonzero) < 2:
            continue
        hidden = _hidden(suppression.suppress_group(list(counts), K))
        assert len(hidden) == 2, counts
        # The complement is the smallest of the other non-zero cells.
        complement = next(i for i in hidden if not 1 <= counts[i] < K)
        others = [c for i, c in enumerate(counts) if c > 0 and i not in hidden]
        assert all(counts[complement] <= c for c in others), counts


def _recoverable(counts: tuple[int, ...], shown: list[int | str]) -> bool:
    """Can a reader work out a hidden cell from the cells shown and the group's total (shown
    whenever it is not small itself)? Zeros are shown, so a hidden cell is at least 1."""
    total = sum(counts)
    hidden = _hidden(shown)
    if not hidden or suppression.is_small(total, K):
        return False
    rest = total - sum(v for v in shown if isinstance(v, int))
    # One hidden cell is the rest; several hidden cells of 1 each are the only way to
    # share a rest equal to their number.
    return len(hidden) == 1 or rest == len(hidden)


@pytest.mark.parametrize("length", [3, 4])
def test_no_hidden_cell_can_be_worked_out_from_the_total(length):
    leaks = [
        counts
        for counts in _groups(length, top=12)
        if _recoverable(counts, suppression.suppress_group(list(counts), K))
    ]

    assert leaks == []


def test_a_complementary_cell_of_k_or_more_is_not_labelled_as_under_k():
    shown = suppression.suppress_group([20, 3, 7, 9], K)

    assert shown[2] != "<5"


def test_suppress_rows_suppresses_one_key_across_rows():
    rows = [{"sex": "female", "n": 12}, {"sex": "male", "n": 2}, {"sex": "other", "n": 3}]

    assert suppression.suppress_rows(rows, "n", K) == [
        {"sex": "female", "n": 12},
        {"sex": "male", "n": "<5"},
        {"sex": "other", "n": "<5"},
    ]


# The ministry's dashboard


@pytest.fixture
def client():
    return Client(headers={"accept-language": "en"})


@pytest.fixture
def caseworker(users):
    return users[Role.CASEWORKER]


@pytest.fixture
def ministry(users):
    return users[Role.MINISTRY]


def _victim(caseworker, *, sex, age, exploitation, citizenship, region, identified_on):
    n = next(_people)
    return factories.case(
        caseworker=caseworker,
        first_name=f"Awa{n}",
        last_name=f"Ngaba{n}",
        date_of_birth=None,
        person_data={"estimated_age": age},
        sex=sex,
        citizenships=[citizenship],
        exploitation_types=exploitation,
        identified_on=identified_on,
        consent_given_by="guardian" if age < 18 else "person",
        case_data={"identified_region": region},
    )


@pytest.fixture
def small_categories(caseworker, org):
    """16 victims in CF whose breakdowns hold small cells: 4 men, 1 person of another sex,
    one Cameroonian, 3 identified in Ouaka, 2 in an earlier month; 3 referrals."""
    today = timezone.localdate()
    recent, earlier = today - timedelta(days=40), today - timedelta(days=130)
    bangui, ouaka = factories.region("CF", "Bangui"), factories.region("CF", "Ouaka")
    cases = []
    for i in range(10):
        cases.append(
            _victim(
                caseworker,
                sex="female",
                age=30,
                exploitation=["ForcedLabour"],
                citizenship="CF",
                region=bangui if i < 8 else ouaka,
                identified_on=earlier if i < 2 else recent,
            )
        )
    for i in range(4):
        cases.append(
            _victim(
                caseworker,
                sex="male",
                age=16,
                exploitation=["SexualExploitation"],
                citizenship="CF",
                region=bangui if i < 3 else ouaka,
                identified_on=recent,
            )
        )
    cases.append(
        _victim(
            caseworker,
            sex="other",
            age=8,
            exploitation=["ChildLabour"],
            citizenship="CM",
            region=bangui,
            identified_on=recent,
        )
    )
    cases.append(
        _victim(
            caseworker,
            sex="female",
            age=22,
            exploitation=["ForcedLabour"],
            citizenship="CF",
            region=bangui,
            identified_on=recent,
        )
    )
    partner = factories.organisation(name="Maison d'accueil Espoir", acronym="MAE")
    sent = timezone.now() - timedelta(days=30)
    statuses = [ReferralStatus.SENT, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED]
    for case, status in zip(cases[:3], statuses, strict=True):
        Referral.objects.create(
            case=case,
            from_organisation=org,
            to_organisation=partner,
            service_type="shelter",
            reason="Needs a safe place",
            destination_country="CF",
            status=status,
            packet_fields=["case_number"],
            created_by=caseworker,
            sent_at=sent,
            responded_at=None if status == ReferralStatus.SENT else sent + timedelta(hours=3),
        )
    # Three people trained: not about victims, so shown as it is.
    training_services.session_record(
        actor=None,
        organiser=org,
        title="Briefing for labour inspectors",
        session_type="training",
        audiences=["labour_inspectors"],
        topics=["tip_basics"],
        country="CF",
        start_date=recent,
        end_date=recent,
        participants_female=1,
        participants_male=2,
    )
    return cases


def _section(page: str, heading_id: str) -> str:
    match = re.search(
        rf'<section[^>]*aria-labelledby="{heading_id}"[^>]*>(.*?)</section>', page, re.S
    )
    assert match, heading_id
    return match.group(1)


def _cells(fragment: str) -> list[str]:
    found = re.findall(r'<td class="text-end">(.*?)</td>', fragment, re.S)
    found += re.findall(r'data-testid="identified-total">(.*?)</p>', fragment, re.S)
    return [html.unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in found]


def _is_small_number(text: str) -> bool:
    return text.isdigit() and 1 <= int(text) < K


def test_dashboard_data_has_small_categories(small_categories):
    # The premise of the next test: unsuppressed, these breakdowns hold counts of 1 to 4.
    today = timezone.localdate()
    raw = statistics.cases(Scope(country="CF"), today - timedelta(days=365), today, k=None)

    assert raw["identified"] == 16
    assert raw["by_sex"] == {"female": 11, "male": 4, "other": 1}
    assert raw["by_citizenship"] == {"CF": 15, "CM": 1}


def test_ministry_dashboard_never_shows_a_victim_count_from_1_to_4(
    client, ministry, small_categories
):
    client.force_login(ministry)

    response = client.get(reverse("reports:dashboard"))

    assert response.status_code == 200
    page = response.content.decode()
    victim_cells = []
    for heading in ("identified-heading", "breakdown-heading", "referrals-heading"):
        victim_cells += _cells(_section(page, heading))
    assert victim_cells, "the victim sections show no figures at all"
    assert [cell for cell in victim_cells if _is_small_number(cell)] == []
    assert "<5" in victim_cells
    assert "16" in victim_cells  # the total is not small: it is shown
    chart = json.loads(
        html.unescape(re.search(r'id="chart-data"[^>]*>(.*?)</script>', page, re.S).group(1))
    )
    assert [n for n in chart["identified"] if n is not None and 1 <= n < K] == []
    # Trainings are not about victims: three people trained show as 3.
    assert "1 sessions, 3 people reached" in html.unescape(
        re.sub(r"\s+", " ", _section(page, "trainings-heading"))
    )


def test_ministry_dashboard_breakdowns_are_suppressed_with_complement(
    client, ministry, small_categories
):
    client.force_login(ministry)

    context = client.get(reverse("reports:dashboard")).context

    assert context["cases"]["identified"] == 16
    # female 11, male 4, other 1: two small cells, nothing else to hide.
    assert context["cases"]["by_sex"] == {"female": 11, "male": "<5", "other": "<5"}
    # CF 15, CM 1: one small cell, so CF is hidden too.
    assert context["cases"]["by_citizenship"]["CM"] == "<5"
    assert not isinstance(context["cases"]["by_citizenship"]["CF"], int)
    assert context["referrals"]["made"] == "<5"
    assert context["referrals"]["median_response_hours"] is None
    assert all(not isinstance(n, int) for n in context["by_region"].values())
    assert cv.Sex.OTHER in context["cases"]["by_sex"]
