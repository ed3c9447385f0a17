"""Synthetic applicant lists (demo data, benchmarks): valid codici fiscali, incomes and
rents in the ranges seen in Puglia's calls, deterministic for a given seed."""

import io
import random

from stdnum.it import codicefiscale

from core.tabular import write_csv

from .applicants import APPLICANT_COLUMNS

LETTERS = "BCDFGHLMNPRSTVZ"
MONTH_LETTERS = "ABCDEHLMPRST"


def fiscal_code(rng: random.Random, place: str = "A662") -> str:
    surname = "".join(rng.choice(LETTERS) for _ in range(3))
    name = "".join(rng.choice(LETTERS) for _ in range(3))
    year = rng.randint(40, 99)
    month = rng.choice(MONTH_LETTERS)
    day = rng.randint(1, 28) + (40 if rng.random() < 0.5 else 0)
    stem = f"{surname}{name}{year:02d}{month}{day:02d}{place}"
    return stem + codicefiscale.calc_check_digit(stem)


def applicant_rows(count: int, *, seed: int = 2025, place: str = "A662"):
    rng = random.Random(seed)
    seen = set()
    while len(seen) < count:
        code = fiscal_code(rng, place)
        if code in seen:
            continue
        seen.add(code)
        income = rng.choice(
            [0, rng.randint(3000, 9000), rng.randint(9000, 13192), rng.randint(13000, 16000), rng.randint(16000, 30000)]
        )
        rent = rng.randint(2400, 7800)
        yield [
            code,
            rng.randint(1, 6),
            rng.random() < 0.2,
            rng.random() < 0.08,
            rng.random() < 0.35,
            f"{income},00",
            "",
            "",
            f"{rent},00",
            rng.choice([12] * 8 + [6, 9, 10, 11]),
            f"TNF{rng.randint(1, 9)}T{rng.randint(100000, 999999)}",
        ]


def applicants_csv(count: int, **kwargs) -> bytes:
    handle = io.StringIO()
    write_csv([column.header for column in APPLICANT_COLUMNS], applicant_rows(count, **kwargs), handle)
    return handle.getvalue().encode("utf-8")
