"""Small-cell suppression: counts from 1 to k-1 show as "<k"; in a group with a hidden cell
the zeros show as "<k" too; counts of k or more stay, unless hidden so that a small one
cannot be worked out from the total ("*"), and no hidden value can be pinned down from what
the labels say. Across nested periods, a quarter or a year never gives away what its months
hide; and the ministry's dashboard never shows a victim count from 1 to 4."""

from __future__ import annotations

import html
import itertools
import random
import re
from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import Role
from referrals.models import Referral, ReferralStatus
from reports import statistics
from reports.statistics import Scope
from tests import factories
from tests.reports.steps import chart_svg, drawn_bars
from traffick_cm import codebooks as cv
from traffick_cm import suppression
from traffick_cm.periods import Period, Unit
from traffick_cm.suppression import Layout
from trainings.services import sessions as training_sessions

K = 5
OCTOBER = Period(2025, Unit.MONTH, 10)
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


def test_a_group_with_several_small_cells_hides_them_and_the_zeros_beside_them():
    # Before issue 11 the zero stayed: "0" beside "<5" says where the few people are not.
    assert suppression.suppress_group([0, 1, 4, 5, 12], K) == ["<5", "<5", "<5", 5, 12]


def test_a_zero_beside_a_small_count_is_hidden_as_under_k():
    # Region A "<5" and region B "0" would tell that the few people are in A.
    assert suppression.suppress_group([30, 3, 0, 0, 12], K) == [30, "<5", "<5", "<5", "*"]


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
    # Hiding a 0 protects nothing: the next smallest non-zero cell goes too. (The zeros are
    # hidden as well, as "<5", since issue 11.)
    shown = suppression.suppress_group([0, 2, 0, 30, 11], K)

    assert shown == ["<5", "<5", "<5", 30, "*"]


def test_a_group_of_one_small_cell_has_no_complement_to_hide():
    assert suppression.suppress_group([3], K) == ["<5"]
    # Before issue 11: ["<5", 0].
    assert suppression.suppress_group([3, 0], K) == ["<5", "<5"]


def test_two_cells_under_k_holding_2k_minus_2_are_not_left_alone():
    # Shown "<5", "<5" with a total of 28 - 20 = 8: each could only be 4.
    shown = suppression.suppress_group([4, 4, 20, 30], K)

    assert shown[:2] == ["<5", "<5"]
    assert shown[2] == "*"


def test_a_small_cell_and_its_complement_holding_k_plus_1_are_not_left_alone():
    # "<5" and "*" with 6 between them: the "*" is at least 5, so the "<5" is 1.
    shown = suppression.suppress_group([1, 5, 20, 30], K)

    assert shown == ["<5", "*", "*", 30]


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
                # A zero shows as 0 only where nothing is hidden (before issue 11: always).
                assert value == (0 if not _hidden(shown) else "<5"), counts


@pytest.mark.parametrize("length", [2, 3, 4])
def test_a_single_small_cell_never_stands_alone_when_a_complement_exists(length):
    for counts in _groups(length):
        small = [c for c in counts if 1 <= c < K]
        nonzero = [c for c in counts if c > 0]
        if len(small) != 1 or len(nonzero) < 2:
            continue
        shown = suppression.suppress_group(list(counts), K)
        hidden_nonzero = [i for i in _hidden(shown) if counts[i] > 0]
        assert len(hidden_nonzero) >= 2, counts
        # The first complement is the smallest of the other non-zero cells.
        complement = min(i for i in hidden_nonzero if not 1 <= counts[i] < K)
        others = [c for i, c in enumerate(counts) if c > 0 and i not in hidden_nonzero]
        assert all(counts[complement] <= c for c in others), counts


def _ranges(counts: tuple[int, ...], shown: list[int | str]) -> dict[int, set[int]]:
    """What a reader can tell of each hidden cell from the cells shown, the labels ("<5":
    0 to 4, "*": 5 or more), the group's total (shown unless small) and that something
    hidden is small (1 to 4): every value each hidden cell can take."""
    hidden = _hidden(shown)
    total = sum(counts)
    rest = total - sum(v for v in shown if isinstance(v, int))
    options = [range(0, K) if shown[i] == "<5" else range(K, rest + 1) for i in hidden]
    possible: dict[int, set[int]] = {i: set() for i in hidden}
    for values in itertools.product(*options):
        if sum(values) != rest:
            continue
        if not any(1 <= v < K for v, i in zip(values, hidden, strict=True) if shown[i] == "<5"):
            continue
        for i, v in zip(hidden, values, strict=True):
            possible[i].add(v)
    return possible


