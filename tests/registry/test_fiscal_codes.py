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


# --- the birthplace (codice catastale / Belfiore) ---------------------------------------
# The check character proves only that the code was copied faithfully; a code made up with
# a valid check character names a birthplace that is neither an Italian comune, past or
# present, nor a foreign state. Such codes are refused.

NO_SUCH_PLACE = "QZYHDJ79L57Z690Y"  # check character right, Z690 is no state


def test_a_birthplace_that_does_not_exist_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_person_code(NO_SUCH_PLACE)
    assert error.value.code == "birthplace"
    assert error.value.params == {"place": "Z690"}


@pytest.mark.parametrize(
    "value",
    [
        "RSSMRA85T10A662X",  # Bari
        "RSSMRA85T10A562S",  # San Giuliano Terme (Bagni San Giuliano until 1935)
        "RSSMRA85T10A001H",  # Abano Terme
    ],
)
def test_comuni_past_and_present_are_birthplaces(value):
    from stdnum.it import codicefiscale

    code = value[:15] + codicefiscale.calc_check_digit(value[:15])
    assert validate_person_code(code) == code


@pytest.mark.parametrize("place", ["Z404", "Z105", "Z110"])  # United States, Czechoslovakia (until 1993), France
def test_foreign_states_past_and_present_are_birthplaces(place):
    from stdnum.it import codicefiscale

    stem = f"SMTJHN80A01{place}"
    code = stem + codicefiscale.calc_check_digit(stem)
    assert validate_person_code(code) == code


def test_the_birthplace_is_read_through_omocodia():
    from stdnum.it import codicefiscale

    # A662 (Bari) with its digits replaced by letters: 6 -> S, 2 -> N.
    stem = "RSSMRA85T10ASSN"
    assert validate_person_code(stem + codicefiscale.calc_check_digit(stem))
    # Z690 the same way: still no such place.
    stem = "QZYHDJ79L57ZSVL"
    with pytest.raises(ValidationError) as error:
        validate_person_code(stem + codicefiscale.calc_check_digit(stem))
    assert error.value.code == "birthplace"


def test_the_accreditation_form_refuses_a_birthplace_that_does_not_exist(client, entities, pdf_file):
    from registry.models import AccreditationRequest
    from tests.conftest import LECCE
    from tests.registry.test_accreditation_flow import error_codes, form_data, post_request

    response = post_request(client, form_data(entities[LECCE], fiscal_code=NO_SUCH_PLACE), pdf_file())

    assert response.status_code == 400
    assert error_codes(response, "fiscal_code") == ["birthplace"]
    assert not AccreditationRequest.objects.exists()
