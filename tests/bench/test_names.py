"""The benchmark's synthetic names: realistic diversity is what makes its name-search
figures mean anything (issue 15: with 90 names, every search matched tens of thousands)."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from bench import names
from traffick_cm import crypto


@pytest.fixture(scope="module")
def pools():
    return names.Names()


def test_every_pool_holds_thousands_of_names_that_normalise_apart(pools):
    for (region, kind), pool in pools.pools.items():
        tokens = [crypto.name_tokens(name) for name in pool]
        assert len(pool) >= 2_000, (region, kind)
        assert all(len(t) == 1 for t in tokens), (region, kind)
        assert len({t[0] for t in tokens}) == len(pool), (region, kind)


def test_no_name_has_a_digit_or_a_space(pools):
    assert not [n for n in pools.all() if any(c.isdigit() or c.isspace() for c in n)]


def test_pools_start_with_the_common_real_names(pools):
    assert pools.pools["west", "last"][:2] == ["Diallo", "Barry"]
    assert pools.pools["anglophone", "female"][0] == "Blessing"


def test_draws_are_zipf_like_a_few_names_common_most_rare(pools):
    rng = random.Random(1)  # noqa: S311
    drawn = Counter(pools.draw(rng, "sahel", "last", 100_000))
    ranked = [n for n, _ in drawn.most_common()]
    top = drawn[ranked[0]]
    assert ranked[0] == pools.pools["sahel", "last"][0]
    assert 0.05 < top / 100_000 < 0.3
    assert drawn[ranked[99]] < top / 30
    assert len(drawn) > 3_000


def test_a_citizen_draws_from_the_region_of_the_country():
    assert names.Names.region("NG") == "anglophone"
    assert names.Names.region("CF") == "central"
    assert names.Names.region("ML") == "sahel"
    assert names.Names.region("GN") == "west"


def test_the_pools_are_the_same_on_every_run():
    assert names.pool(names.WEST["last"], 500, "west-last") == names.pool(
        names.WEST["last"], 500, "west-last"
    )
