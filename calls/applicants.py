"""The files a Comune uploads for a call: the applicant list of the rent-support fund and the
cases of the arrears fund. Same reader as the property register (core.tabular): CSV or XLSX
as Italian offices write them, headers matched regardless of case and accents.

Each record type is one specification (core.records): `APPLICANT_SPEC` and `ARREARS_SPEC`
name every column with its parser, what it holds and its example, and the checks that
involve more than one field. The reader's columns, the list's template and its column guide,
the stored fields and any export or serializer derive from them. Checks that need the call
(its ISE/ISEE limits, its bands) stay with the row's builder below."""

import re
from decimal import Decimal
from itertools import zip_longest

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.fiscal_codes import validate_person_code
from core.pseudonyms import pseudonymiser
from core.records import (
    FieldSpec,
    RecordSpec,
    boolean_field,
    choice_field,
    date_field,
    decimal_field,
    integer_field,
    text_field,
)
from core.tabular import CellError, CellProblem, Column, Table, italian_cell, parse_rows, read_table, shown
from core.tabular.columns import match_headers
from core.tabular.rows import RowShape

from .contribution import REASONS, compiled
from .models import ArrearsCause, Call, CallType

HUNDRED = Decimal(100)
FISCAL_CODE_HEADER = "Codice fiscale"


def _fiscal_code(value):
    try:
        return validate_person_code(value)
    except ValidationError as error:
        raise CellError(" ".join(error.messages))


def _fiscal_code_field(aliases) -> FieldSpec:
    # Stored only as its pseudonym (fiscal_code_hash): no attribute of its own.
    return text_field(
        "fiscal_code",
        FISCAL_CODE_HEADER,
        max_length=16,
        parse=_fiscal_code,
        attribute=None,
        required=True,
        aliases=aliases,
        example="RSSMRA85T10A662X",
        help=gettext_lazy("Applicant's codice fiscale (16 characters)"),
    )


def _money(key, header, **options) -> FieldSpec:
    """An amount in euro (calls.models.MONEY: 14 digits, 2 decimals), at most ten million."""
    return decimal_field(key, header, places=2, digits=14, minimum=Decimal("0"), maximum=Decimal("10000000"), **options)


def _yes_no(key, header, **options) -> FieldSpec:
    return boolean_field(key, header, blank=False, **options)


APPLICANT_SPEC = RecordSpec(
    "applicant",
    fields=[
        _fiscal_code_field(("cf", "codice fiscale richiedente")),
        integer_field(
            "household_size",
            "Componenti nucleo",
            minimum=1,
            maximum=20,
            required=True,
            aliases=("componenti", "nucleo"),
            example="3",
            help=gettext_lazy("Members of the household"),
        ),
        _yes_no(
            "over_65",
            "Over 65",
            aliases=("ultrasessantacinquenni", "anziani"),
            example="no",
            help=gettext_lazy("A member is over 65"),
        ),
        _yes_no(
            "disabled",
            "Disabili",
            aliases=("disabilita", "invalidi"),
            example="no",
            help=gettext_lazy("A member has a disability"),
        ),
        _yes_no(
            "minors",
            "Minori",
            aliases=("figli minori",),
            example="sì",
            help=gettext_lazy("There are minors in the household"),
        ),
        _money(
            "income",
            "Reddito annuo",
            required=True,
            aliases=("reddito", "reddito complessivo"),
            example="10.000,00",
            help=gettext_lazy("Household's annual income"),
        ),
        _money("isee", "ISEE", help=gettext_lazy("ISEE of the household (needed for the COVID band)")),
        decimal_field(
            "income_loss",
            "Perdita di reddito %",
            places=2,
            digits=5,
            minimum=Decimal("0"),
            maximum=Decimal("100"),
            aliases=("perdita reddito",),
            help=gettext_lazy("Loss of income (COVID band)"),
        ),
        _money(
            "annual_rent",
            "Canone annuo",
            required=True,
            aliases=("canone", "canone annuo euro"),
            example="4.800,00",
            help=gettext_lazy("Annual rent of the lease, without charges"),
        ),
        integer_field(
            "months",
            "Mesi",
            minimum=1,
            maximum=12,
            required=True,
            aliases=("mesi di locazione", "mensilita"),
            example="12",
            help=gettext_lazy("Months of lease in the year"),
        ),
        text_field(
            "lease_registration",
            "Estremi registrazione contratto",
            max_length=60,
            required=True,
            aliases=("registrazione contratto", "estremi registrazione"),
            example="TNF1T123456 del 02/03/2020",
            help=gettext_lazy("Registration of the lease (code and date)"),
        ),
    ],
    keys=("fiscal_code",),
)

