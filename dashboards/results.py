"""What an indicator answers, and for whom: the types shared by the indicators (which compute
them), the renderer (which draws them), the dashboard pages, the CSV/XLSX downloads, the
open-data API and the admin panels. Nothing here reads the database or draws.

An indicator answers a table: categories (rows: Comuni, provinces, owners, statuses, years)
by series (columns: e.g. occupancy statuses, bands), one number per cell. Every view of a
chart – the image, the accessible HTML table, the CSV and XLSX, the API – is made from the
same `Result`, so they cannot disagree.
"""

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Level(StrEnum):
    """Who may read an indicator. Public indicators are open data (small counts suppressed);
    restricted ones are for regional roles, and for an entity's people on their own figures."""

    PUBLIC = "public"
    RESTRICTED = "restricted"


class Unit(StrEnum):
    """How a number reads: decides the Italian format on the image, in the table and files."""

    COUNT = "count"  # 1.234
    EURO = "euro"  # 1.234,56 €
    PERCENT = "percent"  # 12,3 %  (stored as a percentage: Decimal("12.3"))
    RATE = "rate"  # 4,56     (e.g. units per 1,000 residents)
    DAYS = "days"  # 3,5 giorni


class CategoryKind(StrEnum):
    """What the categories are: a map can colour Comuni or provinces by their codes."""

    COMUNE = "comune"  # codes: 6-digit ISTAT codes
    PROVINCE = "province"  # codes: sigla (BA, BT, BR, FG, LE, TA)
    LABEL = "label"  # anything else (status, owner, band, call)
    YEAR = "year"  # codes: "2025", "2026"


# Parameters an indicator may declare; the dashboard's filters are these, in the URL.
PARAMETERS = {
    "year": _("Year"),
    "province": _("Province"),
    "arca": _("ARCA"),
    "comune": _("Comune"),
    "call": _("Call"),
}


@dataclass(frozen=True)
class Audience:
    """Whose figures a reader may see (from registry.access, never from the request).

    entity_ids None: every entity (the Region's people). A frozenset: only those entities'
    figures (an ARCA's or a Comune's people). public True: an anonymous or open-data reader,
    who gets public indicators only, with small counts suppressed."""

    entity_ids: frozenset[int] | None = None
    public: bool = False

    @property
    def regional(self) -> bool:
        return self.entity_ids is None and not self.public


@dataclass
class Series:
    key: str
    label: str
    values: list  # one per category: int | Decimal | None (None = suppressed or not available)


@dataclass
class Result:
    """The answer of an indicator for some parameters and an audience."""

    indicator: str  # the indicator's key
    title: str
    unit: Unit
    category_kind: CategoryKind
    categories: list[str]  # labels shown (e.g. "Bari", "Vacant, ready")
    codes: list[str]  # stable codes, same order (ISTAT code, sigla, status code, year)
    series: list[Series]
    parameters: dict = field(default_factory=dict)  # the parameters actually applied
    suppressed: int = 0  # how many cells were hidden as small counts (public readers)
    note: str = ""  # e.g. "Valori inferiori a 5 non mostrati."
    source: str = ""  # e.g. "Anagrafe del patrimonio PUSH"

    def rows(self) -> list[list]:
        """The table as rows: category label, then one value per series."""
        return [
            [label, *(series.values[index] for series in self.series)] for index, label in enumerate(self.categories)
        ]

    def total(self) -> Decimal | int:
        return sum((value for series in self.series for value in series.values if value is not None), 0)
