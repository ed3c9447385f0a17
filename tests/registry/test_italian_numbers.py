"""Numbers typed the Italian way into the register's admin forms (issue 9): what is stored,
what the form shows back, and the confirmation asked before an unusual value is saved."""

from decimal import Decimal

import pytest
from django.test import override_settings
from django.urls import reverse

from core.numbers import NumberFormatError, format_italian_decimal, parse_italian_decimal
from core.tabular import CellError, parse_decimal
from registry.models import Building, Unit
from tests.conftest import ARCA_SUD_SALENTO

# --- the rule -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "typed, number",
    [
        ("1.234,56", Decimal("1234.56")),
        ("1234,56", Decimal("1234.56")),
        ("1234", Decimal("1234")),
        ("1.234", Decimal("1234")),
        ("15.000,00", Decimal("15000.00")),
        (" 86,52 € ", Decimal("86.52")),
        ("1\u00a0234,5", Decimal("1234.5")),
        ("-3,5", Decimal("-3.5")),
    ],
)
def test_italian_numbers_are_read(typed, number):
    assert parse_italian_decimal(typed) == number


@pytest.mark.parametrize(
    "typed, code", [("86.52", "dot_decimal"), ("1.234.5", "ambiguous"), ("12,345.6", "ambiguous"), ("abc", "invalid")]
)
def test_ambiguous_or_dotted_numbers_are_refused_in_forms(typed, code):
    with pytest.raises(NumberFormatError) as refused:
        parse_italian_decimal(typed)
    assert refused.value.code == code


def test_spreadsheets_share_the_rule_and_still_read_machine_decimals():
    assert parse_decimal("1.234,56") == Decimal("1234.56")
    assert parse_decimal("65.5") == Decimal("65.5")  # exported by other systems
    with pytest.raises(CellError):
        parse_decimal("1.234.5")


def test_numbers_are_shown_the_italian_way():
    assert format_italian_decimal(Decimal("1234567.5"), 2) == "1.234.567,50"
    assert format_italian_decimal(Decimal("60.34")) == "60,34"


# --- the unit form --------------------------------------------------------------------


def shown_values(form) -> dict:
    """What the browser would post back untouched: each field's value as the form renders it."""
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else field.widget.format_value(value) or ""
    return data


@pytest.fixture
def unit(entities, load_stock):
    load_stock(ARCA_SUD_SALENTO, 3)
    unit = Unit.objects.filter(owner__code=ARCA_SUD_SALENTO).first()
    Unit.objects.filter(pk=unit.pk).update(
        monthly_rent=Decimal("60.34"), usable_area=Decimal("68.40"), status="let", household_size=2
    )
    unit.refresh_from_db()
    return unit


def edit(client, unit, **typed):
    url = reverse("registry_unit_modeladmin_edit", args=[unit.pk])
    data = shown_values(client.get(url).context["form"])
    data.update(typed)
    return client.post(url, data)


def test_unit_form_shows_amounts_the_italian_way_in_a_text_input(client, arca_officer, unit):
    client.force_login(arca_officer)
    page = client.get(reverse("registry_unit_modeladmin_edit", args=[unit.pk])).content.decode()
    assert '<input type="text" name="monthly_rent" value="60,34" inputmode="decimal"' in page
    assert 'type="number" name="usable_area"' not in page


@pytest.mark.parametrize("typed, stored", [("86,52", "86.52"), ("1.234,56", "1234.56"), ("1234,56", "1234.56")])
def test_rent_typed_the_italian_way_is_stored_as_meant(client, arca_officer, unit, typed, stored):
    client.force_login(arca_officer)
    response = edit(client, unit, monthly_rent=typed)
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.monthly_rent == Decimal(stored)


def test_rent_with_a_decimal_point_is_refused_not_multiplied(client, arca_officer, unit):
    client.force_login(arca_officer)
    response = edit(client, unit, monthly_rent="86.52")
    assert response.status_code == 200
    errors = response.context["form"].errors["monthly_rent"]
    assert "86,52" in errors[0]
    unit.refresh_from_db()
    assert unit.monthly_rent == Decimal("60.34")
    # What the officer typed is shown back as typed, to be corrected.
    assert 'name="monthly_rent" value="86.52"' in response.content.decode()


def test_unusual_rent_asks_for_confirmation_then_saves(client, arca_officer, unit):
    client.force_login(arca_officer)
    response = edit(client, unit, monthly_rent="8.652,00")
    assert response.status_code == 200
    page = response.content.decode()
    assert "8.652,00" in page and 'name="confirm_unusual"' in page
    unit.refresh_from_db()
    assert unit.monthly_rent == Decimal("60.34")

    response = edit(client, unit, monthly_rent="8.652,00", confirm_unusual="on")
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.monthly_rent == Decimal("8652.00")


@override_settings(PUSH_UNUSUAL_AREA_M2="500")
def test_unusual_area_asks_for_confirmation(client, arca_officer, unit):
    client.force_login(arca_officer)
    response = edit(client, unit, usable_area="6.840,00")
    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["usable_area"]] == ["unusual"]
    assert 'name="confirm_unusual"' in response.content.decode()
    unit.refresh_from_db()
    assert unit.usable_area == Decimal("68.40")


def test_confirmation_box_is_not_shown_for_ordinary_values(client, arca_officer, unit):
    client.force_login(arca_officer)
    page = client.get(reverse("registry_unit_modeladmin_edit", args=[unit.pk])).content.decode()
    assert 'name="confirm_unusual"' not in page


def test_too_many_decimals_are_refused(client, arca_officer, unit):
    client.force_login(arca_officer)
    response = edit(client, unit, monthly_rent="86,525")
    assert response.status_code == 200
    codes = [error.code for error in response.context["form"].errors.as_data()["monthly_rent"]]
    assert codes == ["max_decimal_places"]


# --- the building form ----------------------------------------------------------------


def test_building_coordinates_accept_a_decimal_point_and_show_a_comma(client, arca_officer, unit):
    building = unit.building
    client.force_login(arca_officer)
    url = reverse("registry_building_modeladmin_edit", args=[building.pk])
    data = shown_values(client.get(url).context["form"])
    data.update(latitude="40.3527", longitude="18,1723")  # in Lecce, the building's Comune
    response = client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    building = Building.objects.get(pk=building.pk)
    assert building.latitude == Decimal("40.3527") and building.longitude == Decimal("18.1723")
    page = client.get(url).content.decode()
    assert 'value="40,352700"' in page


def test_a_deadline_typed_in_a_datetime_box_comes_back_in_the_form_the_browser_shows():
    import datetime

    from django.utils import timezone

    from calls.admin import IntegrationForm

    form = IntegrationForm(data={"message": "", "deadline": "2026-12-31T12:00"})
    assert not form.is_valid()  # the message is missing: the form is shown again
    assert form.cleaned_data["deadline"] == timezone.make_aware(datetime.datetime(2026, 12, 31, 12, 0))
    assert 'value="2026-12-31T12:00"' in str(form["deadline"])
    assert 'type="datetime-local"' in str(form["deadline"])
