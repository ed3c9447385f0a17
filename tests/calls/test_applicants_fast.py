"""An applicant list whose every row is right is read column by column and computed over
integer cents (calls.applicants._clean_columns, _applicant_rows): the rows are exactly
those of the row-by-row reading, and a list with any problem still gets the row-by-row
report, word for word."""

import io
import random

import openpyxl
import pytest

from calls import applicants
from calls.applicants import APPLICANT_COLUMNS, parse_applicant_file
from calls.synthetic import applicants_csv
from core.tabular import write_csv
from tests.calls.fixtures import make_call

HEADERS = [column.header for column in APPLICANT_COLUMNS]


def varied_rows(count=400, seed=5):
    """Rows over every band (A, B, COVID, none), blanks in the optional cells, 1–12 months."""
    rng = random.Random(seed)
    base = applicants_csv(count, seed=seed).decode("utf-8-sig").splitlines()[1:]
    rows = []
    for line in base:
        cells = line.split(";")
        if rng.random() < 0.3:
            cells[5] = f"{rng.randint(0, 60000)},{rng.randint(0, 99):02d}"  # income, any band or none
        if rng.random() < 0.3:
            cells[6] = f"{rng.randint(0, 40000)},00"  # ISEE
            cells[7] = f"{rng.randint(0, 100)},{rng.choice(['0', '5', '25'])}"  # income loss %
        if rng.random() < 0.1:
            cells[8] = "0,00"  # no rent
        cells[9] = str(rng.randint(1, 12))
        rows.append(cells)
    return rows


def as_csv(rows):
    handle = io.StringIO()
    write_csv(HEADERS, rows, handle)
    return handle.getvalue().encode("utf-8")


def as_xlsx(rows):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def row_by_row(monkeypatch, call, content, filename):
    with monkeypatch.context() as patched:
        patched.setattr(applicants, "_clean_columns", lambda table, columns: None)
        return parse_applicant_file(call, content, filename)


@pytest.mark.django_db
@pytest.mark.parametrize("covid", [False, True])
def test_a_clean_list_gives_exactly_the_row_by_row_rows(monkeypatch, covid):
    call = make_call(covid_band=covid)
    rows = varied_rows()
    for content, filename in ((as_csv(rows), "elenco.csv"), (as_xlsx(rows), "elenco.xlsx")):
        fast, problems = parse_applicant_file(call, content, filename)
        assert problems == []
        assert len(fast) == len(rows)
        assert fast == row_by_row(monkeypatch, call, content, filename)[0]
        bands = {row[-3] for row in fast}
        assert {"A", "B", ""} <= bands and (("COVID" in bands) == covid)


@pytest.mark.django_db
def test_the_column_by_column_reading_is_what_reads_a_clean_list(monkeypatch):
    call = make_call()
    used = []
    real = applicants._applicant_rows
    monkeypatch.setattr(applicants, "_applicant_rows", lambda *args: used.append(1) or real(*args))
    rows, problems = parse_applicant_file(call, as_csv(varied_rows(50)), "elenco.csv")
    assert used == [1] and len(rows) == 50 and problems == []


@pytest.mark.django_db
def test_a_list_with_problems_gets_the_row_by_row_report(monkeypatch):
    call = make_call()
    rows = varied_rows(30)
    rows[3][1] = "tre"  # household size
    rows[7][0] = rows[7][0][:-1] + ("A" if rows[7][0][-1] != "A" else "B")  # check character
    rows[9] = list(rows[2])  # the same person twice
    rows[12][8] = ""  # required rent
    rows.insert(15, [""] * len(HEADERS))  # a blank row is skipped
    content = as_csv(rows)
    result = parse_applicant_file(call, content, "elenco.csv")
    assert result == row_by_row(monkeypatch, call, content, "elenco.csv")
    reported = {(problem.row, problem.column) for problem in result[1]}
    assert {(5, "Componenti nucleo"), (9, "Codice fiscale"), (11, "Codice fiscale"), (14, "Canone annuo")} <= reported
