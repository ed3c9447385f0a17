"""From the attacker's side: an officer of ARCA Sud Salento asks for ARCA Puglia Centrale's
intervention by address, list filter, chooser, export, file and API filter, and tries to
attach Puglia Centrale's building to an intervention of its own. Nothing of the other shows,
nothing of the other is attached, and each refusal is the one expected."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from calls.programmes.models import Intervention, InterventionState
from registry.models import Building, Unit
from tests.helpers import assert_bad_request, assert_forbidden, assert_not_found, assert_not_shown, body_of

SECRET = "Intervento-Centrale-Segreto"


@pytest.fixture
def attacker(client, arca_officer, salento_intervention, centrale_intervention):
    client.force_login(arca_officer)
    return client


def test_the_other_s_intervention_by_address_does_not_exist(attacker, centrale_intervention):
    pk = centrale_intervention.pk
    for action in ("inspect", "edit", "delete", "history"):
        url = reverse(f"programmes_intervention_modeladmin_{action}", args=[pk])
        assert_not_found(attacker.get(url), leaked=(SECRET,))
        assert_not_found(attacker.post(url), leaked=(SECRET,))
    for action in ("start_design", "revoke", "complete"):
        url = reverse("programmes_intervention_move", args=[pk, action])
        assert_not_found(attacker.get(url), leaked=(SECRET,))
        assert_not_found(attacker.post(url), leaked=(SECRET,))
    centrale_intervention.refresh_from_db()
    assert centrale_intervention.state == InterventionState.PLANNED


def test_the_list_filters_show_nothing_of_the_other(attacker, centrale_intervention):
    index = reverse("programmes_intervention_modeladmin_index")
    other = centrale_intervention.beneficiary_id
    own = attacker.get(index)
    assert own.status_code == 200 and "Intervento-Salento-Segreto" in own.content.decode()
    assert_not_shown(own, SECRET)
    for query in (f"?beneficiary__id__exact={other}", "?q=Segreto", "?follow_up=late", "?export=csv", "?export=xlsx"):
        response = attacker.get(index + query)
        assert response.status_code == 200, query
        assert_not_shown(response, SECRET)
    for query in (f"?beneficiary={other}", f"?beneficiary__code={centrale_intervention.beneficiary.code}"):
        assert_bad_request(attacker.get(index + query), leaked=(SECRET,))


def test_the_chooser_offers_only_own_buildings_and_refuses_the_other_s(attacker, salento_intervention):
    foreign = Building.objects.exclude(owner=salento_intervention.beneficiary).order_by("pk").first()
    foreign.street = "Via Straniera Segreta"
    foreign.save(update_fields=["street"])
    edit = reverse("programmes_intervention_modeladmin_edit", args=[salento_intervention.pk])
    form = attacker.get(edit)
    assert form.status_code == 200
    assert_not_shown(form, "Via Straniera Segreta")
    own = list(salento_intervention.buildings.values_list("pk", flat=True))
    response = attacker.post(
        edit,
        {
            "cup": "E81B22000310002",
            "co_financing": "0",
            "amount_paid": "0",
            "buildings": [*own, foreign.pk],
            "progress_reports-TOTAL_FORMS": "0",
            "progress_reports-INITIAL_FORMS": "0",
            "progress_reports-MIN_NUM_FORMS": "0",
            "progress_reports-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 200  # the form again, with its error
    assert not salento_intervention.buildings.filter(pk=foreign.pk).exists()


def test_the_update_file_holds_only_own_interventions(attacker):
    for file_format in ("csv", "xlsx"):
        response = attacker.get(reverse("programmes_update_file", args=[file_format]) + "?beneficiary=1")
        assert response.status_code == 200
        body = body_of(response)
        if file_format == "csv":
            assert b"Intervento-Salento-Segreto" in body
            assert SECRET.encode() not in body


def test_the_region_s_progress_screens_are_refused_to_an_entity(attacker, programme):
    for url in (
        reverse("programmes_progress"),
        reverse("programmes_progress_export", args=["csv"]),
        reverse("programmes_programme_progress", args=[programme.pk]),
        reverse("programmes_programme_progress_export", args=[programme.pk, "xlsx"]),
    ):
        assert_forbidden(attacker.get(url), leaked=(SECRET,))


@pytest.fixture
def api(arca_officer, salento_intervention, centrale_intervention):
    client = APIClient()
    client.force_authenticate(arca_officer)
    return client


def test_the_api_shows_nothing_of_the_other(api, centrale_intervention):
    code = centrale_intervention.beneficiary.code
    for query in ("", f"?beneficiary={code}", f"?programme={centrale_intervention.programme_id}", "?follow_up=late"):
        response = api.get("/api/v1/interventions" + query)
        assert response.status_code == 200
        assert_not_shown(response, SECRET)
    assert api.get(f"/api/v1/interventions?beneficiary={code}").json()["results"] == []
    path = f"/api/v1/interventions/{centrale_intervention.pk}"
    assert_not_found(api.get(path), leaked=(SECRET,))
    assert_not_found(api.patch(path, {"amount_paid": "1,00"}, format="json"), leaked=(SECRET,))
    for extra, body in (("/transitions", {"action": "start_design"}), ("/progress-reports", {})):
        assert_not_found(api.post(path + extra, body, format="json"), leaked=(SECRET,))
    programmes = api.get("/api/v1/programmes").json()["results"]
    assert [item["beneficiaries"] for item in programmes] == [["750000"]]
    centrale_intervention.refresh_from_db()
    assert centrale_intervention.state == InterventionState.PLANNED


def test_the_api_refuses_attaching_the_other_s_building(api, salento_intervention):
    foreign = Building.objects.exclude(owner=salento_intervention.beneficiary).order_by("pk").first()
    foreign_unit = Unit.objects.filter(building=foreign).first()
    path = f"/api/v1/interventions/{salento_intervention.pk}"
    response = api.patch(path, {"buildings": [foreign.pk]}, format="json")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    response = api.patch(path, {"units": [foreign_unit.pk]}, format="json")
    assert response.status_code == 400
    assert not salento_intervention.buildings.filter(pk=foreign.pk).exists()
    assert not salento_intervention.units.filter(pk=foreign_unit.pk).exists()


def test_the_beneficiary_updates_its_own_through_the_api(api, salento_intervention):
    path = f"/api/v1/interventions/{salento_intervention.pk}"
    response = api.patch(path, {"amount_paid": "1.234,56", "design_planned": "15/01/2025"}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["amount_paid"] == "1234.56"
    response = api.post(
        path + "/progress-reports", {"date": "01/02/2025", "percentage": "10", "amount": "1.000,00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["progress_reports"][0]["amount"] == "1000.00"
    response = api.post(path + "/transitions", {"action": "complete"}, format="json")
    assert response.status_code == 409
    response = api.post(path + "/transitions", {"action": "revoke"}, format="json")
    assert response.status_code == 403
    assert Intervention.objects.get(pk=salento_intervention.pk).state == InterventionState.PLANNED
