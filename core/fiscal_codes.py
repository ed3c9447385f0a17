"""Italian fiscal codes: the 16-character codice fiscale of a person and the 11-digit
codice fiscale (or partita IVA) of a public body.

Validation goes through python-stdnum, which knows the check character, omocodia
(digits replaced by L M N P Q R S T U V) and the encoded birth date; this module only
normalises the input and turns stdnum's exceptions into messages a clerk understands.
"""

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
    return _SEPARATORS.sub("", str(value or "")).upper()


def validate_person_code(value: str) -> str:
    """Return the normalised codice fiscale of a person or raise ValidationError."""
    code = normalise_person_code(value)
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