CAUSE_SPELLINGS = {
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
}
CAUSES_WRITTEN = "licenziamento, riduzione orario, cassa integrazione, mancato rinnovo contratto, cessazione attività, malattia o decesso"


def _ise_or_isee_given(values):
    if values.get("ise") is None and values.get("isee") is None:
        yield "isee", _("Give the ISE or the ISEE of the household.")


def _notice_not_in_future(values):
    notice = values.get("eviction_notice_date")
    if notice is not None and notice > timezone.localdate():
        yield "eviction_notice_date", _("The date is in the future.")


ARREARS_SPEC = RecordSpec(
    "arrears_case",
    fields=[
        _fiscal_code_field(("cf",)),
        date_field(
            "eviction_notice_date",
            "Data intimazione sfratto",
            required=True,
            aliases=("data sfratto", "intimazione di sfratto"),
            example="15/03/2026",
            help=gettext_lazy("Date of the eviction notice"),
        ),
        _money(
            "arrears_amount",
            "Morosità",
            required=True,
            aliases=("importo morosita", "morosita euro"),
            example="5.400,00",
            help=gettext_lazy("Arrears of rent"),
        ),
        choice_field(
            "cause",
            "Causa",
            codes=ArrearsCause.values,
            spellings=CAUSE_SPELLINGS,
            described=CAUSES_WRITTEN,
            required=True,
            aliases=("causa della perdita di reddito", "causa morosita"),
            example="licenziamento",
            help=gettext_lazy("Cause of the loss of income"),
        ),
        _money("ise", "ISE", help=gettext_lazy("ISE of the household")),
        _money("isee", "ISEE", example="9.800,00", help=gettext_lazy("ISEE of the household")),
        _money(
            "requested_amount",
            "Importo richiesto",
            required=True,
            aliases=("contributo richiesto",),
            example="5.400,00",
            help=gettext_lazy("Contribution requested"),
        ),
    ],
    keys=("fiscal_code",),
    checks=[_ise_or_isee_given, _notice_not_in_future],
)

# The reader's columns (core.tabular.Column), derived from the specifications.
APPLICANT_COLUMNS = APPLICANT_SPEC.columns
ARREARS_COLUMNS = ARREARS_SPEC.columns


def spec_for(call: Call) -> RecordSpec:
    return ARREARS_SPEC if call.call_type == CallType.ARREARS else APPLICANT_SPEC


def columns_for(call: Call) -> list[Column]:
    return ARREARS_COLUMNS if call.call_type == CallType.ARREARS else APPLICANT_COLUMNS


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


def read_list(content: bytes, filename: str) -> Table:
    """The file's cells (core.tabular.read_table); raises FileRefused."""
    return read_table(content, filename)


