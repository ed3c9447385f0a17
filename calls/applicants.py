"""The files a Comune uploads for a call: the applicant list of the rent-support fund and the
cases of the arrears fund. Same reader as the property register (core.tabular): CSV or XLSX
as Italian offices write them, headers matched regardless of case and accents."""

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.fiscal_codes import validate_person_code
from core.pseudonyms import pseudonymise
from core.tabular import (
    CellError,
    CellProblem,
    Column,
    Table,
    boolean,
    choice,
    date,
    decimal,
    integer,
    parse_rows,
    read_table,
    text,
)

from .contribution import REASONS, ApplicantFigures, compute
from .models import ArrearsCause, Call

HUNDRED = Decimal(100)
FISCAL_CODE_HEADER = "Codice fiscale"


def _fiscal_code(value):
    try:
        return validate_person_code(value)
    except ValidationError as error:
        raise CellError(" ".join(error.messages))


MONEY = decimal(places=2, minimum=Decimal("0"), maximum=Decimal("10000000"))

APPLICANT_COLUMNS = [
    Column(
        "fiscal_code",
        FISCAL_CODE_HEADER,
        _fiscal_code,
        required=True,
        aliases=("cf", "codice fiscale richiedente"),
        example="RSSMRA85T10A662X",
    ),
    Column(
        "household_size",
        "Componenti nucleo",
        integer(minimum=1, maximum=20),
        required=True,
        aliases=("componenti", "nucleo"),
        example="3",
    ),
    Column("over_65", "Over 65", boolean, aliases=("ultrasessantacinquenni", "anziani"), example="no"),
    Column("disabled", "Disabili", boolean, aliases=("disabilita", "invalidi"), example="no"),
    Column("minors", "Minori", boolean, aliases=("figli minori",), example="sì"),
    Column(
        "income", "Reddito annuo", MONEY, required=True, aliases=("reddito", "reddito complessivo"), example="10.000,00"
    ),
    Column("isee", "ISEE", MONEY, example=""),
    Column(
        "income_loss",
        "Perdita di reddito %",
        decimal(places=2, minimum=Decimal("0"), maximum=Decimal("100")),
        aliases=("perdita reddito",),
        example="",
    ),
    Column(
        "annual_rent", "Canone annuo", MONEY, required=True, aliases=("canone", "canone annuo euro"), example="4.800,00"
    ),
    Column(
        "months",
        "Mesi",
        integer(minimum=1, maximum=12),
        required=True,
        aliases=("mesi di locazione", "mensilita"),
        example="12",
    ),
    Column(
        "lease_registration",
        "Estremi registrazione contratto",
        text(60),
        required=True,
        aliases=("registrazione contratto", "estremi registrazione"),
        example="TNF1T123456 del 02/03/2020",
    ),
]

_CAUSE = choice(
    {
        "licenziamento": ArrearsCause.DISMISSAL,
        "dismissal": ArrearsCause.DISMISSAL,
        "riduzione orario": ArrearsCause.REDUCED_HOURS,
        "riduzione dell orario di lavoro": ArrearsCause.REDUCED_HOURS,
        "reduced hours": ArrearsCause.REDUCED_HOURS,
        "cassa integrazione": ArrearsCause.REDUNDANCY_FUND,
        "mancato rinnovo contratto": ArrearsCause.CONTRACT_NOT_RENEWED,
        "mancato rinnovo": ArrearsCause.CONTRACT_NOT_RENEWED,
        "cessazione attivita": ArrearsCause.SELF_EMPLOYMENT_ENDED,
        "cessazione attivita libero professionale": ArrearsCause.SELF_EMPLOYMENT_ENDED,
        "malattia o decesso": ArrearsCause.ILLNESS_OR_DEATH,
        "malattia": ArrearsCause.ILLNESS_OR_DEATH,
        "decesso": ArrearsCause.ILLNESS_OR_DEATH,
        "infortunio": ArrearsCause.ILLNESS_OR_DEATH,
        **{code: code for code in ArrearsCause.values},
    },
    "licenziamento, riduzione orario, cassa integrazione, mancato rinnovo contratto, cessazione attività, malattia o decesso",
)

ARREARS_COLUMNS = [
    Column("fiscal_code", FISCAL_CODE_HEADER, _fiscal_code, required=True, aliases=("cf",), example="RSSMRA85T10A662X"),
    Column(
        "eviction_notice_date",
        "Data intimazione sfratto",
        date,
        required=True,
        aliases=("data sfratto", "intimazione di sfratto"),
        example="15/03/2026",
    ),
    Column(
        "arrears_amount",
        "Morosità",
        MONEY,
        required=True,
        aliases=("importo morosita", "morosita euro"),
        example="5.400,00",
    ),
    Column(
        "cause",
        "Causa",
        _CAUSE,
        required=True,
        aliases=("causa della perdita di reddito", "causa morosita"),
        example="licenziamento",
    ),
    Column("ise", "ISE", MONEY, example=""),
    Column("isee", "ISEE", MONEY, example="9.800,00"),
    Column(
        "requested_amount",
        "Importo richiesto",
        MONEY,
        required=True,
        aliases=("contributo richiesto",),
        example="5.400,00",
    ),
]


