"""A realistic, deterministic synthetic stock of public housing (demo data, benchmarks).

Units are spread over the owner's Comuni in proportion to their population, grouped in
buildings of 6 to 36 units, with statuses, cadastral categories, energy classes, areas and
rents in proportions close to those reported for ERP stock (about 86 % let, DOMAIN.md §2.6).
The same seed always gives the same file.
"""

import io
import random
from datetime import date, timedelta
from decimal import Decimal

from core.tabular import write_csv
from registry.geo.boundaries import random_point
from registry.stock.spec import EXPORT_HEADERS, INCOME_LABELS_IT, STATUS_LABELS_IT, USE_LABELS_IT

from .models import IncomeBand, OccupancyStatus, UnitUse

STREETS = [
    "Via Giuseppe Garibaldi",
    "Via Giuseppe Mazzini",
    "Via Camillo Benso di Cavour",
    "Via Aldo Moro",
    "Via Vittorio Emanuele II",
    "Via Roma",
    "Viale della Repubblica",
    "Via Giovanni XXIII",
    "Via Dante Alighieri",
    "Via Antonio Gramsci",
    "Via Enrico Berlinguer",
    "Via Giacomo Matteotti",
    "Via Salvatore Quasimodo",
    "Via Papa Giovanni Paolo II",
    "Via Sandro Pertini",
    "Via Luigi Einaudi",
    "Via Giuseppe Di Vittorio",
    "Via Martiri di via Fani",
    "Via Pietro Nenni",
    "Via delle Margherite",
    "Via dei Gerani",
    "Via Sant'Antonio",
    "Via Padre Pio",
    "Via Nicola Sacco",
    "Via Alcide De Gasperi",
    "Via Tommaso Fiore",
    "Via Giovanni Falcone",
    "Via Paolo Borsellino",
    "Via Luigi Sturzo",
    "Via Francesco Crispi",
]
NEIGHBOURHOODS = [
    "Centro",
    "Zona 167",
    "Quartiere San Paolo",
    "Rione Libertà",
    "Periferia nord",
    "Periferia sud",
    "Villaggio Mattei",
    "",
]
PROGRAMMES = [
    "L. 457/1978",
    "L. 865/1971",
    "L. 179/1992",
    "PRU 1997",
    "L. 560/1993",
    "Contratti di quartiere II",
    "PNRR M5C2",
]
STATUS_WEIGHTS = [
    (OccupancyStatus.LET, 860),
    (OccupancyStatus.VACANT_READY, 30),
    (OccupancyStatus.VACANT_NEEDS_WORKS, 45),
    (OccupancyStatus.UNDER_RENOVATION, 15),
    (OccupancyStatus.OCCUPIED_WITHOUT_TITLE, 25),
    (OccupancyStatus.RESERVED_EMERGENCY, 8),
    (OccupancyStatus.FOR_SALE, 7),
    (OccupancyStatus.SOLD, 5),
    (OccupancyStatus.NON_RESIDENTIAL, 5),
]
CATEGORY_WEIGHTS = [("A/4", 45), ("A/3", 40), ("A/2", 5), ("A/5", 3)]
ENERGY_WEIGHTS = [("G", 30), ("F", 22), ("E", 18), ("D", 12), ("C", 8), ("B", 4), ("A1", 3), ("A2", 1), ("NC", 2)]
INCOME_WEIGHTS = [
    (IncomeBand.PROTECTION, 55),
    (IncomeBand.ACCESS, 30),
    (IncomeBand.PERMANENCE, 12),
    (IncomeBand.OVER_LIMIT, 3),
]


def _weighted(rng, weights):
    values, cumulative, total = [], [], 0
    for value, weight in weights:
        total += weight
        values.append(value)
        cumulative.append(total)

    def pick():
        target = rng.random() * total
        for value, bound in zip(values, cumulative):
            if target < bound:
                return value
        return values[-1]

    return pick