def parse_applicant_file(call: Call, content: bytes, filename: str, *, progress=None, table: Table | None = None):
    """Read and check a file for the call. Returns (rows, problems): rows are tuples in the
    order of APPLICANT_FIELDS or ARREARS_FIELDS, problems CellProblem items, in which a
    codice fiscale is always masked (reports are stored and shown; the code never is).
    `progress(done, total)` is called as rows are checked. Raises core.tabular.FileRefused
    for files that cannot be read at all (limits of core.tabular included). `table`: the
    file already read by read_list (then `content` is not read again)."""
    if table is None:
        table = read_table(content, filename)
    total = len(table.rows)
    if progress:
        progress(0, total)
    spec = spec_for(call)
    columns = spec.columns
    clean = _clean_columns(table, columns)
    if clean is not None:
        if progress:
            progress(total, total)
        if spec is APPLICANT_SPEC:
            rows = _applicant_rows(call, table.first_data_row, clean)
            if rows is not None:
                return rows, []
        keys, values_by_column = list(clean), list(clean.values())
        records = [
            (number, dict(zip(keys, values)))
            for number, values in enumerate(zip(*values_by_column), start=table.first_data_row)
        ]
        problems = []
    else:
        # Some row has a problem (or the file an unusual shape): every row is checked the
        # general way, which words each problem.
        records, problems = _checked_records(table, columns, progress)
    if spec is ARREARS_SPEC:
        builder, rules = _arrears_case, None
    else:
        builder, rules = _applicant, compiled(call.bands())
    pseudonymise = pseudonymiser()
    checks = spec.checks
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
        refused = record_problems(spec, number, values) if checks else None
        if refused:
            problems.extend(refused)
            continue
        row, problem = builder(call, rules, number, pseudonym, values)
        if problem:
            problems.append(problem)
        else:
            rows.append(row)
    return rows, problems


STREAM_ROWS = 5_000


def clean_applicant_chunks(call: Call, table: Table, *, chunk_rows: int | None = None):
    """The rows of a rent-support list whose every cell is right, chunk by chunk: together,
    the very rows parse_applicant_file gives for the whole file (each chunk is checked the
    same column-wise way, and a person listed twice is looked for across chunks). Yields
    None, and stops, as soon as a chunk is not plainly right or a person comes back: the
    caller then drops what it took and checks the whole file with parse_applicant_file, which
    words every problem. An arrears list, or one without rows, yields None at once."""
    if spec_for(call) is not APPLICANT_SPEC or not table.rows:
        yield None
        return
    seen, chunk_rows = set(), chunk_rows or STREAM_ROWS
    for start in range(0, len(table.rows), chunk_rows):
        chunk = Table(
            headers=table.headers,
            rows=table.rows[start : start + chunk_rows],
            first_data_row=table.first_data_row + start,
            format=table.format,
        )
        clean = _clean_columns(chunk, APPLICANT_SPEC.columns)
        rows = None if clean is None else _applicant_rows(call, chunk.first_data_row, clean)
        if rows is None:
            yield None
            return
        before = len(seen)
        seen.update([row[1] for row in rows])
        if len(seen) - before != len(rows):
            yield None
            return
        yield rows


def _checked_records(table: Table, columns: list[Column], progress) -> tuple[list, list]:
    """Every row checked by core.tabular.parse_rows, in chunks (a large list reports its
    progress as it goes): the records of the rows without problems, and the problems."""
    total = len(table.rows)
    records, problems, total_rows = [], [], 0
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
    return records, problems