def columns_for(call: Call) -> list[Column]:
    return ARREARS_COLUMNS if call.call_type == "arrears" else APPLICANT_COLUMNS


CHUNK_ROWS = 2000
# Anything shaped like a personal codice fiscale (omocodia letters included), wherever it
# stands: a file without its header row puts codes into the "unknown columns" message.
_FISCAL_CODE_LIKE = re.compile(r"(?i)\b[A-Z]{6}[0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{2}[A-Z][0-9LMNP-V]{3}[A-Z]\b")


def mask_fiscal_code(value) -> str:
    """A codice fiscale as a report may show it: the first three and the last character,
    enough for the clerk to find the row, too little to identify anyone."""
    text_value = str(value or "").strip()
    if len(text_value) <= 4:
        return "*" * len(text_value)
    return text_value[:3] + "*" * (len(text_value) - 4) + text_value[-1]


def redact_fiscal_codes(text_value: str) -> str:
    return _FISCAL_CODE_LIKE.sub(lambda match: mask_fiscal_code(match.group(0)), str(text_value))


def _masked(problem: CellProblem) -> CellProblem:
    value = problem.value
    value = mask_fiscal_code(value) if problem.column == FISCAL_CODE_HEADER and value else redact_fiscal_codes(value)
    return CellProblem(problem.row, problem.column, value, redact_fiscal_codes(problem.message))


def parse_applicant_file(call: Call, content: bytes, filename: str, *, progress=None):
    """Read and check a file for the call. Returns (rows, problems): rows are tuples in the
    order of APPLICANT_FIELDS or ARREARS_FIELDS, problems CellProblem items, in which a
    codice fiscale is always masked (reports are stored and shown; the code never is).
    `progress(done, total)` is called as rows are checked. Raises core.tabular.FileRefused
    for files that cannot be read at all (limits of core.tabular included)."""
    table = read_table(content, filename)
    total = len(table.rows)
    if progress:
        progress(0, total)
    columns = columns_for(call)
    records, problems, total_rows = [], [], 0
    # Checked in chunks, so that a large list reports its progress as it goes.
    for start in range(0, max(total, 1), CHUNK_ROWS):
        chunk = Table(
            headers=table.headers,
            rows=table.rows[start : start + CHUNK_ROWS],
            first_data_row=table.first_data_row + start,
            format=table.format,
        )
        parsed = parse_rows(chunk, columns)
        problems.extend(_masked(problem) for problem in parsed.problems)
        records.extend(parsed.records)
        total_rows += parsed.total_rows
        if progress:
            progress(min(start + CHUNK_ROWS, total), total)
        if 1 in parsed.error_rows:
            break  # header problems (reported as row 1): no row can be read
    if not problems and total_rows == 0:
        problems.append(CellProblem(0, "", "", _("The file has headers but no rows of data.")))
    builder = _arrears_case if call.call_type == "arrears" else _applicant
    bands = call.bands()
    rows, seen = [], {}
    for number, values in records:
        pseudonym = pseudonymise(values["fiscal_code"])
        if pseudonym in seen:
            problems.append(
                CellProblem(
                    number,
                    FISCAL_CODE_HEADER,
                    "",
                    _("The same person appears also at row %(row)d.") % {"row": seen[pseudonym]},
                )
            )
            continue
        seen[pseudonym] = number
        row, problem = builder(call, bands, number, pseudonym, values)
        if problem:
            problems.append(problem)
        else:
            rows.append(row)
    return rows, problems


APPLICANT_FIELDS = (
    "row_number",
    "fiscal_code_hash",
    "household_size",
    "over_65",
    "disabled",
    "minors",
    "income",
    "isee",
    "income_loss",
    "annual_rent",
    "months",
    "lease_registration",
    "incidence",
    "band",
    "contribution",
    "reason",
)
ARREARS_FIELDS = (
    "row_number",
    "fiscal_code_hash",
    "eviction_notice_date",
    "arrears_amount",
    "cause",
    "ise",
    "isee",
    "requested_amount",
    "granted_amount",
)


