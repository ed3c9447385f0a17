"""Numbers on the images written the Italian way (core.numbers): 1.234 · 1.234,56 € · 12,3 %.

`format_value` writes one value as the table and the labels show it; `format_tick` writes an
axis tick, with as many decimals as the tick step needs (ticks at 0, 0,5, 1 need one decimal,
ticks at 0, 500, 1.000 none)."""

import math
from decimal import Decimal

from django.utils.translation import gettext as _
from matplotlib.ticker import Formatter

from core.numbers import format_italian_decimal
from dashboards.results import Unit

# Decimal places of a value of each unit on the labels (counts are whole numbers).
PLACES = {Unit.COUNT: 0, Unit.EURO: 2, Unit.PERCENT: 1, Unit.RATE: 2, Unit.DAYS: 1}
NOT_AVAILABLE = "n.d."  # "non disponibile": the Italian statistical convention for a hidden value


def _decimal(value) -> Decimal:
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    return number if number != 0 else abs(number)  # never "-0"


def _with_unit(text: str, unit: Unit) -> str:
    if unit == Unit.EURO:
        return f"{text}\u00a0€"
    if unit == Unit.PERCENT:
        return f"{text}\u00a0%"
    if unit == Unit.DAYS:
        return _("%(value)s days") % {"value": text}
    return text


def format_number(value, unit: Unit, places: int | None = None) -> str:
    """`value` as a number of `unit`, without the unit's sign: 1.234 · 1.234,56 · 12,3."""
    if places is None:
        places = PLACES[Unit(unit)]
    return format_italian_decimal(_decimal(value).quantize(Decimal(1).scaleb(-places)), places)


def format_value(value, unit: Unit, places: int | None = None) -> str:
    """`value` written for a reader, with its unit: 1.234 · 1.234,56 € · 12,3 % · 3,5 days.
    None (a suppressed or missing value) is "n.d."."""
    if value is None:
        return NOT_AVAILABLE
    return _with_unit(format_number(value, unit, places), Unit(unit))


def tick_places(ticks, most: int = 3) -> int:
    """The fewest decimals (up to `most`) that write every tick exactly: 0 for 0, 500, 1.000;
    1 for 0, 2,5, 5; 2 for 0, 0,25, 0,5 (ticks would otherwise read alike or wrong)."""
    finite = [float(tick) for tick in ticks if math.isfinite(tick)]
    for places in range(most + 1):
        scale = 10**places
        if all(abs(tick * scale - round(tick * scale)) < 1e-6 * max(1.0, abs(tick * scale)) for tick in finite):
            return places
    return most


def format_tick(value, unit: Unit, places: int) -> str:
    return _with_unit(format_number(value, unit, places), Unit(unit))


class ItalianTickFormatter(Formatter):
    """An axis formatter writing ticks the Italian way for `unit`."""

    def __init__(self, unit: Unit):
        self.unit = Unit(unit)
        self.places = 0

    def format_ticks(self, values):
        self.places = tick_places(values)
        return [self(value) for value in values]

    def __call__(self, x, pos=None):
        return format_tick(x, self.unit, self.places)
