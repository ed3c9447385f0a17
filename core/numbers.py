"""Numbers written the Italian way: one rule for every form and every spreadsheet.

Accepted: `1.234,56`, `1234,56`, `1234`, `1.234` (a thousand two hundred thirty-four),
with or without spaces, non-breaking spaces or a `€` sign around them, and a leading sign.
The decimal separator is the comma; the point only groups thousands, in groups of exactly
three digits.

Refused, with a message saying how to write the number:
- an ambiguous mix (`1.234.5`, `12,345.6`, `1,234,5`): guessing would store a value a
  thousand times off;
- a lone point followed by other than three digits (`86.52`): in a form an Italian officer
  types the comma, so a point there is a slip (or a value pasted from an English system);
  reading it as thousands would store 8652 and reading it as a decimal would teach the
  system two conventions. The officer is asked to write `86,52`.
  A lone point followed by exactly three digits (`1.234`) is the thousands separator.
Spreadsheets exported by other systems do write `65.5`; their reader passes
`dot_decimal=True` to accept a lone point followed by other than three digits as a
decimal point (`core/tabular/cells.py`). Forms never do.

`ItalianDecimalField` is the form field for every amount, area and decimal input: a text
input with `inputmode="decimal"` (the numeric keypad on phones, no browser-side
`type=number` that silently drops the comma), showing values as `1.234,56`.
"""

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# Characters people put around a number that carry no meaning: spaces (also the
# non-breaking ones Excel and LibreOffice insert as thousands separators) and the euro sign.
_NOISE = str.maketrans("", "", " \u00a0\u202f\u2009€")
_ITALIAN_RE = re.compile(r"^[+-]?(\d{1,3}(\.\d{3})+|\d+)(,\d+)?$")
_LONE_DOT_RE = re.compile(r"^[+-]?\d+\.\d+$")


class NumberFormatError(ValueError):
    """The text is not a number written the Italian way; `message` says how to write it."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


def parse_italian_decimal(value: str, *, dot_decimal: bool = False) -> Decimal:
    """The number written in `value` (see the module's docstring for the rule).

    `dot_decimal=True` (machine-made spreadsheets only) also accepts `65.5` as 65,5."""
    raw = str(value).translate(_NOISE)
    shown = str(value).strip()
    if not raw:
        raise NumberFormatError(_("Enter a number."), "empty")
    if _ITALIAN_RE.match(raw):
        return Decimal(raw.replace(".", "").replace(",", "."))
    if _LONE_DOT_RE.match(raw):
        if dot_decimal:
            return Decimal(raw)
        raise NumberFormatError(
            _(
                "“%(value)s”: write decimals with a comma, like %(suggestion)s (the point only separates thousands, as in 1.234,56)."
            )
            % {"value": shown, "suggestion": raw.replace(".", ",")},
            "dot_decimal",
        )
    if re.match(r"^[+-]?[\d.,]+$", raw):
        raise NumberFormatError(
            _(
                "“%(value)s” is ambiguous: write the number with a comma for decimals and, if you like, points every three digits, like 1.234,56."
            )
            % {"value": shown},
            "ambiguous",
        )
    raise NumberFormatError(_("“%(value)s” is not a number (write it like 1.234,56).") % {"value": shown}, "invalid")


def format_italian_decimal(value, places: int | None = None, *, grouping: bool = True) -> str:
    """`value` written the Italian way: `1.234,56`. `places` fixes the decimal places
    (stored amounts are already quantized, so it only pads: 60 -> 60,00); None keeps the
    value's own."""
    if value is None or value == "":
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if places is not None:
        number = number.quantize(Decimal(1).scaleb(-places))
    text = f"{number:,f}" if grouping else f"{number:f}"
    # Python writes 1,234.56; swap the separators.
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


class ItalianDecimalInput(forms.TextInput):
    """A text input for decimals: the numeric keypad on phones, values shown as 1.234,56."""

    def __init__(self, attrs=None, places: int | None = None):
        attrs = {"inputmode": "decimal", "autocomplete": "off", **(attrs or {})}
        super().__init__(attrs)
        self.places = places

    def format_value(self, value):
        # What the person typed comes back as they typed it (str); stored values are Decimal.
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return format_italian_decimal(value, self.places)
        return super().format_value(value)


class ItalianDecimalField(forms.DecimalField):
    """A DecimalField that reads and shows numbers the Italian way (`parse_italian_decimal`).

    Keeps DecimalField's checks: max_digits, decimal_places, min_value, max_value."""

    widget = ItalianDecimalInput
    default_error_messages = {"invalid": gettext_lazy("Enter a number, like 1.234,56.")}

    def __init__(self, *args, dot_decimal: bool = False, **kwargs):
        # dot_decimal: also read a lone point as the decimal point, whatever follows it
        # (41.117 = 41,117). Only for values nobody writes with thousands separators and
        # that people paste from maps: coordinates.
        kwargs.pop("localize", None)
        self.dot_decimal = dot_decimal
        super().__init__(*args, **kwargs)
        if isinstance(self.widget, ItalianDecimalInput):
            self.widget.places = self.decimal_places

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return Decimal(str(value))
        raw = str(value).translate(_NOISE)
        try:
            if self.dot_decimal and _LONE_DOT_RE.match(raw):
                return Decimal(raw)
            number = parse_italian_decimal(raw)
        except NumberFormatError as error:
            raise ValidationError(error.message, code=error.code)
        except InvalidOperation:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        if not number.is_finite():
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def widget_attrs(self, widget):
        # DecimalField adds `step` for number inputs only; a text input needs none.
        return forms.Field.widget_attrs(self, widget)
