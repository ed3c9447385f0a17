"""The CUP (Codice Unico di Progetto, L. 144/1999 art. 11; L. 3/2003 art. 11): the code every
public investment project carries, assigned by the CIPE system on request of the body that
runs the project.

A CUP has 15 characters: a letter (the code of the generating structure), two digits, a
letter (the nature of the project), the two digits of the year of generation, six digits of
progressive number and three digits closing the code — e.g. J31B21001230006. This module
checks that shape only: whether the code was really issued is the CUP system's to say, and
PUSH has no connection to it."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CUP_LENGTH = 15
CUP_PATTERN = re.compile(r"^[A-Z][0-9]{2}[A-Z][0-9]{11}$")


def normalise_cup(value) -> str:
    """The code as stored: upper case, without the spaces and dashes people type."""
    return re.sub(r"[\s\-.]", "", str(value or "")).upper()


def cup_problem(value) -> str | None:
    """Why `value` is not a CUP, or None when its shape is a CUP's (after normalising)."""
    code = normalise_cup(value)
    if len(code) != CUP_LENGTH:
        return _("A CUP has %(length)d characters; this one has %(found)d.") % {
            "length": CUP_LENGTH,
            "found": len(code),
        }
    if not CUP_PATTERN.match(code):
        return _("A CUP is a letter, two digits, a letter and eleven digits (e.g. J31B21001230006).")
    return None


def validate_cup(value) -> None:
    """Model and form validator: refuses a value whose shape is not a CUP's."""
    problem = cup_problem(value)
    if problem:
        raise ValidationError(problem, code="cup")
