"""A building's address to coordinates, through a Nominatim-compatible search service.

Off unless the setting PUSH_GEOCODER_URL names the service's search address (e.g. a
Nominatim of the Region's own, or https://nominatim.openstreetmap.org/search within its usage
policy: one request per action of a person, an identifying User-Agent). Only the building's
address (street, number, CAP, Comune) is sent; no personal data. A result counts only if it
passes the same rule as typed coordinates (registry.geo.coordinates_problem): the first
answer inside the building's Comune is taken.
"""

import json
import logging
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from urllib.error import URLError
from urllib.parse import urlencode
from urllib.request import Request, urlopen

from django.conf import settings
from django.utils.translation import gettext as _

from registry.geo.boundaries import coordinates_problem

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 5
MAX_RESULTS = 5
USER_AGENT = "PUSH - Regione Puglia, anagrafe del patrimonio ERP"
SIX_PLACES = Decimal("0.000001")


class GeocodingError(Exception):
    """The address could not be placed; `message` is translated and says what to do."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Placement:
    latitude: Decimal
    longitude: Decimal


def geocoder_url() -> str:
    return getattr(settings, "PUSH_GEOCODER_URL", "") or ""


def is_configured() -> bool:
    return bool(geocoder_url())


def _query(*, street: str, street_number: str, postcode: str, comune_name: str) -> dict:
    return {
        "street": f"{street_number} {street}".strip(),
        "city": comune_name,
        "postalcode": postcode or "",
        "state": "Puglia",
        "countrycodes": "it",
        "format": "jsonv2",
        "limit": MAX_RESULTS,
    }


def _fetch(url: str) -> list:
    request = Request(url, headers={"User-Agent": USER_AGENT, "Accept": "application/json"})
    with urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310 (an https URL from the settings)
        return json.loads(response.read(1_000_000).decode("utf-8"))


def _decimal(value) -> Decimal | None:
    try:
        return Decimal(str(value)).quantize(SIX_PLACES, rounding=ROUND_HALF_EVEN)
    except (InvalidOperation, TypeError, ValueError):
        return None


def place(*, street: str, street_number: str, postcode: str, comune_code: str, comune_name: str) -> Placement:
    """The coordinates of the address, inside the Comune `comune_code`. Raises GeocodingError
    when no service is configured, it does not answer, or nothing it finds lies in the
    Comune. Makes one HTTP request."""
    base = geocoder_url()
    if not base:
        raise GeocodingError(_("No geocoder is configured: enter the coordinates."))
    query = _query(street=street, street_number=street_number, postcode=postcode, comune_name=comune_name)
    url = f"{base}{'&' if '?' in base else '?'}{urlencode(query)}"
    try:
        results = _fetch(url)
    except (URLError, OSError, ValueError) as error:
        logger.warning("Geocoder did not answer: %s", type(error).__name__)
        raise GeocodingError(_("The geocoder did not answer: try again later or enter the coordinates.")) from None
    found_any = False
    for result in results if isinstance(results, list) else []:
        latitude, longitude = _decimal(result.get("lat")), _decimal(result.get("lon"))
        if latitude is None or longitude is None:
            continue
        found_any = True
        if coordinates_problem(comune_code, latitude, longitude) is None:
            return Placement(latitude=latitude, longitude=longitude)
    if found_any:
        raise GeocodingError(
            _("The geocoder placed this address outside %(comune)s: check the address or enter the coordinates.")
            % {"comune": comune_name}
        )
    raise GeocodingError(_("The geocoder did not find this address: check it or enter the coordinates."))
