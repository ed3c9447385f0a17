import pytest
from django.core.exceptions import ValidationError

from core.fiscal_codes import validate_body_code, validate_person_code


@pytest.mark.parametrize(
    "typed, normalised",
    [
        ("RSSMRA85T10A562S", "RSSMRA85T10A562S"),
        ("rssmra85t10a562s", "RSSMRA85T10A562S"),
        (" RSS MRA 85T10 A562S ", "RSSMRA85T10A562S"),
        # omocodia: digits replaced by letters (here 0 -> L), with its own check character
        ("RSSMRA85T1LA562V", "RSSMRA85T1LA562V"),
    ],
)
def test_valid_person_codes_are_normalised(typed, normalised):
    assert validate_person_code(typed) == normalised


@pytest.mark.parametrize(
    "value, code",
    [
        ("RSSMRA85T10A562T", "checksum"),
        ("RSSMRA85T10A562", "length"),
        ("RSSMRA85T10A562SX", "length"),
        ("1234567890123456", "format"),
        ("80017210727", "not_a_person"),
        ("RSSMRA85B30A562G", "birth_date"),  # 30 February
        ("RSSMRA85T99A562U", "birth_date"),  # day 99 (stdnum alone would read it as 19)
    ],
)
def test_invalid_person_codes_say_what_is_wrong(value, code):
    with pytest.raises(ValidationError) as error:
        validate_person_code(value)
    assert error.value.code == code


def test_body_code_checks_eleven_digits_and_check_digit():
    assert validate_body_code("80017210727") == "80017210727"
    with pytest.raises(ValidationError) as error:
        validate_body_code("80017210728")
    assert error.value.code == "checksum"
    with pytest.raises(ValidationError) as error:
        validate_body_code("8001721072")
    assert error.value.code == "format"
