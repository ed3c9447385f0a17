"""The contribution rule over integer cents (calls.contribution.compiled), which applicant
lists use, gives exactly what the rule's statement (compute) gives: band, reason, the
contribution as a Decimal to the cent, and the incidence as stored (percent, two places)."""

from decimal import Decimal as D

from hypothesis import example, given, settings
from hypothesis import strategies as st

from calls.contribution import ApplicantFigures, BandRule, compiled, compute

HUNDRED = D(100)

money = st.integers(0, 10_000_000_00).map(lambda cents: D(cents).scaleb(-2))
small_money = st.integers(0, 30_000_00).map(lambda cents: D(cents).scaleb(-2))
percent = st.integers(0, 100_00).map(lambda hundredths: D(hundredths).scaleb(-2))


@st.composite
def band_sets(draw):
    bands = []
    for code in ("A", "B"):
        bands.append(
            BandRule(
                code,
                draw(small_money),
                draw(percent) / HUNDRED,  # as Call.bands() builds them
                draw(small_money),
            )
        )
    if draw(st.booleans()):
        bands.append(
            BandRule(
                "COVID",
                None,
                draw(percent) / HUNDRED,
                draw(small_money),
                max_isee=draw(small_money),
                min_income_loss=draw(percent) / HUNDRED,
            )
        )
    return bands


def stored_incidence(incidence):
    # What the applicant row stored before: percent, quantized (half-even) to the hundredth.
    if incidence is None:
        return None
    value = (incidence * HUNDRED).quantize(D("0.01"))
    return None if value > D("9999999") else value


def check(bands, income, rent, months, isee, loss):
    expected = compute(
        ApplicantFigures(
            income=income,
            annual_rent=rent,
            months=months,
            isee=isee,
            income_loss=None if loss is None else loss / HUNDRED,
        ),
        bands,
    )
    band, hundredths, contribution, reason = compiled(bands)(
        int(income * 100),
        int(rent * 100),
        months,
        None if isee is None else int(isee * 100),
        None if loss is None else int(loss * 100),
    )
    assert (band, reason) == (expected.band, expected.reason)
    assert contribution == expected.contribution
    assert str(contribution) == str(expected.contribution)  # same exponent: 0 or to the cent
    incidence = None if hundredths is None or hundredths > 999_999_900 else D(hundredths).scaleb(-2)
    assert incidence == stored_incidence(expected.incidence)


PUGLIA = [
    BandRule("A", D("13192.92"), D("0.14"), D("3098.74")),
    BandRule("B", D("15250.00"), D("0.24"), D("2324.06")),
    BandRule("COVID", None, D("0.14"), D("1500.00"), max_isee=D("35000.00"), min_income_loss=D("0.25")),
]


@settings(max_examples=1500, deadline=None)
@given(
    band_sets(),
    money,
    money,
    st.integers(1, 12),
    st.none() | money,
    st.none() | percent,
)
@example(PUGLIA, D("10000.00"), D("1400.00"), 12, None, None)  # exactly 14 %: band A, 0,00
@example(PUGLIA, D("0.00"), D("100.00"), 7, None, None)  # no income
@example(PUGLIA, D("15000.00"), D("0.00"), 12, None, None)  # no rent
@example(PUGLIA, D("3.00"), D("0.01"), 12, None, None)  # 0,333… % → 0,33
@example(PUGLIA, D("8.00"), D("0.01"), 12, None, None)  # 0,125 % → 0,12 (half-even)
@example(PUGLIA, D("40000.00"), D("9000.00"), 5, D("20000.00"), D("25.00"))  # COVID band
@example(PUGLIA, D("0.01"), D("10000000.00"), 12, None, None)  # incidence beyond the column
def test_integer_rule_equals_the_statement(bands, income, rent, months, isee, loss):
    check(bands, income, rent, months, isee, loss)


@settings(max_examples=500, deadline=None)
@given(small_money, small_money, st.integers(1, 12))
def test_integer_rule_equals_the_statement_on_puglias_bands(income, rent, months):
    check(PUGLIA, income, rent, months, None, None)