def allocate(count: int, comuni: list[tuple[str, str, int]]) -> list[tuple[str, str, int]]:
    """Split `count` units over (code, province, population) by population, largest
    remainders first, so that the parts add up exactly."""
    total = sum(population for _, _, population in comuni) or 1
    shares = [(code, province, count * population / total) for code, province, population in comuni]
    parts = [(code, province, int(share)) for code, province, share in shares]
    missing = count - sum(part for _, _, part in parts)
    order = sorted(range(len(shares)), key=lambda i: shares[i][2] - int(shares[i][2]), reverse=True)
    for i in order[:missing]:
        code, province, part = parts[i]
        parts[i] = (code, province, part + 1)
    return [part for part in parts if part[2] > 0]


def generate_rows(
    *,
    owner_code: str,
    comuni: list[tuple[str, str, int]],
    count: int,
    seed: int = 2026,
    manager_code: str | None = None,
):
    """Rows of the units file (Python values, in EXPORT_HEADERS order)."""
    rng = random.Random(f"{seed}-{owner_code}")
    status = _weighted(rng, STATUS_WEIGHTS)
    category = _weighted(rng, CATEGORY_WEIGHTS)
    energy = _weighted(rng, ENERGY_WEIGHTS)
    income = _weighted(rng, INCOME_WEIGHTS)
    unit_number = 0
    building_number = 0
    today = date(2026, 11, 1)
    for comune_code, _province, share in allocate(count, comuni):
        left = share
        while left > 0:
            building_number += 1
            size = min(left, rng.randint(6, 36))
            left -= size
            # A point inside the Comune (the importer checks it), from a generator of its own:
            # the two draws below keep every other generated value as it was.
            rng.uniform(-0.25, 0.25), rng.uniform(-0.25, 0.25)
            point = random_point(comune_code, random.Random(f"{seed}-{owner_code}-{building_number}"))
            lat, lon = (Decimal(f"{value:.6f}") for value in point)
            year = rng.randint(1950, 2012)
            renovation = rng.choice([None, None, rng.randint(max(year, 1990), 2025)])
            floors = rng.randint(2, 9)
            building = [
                f"F{building_number:05d}",
                comune_code,
                rng.choice(STREETS),
                str(rng.randint(1, 250)),
                "",
                rng.choice(NEIGHBOURHOODS),
                lat,
                lon,
                "",
                str(rng.randint(1, 120)),
                str(rng.randint(1, 3000)),
                year,
                renovation,
                floors,
                floors > 4,
                size,
                rng.choice(PROGRAMMES),
                manager_code or owner_code,
            ]
            sheet, parcel = building[9], building[10]
            for index in range(size):
                unit_number += 1
                unit_status = status()
                non_residential = unit_status == OccupancyStatus.NON_RESIDENTIAL
                let = unit_status == OccupancyStatus.LET
                usable = Decimal(rng.randint(3500, 11500)) / 100
                conventional = (usable * Decimal(rng.choice(["1.10", "1.15", "1.20", "1.05"]))).quantize(
                    Decimal("0.01")
                )
                yield [
                    f"{owner_code}-{unit_number}",
                    building[0],
                    *building[1:17],
                    building[17],
                    "ABC"[index % 3] if size > 12 else "",
                    str(index // 4),
                    str(index + 1),
                    sheet,
                    parcel,
                    str(index + 1),
                    "C/1" if non_residential else category(),
                    str(rng.randint(1, 5)),
                    Decimal(rng.randint(5, 14)) / 2,
                    usable,
                    conventional,
                    energy(),
                    rng.random() < 0.08,
                    USE_LABELS_IT[UnitUse.NON_RESIDENTIAL if non_residential else UnitUse.RESIDENTIAL],
                    STATUS_LABELS_IT[unit_status],
                    (Decimal(rng.randint(2500, 35000)) / 100) if let else None,
                    rng.randint(1, 6) if let else None,
                    INCOME_LABELS_IT[income()] if let else "",
                    today - timedelta(days=rng.randint(0, 365)),
                ]


def generate_csv(**kwargs) -> bytes:
    """The synthetic stock as an Italian-Excel CSV (UTF-8 with BOM, ';', decimal comma)."""
    handle = io.StringIO()
    write_csv(EXPORT_HEADERS, generate_rows(**kwargs), handle)
    return handle.getvalue().encode("utf-8")
