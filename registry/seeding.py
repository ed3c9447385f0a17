"""Reference entities: the Region, the five ARCA and the 257 Comuni of Puglia (ISTAT).

`load_reference_entities()` is idempotent: a second run changes nothing; a Comune whose
name, province, population or cadastral code changed in the ISTAT file is updated in place.
Data the Region maintains in PUSH (which ARCA covers a Comune, PEC, legal representative,
accreditation) is set only when the row is created and never overwritten afterwards.
"""

import csv
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from .models import Entity, EntityKind, Province

DATA_DIR = Path(__file__).resolve().parent / "data"
COMUNI_FILE = DATA_DIR / "comuni_puglia.csv"
POPULATION_FILE = DATA_DIR / "comuni_puglia_population_2021.csv"

REGION = {"code": "160000", "name": "Regione Puglia", "fiscal_code": "80017210727"}

# PUSH codes of the ARCA: province prefix + "0000" (push.regione.puglia.it FAQ).
ARCA = [
    {"code": "710000", "name": "ARCA Capitanata", "province": Province.FOGGIA},
    {"code": "720000", "name": "ARCA Puglia Centrale", "province": Province.BARI},
    {"code": "730000", "name": "ARCA Jonica", "province": Province.TARANTO},
    {"code": "740000", "name": "ARCA Nord Salento", "province": Province.BRINDISI},
    {"code": "750000", "name": "ARCA Sud Salento", "province": Province.LECCE},
]

# Initial coverage, from the province; BAT is served by ARCA Puglia Centrale.
ARCA_BY_PROVINCE = {
    Province.FOGGIA: "710000",
    Province.BARI: "720000",
    Province.BAT: "720000",
    Province.TARANTO: "730000",
    Province.BRINDISI: "740000",
    Province.LECCE: "750000",
}

# Fields the ISTAT file is authoritative for.
REFERENCE_FIELDS = ("name", "province", "population", "cadastral_code")


class ReferenceDataError(ValueError):
    pass


@dataclass
class LoadResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list = field(default_factory=list)

    @property
    def changed_anything(self):
        return bool(self.created or self.updated)


def read_comuni(comuni_file: Path = COMUNI_FILE, population_file: Path = POPULATION_FILE) -> list[dict]:
    """Read and check the ISTAT files; raise ReferenceDataError on any malformed row."""
    with open(population_file, encoding="utf-8", newline="") as handle:
        population = {row["istat_code"]: int(row["population_2021"]) for row in csv.DictReader(handle)}
    provinces = set(Province.values)
    rows, seen = [], set()
    with open(comuni_file, encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            code = (row.get("istat_code") or "").strip()
            if not (len(code) == 6 and code.isdigit()):
                raise ReferenceDataError(f"{comuni_file.name}:{line}: ISTAT code {code!r} is not 6 digits")
            if code in seen:
                raise ReferenceDataError(f"{comuni_file.name}:{line}: ISTAT code {code} repeated")
            if row["province_code"] not in provinces:
                raise ReferenceDataError(f"{comuni_file.name}:{line}: unknown province {row['province_code']!r}")
            seen.add(code)
            rows.append(
                {
                    "code": code,
                    "name": row["name"].strip(),
                    "province": row["province_code"],
                    "population": population.get(code, int(row["population"])),
                    "cadastral_code": row["cadastral_code"].strip().upper(),
                }
            )
    return rows


@transaction.atomic
def load_reference_entities(comuni: list[dict] | None = None) -> LoadResult:
    comuni = read_comuni() if comuni is None else comuni
    result = LoadResult()
    existing = {entity.code: entity for entity in Entity.objects.select_for_update()}
    to_create, to_update, updated_fields = [], [], set()

    def upsert(code, kind, values, defaults_on_create=None):
        entity = existing.get(code)
        if entity is None:
            entity = Entity(code=code, kind=kind, **values, **(defaults_on_create or {}))
            existing[code] = entity
            to_create.append(entity)
            return
        changed = {
            name: (getattr(entity, name), value) for name, value in values.items() if getattr(entity, name) != value
        }
        if not changed:
            result.unchanged += 1
            return
        for name, (_, value) in changed.items():
            setattr(entity, name, value)
        to_update.append(entity)
        updated_fields.update(changed)
        result.changes.append((code, changed))

    # The Region and the ARCA first: new Comuni point at their ARCA.
    upsert(REGION["code"], EntityKind.REGION, {"name": REGION["name"]}, {"fiscal_code": REGION["fiscal_code"]})
    for arca in ARCA:
        upsert(arca["code"], EntityKind.ARCA, {"name": arca["name"], "province": arca["province"]})
    Entity.objects.bulk_create(to_create)
    result.created += len(to_create)
    to_create.clear()
    for row in comuni:
        upsert(
            row["code"],
            EntityKind.COMUNE,
            {name: row[name] for name in REFERENCE_FIELDS},
            {"covering_arca": existing[ARCA_BY_PROVINCE[row["province"]]]},
        )
    Entity.objects.bulk_create(to_create)
    result.created += len(to_create)
    if to_update:
        now = timezone.now()
        for entity in to_update:
            entity.updated_at = now
        Entity.objects.bulk_update(to_update, [*sorted(updated_fields), "updated_at"])
        result.updated = len(to_update)
    return result
