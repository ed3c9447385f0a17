"""The screens as people use them: the Region funds an intervention of a programme's
beneficiary; the beneficiary reads it, updates it and moves it; the Region follows progress."""

import datetime
from decimal import Decimal

from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from calls.programmes.models import Intervention, InterventionState
from tests.conftest import ARCA_SUD_SALENTO, BARI

INLINE = {
    "progress_reports-TOTAL_FORMS": "1",
    "progress_reports-INITIAL_FORMS": "0",
    "progress_reports-MIN_NUM_FORMS": "0",
    "progress_reports-MAX_NUM_FORMS": "1000",
}


def test_the_region_funds_only_a_beneficiary_of_the_programme(client, region_admin, programme, entities):
    client.force_login(region_admin)
    url = reverse("programmes_intervention_modeladmin_create")
    assert client.get(url).status_code == 200
    base = {
        "programme": programme.pk,
        "title": "Nuovo intervento",
        "intervention_type": "recovery",
        "funded_amount": "250.000,00",
        "co_financing": "0",
        "amount_paid": "0",
        **INLINE,
        "progress_reports-TOTAL_FORMS": "0",
    }
    refused = client.post(url, {**base, "beneficiary": entities[BARI].pk})
    assert refused.status_code == 200
    assert not Intervention.objects.filter(title="Nuovo intervento").exists()
    accepted = client.post(url, {**base, "beneficiary": entities[ARCA_SUD_SALENTO].pk})
    assert accepted.status_code == 302
    assert Intervention.objects.get(title="Nuovo intervento").funded_amount == Decimal("250000.00")


def test_the_beneficiary_updates_with_a_sal_and_the_change_is_audited(client, arca_officer, salento_intervention):
    client.force_login(arca_officer)
    inspect = client.get(reverse("programmes_intervention_modeladmin_inspect", args=[salento_intervention.pk]))
    assert inspect.status_code == 200
    assert reverse("programmes_intervention_move", args=[salento_intervention.pk, "start_design"]) in (
        inspect.content.decode()
    )
    edit = reverse("programmes_intervention_modeladmin_edit", args=[salento_intervention.pk])
    assert client.get(edit).status_code == 200
    before = Intervention.objects.get(pk=salento_intervention.pk).last_update
    response = client.post(
        edit,
        {
            "cup": "E81B22000310002",
            "co_financing": "10.000,00",
            "amount_paid": "1.234,56",
            "buildings": list(salento_intervention.buildings.values_list("pk", flat=True)),
            "units": list(salento_intervention.units.values_list("pk", flat=True)),
            "design_planned": "2025-01-15",
            **INLINE,
            "progress_reports-0-date": "2025-02-01",
            "progress_reports-0-percentage": "12,5",
            "progress_reports-0-amount": "1.000,00",
        },
    )
    if response.status_code != 302:
        form = response.context["form"]
        raise AssertionError((form.errors, {name: formset.errors for name, formset in form.formsets.items()}))
    saved = Intervention.objects.get(pk=salento_intervention.pk)
    assert (saved.amount_paid, saved.co_financing) == (Decimal("1234.56"), Decimal("10000.00"))
    assert saved.funded_amount == Decimal("1000000.00")  # the Region's figure, not the form's
    assert saved.progress_reports.get().percentage == Decimal("12.50")
    assert saved.last_update > before
    assert ModelLogEntry.objects.filter(action="push.intervention.update", object_id=str(saved.pk)).exists()


def test_the_beneficiary_cannot_change_the_region_s_figures(client, arca_officer, salento_intervention):
    client.force_login(arca_officer)
    edit = reverse("programmes_intervention_modeladmin_edit", args=[salento_intervention.pk])
    client.post(
        edit,
        {
            "funded_amount": "9.999.999,00",
            "title": "Cambiato",
            "cup": "",
            "co_financing": "0",
            "amount_paid": "0",
            **INLINE,
            "progress_reports-TOTAL_FORMS": "0",
        },
    )
    saved = Intervention.objects.get(pk=salento_intervention.pk)
    assert (saved.funded_amount, saved.title) == (Decimal("1000000.00"), "Intervento-Salento-Segreto")


def test_a_transition_is_confirmed_with_its_date(client, arca_officer, salento_intervention):
    client.force_login(arca_officer)
    Intervention.objects.filter(pk=salento_intervention.pk).update(state=InterventionState.DESIGN)
    url = reverse("programmes_intervention_move", args=[salento_intervention.pk, "start_tender"])
    assert client.get(url).status_code == 200
    on = timezone.localdate() - datetime.timedelta(days=5)
    assert client.post(url, {"on": on.isoformat()}).status_code == 302
    saved = Intervention.objects.get(pk=salento_intervention.pk)
    assert (saved.state, saved.design_actual) == (InterventionState.TENDER, on)
    # A transition the table does not give this side from this state is not there.
    assert client.get(reverse("programmes_intervention_move", args=[saved.pk, "revoke"])).status_code == 404


def test_the_region_follows_the_progress(client, region_admin, salento_intervention, programme):
    client.force_login(region_admin)
    assert client.get(reverse("programmes_progress")).status_code == 200
    page = client.get(reverse("programmes_programme_progress", args=[programme.pk]))
    assert page.status_code == 200
    assert "Intervento-Salento-Segreto" in page.content.decode()
    assert client.get(reverse("programmes_programme_modeladmin_index")).status_code == 200
    assert client.get(reverse("programmes_intervention_modeladmin_index")).status_code == 200


def test_the_region_corrects_the_funding_but_not_the_beneficiary(client, region_admin, salento_intervention, entities):
    client.force_login(region_admin)
    edit = reverse("programmes_intervention_modeladmin_edit", args=[salento_intervention.pk])
    assert client.get(edit).status_code == 200
    response = client.post(
        edit,
        {
            "beneficiary": entities[BARI].pk,
            "title": "Titolo corretto",
            "intervention_type": "recovery",
            "funded_amount": "900.000,00",
            "cup": "E81B22000310002",
            "co_financing": "0",
            "amount_paid": "0",
            "buildings": list(salento_intervention.buildings.values_list("pk", flat=True)),
            **INLINE,
            "progress_reports-TOTAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    saved = Intervention.objects.get(pk=salento_intervention.pk)
    assert (saved.title, saved.funded_amount) == ("Titolo corretto", Decimal("900000.00"))
    assert saved.beneficiary == entities[ARCA_SUD_SALENTO]


def test_the_beneficiarys_form_offers_only_the_fixed_beneficiary_and_programme(
    client, arca_officer, salento_intervention
):
    client.force_login(arca_officer)
    form = client.get(reverse("programmes_intervention_modeladmin_edit", args=[salento_intervention.pk])).context[
        "form"
    ]
    assert [entity.pk for entity in form.fields["beneficiary"].queryset] == [salento_intervention.beneficiary_id]
    assert [programme.pk for programme in form.fields["programme"].queryset] == [salento_intervention.programme_id]
