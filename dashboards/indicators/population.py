"""The Comuni's resident population at 1 January 2021 (ISTAT), the denominator of the
per-resident indicators: read once per process from the file shipped in dashboards/data
(see its SOURCES.md); every figure computed from it carries "Fonte: ISTAT"."""

import csv
from functools import cache
from pathlib import Path

POPULATION_FILE = Path(__file__).resolve().parent.parent / "data" / "comuni_puglia_population_2021.csv"
ATTRIBUTION = "Fonte: ISTAT, popolazione residente al 1° gennaio 2021"
VERSION = "istat-2021"


@cache
def population_by_comune() -> dict[str, int]:
    """ISTAT code (6 digits) -> residents."""
    with POPULATION_FILE.open(encoding="utf-8", newline="") as handle:
        return {row["istat_code"].zfill(6): int(row["population_2021"]) for row in csv.DictReader(handle)}