def _clean_columns(table: Table, columns: list[Column]) -> dict | None:
    """The values parse_rows would give for a file in which no row has any problem, as
    {column key: [value of each row]}, read column by column (each distinct value of a
    column parsed once, no per-cell bookkeeping); None as soon as anything is not plainly right — a header problem, a cell outside the
    headed columns, a blank required cell (blank rows included), a value that does not parse
    — and the caller checks the file row by row for the report."""
    rows = table.rows
    match = match_headers(table.headers, columns)
    shape = RowShape(table.headers)
    if not rows or match.errors or shape.unnamed:
        return None
    if max(map(len, rows)) > shape.width:
        return None
    if not any(column.required and column.key in match.positions for column in columns):
        return None  # a blank row could not be told from a row with blank cells
    typed = table.format != "csv"
    by_position = list(zip_longest(*rows))  # the file's columns; short rows padded with None
    values_by_key = {}
    for column in columns:
        index = match.positions.get(column.key)
        cells = by_position[index] if index is not None and index < len(by_position) else (None,) * len(rows)
        if column.required and index is None:
            return None
        distinct = set(cells)
        # rows.is_blank, over the distinct values only.
        blanks = [cell for cell in distinct if cell is None or cell == "" or (type(cell) is str and cell.isspace())]
        if blanks:
            if column.required:
                return None
            distinct.difference_update(blanks)
        try:
            if typed:
                parsed = {(type(cell), cell): column.parse(cell) for cell in distinct}
                parsed.update(((type(cell), cell), None) for cell in blanks)
            else:
                parsed = dict(zip(distinct, map(column.parse, distinct)))
                parsed.update((cell, None) for cell in blanks)
        except CellError:
            return None
        if typed:
            values_by_key[column.key] = [parsed[(type(cell), cell)] for cell in cells]
        else:
            values_by_key[column.key] = list(map(parsed.__getitem__, cells))
    return values_by_key


def _in_cents(values: list) -> list:
    """Amounts (Decimal with two places, or None) as integer cents, each distinct one once."""
    cents = {value: None if value is None else int(value * 100) for value in set(values)}
    return list(map(cents.__getitem__, values))


def _applicant_rows(call: Call, first_row: int, values: dict) -> list | None:
    """The rows of an applicant list whose every cell is right (see _clean_columns), built
    column by column: the same tuples as _applicant gives row by row. None when a person is
    listed twice (the row-by-row loop reports it)."""
    pseudonyms = list(map(pseudonymiser(), values["fiscal_code"]))
    if len(set(pseudonyms)) != len(pseudonyms):
        return None
    outcomes = map(
        compiled(call.bands()),
        _in_cents(values["income"]),
        _in_cents(values["annual_rent"]),
        values["months"],
        _in_cents(values["isee"]),
        [None if loss is None else int(loss * 100) for loss in values["income_loss"]],
    )
    bands, hundredths, contributions, reasons = zip(*outcomes)
    incidences = {value: _incidence(value) for value in set(hundredths)}
    stored = [
        values[key] if blank is None else [blank if value is None else value for value in values[key]]
        for key, blank in _APPLICANT_STORED
    ]
    return list(
        zip(
            range(first_row, first_row + len(pseudonyms)),
            pseudonyms,
            *stored,
            map(incidences.__getitem__, hundredths),
            bands,
            contributions,
            reasons,
        )
    )


def _incidence(hundredths: int | None) -> Decimal | None:
    """rent / income as a percentage to the hundredth; beyond the column's range, none."""
    return None if hundredths is None or hundredths > 999_999_900 else Decimal(hundredths).scaleb(-2)


def record_problems(spec: RecordSpec, number: int, values: dict) -> list[CellProblem]:
    """The specification's cross-field checks on a row whose every cell parsed, as the
    report's problems (row, the column the message belongs to, its value as written)."""
    problems = []
    for check in spec.checks:
        for key, message in check(values):
            field = spec[key]
            value = values.get(key)
            problems.append(
                CellProblem(number, field.header, "" if value is None else shown(italian_cell(value)), message)
            )
    return problems


def _stored_fields(spec: RecordSpec) -> tuple:
    """(key, what a blank cell stores) of the specification's stored fields, in column order."""
    return tuple((field.key, field.blank) for field in spec if field.stored_as)


def _stored(fields: tuple, values: dict) -> list:
    # Once per row of lists of tens of thousands: a plain comprehension over prepared pairs.
    return [blank if (value := values[key]) is None else value for key, blank in fields]


_APPLICANT_STORED = _stored_fields(APPLICANT_SPEC)
_ARREARS_STORED = _stored_fields(ARREARS_SPEC)