@pytest.mark.parametrize("length", [2, 3])
def test_no_hidden_cell_can_be_pinned_down_from_the_total_and_the_labels(length):
    leaks = []
    for counts in _groups(length, top=13):
        shown = suppression.suppress_group(list(counts), K)
        if not _hidden(shown) or suppression.is_small(sum(counts), K):
            continue
        every_one_hidden = all(not isinstance(shown[i], int) for i, c in enumerate(counts) if c)
        if every_one_hidden and not suppression.protected([counts[i] for i in _hidden(shown)], K):
            # Every category hidden and still pinned (one category, or 4 and 4 of 8): the
            # group cannot protect itself; the README names this residual case.
            continue
        possible = _ranges(counts, shown)
        if any(len(values) < 2 for values in possible.values()):
            leaks.append((counts, shown))

    assert leaks == []


@pytest.mark.parametrize("length", [3, 4, 6])
def test_hidden_cells_hold_k_or_more_together(length):
    rng = random.Random(length)  # noqa: S311 - test data
    for _ in range(3000):
        counts = [rng.choice([0, 0, 1, 2, 3, 4, 5, 6, 9, 14, 30]) for _ in range(length)]
        shown = suppression.suppress_group(counts, K)
        hidden = _hidden(shown)
        if hidden and len([c for c in counts if c > 0]) >= 2 and sum(counts) >= K:
            assert len(hidden) >= 2, counts
            assert sum(counts[i] for i in hidden) >= K, counts


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


# Nested periods: a quarter or a year never gives away what its months hide


def _year(values: list[int], year: int = 2025) -> dict[Period, dict[str, int]]:
    return {Period(year, Unit.MONTH, m + 1): {"n": v} for m, v in enumerate(values)}


TOTAL = Layout("n")


def _released(monthly, period: Period, k: int = K):
    return suppression.release(TOTAL, monthly, period, k)


def test_a_year_hides_a_figure_whose_one_hidden_month_it_would_give_away():
    # January's 3 is hidden in its month; the year's 113 minus the eleven months shown
    # (110) would be January's 3.
    monthly = _year([3] + [10] * 11)

    assert _released(monthly, Period(2025, Unit.MONTH, 1)).total == "<5"
    assert _released(monthly, Period(2025, Unit.MONTH, 2)).total == 10
    assert _released(monthly, Period(2025, Unit.QUARTER, 1)).total == "*"
    assert _released(monthly, Period(2025, Unit.YEAR)).total == "*"
    assert _released(monthly, Period(2025, Unit.QUARTER, 2)).total == 30


def test_a_year_shows_a_figure_when_its_hidden_months_hold_k_or_more_unpinned():
    # January 3 and July 4 are hidden; their quarters hide them; the year gives only their
    # sum, 7, which could be 3 + 4, 4 + 3 (never each one alone).
    monthly = _year([3, 10, 10, 10, 10, 10, 4, 10, 10, 10, 10, 10])

    assert _released(monthly, Period(2025, Unit.QUARTER, 1)).total == "*"
    assert _released(monthly, Period(2025, Unit.QUARTER, 3)).total == "*"
    assert _released(monthly, Period(2025, Unit.YEAR)).total == 107


def test_a_quarter_with_two_hidden_months_at_their_maximum_is_hidden():
    # 4 and 4 in two months: the quarter would give 8, only possible as 4 + 4.
    monthly = _year([4, 4, 10] + [10] * 9)

    assert _released(monthly, Period(2025, Unit.QUARTER, 1)).total == "*"


def _published(monthly, year: int, k: int) -> list[tuple[list[int], int]]:
    """Every figure released about a year's months, as (months it adds up, value)."""
    facts = []
    for period in [
        Period(year, Unit.YEAR),
        *Period(year, Unit.YEAR).quarters(),
        *Period(year, Unit.YEAR).months(),
    ]:
        released = _released(monthly, period, k)
        if isinstance(released.total, int):
            facts.append(([m.index - 1 for m in period.months()], released.total))
    return facts


def test_no_month_hidden_in_its_own_view_can_be_worked_out_from_quarters_and_year():
    # k = 3: hidden months hold 1 or 2. Every assignment of 1 or 2 to the hidden months
    # that agrees with every released figure is possible to the reader; each hidden month
    # must keep two possible values.
    k = 3
    rng = random.Random(11)  # noqa: S311 - test data
    for _ in range(400):
        values = [rng.choice([0, 0, 1, 1, 2, 3, 4, 6]) for _ in range(12)]
        monthly = _year(values)
        facts = _published(monthly, 2025, k)
        hidden = [m for m in range(12) if 1 <= values[m] < k]
        possible: dict[int, set[int]] = {m: set() for m in hidden}
        for guess in itertools.product((1, 2), repeat=len(hidden)):
            trial = list(values)
            for m, v in zip(hidden, guess, strict=True):
                trial[m] = v
            if all(sum(trial[m] for m in months) == value for months, value in facts):
                for m, v in zip(hidden, guess, strict=True):
                    possible[m].add(v)
        assert all(len(options) == 2 for options in possible.values()), values


