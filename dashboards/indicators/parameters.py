"""The indicators' parameters as the URL gives them (text), checked and turned into values:
a year, a province's code, an ARCA's PUSH code, a Comune's ISTAT code, a call's id.

Unknown parameters, parameters the indicator does not take and wrong values are refused
with a ValidationError naming the parameter (the API answers 400, the pages show the
message); an empty value is a parameter not given. A call is accepted only if the reader
may see it: published calls for everyone, and for open data only calls whose figures are
public for that indicator (`call_filter`)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from calls.models import Call
from calls.selectors import published_calls
from dashboards.results import PARAMETERS
from registry.models import Entity, Province

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(value: str):
    if not (value.isdigit() and MIN_YEAR <= int(value) <= MAX_YEAR):
        raise ValidationError(
            _("A year between %(min)d and %(max)d.") % {"min": MIN_YEAR, "max": MAX_YEAR}, code="invalid"
        )
    return int(value)


def _province(value: str):
    code = value.upper()
    if code not in Province.values:
        raise ValidationError(_("A province code: %(codes)s.") % {"codes": ", ".join(Province.values)}, code="invalid")
    return code


def _arca(value: str):
    if not (value.isdigit() and len(value) == 6 and Entity.objects.arca().filter(code=value).exists()):
        raise ValidationError(_("The PUSH code of an ARCA (e.g. 720000)."), code="invalid")
    return value


def _comune(value: str):
    if not (value.isdigit() and len(value) == 6 and Entity.objects.comuni().filter(code=value).exists()):
        raise ValidationError(_("The ISTAT code of a Comune of Puglia (e.g. 072006)."), code="invalid")
    return value


def _call(value: str, calls):
    if not (value.isdigit() and len(value) <= 18):
        raise ValidationError(_("The number of a call."), code="invalid")
    call = calls.filter(pk=int(value)).first()
    if call is None:
        raise ValidationError(_("No such call."), code="invalid")
    return call


PARSERS = {"year": _year, "province": _province, "arca": _arca, "comune": _comune}


def validate(indicator, params: dict, *, calls=None) -> dict:
    """The indicator's parameters from `params` (text, as in a URL), checked: a dict with
    the given ones only (a call as a Call). `calls`: the calls the reader may choose from
    (default: the published ones)."""
    errors = {}
    values = {}
    for name, raw in (params or {}).items():
        if name not in PARAMETERS or name not in indicator.parameters:
            errors[name] = [_("This indicator takes no such parameter.")]
            continue
        if isinstance(raw, (list, tuple)):
            raw = raw[-1] if raw else ""
        if isinstance(raw, Call):
            raw = str(raw.pk)
        text = str(raw).strip()
        if not text:
            continue
        try:
            if name == "call":
                values[name] = _call(text, published_calls() if calls is None else calls)
            else:
                values[name] = PARSERS[name](text)
        except ValidationError as error:
            errors[name] = error.messages
    if errors:
        raise ValidationError(errors)
    return values


def shown(values: dict) -> dict:
    """The applied parameters as text, for the Result (a call by its id)."""
    return {name: (str(value.pk) if isinstance(value, Call) else str(value)) for name, value in values.items()}
