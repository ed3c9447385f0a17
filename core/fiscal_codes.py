"""Italian fiscal codes: the 16-character codice fiscale of a person and the 11-digit
codice fiscale (or partita IVA) of a public body.

Validation goes through python-stdnum, which knows the check character, omocodia
(digits replaced by L M N P Q R S T U V) and the encoded birth date; this module only
normalises the input and turns stdnum's exceptions into messages a clerk understands.

The birthplace (characters 12–15, the codice catastale or "Belfiore" code, with omocodia
letters read back as digits) must name an Italian comune, present or past, or a foreign
state, present or past: the check character alone lets a made-up place through. The list is
the one python-codicefiscale maintains (from ISTAT and the Agenzia delle Entrate); only its
codes are kept, loaded once on first use (`birthplace_codes`, about 10,000 codes, a tenth of
a second), so that importing this module costs nothing.

This is the only check of a personal codice fiscale: model validators, the accreditation
form, the API and the applicant lists all call `validate_person_code`.
"""

import datetime
import functools
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.it import codicefiscale, iva

_SEPARATORS = re.compile(r"[\s\-.]")
# Omocodia replaces digits with these letters, in this order (0 → L … 9 → V).
_OMOCODIA = str.maketrans("LMNPQRSTUV", "0123456789")


def normalise_person_code(value: str) -> str:
    """Upper-case and strip spaces, dots and dashes, as clerks type them."""
    if type(value) is str and value.isalnum():
        return value.upper()  # nothing to strip (the common case, without the expression)
    return _SEPARATORS.sub("", str(value or "")).upper()


_PERSON_CODE = re.compile(r"^[A-Z]{6}[0-9LMNPQRSTUV]{2}[ABCDEHLMPRST][0-9LMNPQRSTUV]{2}[A-Z][0-9LMNPQRSTUV]{3}[A-Z]$")
_ODD = dict(
    zip(
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ",
        [
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            1,
            0,
            5,
            7,
            9,
            13,
            15,
            17,
            19,
            21,
            2,
            4,
            18,
            20,
            11,
            3,
            6,
            8,
            12,
            14,
            16,
            10,
            22,
            25,
            24,
            23,
        ],
    )
)
_EVEN = {char: (int(char) if char.isdigit() else ord(char) - 65) for char in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}
_MONTHS = "ABCDEHLMPRST"


@functools.cache
def birthplace_codes() -> frozenset[str]:
    """The codici catastali of every Italian comune and foreign state, past and present."""
    from codicefiscale.data import get_countries_data, get_municipalities_data

    places = [*get_municipalities_data(), *get_countries_data()]
    return frozenset(place["code"] for place in places if _PLACE_CODE.match(place["code"]))


_PLACE_CODE = re.compile(r"^[A-Z][0-9]{3}$")


def birthplace_of(code: str) -> str:
    """The birthplace code of a well-formed personal codice fiscale, omocodia undone."""
    return code[11] + code[12:15].translate(_OMOCODIA)


def _quick_valid(code: str) -> bool:
    """True when the code is certainly valid: form, check character and a real birth date.
    Lists of tens of thousands of applicants are checked with this; anything it does not
    accept goes through python-stdnum for the precise message. The birth date and the
    birthplace are judged once per distinct value (a few thousand in a national list)."""
    if not _PERSON_CODE.match(code):
        return False
    total = sum(map(_ODD.__getitem__, code[0:15:2])) + sum(map(_EVEN.__getitem__, code[1:15:2]))
    if _CHECK_LETTERS[total % 26] != code[15]:
        return False
    date_ok = _DATES_SEEN.get(code[6:11])
    if date_ok is None:
        date_ok = _DATES_SEEN[code[6:11]] = _real_birth_date(code)
    if not date_ok:
        return False
    place_ok = _PLACES_SEEN.get(code[11:15])
    if place_ok is None:
        place_ok = _PLACES_SEEN[code[11:15]] = birthplace_of(code) in birthplace_codes()
    return place_ok


_CHECK_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
# Characters 7–11 (year, month, day) and 12–15 (birthplace) of well-formed codes, judged:
# bounded by the forms the pattern allows (about 200,000 and 26 × 11⁴).
_DATES_SEEN: dict[str, bool] = {}
_PLACES_SEEN: dict[str, bool] = {}


def _real_birth_date(code: str) -> bool:
    day = int(code[9:11].translate(_OMOCODIA))
    if not (1 <= day <= 31 or 41 <= day <= 71):
        return False
    try:
        # The century as python-stdnum reads it (so that 29 February is judged alike).
        year = int(code[6:8].translate(_OMOCODIA))
        datetime.date(2000 + year if year < 50 else 1900 + year, _MONTHS.index(code[8]) + 1, day % 40)
    except ValueError:
        return False
    return True


def validate_person_code(value: str) -> str:
    """Return the normalised codice fiscale of a person or raise ValidationError."""
    code = normalise_person_code(value)
    if _quick_valid(code):
        return code
    if len(code) == 11 and code.isdigit():
        raise ValidationError(
            _("This is the fiscal code of a company or body, not of a person: enter the 16-character codice fiscale."),
            code="not_a_person",
        )
    try:
        codicefiscale.validate(code)
    except stdnum_errors.InvalidLength:
        raise ValidationError(
            _("A personal codice fiscale has 16 characters; this one has %(count)d."),
            code="length",
            params={"count": len(code)},
        )
    except stdnum_errors.InvalidFormat:
        raise ValidationError(
            _(
                "The codice fiscale is not well formed (expected 6 letters, 2 digits, a letter, 2 digits, a letter, 3 digits and a letter)."
            ),
            code="format",
        )
    except stdnum_errors.InvalidComponent:
        raise ValidationError(_("The birth date encoded in the codice fiscale does not exist."), code="birth_date")
    except stdnum_errors.InvalidChecksum:
        raise ValidationError(
            _("The last character of the codice fiscale does not match the others: check for a typing error."),
            code="checksum",
        )
    except stdnum_errors.ValidationError:
        raise ValidationError(_("This is not a valid codice fiscale."), code="invalid")
    # stdnum reads the day modulo 40, so it accepts 72–99; the code allows only 01–31
    # (men) and 41–71 (women).
    day = int(code[9:11].translate(_OMOCODIA))
    if not (1 <= day <= 31 or 41 <= day <= 71):
        raise ValidationError(_("The birth date encoded in the codice fiscale does not exist."), code="birth_date")
    place = birthplace_of(code)
    if place not in birthplace_codes():
        raise ValidationError(
            _(
                "The birthplace in the codice fiscale (%(place)s) is neither an Italian comune nor a foreign state: check for a typing error."
            ),
            code="birthplace",
            params={"place": place},
        )
    return code


def validate_body_code(value: str) -> str:
    """Return the normalised 11-digit fiscal code of a public body or raise ValidationError."""
    code = _SEPARATORS.sub("", str(value or ""))
    if not (len(code) == 11 and code.isdigit()):
        raise ValidationError(_("The fiscal code of a public body has exactly 11 digits."), code="format")
    if not iva.is_valid(code):
        raise ValidationError(
            _("The check digit of this fiscal code is wrong: check for a typing error."), code="checksum"
        )
    return code


def person_code_validator(value):
    """Model-field validator form of validate_person_code."""
    validate_person_code(value)


def body_code_validator(value):
    """Model-field validator form of validate_body_code."""
    validate_body_code(value)