def test_a_category_hidden_in_a_month_is_hidden_in_its_quarter_and_year():
    layout = Layout("n", {"sex": ["female", "male"]})
    monthly = {
        Period(2025, Unit.MONTH, m): {"n": 20, "female": 10, "male": 10} for m in range(1, 13)
    }
    monthly[Period(2025, Unit.MONTH, 1)] = {"n": 12, "female": 10, "male": 2}

    january = suppression.release(layout, monthly, Period(2025, Unit.MONTH, 1), K)
    year = suppression.release(layout, monthly, Period(2025, Unit.YEAR), K)

    assert january.group("sex") == {"female": "*", "male": "<5"}
    # 112 men in the year minus 110 in the other months would be January's 2.
    assert year.group("sex") == {"female": "*", "male": "*"}
    assert year.total == 232
    # A month reads the same in its own view as inside its year.
    assert year.children[0].children[0].group("sex") == january.group("sex")


def test_a_window_to_date_is_hidden_when_any_of_its_periods_is():
    monthly = _year([10] * 11 + [3])
    parts = [Period(2025, Unit.QUARTER, q) for q in (1, 2, 3)] + [
        Period(2025, Unit.MONTH, m) for m in (10, 11)
    ]

    assert suppression.release_window(TOTAL, monthly, parts, "n", K) == 110
    assert (
        suppression.release_window(TOTAL, monthly, [*parts, Period(2025, Unit.MONTH, 12)], "n", K)
        == "*"
    )


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
    """16 victims in CF in 2025 whose breakdowns hold small cells: 14 in October (4 men,
    1 person of another sex, one Cameroonian, 3 identified in Ouaka), 2 in July; 3
    referrals in October."""
    recent, earlier = OCTOBER.start + timedelta(days=14), date(2025, 7, 15)
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
    sent = datetime.combine(recent, time(10), tzinfo=timezone.get_current_timezone())
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
    training_sessions.session_record(
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
    raw = statistics.cases(Scope(country="CF"), OCTOBER, k=None)

    assert raw["identified"] == 14
    assert raw["by_sex"] == {"female": 9, "male": 4, "other": 1}
    assert raw["by_citizenship"] == {"CF": 13, "other": 1, "unknown": 0}


def _dashboard(client, period: Period = None, **params):
    return client.get(reverse("reports:dashboard"), {"period": (period or OCTOBER).key, **params})


def test_ministry_dashboard_never_shows_a_victim_count_from_1_to_4(
    client, ministry, small_categories
):
    client.force_login(ministry)

    response = _dashboard(client)

    assert response.status_code == 200
    page = response.content.decode()
    victim_cells = []
    for heading in ("identified-heading", "breakdown-heading", "referrals-heading"):
        victim_cells += _cells(_section(page, heading))
    assert victim_cells, "the victim sections show no figures at all"
    assert [cell for cell in victim_cells if _is_small_number(cell)] == []
    assert "<5" in victim_cells
    assert "14" in victim_cells  # the total is not small: it is shown
    # A month has no chart (one bar); its quarter's chart carries no small count either,
    # and a hidden one is drawn as its label, with no bar.
    assert chart_svg(page, "identified-chart") is None
    quarter = _dashboard(client, Period(2025, Unit.QUARTER, 4)).content.decode()
    bars = drawn_bars(chart_svg(quarter, "identified-chart"))
    assert bars[0].value == "14" and bars[0].rect is not None
    assert [bar.value for bar in bars if _is_small_number(bar.value)] == []
    assert all(bar.rect is None for bar in bars if not bar.value.isdigit())
    # Trainings are not about victims: three people trained show as 3.
    assert "1 session, 3 people reached" in html.unescape(
        re.sub(r"\s+", " ", _section(page, "trainings-heading"))
    )


def test_ministry_dashboard_breakdowns_are_suppressed_with_complement(
    client, ministry, small_categories
):
    client.force_login(ministry)

    context = _dashboard(client).context

    assert context["cases"]["identified"] == 14
    # female 9, male 4, other 1: two small cells holding 5, nothing else to hide.
    assert context["cases"]["by_sex"] == {"female": 9, "male": "<5", "other": "<5"}
    # CF 13, one other nationality (not named: rare), none unknown: CF is hidden too.
    assert context["cases"]["by_citizenship"] == {"CF": "*", "other": "<5", "unknown": "<5"}
    assert context["referrals"]["made"] == "<5"
    assert context["referrals"]["median_response_hours"] is None
    # Bangui 11, Ouaka 3, every other region of CF 0: all hidden, the zeros too.
    by_region = context["cases"]["by_region"]
    assert by_region["Bangui"] == "*"
    assert {n for name, n in by_region.items() if name != "Bangui"} == {"<5"}
    assert cv.Sex.OTHER in context["cases"]["by_sex"]
