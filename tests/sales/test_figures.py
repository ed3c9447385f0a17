"""Proceeds against reinvestments by owner, and the dashboards' figures per owner and year,
counted by hand: ARCA Sud Salento sells two units (66.000,00 and 61.350,50) and reinvests
50.000,00 in recovery and 20.000,00 in new housing; ARCA Puglia Centrale sells one unit
(40.000,00) and reinvests nothing."""

import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from calls.sales import selectors, services
from calls.sales.models import BuyerType, ReinvestmentPurpose, SalePlan, SalePlanUnit
from dashboards import indicators
from dashboards.results import Audience
from tests.helpers import body_of

pytestmark = pytest.mark.django_db


def _approved(owner, officer, reviewer, make_plan, units):
    plan = make_plan(owner, officer, units=units)
    services.send(plan=plan, by=officer)
    return services.approve(plan=plan, by=reviewer)


def _sell(plan, index, price, by, sold_on=None):
    line = SalePlanUnit.objects.select_related("plan__owner", "unit").filter(plan=plan).order_by("pk")[index]
    services.record_sale(
        line=line,
        sold_on=sold_on or timezone.localdate(),
        price=Decimal(price),
        buyer_type=BuyerType.SITTING_TENANT,
        by=by,
    )


@pytest.fixture
def figures(salento, centrale, salento_officer, centrale_officer, reviewer, make_plan):
    today = timezone.localdate()
    salento_plan = _approved(salento, salento_officer, reviewer, make_plan, 3)
    _sell(salento_plan, 0, "66000.00", salento_officer)
    _sell(salento_plan, 1, "61350.50", salento_officer)
    services.record_reinvestment(
        owner=salento,
        spent_on=today,
        amount=Decimal("50000.00"),
        purpose=ReinvestmentPurpose.RECOVERY,
        by=salento_officer,
    )
    services.record_reinvestment(
        owner=salento,
        spent_on=today,
        amount=Decimal("20000.00"),
        purpose=ReinvestmentPurpose.NEW_HOUSING,
        by=salento_officer,
    )
    centrale_plan = _approved(centrale, centrale_officer, reviewer, make_plan, 2)
    _sell(centrale_plan, 0, "40000.00", centrale_officer)
    # A draft of Sud Salento's, never sent: not proposed.
    make_plan(salento, salento_officer, units=1, title="Bozza")
    return {"salento": salento, "centrale": centrale}


def test_proceeds_against_reinvestments_by_owner(figures, reviewer, salento_officer):
    rows = {row.owner.code: row for row in selectors.proceeds_by_owner(reviewer)}
    salento, centrale = rows["750000"], rows["720000"]
    assert (salento.units_sold, salento.proceeds, salento.reinvested) == (2, Decimal("127350.50"), Decimal("70000.00"))
    assert (salento.new_housing, salento.recovery, salento.balance) == (
        Decimal("20000.00"),
        Decimal("50000.00"),
        Decimal("57350.50"),
    )
    assert (centrale.units_sold, centrale.proceeds, centrale.reinvested, centrale.balance) == (
        1,
        Decimal("40000.00"),
        Decimal("0.00"),
        Decimal("40000.00"),
    )
    assert [row.owner.code for row in selectors.proceeds_by_owner(salento_officer)] == ["750000"]
    last_year = timezone.localdate().year - 1
    assert selectors.proceeds_by_owner(reviewer, year=last_year) == []


def test_the_proceeds_page_and_files_in_italian_with_an_audit_entry(client, figures, reviewer, salento_officer):
    client.force_login(reviewer)
    page = client.get(reverse("sales_proceeds")).content.decode()
    assert "127.350,50 €" in page and "57.350,50 €" in page and "40.000,00 €" in page
    csv = body_of(client.get(reverse("sales_proceeds_export", args=["csv"]))).decode("utf-8-sig")
    lines = csv.splitlines()
    assert len(lines) == 3
    assert lines[2].split(";")[:4] == ["750000", "ARCA Sud Salento", "2", "127350,50"]
    xlsx = load_workbook(io.BytesIO(body_of(client.get(reverse("sales_proceeds_export", args=["xlsx"]))))).active
    values = [[cell.value for cell in row] for row in xlsx.iter_rows(min_row=2)]
    assert values[1][:4] == ["750000", "ARCA Sud Salento", 2, 127350.5]
    entries = ModelLogEntry.objects.filter(action="push.export", user=reviewer).order_by("pk")
    assert [(entry.data["list"], entry.data["format"], entry.data["rows"]) for entry in entries] == [
        ("sales.proceeds", "csv", 2),
        ("sales.proceeds", "xlsx", 2),
    ]
    client.force_login(salento_officer)
    own = body_of(client.get(reverse("sales_proceeds_export", args=["csv"]))).decode("utf-8-sig").splitlines()
    assert len(own) == 2 and own[1].startswith("750000;")


def test_the_dashboards_figures_per_owner_and_year(figures, django_assert_max_num_queries):
    year = str(timezone.localdate().year)
    with django_assert_max_num_queries(4):
        units = indicators.compute("sales_units_by_owner", params={"year": year}, audience=Audience())
    table = {code: row[1:] for code, row in zip(units.codes, units.rows())}
    assert table == {"720000": [2, 2, 1], "750000": [3, 3, 2]}
    money = indicators.compute("sales_proceeds_by_owner", params={"year": year}, audience=Audience())
    assert {code: row[1:] for code, row in zip(money.codes, money.rows())} == {
        "720000": [Decimal("40000.00"), Decimal("0.00")],
        "750000": [Decimal("127350.50"), Decimal("70000.00")],
    }
    earlier = indicators.compute("sales_units_by_owner", params={"year": str(int(year) - 1)}, audience=Audience())
    assert earlier.codes == []


def test_an_owners_people_read_their_own_figures_only_and_the_public_none(figures):
    own = indicators.compute(
        "sales_units_by_owner", params={}, audience=Audience(entity_ids=frozenset({figures["salento"].pk}))
    )
    assert own.codes == ["750000"]
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        indicators.compute("sales_proceeds_by_owner", params={}, audience=Audience(public=True))


def test_a_sale_before_the_approval_is_refused(salento, salento_officer, reviewer, make_plan):
    plan = _approved(salento, salento_officer, reviewer, make_plan, 1)
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        _sell(plan, 0, "1000.00", salento_officer, sold_on=timezone.localdate() - datetime.timedelta(days=3))
    assert SalePlan.objects.get(pk=plan.pk).lines.filter(sale__isnull=False).count() == 0
