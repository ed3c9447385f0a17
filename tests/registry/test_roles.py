"""Roles become groups and permissions by code, not by hand."""

from django.contrib.auth.models import Group
from django.core.management import call_command

from registry import roles
from registry.models import Area, Membership, Role
from tests.conftest import BARI
from tests.factories import member


def test_groups_exist_after_migrate_with_their_permissions(db):
    for spec in roles.role_groups().values():
        group = Group.objects.get(name=spec.name)
        labels = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert labels == set(spec.permissions)


def test_each_app_declares_the_permissions_of_its_own_models():
    declared = dict(roles.contributions())
    assert set(declared) >= {"registry", "calls"}
    for app_label, permissions in declared.items():
        for labels in permissions.values():
            assert {label.split(".")[0] for label in labels} <= {app_label, "wagtailadmin"}, app_label


def test_groups_gather_every_apps_permissions():
    assert set(roles.group_for(Role.OFFICER, Area.CALLS).permissions) == {
        "wagtailadmin.access_admin",
        "registry.view_entity",
        "calls.view_call",
        "calls.view_submission",
        "calls.add_submission",
        "calls.change_submission",
        "helpdesk.view_ticket",  # every person of an entity follows its tickets (helpdesk/roles.py)
        "helpdesk.add_ticket",
    }
    administrators = set(roles.group_for(Role.ADMINISTRATOR).permissions)
    assert {
        "registry.decide_accreditationrequest",
        "calls.run_riparto",
        "registry.take_stocksnapshot",
        "helpdesk.handle_ticket",
        "circulars.send_circular",
        "core.resend_delivery",
    } <= administrators


def test_sync_is_idempotent_and_repairs_hand_made_changes(db):
    assert roles.sync_role_groups() == {"groups_created": 0, "permissions_added": 0, "permissions_removed": 0}
    group = Group.objects.get(name=roles.group_for(Role.OFFICER, Area.CALLS).name)
    group.permissions.clear()
    stats = roles.sync_role_groups()
    assert stats["permissions_added"] == len(roles.group_for(Role.OFFICER, Area.CALLS).permissions)


def test_membership_gives_and_ending_takes_the_group(entities):
    user = member(BARI, Role.OFFICER, Area.CALLS)
    assert set(user.groups.values_list("name", flat=True)) == {"Enti · Referenti bandi"}
    assert user.has_perm("wagtailadmin.access_admin")
    membership = user.memberships.get()
    membership.ended_on = membership.valid_from
    membership.save()
    user.refresh_from_db()
    assert not user.groups.exists()


def test_hand_made_groups_are_left_alone(entities):
    user = member(BARI, Role.OFFICER, Area.CALLS)
    special = Group.objects.create(name="Commissione speciale")
    user.groups.add(special)
    Membership.objects.filter(user=user).delete()
    roles.sync_user_groups(user)
    assert list(user.groups.values_list("name", flat=True)) == ["Commissione speciale"]


def test_sync_roles_command_runs_twice(db, capsys):
    call_command("sync_roles")
    call_command("sync_roles")
    assert "0 created, 0 permissions added, 0 removed" in capsys.readouterr().out
