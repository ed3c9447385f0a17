"""The riparto as a pure function: totals to the cent, caps, determinism, monotonicity."""

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from calls.riparto import WEIGHT_CO_FINANCING, WEIGHT_NEED, Claim, allocate, split

THRESHOLD = D("0.20")


def run(claims, base, premium, weight=WEIGHT_NEED):
    return allocate(claims, fund_base=base, fund_premium=premium, threshold=THRESHOLD, premium_weight=weight)


def check_invariants(claims, result, base, premium):
    assert result.allocated + result.residual == base + premium
    for share in result.shares:
        assert 0 <= share.total <= max(share.need, 0)
        assert share.base >= 0 and share.premium >= 0
    if result.residual:
        assert all(share.total == max(share.need, 0) for share in result.shares)


def test_base_is_proportional_to_need():
    claims = [Claim("A", 600_00, 0), Claim("B", 300_00, 0), Claim("C", 100_00, 0)]
    result = run(claims, 500_00, 0)
    assert [a.base for a in result.shares] == [300_00, 150_00, 50_00]
    assert result.residual == 0


def test_base_never_exceeds_need_and_what_nobody_needs_is_the_residual():
    claims = [Claim("A", 10_00, 0), Claim("B", 1000_00, 0)]
    result = run(claims, 2000_00, 0)
    assert [a.base for a in result.shares] == [10_00, 1000_00]
    assert result.residual == 990_00


def test_a_comune_filled_by_the_premium_leaves_the_rest_to_the_others():
    # Premium by co-financing: A co-finances a lot but needs little; once full, B takes the rest.
    claims = [Claim("A", 200_00, 1000_00), Claim("B", 3000_00, 400_00)]
    result = run(claims, 1600_00, 600_00, WEIGHT_CO_FINANCING)
    by_code = {a.code: a for a in result.shares}
    assert (by_code["A"].base, by_code["B"].base) == (100_00, 1500_00)
    assert (by_code["A"].premium, by_code["B"].premium) == (100_00, 500_00)
    assert by_code["A"].total == 200_00  # its whole need, never more
    assert result.residual == 0


def test_premium_goes_only_to_comuni_co_financing_at_least_the_threshold():
    claims = [Claim("A", 1000_00, 100_00), Claim("B", 1000_00, 99_99), Claim("C", 1000_00, 0)]
    result = run(claims, 1500_00, 300_00)
    by_code = {a.code: a for a in result.shares}
    assert by_code["A"].base == 500_00 and by_code["A"].premium_eligible  # 100 ≥ 20 % of 500
    assert not by_code["B"].premium_eligible  # 99,99 < 100
    assert by_code["A"].premium == 300_00 and by_code["B"].premium == by_code["C"].premium == 0


def test_all_zero_co_financing_puts_the_premium_back_into_the_base_split():
    claims = [Claim("A", 1000_00, 0), Claim("B", 3000_00, 0)]
    result = run(claims, 1000_00, 1000_00)
    assert [a.total for a in result.shares] == [500_00, 1500_00]
    assert result.residual == 0


def test_a_single_comune_gets_the_fund_up_to_its_need():
    result = run([Claim("A", 700_00, 200_00)], 500_00, 500_00)
    assert result.shares[0].total == 700_00 and result.residual == 300_00


def test_ties_share_the_odd_cent_by_code():
    claims = [Claim("B", 100, 0), Claim("A", 100, 0), Claim("C", 100, 0)]
    result = run(claims, 100, 0)
    assert {a.code: a.base for a in result.shares} == {"A": 34, "B": 33, "C": 33}


def test_same_input_same_table():
    claims = [Claim(f"{i:06d}", 1000 + i * 37, i * 11) for i in range(50)]
    assert run(claims, 123_456_78, 45_678_91) == run(list(reversed(claims)), 123_456_78, 45_678_91)


def test_premium_weighted_by_co_financing():
    claims = [Claim("A", 10_000_00, 3_000_00), Claim("B", 10_000_00, 1_000_00)]
    result = run(claims, 2_000_00, 400_00, WEIGHT_CO_FINANCING)
    assert [a.premium for a in result.shares] == [300_00, 100_00]


def test_worked_example_dgr_1999_2019_shape():
    # 11 M base + 5 M premium over four Comuni: sums to the fund to the cent.
    claims = [
        Claim("072006", 9_000_000_00, 2_000_000_00),
        Claim("075035", 4_000_000_00, 100_000_00),
        Claim("071024", 3_500_000_00, 900_000_00),
        Claim("073027", 2_000_000_00, 0),
    ]
    result = run(claims, 11_000_000_00, 5_000_000_00)
    assert result.allocated + result.residual == 16_000_000_00
    check_invariants(claims, result, 11_000_000_00, 5_000_000_00)


def test_negative_funds_and_repeated_comuni_are_refused():
    with pytest.raises(ValueError):
        run([Claim("A", 1, 0)], -1, 0)
    with pytest.raises(ValueError):
        run([Claim("A", 1, 0), Claim("A", 2, 0)], 1, 0)


def test_split_never_exceeds_caps_and_returns_what_it_cannot_place():
    shares, left = split(1000, {"a": 1, "b": 1}, {"a": 100, "b": 300})
    assert shares == {"a": 100, "b": 300} and left == 600


claims_strategy = st.lists(
    st.tuples(st.integers(0, 5_000_000_00), st.integers(0, 2_000_000_00)), min_size=1, max_size=40
).map(lambda rows: [Claim(f"{index:06d}", need, cofin) for index, (need, cofin) in enumerate(rows)])
funds = st.integers(0, 50_000_000_00)


@settings(max_examples=300, deadline=None)
@given(claims_strategy, funds, funds, st.sampled_from([WEIGHT_NEED, WEIGHT_CO_FINANCING]))
def test_property_totals_to_the_cent_and_caps(claims, base, premium, weight):
    result = run(claims, base, premium, weight)
    check_invariants(claims, result, base, premium)


@settings(max_examples=200, deadline=None)
@given(claims_strategy, funds, st.integers(0, 40), st.integers(1, 1_000_000_00))
def test_property_base_share_does_not_fall_when_need_rises(claims, base, index, increase):
    index %= len(claims)
    before = run(claims, base, 0).shares[index].base
    raised = [Claim(c.code, c.need + (increase if i == index else 0), c.co_financing) for i, c in enumerate(claims)]
    assert run(raised, base, 0).shares[index].base >= before


@settings(max_examples=200, deadline=None)
@given(claims_strategy, funds, funds, st.integers(0, 40), st.integers(1, 1_000_000_00))
def test_property_more_co_financing_never_lowers_a_comunes_total(claims, base, premium, index, increase):
    index %= len(claims)
    before = run(claims, base, premium).shares[index].total
    raised = [Claim(c.code, c.need, c.co_financing + (increase if i == index else 0)) for i, c in enumerate(claims)]
    assert run(raised, base, premium).shares[index].total >= before
