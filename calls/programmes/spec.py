"""The intervention as a record (core.records): one specification from which the
beneficiaries' update file, its export, the admin form's validation
(Intervention.clean_fields) and the API's fields are derived, so they give the same verdict.

The file has one row per intervention. Its first columns say which intervention the row is
and what the Region decided (programme, beneficiary, title, type, funded amount, state): they
are written by the export so that an office knows what it is updating, and are not read back
(`READ_ONLY_KEYS`). The other columns are what the beneficiary keeps current: the CUP,
co-financing, amount paid, the energy class the works reach, the planned and actual date of
each stage, and optionally one progress report (SAL: date, percentage, amount) added or
corrected for its date. Italian formats: `1.234,56`, dd/mm/yyyy."""

import datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.records import RecordSpec, choice_field, date_field, decimal_field, integer_field, text_field
from core.tabular import CellError, normalise_header, text
from registry.models import EnergyClass

from .cup import cup_problem, normalise_cup
from .models import STAGES

MAX_AMOUNT = Decimal("999999999999.99")
ZERO = Decimal("0")

# Italian headers of each stage's two dates.
STAGE_HEADERS = {
    "design": ("Progettazione prevista", "Progettazione effettiva"),
    "tender": ("Gara prevista", "Gara effettiva"),
    "works_start": ("Inizio lavori previsto", "Inizio lavori effettivo"),
    "completion": ("Fine lavori prevista", "Fine lavori effettiva"),
    "testing": ("Collaudo previsto", "Collaudo effettivo"),
}


def _cup(value):
    raw = text(40)(value)
    problem = cup_problem(raw)
    if problem:
        raise CellError(problem)
    return normalise_cup(raw)


def _read_only(key, header, value_of, **options):
    """A column the export writes for the reader and the import does not read."""
    return text_field(key, header, max_length=200, attribute=None, value_of=value_of, blank=None, **options)


def _dates_in_order(values):
    """Each kind of date (planned, actual) follows the stages' order."""
    for position in (0, 1):
        kind = ("planned", "actual")[position]
        previous = None  # (header, date) of the last earlier stage with a date
        for stage in STAGES:
            value = values.get(f"{stage}_{kind}")
            if not isinstance(value, datetime.date):
                continue
            if previous is not None and value < previous[1]:
                yield (
                    f"{stage}_{kind}",
                    _("This date comes before “%(earlier)s”: the stages follow one another.")
                    % {"earlier": previous[0]},
                )
            previous = (STAGE_HEADERS[stage][position], value)


def _actual_dates_not_future(values):
    today = timezone.localdate()
    for stage in STAGES:
        value = values.get(f"{stage}_actual")
        if isinstance(value, datetime.date) and value > today:
            yield f"{stage}_actual", _("An actual date cannot be in the future.")
    if isinstance(values.get("sal_date"), datetime.date) and values["sal_date"] > today:
        yield "sal_date", _("A progress report cannot be dated in the future.")


def _progress_report_complete(values):
    given = [key for key in ("sal_date", "sal_percentage", "sal_amount") if values.get(key) is not None]
    if given and len(given) < 3:
        for key in ("sal_date", "sal_percentage", "sal_amount"):
            if values.get(key) is None:
                yield key, _("A progress report needs its date, percentage and amount.")


def _stage_dates():
    fields = []
    for stage in STAGES:
        planned, actual = STAGE_HEADERS[stage]
        fields.append(date_field(f"{stage}_planned", planned, example="31/03/2026"))
        fields.append(date_field(f"{stage}_actual", actual, example=""))
    return fields


def _money(key, header, **options):
    return decimal_field(key, header, places=2, digits=14, minimum=ZERO, maximum=MAX_AMOUNT, **options)


def _energy_spellings():
    mapping = {}
    for code, label in EnergyClass.choices:
        mapping[normalise_header(code)] = code
        mapping[normalise_header(str(label))] = code
    mapping.update({"n c": "NC", "non classificato": "NC"})
    return mapping


INTERVENTION_SPEC = RecordSpec(
    "intervention",
    keys=("intervention_id",),
    checks=[_dates_in_order, _actual_dates_not_future, _progress_report_complete],
    fields=[
        integer_field(
            "intervention_id",
            "ID intervento",
            minimum=1,
            maximum=2**63 - 1,
            attribute=None,
            value_of=lambda intervention: intervention.pk,
            required=True,
            aliases=("id",),
            example="1",
        ),
        _read_only("programme", "Programma", lambda intervention: intervention.programme.title),
        _read_only("beneficiary_code", "Beneficiario", lambda intervention: intervention.beneficiary.code),
        _read_only("title", "Titolo", lambda intervention: intervention.title),
        _read_only(
            "intervention_type", "Tipo intervento", lambda intervention: intervention.get_intervention_type_display()
        ),
        _read_only("funded_amount", "Importo finanziato", lambda intervention: intervention.funded_amount),
        _read_only("state", "Stato", lambda intervention: intervention.get_state_display()),
        text_field("cup", "CUP", max_length=15, parse=_cup, aliases=("codice cup",), example="J31B21001230006"),
        _money("co_financing", "Cofinanziamento", blank=ZERO, example="50.000,00"),
        _money("amount_paid", "Importo pagato", blank=ZERO, aliases=("speso", "pagamenti"), example="120.500,00"),
        choice_field(
            "energy_class_after",
            "Classe energetica raggiunta",
            codes=EnergyClass.values,
            spellings=_energy_spellings(),
            described="A4, A3, A2, A1, B, C, D, E, F, G, NC",
            example="B",
        ),
        *_stage_dates(),
        date_field("sal_date", "Data SAL", attribute=None, example=""),
        decimal_field(
            "sal_percentage",
            "Percentuale SAL",
            places=2,
            digits=5,
            minimum=ZERO,
            maximum=Decimal("100"),
            attribute=None,
            example="",
        ),
        _money("sal_amount", "Importo SAL", attribute=None, example=""),
    ],
)

READ_ONLY_KEYS = ("programme", "beneficiary_code", "title", "intervention_type", "funded_amount", "state")
# What a beneficiary's update writes to the intervention itself (the SAL columns add a report).
UPDATABLE_FIELDS = tuple(
    spec.stored_as for spec in INTERVENTION_SPEC.fields if spec.stored_as and spec.key not in READ_ONLY_KEYS
)
SAL_KEYS = ("sal_date", "sal_percentage", "sal_amount")

IMPORT_HELP = gettext_lazy(
    "One row per intervention, as the export writes it. The columns from “Programma” to “Stato” are shown for reference and not read; a row with “Data SAL”, “Percentuale SAL” and “Importo SAL” adds the progress report of that date (or corrects it)."
)


def export_rows(interventions):
    """Rows of the update file for interventions (programme and beneficiary selected)."""
    for intervention in interventions:
        yield INTERVENTION_SPEC.export_row(intervention)
