"""Cell parsers: each turns a raw value that is present (not None, not blank) into the
Python value or raises `CellError` with a message for the clerk.

Italian formats: decimal comma with thousands point (`1.234,56`), dates `dd/mm/yyyy`,
"sì"/"no"."""

import datetime
import re
from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from core.numbers import NumberFormatError, parse_italian_decimal

from .columns import normalise_header


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


_INT_RE = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$|^[+-]?\d+$")
_DATE_RE = re.compile(r"^(\d{1,2})[/\-.](\d{1,2})[/\-.](\d{4})$")
_ISO_DATE_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T].*)?$")

TRUE_WORDS = frozenset({"si", "sì", "s", "x", "1", "vero", "true", "yes", "y"})
FALSE_WORDS = frozenset({"no", "n", "0", "falso", "false"})


def as_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime.datetime):
        return value.strftime("%d/%m/%Y")
    return str(value).strip()


def text(max_length: int) -> Callable:
    def parse(value):
        result = value.strip() if type(value) is str else as_text(value)
        if len(result) > max_length:
            raise CellError(_("Too long: at most %(max)d characters.") % {"max": max_length})
        return result

    return parse


def parse_decimal(value) -> Decimal:
    """Italian decimal (`core.numbers.parse_italian_decimal`): `1.234,56`, `1234,56`, `65`;
    a lone point followed by other than three digits is read as a decimal point (`65.5`),
    as other systems export."""
    if type(value) is not str:
        if isinstance(value, bool):
            raise CellError(_("A number is expected here."))
        if isinstance(value, (int, float, Decimal)):
            return Decimal(str(value))
        raise CellError(_("A number is expected here."))
    raw = value.strip()
    # Fast path for the common case: digits with at most one decimal comma ("68,40").
    if raw.replace(",", "", 1).isdigit():
        return Decimal(raw.replace(",", "."))
    try:
        return parse_italian_decimal(raw, dot_decimal=True)
    except NumberFormatError as error:
        raise CellError(error.message)


def decimal(*, places: int, minimum: Decimal, maximum: Decimal) -> Callable:
    quantum = Decimal(1).scaleb(-places)

    def parse(value):
        number = parse_decimal(value)
        if number < minimum or number > maximum:
            raise CellError(
                _("%(value)s is out of range: it must be between %(min)s and %(max)s.")
                % {"value": _it(number), "min": _it(minimum), "max": _it(maximum)}
            )
        try:
            rounded = number.quantize(quantum)
        except InvalidOperation:
            raise CellError(_("A number is expected here."))
        if rounded != number:
            raise CellError(_("At most %(places)d decimal places.") % {"places": places})
        return rounded

    return parse


def integer(*, minimum: int, maximum: int) -> Callable:
    def parse(value):
        if type(value) is str:
            raw = value.strip().replace(" ", "")
            if not _INT_RE.match(raw):
                raise CellError(_("“%(value)s” is not a whole number.") % {"value": value.strip()})
            number = int(raw.replace(".", ""))
        elif isinstance(value, bool):
            raise CellError(_("A whole number is expected here."))
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            raise CellError(_("A whole number is expected here."))
        if number < minimum or number > maximum:
            raise CellError(
                _("%(value)s is out of range: it must be between %(min)d and %(max)d.")
                % {"value": number, "min": minimum, "max": maximum}
            )
        return number

    return parse


def boolean(value) -> bool:
    if isinstance(value, bool):
        return value
    word = as_text(value).lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError(_("Write “sì” or “no”."))


def date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    raw = value.strip() if type(value) is str else as_text(value)
    if len(raw) == 10 and raw[2] == "/" and raw[5] == "/":
        try:
            return datetime.date(int(raw[6:]), int(raw[3:5]), int(raw[:2]))
        except ValueError:
            pass  # fall through to the full check and its message
    match = _DATE_RE.match(raw)
    try:
        if match:
            day, month, year = (int(part) for part in match.groups())
            return datetime.date(year, month, day)
        match = _ISO_DATE_RE.match(raw)
        if match:
            return datetime.date(*(int(part) for part in match.groups()))
    except ValueError:
        raise CellError(_("The date %(value)s does not exist.") % {"value": raw})
    raise CellError(_("“%(value)s” is not a date (write it as dd/mm/yyyy).") % {"value": raw})


def choice(mapping: dict[str, str], described: str) -> Callable:
    """A value from a list: `mapping` goes from normalised spellings to stored codes."""

    exact = {}
    for spelling, code in mapping.items():
        exact[spelling] = code
        exact[spelling.upper()] = code

    def parse(value):
        if type(value) is str:
            found = exact.get(value) or exact.get(value.strip().lower())
            if found is not None:
                return found
        key = normalise_header(value)
        try:
            return mapping[key]
        except KeyError:
            raise CellError(
                _("“%(value)s” is not one of: %(allowed)s.") % {"value": as_text(value), "allowed": described}
            )

    return parse


def _it(number) -> str:
    return f"{number}".replace(".", ",")
