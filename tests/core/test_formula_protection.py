"""CSV formula protection ("CSV injection"): one rule, `core.tabular.neutralise_formula`,
used by every file PUSH writes – the exports and templates of core.tabular and the admin
lists' own CSV/XLSX exports (registry.scoped_admin)."""

import io

import pytest
from django.urls import reverse

from core.tabular import neutralise_formula, write_csv
from tests.conftest import BARI, LECCE


@pytest.mark.parametrize(
    "value",
    [
        "=1+2",
        '=HYPERLINK("http://example.com","click")',
        "+1+cmd|' /C calc'!A0",
        "-2+3+cmd|' /C calc'!A0",
        "@SUM(A1:A2)",
        "\t=1+2",
        "\r=1+2",
        "\tplain text after a tab",
        # Programs that trim leading spaces on import (Google Sheets, LibreOffice with
        # "trim spaces") would run these: the rule looks past leading blanks.
        " =1+2",
        "   @SUM(A1)",
        "\u00a0=1+2",
        "\n=1+2",
        " -A1",
    ],
)
def test_text_that_a_spreadsheet_would_run_is_neutralised(value):
    assert neutralise_formula(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [
        "-12,5",
        "-1.234,56",
        " -12,5",
        "+12",
        "+39 080 5401111",  # a telephone number: digits only, nothing to run
        "Bari",
        "",
        "a=b",
        "ISEE - 2025",
        "'=already quoted",
    ],
)
def test_numbers_and_plain_text_are_left_as_they_are(value):
    assert neutralise_formula(value) == value


def test_values_other_than_text_pass_unchanged():
    assert neutralise_formula(None) is None
    assert neutralise_formula(-12) == -12


def test_the_csv_writer_applies_the_rule():
    handle = io.StringIO()
    write_csv(["a", "b", "c"], [[" =1+2", "-12,5", "@x"]], handle)
    assert handle.getvalue().splitlines()[1] == "' =1+2;-12,5;'@x"


def _entity_export(client, export):
    response = client.get(reverse("registry_entity_modeladmin_index") + f"?export={export}")
    assert response.status_code == 200
    return b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content


def test_the_admin_lists_csv_export_applies_the_same_rule(client, entities, region_admin):
    entities[BARI].name = " =1+2"
    entities[BARI].save()
    entities[LECCE].name = "-12,5"
    entities[LECCE].save()
    client.force_login(region_admin)
    text = _entity_export(client, "csv").decode("utf-8-sig")
    assert ";' =1+2;" in text
    assert ";-12,5;" in text and "'-12,5" not in text


def test_the_admin_lists_xlsx_export_applies_the_same_rule(client, entities, region_admin):
    import openpyxl

    entities[BARI].name = " =1+2"
    entities[BARI].save()
    entities[LECCE].name = "-12,5"
    entities[LECCE].save()
    client.force_login(region_admin)
    sheet = openpyxl.load_workbook(io.BytesIO(_entity_export(client, "xlsx"))).active
    names = {row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert "' =1+2" in names and "-12,5" in names
