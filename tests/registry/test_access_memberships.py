"""A membership ends only through its service, which writes the audit entry and takes the
person's groups away: the admin's generic form does not edit the end date (a forged POST
neither), the "End" button leads to a confirmation page and then to the service."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from registry import services
from registry.models import Area, Entity, Membership, Role
from tests.conftest import BARI, LECCE
from tests.factories import member
from tests.helpers import assert_not_found, assert_refused_by_admin


def ended_entries(membership):
    return ModelLogEntry.objects.filter(object_id=str(membership.pk), action="push.membership.ended")


def edit_form_data(membership, **overrides):
    today = timezone.localdate().isoformat()
    data = {
        "user": membership.user_id,
        "entity": membership.entity_id,
        "role": membership.role,
        "area": membership.area,
        "valid_from": membership.valid_from.isoformat(),
        "ended_on": today,
    }
    data.update(overrides)
    return data


@pytest.fixture
def officer_membership(bari_officer):
    return bari_officer.memberships.get()


def test_forged_post_of_the_generic_edit_form_cannot_end_a_membership(client, region_admin, officer_membership):
    client.force_login(region_admin)
    url = reverse("registry_membership_modeladmin_edit", args=[officer_membership.pk])

    response = client.post(url, edit_form_data(officer_membership))

    assert_refused_by_admin(response)
    officer_membership.refresh_from_db()
    assert officer_membership.ended_on is None
    assert not ended_entries(officer_membership).exists()
    assert officer_membership.user.groups.exists()


def test_the_generic_edit_form_is_not_offered(client, region_admin, officer_membership):
    client.force_login(region_admin)
    response = client.get(reverse("registry_membership_modeladmin_edit", args=[officer_membership.pk]))
    assert_refused_by_admin(response)
    inspect = client.get(reverse("registry_membership_modeladmin_inspect", args=[officer_membership.pk]))
    html = inspect.content.decode()
    assert reverse("registry_membership_modeladmin_edit", args=[officer_membership.pk]) not in html
    assert reverse("registry_membership_end", args=[officer_membership.pk]) in html


def test_creating_a_membership_cannot_set_its_end(client, region_admin, entities):
    person = member(LECCE, Role.LEGAL_REPRESENTATIVE)
    client.force_login(region_admin)
    bari = Entity.objects.get(code=BARI)
    data = {
        "user": person.pk,
        "entity": bari.pk,
        "role": Role.OFFICER,
        "area": Area.CALLS,
        "valid_from": timezone.localdate().isoformat(),
        "ended_on": timezone.localdate().isoformat(),
    }
    response = client.post(reverse("registry_membership_modeladmin_create"), data)
    assert response.status_code == 302
    created = Membership.objects.get(user=person, entity=bari)
    assert created.ended_on is None


def test_ending_goes_through_the_confirmation_page_and_the_service(client, region_admin, officer_membership):
    client.force_login(region_admin)
    url = reverse("registry_membership_end", args=[officer_membership.pk])

    assert client.get(url).status_code == 200
    assert Membership.objects.get(pk=officer_membership.pk).ended_on is None

    response = client.post(url, {"reason": "Trasferita ad altro ufficio"})

    assert response.status_code == 302
    officer_membership.refresh_from_db()
    assert officer_membership.ended_on == timezone.localdate()
    entry = ended_entries(officer_membership).get()
    assert entry.user_id == region_admin.pk and entry.data["reason"] == "Trasferita ad altro ufficio"
    assert not officer_membership.user.groups.exists()
    # Once ended, it cannot be ended again.
    client.post(url, {"reason": "again"})
    assert ended_entries(officer_membership).count() == 1


@pytest.mark.parametrize("attacker", ["bari_legal_rep", "reviewer"])
def test_people_who_may_not_change_memberships_cannot_end_one(client, request, attacker, officer_membership):
    user = request.getfixturevalue(attacker)
    client.force_login(user)
    response = client.post(reverse("registry_membership_end", args=[officer_membership.pk]), {"reason": "x"})
    assert_refused_by_admin(response)
    with pytest.raises(PermissionDenied):
        services.end_membership(membership=officer_membership, ended_by=user)
    officer_membership.refresh_from_db()
    assert officer_membership.ended_on is None
    assert not ended_entries(officer_membership).exists()


def test_another_entitys_officer_cannot_reach_the_end_page(client, entities, officer_membership):
    lecce_rep = member(LECCE, Role.LEGAL_REPRESENTATIVE)
    client.force_login(lecce_rep)
    assert_not_found(client.get(reverse("registry_membership_end", args=[officer_membership.pk])))
