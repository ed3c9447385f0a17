"""The CUP's shape: 15 characters, a letter, two digits, a letter, eleven digits."""

import pytest

from calls.programmes.cup import cup_problem, normalise_cup


@pytest.mark.parametrize(
    "code",
    [
        "J31B21001230006",
        "B19J21013490006",
        "F88I20000010001",
        "j31b21001230006",
        " J31B 2100 1230006 ",
        "J31B-21001230006",
    ],
)
def test_a_cup_of_the_cipe_shape_is_accepted(code):
    assert cup_problem(code) is None


@pytest.mark.parametrize(
    "code, fragment",
    [
        ("J31B2100123000", "15 characters"),  # 14
        ("J31B210012300061", "15 characters"),  # 16
        ("", "15 characters"),
        ("131B21001230006", "a letter, two digits"),  # digit first
        ("JA1B21001230006", "a letter, two digits"),  # letter in the digits
        ("J311210012300061"[:15], "a letter, two digits"),  # digit where the nature's letter goes
        ("J31B2100123000X", "a letter, two digits"),  # letter at the end
    ],
)
def test_a_code_of_another_shape_is_refused_with_the_reason(code, fragment, english):
    assert fragment in cup_problem(code)


def test_the_stored_code_is_upper_case_without_separators():
    assert normalise_cup(" j31b 2100-1230006 ") == "J31B21001230006"