# The columns of the stored rows (Applicant, ArrearsCase), in the order of the builders'
# tuples: the row and the pseudonym, the specification's stored fields, what is computed.
APPLICANT_FIELDS = (
    "row_number",
    "fiscal_code_hash",
    *(field.stored_as for field in APPLICANT_SPEC if field.stored_as),
    "incidence",
    "band",
    "contribution",
    "reason",
)
ARREARS_FIELDS = (
    "row_number",
    "fiscal_code_hash",
    *(field.stored_as for field in ARREARS_SPEC if field.stored_as),
    "granted_amount",
)


def _applicant(call, rules, number, pseudonym, values):
    # `rules`: contribution.compiled(call.bands()), the rule over integer cents.
    isee, loss = values.get("isee"), values.get("income_loss")
    band, hundredths, contribution, reason = rules(
        int(values["income"] * 100),
        int(values["annual_rent"] * 100),
        values["months"],
        None if isee is None else int(isee * 100),
        None if loss is None else int(loss * 100),
    )
    return (
        (number, pseudonym, *_stored(_APPLICANT_STORED, values), _incidence(hundredths), band, contribution, reason),
        None,
    )


def _arrears_case(call, rules, number, pseudonym, values):
    # The specification has checked that the ISE or the ISEE is given; the limits are the call's.
    ise, isee = values.get("ise"), values.get("isee")
    within = (ise is not None and ise <= call.arrears_max_ise) or (isee is not None and isee <= call.arrears_max_isee)
    if not within:
        return None, CellProblem(
            number,
            ARREARS_SPEC["isee"].header,
            str(isee if isee is not None else ise),
            _("Above the call's limits (ISE %(ise)s € or ISEE %(isee)s €).")
            % {"ise": call.arrears_max_ise, "isee": call.arrears_max_isee},
        )
    granted = min(values["requested_amount"], values["arrears_amount"], call.arrears_max_amount)
    return ((number, pseudonym, *_stored(_ARREARS_STORED, values), granted), None)


def reason_label(code: str) -> str:
    return str(REASONS.get(code, ""))


# --- the template of the list and its column guide ------------------------------------
# What each column holds and how to write it, for the guide on the submission's page. The
# template's headers and example row, and what each column holds, come from the
# specifications above, so the template always matches what the reader accepts.

_YES_NO = gettext_lazy("sì or no (also: si, x, 1 / n, 0)")
_AMOUNT = gettext_lazy("euro, Italian format: 1.234,56")

# How to write a column's values, where its kind alone does not say it.
WRITTEN_AS = {
    "fiscal_code": gettext_lazy("16 letters and digits"),
    "household_size": gettext_lazy("whole number, 1 to 20"),
    "income_loss": gettext_lazy("percentage, 0 to 100: 25,5"),
    "months": gettext_lazy("whole number, 1 to 12"),
    "lease_registration": gettext_lazy("text, at most 60 characters"),
    "eviction_notice_date": gettext_lazy("date: 15/03/2026"),
    "cause": gettext_lazy(
        "one of: licenziamento, riduzione orario, cassa integrazione, mancato rinnovo contratto, "
        "cessazione attività, malattia o decesso"
    ),
}
_WRITTEN_BY_KIND = {"boolean": _YES_NO, "decimal": _AMOUNT}


def column_guide(call: Call) -> list[dict]:
    """One line per column of the call's list: header, what it holds, format, required,
    example."""
    return [
        {
            "header": field.header,
            "holds": field.help,
            "format": WRITTEN_AS.get(field.key) or _WRITTEN_BY_KIND.get(field.kind, ""),
            "required": field.required,
            "example": field.example,
        }
        for field in spec_for(call)
    ]


def list_template(call: Call) -> tuple[list[str], list[list[str]]]:
    """Headers and one example row of the call's list, for the CSV/XLSX template."""
    spec = spec_for(call)
    return spec.headers, [spec.template_row()]
