"""The user editor, from a regional administrator's side: no way to become (or make) a
superuser, to choose groups by hand, or to take over an account of equal or higher
privilege. Every test reads the database afterwards."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from registry.models import Role
from tests.conftest import REGION
from tests.factories import member
from tests.helpers import assert_refused_by_admin

PASSWORD = "secret-pass-123"
NEW_PASSWORD = "Password-Presa-2026"


@pytest.fixture
def powerful_group(db):
    """A group made by hand, with every permission: what an attacker would join."""
    group = Group.objects.create(name="Tutti i permessi")
    group.permissions.set(Permission.objects.all())
    return group


def edit_url(user):
    return reverse("wagtailusers_users:edit", args=[user.pk])


def edit_data(user, **overrides):
    data = {
        "username": user.username,
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "is_active": "on",
    }
    data.update(overrides)
    return data


def escalation(group):
    return {"is_superuser": "on", "groups": [group.pk], "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}


def test_a_regional_administrator_cannot_touch_a_superusers_account(region_admin_client, superuser, powerful_group):
    before = (superuser.password, superuser.email)

    page = region_admin_client.get(edit_url(superuser))
    response = region_admin_client.post(
        edit_url(superuser), edit_data(superuser, email="presa@example.it", **escalation(powerful_group))
    )

    assert_refused_by_admin(page)
    assert_refused_by_admin(response)
    superuser.refresh_from_db()
    assert (superuser.password, superuser.email) == before
    assert not superuser.check_password(NEW_PASSWORD)
    assert not superuser.groups.exists()


def test_a_regional_administrator_cannot_make_an_officer_superuser_nor_choose_groups_nor_set_the_password(
    region_admin_client, bari_officer, powerful_group
):
    groups_before = set(bari_officer.groups.values_list("name", flat=True))

    response = region_admin_client.post(
        edit_url(bari_officer), edit_data(bari_officer, first_name="Rinominato", **escalation(powerful_group))
    )

    assert response.status_code == 302  # the allowed change (the name) is saved
    bari_officer.refresh_from_db()
    assert bari_officer.first_name == "Rinominato"
    assert bari_officer.is_superuser is False
    assert set(bari_officer.groups.values_list("name", flat=True)) == groups_before
    assert bari_officer.check_password(PASSWORD)


def test_the_editor_offers_no_superuser_flag_groups_or_password_to_a_regional_administrator(
    region_admin_client, bari_officer
):
    form = region_admin_client.get(edit_url(bari_officer)).context["form"]
    assert set(form.fields) == {"username", "email", "first_name", "last_name", "is_active"}


def test_a_regional_administrator_cannot_put_themselves_in_a_group(region_admin_client, region_admin, powerful_group):
    groups_before = set(region_admin.groups.values_list("name", flat=True))

    region_admin_client.post(edit_url(region_admin), edit_data(region_admin, **escalation(powerful_group)))

    region_admin.refresh_from_db()
    assert set(region_admin.groups.values_list("name", flat=True)) == groups_before
    assert region_admin.is_superuser is False
    assert region_admin.check_password(PASSWORD)


def test_a_regional_administrator_cannot_edit_another_administrators_account(region_admin_client, entities):
    colleague = member(REGION, Role.ADMINISTRATOR)

    response = region_admin_client.post(edit_url(colleague), edit_data(colleague, email="presa@example.it"))

    assert_refused_by_admin(response)
    colleague.refresh_from_db()
    assert colleague.email != "presa@example.it"


def test_a_deactivated_administrator_is_still_out_of_a_peers_reach(region_admin_client, entities):
    colleague = member(REGION, Role.ADMINISTRATOR, is_active=False)

    response = region_admin_client.post(edit_url(colleague), edit_data(colleague, email="presa@example.it"))

    assert_refused_by_admin(response)
    colleague.refresh_from_db()
    assert (colleague.is_active, colleague.email) == (False, f"{colleague.username}@example.it")


def test_a_user_created_by_a_regional_administrator_has_no_superuser_flag_groups_or_known_password(
    region_admin_client, powerful_group
):
    form = region_admin_client.get(reverse("wagtailusers_users:add")).context["form"]
    assert set(form.fields) == {"username", "email", "first_name", "last_name"}

    response = region_admin_client.post(
        reverse("wagtailusers_users:add"),
        {
            "username": "nuovo.utente",
            "email": "nuovo.utente@example.it",
            "first_name": "Nuovo",
            "last_name": "Utente",
            **escalation(powerful_group),
        },
    )

    assert response.status_code == 302
    created = get_user_model().objects.get(username="nuovo.utente")
    assert created.is_superuser is False
    assert not created.groups.exists()
    assert not created.has_usable_password()


def test_the_bulk_assign_role_action_is_refused(region_admin_client, bari_officer, region_admin, powerful_group):
    url = reverse("wagtail_bulk_action", args=["registry", "user", "assign_role"])
    query = f"?id={bari_officer.pk}&id={region_admin.pk}&next=/admin/users/"

    response = region_admin_client.post(url + query, {"role": powerful_group.pk})

    assert_refused_by_admin(response)
    assert not powerful_group.user_set.exists()


def test_the_bulk_deactivation_skips_accounts_out_of_reach(region_admin_client, superuser, bari_officer, entities):
    colleague = member(REGION, Role.ADMINISTRATOR)
    url = reverse("wagtail_bulk_action", args=["registry", "user", "set_active_state"])
    query = f"?id={superuser.pk}&id={colleague.pk}&id={bari_officer.pk}&next=/admin/users/"

    region_admin_client.post(url + query, {"mark_as_active": "False"})

    superuser.refresh_from_db()
    colleague.refresh_from_db()
    bari_officer.refresh_from_db()
    assert (superuser.is_active, colleague.is_active, bari_officer.is_active) == (True, True, False)


def test_the_group_editor_is_closed_to_a_regional_administrator(region_admin_client, powerful_group, region_admin):
    created = region_admin_client.post(reverse("wagtailusers_groups:add"), {"name": "Gruppo pirata"})
    edited = region_admin_client.post(
        reverse("wagtailusers_groups:edit", args=[powerful_group.pk]), {"name": "Rinominato"}
    )

    assert_refused_by_admin(created)
    assert_refused_by_admin(edited)
    assert not Group.objects.filter(name__in=["Gruppo pirata", "Rinominato"]).exists()


def test_a_superuser_still_manages_superusers_and_passwords(client, superuser, bari_officer):
    client.force_login(superuser)
    form = client.get(edit_url(bari_officer)).context["form"]
    assert {"is_superuser", "password1", "password2"} <= set(form.fields)
    assert "groups" not in form.fields

    response = client.post(
        edit_url(bari_officer),
        edit_data(bari_officer, is_superuser="on", password1=NEW_PASSWORD, password2=NEW_PASSWORD),
    )

    assert response.status_code == 302
    bari_officer.refresh_from_db()
    assert bari_officer.is_superuser is True
    assert bari_officer.check_password(NEW_PASSWORD)


def test_the_users_list_links_only_the_accounts_within_reach(region_admin_client, superuser, bari_officer):
    response = region_admin_client.get(reverse("wagtailusers_users:index"))

    assert response.status_code == 200
    html = response.content.decode()
    assert edit_url(bari_officer) in html
    assert edit_url(superuser) not in html