def _applicant(call, bands, number, pseudonym, values):
    figures = ApplicantFigures(
        income=values["income"],
        annual_rent=values["annual_rent"],
        months=values["months"],
        isee=values.get("isee"),
        income_loss=(values["income_loss"] / HUNDRED) if values.get("income_loss") is not None else None,
    )
    outcome = compute(figures, bands)
    incidence = None if outcome.incidence is None else (outcome.incidence * HUNDRED).quantize(Decimal("0.01"))
    if incidence is not None and incidence > Decimal("9999999"):
        incidence = None
    return (
        (
            number,
            pseudonym,
            values["household_size"],
            bool(values.get("over_65")),
            bool(values.get("disabled")),
            bool(values.get("minors")),
            values["income"],
            values.get("isee"),
            values.get("income_loss"),
            values["annual_rent"],
            values["months"],
            values["lease_registration"],
            incidence,
            outcome.band,
            outcome.contribution,
            outcome.reason,
        ),
        None,
    )


def _arrears_case(call, bands, number, pseudonym, values):
    ise, isee = values.get("ise"), values.get("isee")
    if ise is None and isee is None:
        return None, CellProblem(number, "ISEE", "", _("Give the ISE or the ISEE of the household."))
    within = (ise is not None and ise <= call.arrears_max_ise) or (isee is not None and isee <= call.arrears_max_isee)
    if not within:
        return None, CellProblem(
            number,
            "ISEE",
            str(isee if isee is not None else ise),
            _("Above the call's limits (ISE %(ise)s € or ISEE %(isee)s €).")
            % {"ise": call.arrears_max_ise, "isee": call.arrears_max_isee},
        )
    if values["eviction_notice_date"] > timezone.localdate():
        return None, CellProblem(
            number,
            "Data intimazione sfratto",
            values["eviction_notice_date"].strftime("%d/%m/%Y"),
            _("The date is in the future."),
        )
    granted = min(values["requested_amount"], values["arrears_amount"], call.arrears_max_amount)
    return (
        (
            number,
            pseudonym,
            values["eviction_notice_date"],
            values["arrears_amount"],
            values["cause"],
            ise,
            isee,
            values["requested_amount"],
            granted,
        ),
        None,
    )


def reason_label(code: str) -> str:
    return str(REASONS.get(code, ""))


# --- the template of the list and its column guide ------------------------------------
# What each column holds and how to write it, for the guide on the submission's page. The
# template's headers and example row come from the column specifications above, so the
# template always matches what the reader accepts.

_YES_NO = gettext_lazy("sì or no (also: si, x, 1 / n, 0)")
_AMOUNT = gettext_lazy("euro, Italian format: 1.234,56")

COLUMN_HELP = {
    "fiscal_code": (gettext_lazy("Applicant's codice fiscale (16 characters)"), gettext_lazy("16 letters and digits")),
    "household_size": (gettext_lazy("Members of the household"), gettext_lazy("whole number, 1 to 20")),
    "over_65": (gettext_lazy("A member is over 65"), _YES_NO),
    "disabled": (gettext_lazy("A member has a disability"), _YES_NO),
    "minors": (gettext_lazy("There are minors in the household"), _YES_NO),
    "income": (gettext_lazy("Household's annual income"), _AMOUNT),
    "isee": (gettext_lazy("ISEE of the household (needed for the COVID band)"), _AMOUNT),
    "income_loss": (gettext_lazy("Loss of income (COVID band)"), gettext_lazy("percentage, 0 to 100: 25,5")),
    "annual_rent": (gettext_lazy("Annual rent of the lease, without charges"), _AMOUNT),
    "months": (gettext_lazy("Months of lease in the year"), gettext_lazy("whole number, 1 to 12")),
    "lease_registration": (
        gettext_lazy("Registration of the lease (code and date)"),
        gettext_lazy("text, at most 60 characters"),
    ),
    "eviction_notice_date": (gettext_lazy("Date of the eviction notice"), gettext_lazy("date: 15/03/2026")),
    "arrears_amount": (gettext_lazy("Arrears of rent"), _AMOUNT),
    "cause": (
        gettext_lazy("Cause of the loss of income"),
        gettext_lazy(
            "one of: licenziamento, riduzione orario, cassa integrazione, mancato rinnovo contratto, "
            "cessazione attività, malattia o decesso"
        ),
    ),
    "ise": (gettext_lazy("ISE of the household"), _AMOUNT),
    "requested_amount": (gettext_lazy("Contribution requested"), _AMOUNT),
}


def column_guide(call: Call) -> list[dict]:
    """One line per column of the call's list: header, what it holds, format, required,
    example."""
    guide = []
    for column in columns_for(call):
        holds, written = COLUMN_HELP.get(column.key, (column.help, ""))
        guide.append(
            {
                "header": column.header,
                "holds": holds,
                "format": written,
                "required": column.required,
                "example": column.example,
            }
        )
    return guide


def list_template(call: Call) -> tuple[list[str], list[list[str]]]:
    """Headers and one example row of the call's list, for the CSV/XLSX template."""
    columns = columns_for(call)
    return [column.header for column in columns], [[column.example for column in columns]]
