"""Demo programme: one regional programme for the ERP stock with interventions of ARCA Sud
Salento and ARCA Puglia Centrale in different stages — one planned, one in design with its
design milestone late, one with works under way and two progress reports, one completed
(its buildings' renovation year and units' energy class written to the register, so their
history shows it). Idempotent; needs the demo stock (registry's demo) to attach buildings."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from registry.models import Building, Entity

from . import register
from .models import Intervention, InterventionState, InterventionType, Programme, ProgressReport

TITLE = "Programma regionale di riqualificazione del patrimonio ERP 2024–2027"


def _buildings(owner, count, skip=0):
    return list(Building.objects.filter(owner=owner).order_by("pk")[skip : skip + count])


def load() -> list[str]:
    if Programme.objects.filter(title=TITLE).exists():
        return []
    salento = Entity.objects.filter(code="750000").first()
    centrale = Entity.objects.filter(code="720000").first()
    if salento is None or centrale is None:
        return []
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    with transaction.atomic():
        programme = Programme.objects.create(
            title=TITLE,
            legal_act="DGR n. 1234 del 15/07/2024",
            total_funds=Decimal("12000000.00"),
            design_deadline=today + 60 * day,
            tender_deadline=today + 180 * day,
            works_start_deadline=today + 270 * day,
            completion_deadline=today + 900 * day,
            testing_deadline=today + 1000 * day,
            stale_after_days=60,
        )
        programme.beneficiaries.set([salento, centrale])

        def intervention(beneficiary, title, kind, funded, state, buildings, **fields):
            item = Intervention.objects.create(
                programme=programme,
                beneficiary=beneficiary,
                title=title,
                intervention_type=kind,
                funded_amount=Decimal(funded),
                state=state,
                **fields,
            )
            item.buildings.set(buildings)
            return item

        intervention(
            salento,
            "Efficientamento energetico – Lecce, quartiere Stadio",
            InterventionType.ENERGY_UPGRADE,
            "1850000.00",
            InterventionState.WORKS,
            _buildings(salento, 2),
            cup="E81B22000310002",
            co_financing=Decimal("150000.00"),
            amount_paid=Decimal("640500.00"),
            energy_class_after="B",
            design_planned=today - 400 * day,
            design_actual=today - 390 * day,
            tender_planned=today - 250 * day,
            tender_actual=today - 240 * day,
            works_start_planned=today - 200 * day,
            works_start_actual=today - 195 * day,
            completion_planned=today + 300 * day,
        )
        works = Intervention.objects.get(programme=programme, beneficiary=salento, state=InterventionState.WORKS)
        ProgressReport.objects.create(
            intervention=works, date=today - 120 * day, percentage=Decimal("20.00"), amount=Decimal("370000.00")
        )
        ProgressReport.objects.create(
            intervention=works, date=today - 30 * day, percentage=Decimal("35.50"), amount=Decimal("656750.00")
        )
        late = intervention(
            salento,
            "Adeguamento sismico – Gallipoli, via Lecce",
            InterventionType.SEISMIC_UPGRADE,
            "2300000.00",
            InterventionState.DESIGN,
            _buildings(salento, 1, skip=2),
            cup="E41B23000150002",
            design_planned=today - 45 * day,
            tender_planned=today + 90 * day,
        )
        # Not updated for longer than the programme allows: stale as well as late.
        Intervention.objects.filter(pk=late.pk).update(last_update=timezone.now() - 75 * day)
        intervention(
            centrale,
            "Recupero di alloggi sfitti – Bari, San Paolo",
            InterventionType.RECOVERY,
            "980000.00",
            InterventionState.PLANNED,
            _buildings(centrale, 1),
            design_planned=today + 40 * day,
        )
        completed = intervention(
            centrale,
            "Riqualificazione energetica – Altamura, via Bari",
            InterventionType.ENERGY_UPGRADE,
            "1250000.00",
            InterventionState.COMPLETED,
            _buildings(centrale, 1, skip=1),
            cup="B71B21001230006",
            co_financing=Decimal("100000.00"),
            amount_paid=Decimal("1310000.00"),
            energy_class_after="A1",
            design_actual=today - 800 * day,
            tender_actual=today - 650 * day,
            works_start_actual=today - 600 * day,
            completion_actual=today - 20 * day,
            testing_planned=today + 60 * day,
        )
        register.write_completion(completed, by=None)
    return []
