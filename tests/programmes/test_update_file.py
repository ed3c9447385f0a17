"""The beneficiary's update file: Italian numbers and dates in, all or nothing, each problem
naming its row and column; the export re-imports unchanged."""

import datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from calls.programmes import services
from calls.programmes.models import Intervention, ProgressReport
from calls.programmes.spec import INTERVENTION_SPEC
from core.tabular import write_csv


def _csv(rows, headers=None):
    import io

    handle = io.StringIO()
    write_csv(headers or INTERVENTION_SPEC.headers, rows, handle)
    return handle.getvalue().encode("utf-8")


def _row(intervention, **cells):
    values = dict(zip([spec.key for spec in INTERVENTION_SPEC.fields], INTERVENTION_SPEC.export_row(intervention)))
    values.update(cells)
    return [values[spec.key] for spec in INTERVENTION_SPEC.fields]


def test_a_good_file_in_italian_formats_updates_amounts_dates_and_adds_a_sal(salento_intervention, arca_officer):
    content = _csv(
        [
            _row(
                salento_intervention,
                co_financing="50.000,00",
                amount_paid="1.234,56",
                design_planned="15/01/2025",
                design_actual="20/01/2025",
                tender_planned="31/03/2025",
                sal_date="01/02/2025",
                sal_percentage="12,5",
                sal_amount="1.234,56",
            )
        ]
    )
    report = services.update_from_file(content=content, filename="interventi.csv", by=arca_officer)
    assert report.written, report.problems
    salento_intervention.refresh_from_db()
    assert salento_intervention.co_financing == Decimal("50000.00")
    assert salento_intervention.amount_paid == Decimal("1234.56")
    assert salento_intervention.design_actual == datetime.date(2025, 1, 20)
    assert salento_intervention.tender_planned == datetime.date(2025, 3, 31)
    sal = ProgressReport.objects.get(intervention=salento_intervention)
    assert (sal.date, sal.percentage, sal.amount) == (datetime.date(2025, 2, 1), Decimal("12.50"), Decimal("1234.56"))


def test_a_broken_file_writes_nothing_and_names_row_and_column(salento_intervention, arca_officer, english):
    before = Intervention.objects.values().get(pk=salento_intervention.pk)
    content = _csv(
        [
            _row(salento_intervention, amount_paid="1.234,56", cup="J31B2100123"),
            _row(salento_intervention, design_planned="31/02/2025"),
        ]
    )
    report = services.update_from_file(content=content, filename="interventi.csv", by=arca_officer)
    assert not report.written
    found = {(problem.row, problem.column) for problem in report.problems}
    assert (2, "CUP") in found
    assert (3, "Progettazione prevista") in found
    assert Intervention.objects.values().get(pk=salento_intervention.pk) == before
    assert not ProgressReport.objects.exists()


def test_another_entity_s_intervention_is_an_unknown_id(salento_intervention, centrale_intervention, arca_officer):
    content = _csv([_row(salento_intervention, amount_paid="10,00"), _row(centrale_intervention, amount_paid="10,00")])
    report = services.update_from_file(content=content, filename="interventi.csv", by=arca_officer)
    assert [(problem.row, problem.column) for problem in report.problems] == [(3, "ID intervento")]
    for intervention in (salento_intervention, centrale_intervention):
        intervention.refresh_from_db()
        assert intervention.amount_paid == Decimal("0.00")


@pytest.mark.parametrize(
    "cells, column",
    [
        ({"amount_paid": "9.999.999,00"}, "Importo pagato"),  # more than funded + co-financed
        ({"design_planned": "10/05/2025", "tender_planned": "01/05/2025"}, "Gara prevista"),
        ({"sal_date": "01/02/2025"}, "Percentuale SAL"),
        ({"design_actual": "01/01/2099"}, "Progettazione effettiva"),
        ({"amount_paid": "12.34,5"}, "Importo pagato"),
    ],
)
def test_each_rule_is_reported_on_its_column(salento_intervention, arca_officer, cells, column):
    report = services.update_from_file(
        content=_csv([_row(salento_intervention, **cells)]), filename="interventi.csv", by=arca_officer
    )
    assert (2, column) in {(problem.row, problem.column) for problem in report.problems}


def test_the_export_reimports_unchanged_through_the_screens(client, salento_intervention, arca_officer):
    client.force_login(arca_officer)
    exported = client.get(reverse("programmes_update_file", args=["xlsx"]))
    assert exported.status_code == 200
    before = Intervention.objects.values().get(pk=salento_intervention.pk)
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("interventi.xlsx", b"".join(exported.streaming_content))
    response = client.post(reverse("programmes_update_upload"), {"file": upload})
    assert response.status_code == 302
    after = Intervention.objects.values().get(pk=salento_intervention.pk)
    assert after == before


def test_the_upload_screen_shows_the_report(client, salento_intervention, arca_officer):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(arca_officer)
    upload = SimpleUploadedFile("interventi.csv", _csv([_row(salento_intervention, cup="XX")]))
    response = client.post(reverse("programmes_update_upload"), {"file": upload})
    assert response.status_code == 200
    assert "CUP" in response.content.decode()


def test_a_file_over_the_size_limit_is_refused_unread(salento_intervention, arca_officer, settings):
    settings.PUSH_MAX_IMPORT_BYTES = 100
    content = _csv([_row(salento_intervention, amount_paid="10,00")])
    assert len(content) > 100
    report = services.update_from_file(content=content, filename="interventi.csv", by=arca_officer)
    assert [problem.row for problem in report.problems] == [0]
    salento_intervention.refresh_from_db()
    assert salento_intervention.amount_paid == Decimal("0.00")
