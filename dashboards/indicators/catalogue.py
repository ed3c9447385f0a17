"""What an indicator is: its key, what it says, who may read it, which parameters it takes,
how its numbers read, which data it depends on, and the selector that computes it."""

from collections.abc import Callable
from dataclasses import dataclass

from dashboards.results import CategoryKind, Level, Unit

# The data an indicator may read, each with its own version (dashboards/indicators/versions.py).
STOCK = "stock"  # the property register (units, buildings, snapshots)
CALLS = "calls"  # calls, submissions, allocations, extensions, the Comuni's accreditation
POPULATION = "population"  # the Comuni's 2021 population (a file shipped with the code)
TODAY = "today"  # figures that change with the date (days since, deadlines passed)
HELPDESK = "helpdesk"  # the entities' tickets to the Region and their timings

# The parameters indicators take, named by what they narrow (dashboards.results.PARAMETERS).
TERRITORY = ("province", "arca", "comune")  # where the buildings or the Comuni are
PROVINCE_OR_ARCA = ("province", "arca")  # figures by Comune: a province's, or an ARCA's Comuni
ARCA_ONLY = ("arca",)  # figures by province or owner: an ARCA's territory
CALL_AND_TERRITORY = ("call", "year", *TERRITORY)  # a call (or a year's), where its Comuni are
YEAR_AND_PROVINCE = ("year", "province")


@dataclass(frozen=True)
class Indicator:
    key: str
    title: str
    description: str
    level: Level
    parameters: tuple[str, ...]  # subset of dashboards.results.PARAMETERS
    unit: Unit
    category_kind: CategoryKind
    sources: tuple[str, ...]
    default_kind: str  # suggested chart kind: bar, hbar, stacked, line, donut, map
    select: Callable = None  # select(params, audience) -> Result; see dashboards/indicators/__init__.py
    source_note: str = ""  # printed under the chart: where the figures come from
    fields: tuple[tuple[str, str], ...] = ()  # the data dictionary: (column, what it holds)
    # For indicators of a call: the calls whose figures are open data (None: every published one).
    open_calls: Callable | None = None

    @property
    def is_public(self) -> bool:
        return self.level == Level.PUBLIC
