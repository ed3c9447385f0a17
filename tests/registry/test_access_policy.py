"""registry.policy: the entities domain's questions, each answered in one place."""

import pytest
from django.contrib.auth.models import Permission

from registry import policy
from registry.models import Entity, Role
from tests.conftest import BARI, LECCE, REGION
from tests.factories import UserFactory, member


def test_only_regional_administrators_decide_accreditation(region_admin, reviewer, bari_legal_rep):
    assert policy.can_decide_accreditation(region_admin)
    assert not policy.can_decide_accreditation(reviewer)
    assert not policy.can_decide_accreditation(bari_legal_rep)


def test_the_decision_needs_the_region_not_only_the_permission(entities):
    # The permission held outside the Region (a hand-made grant) is not enough.
    lecce_rep = member(LECCE, Role.LEGAL_REPRESENTATIVE)
    lecce_rep.user_permissions.add(Permission.objects.get(codename="decide_accreditationrequest"))
    lecce_rep = type(lecce_rep).objects.get(pk=lecce_rep.pk)
    assert lecce_rep.has_perm(policy.DECIDE_ACCREDITATION)
    assert not policy.can_decide_accreditation(lecce_rep)


def test_an_entity_is_managed_by_its_legal_representative_and_the_region(region_admin, bari_legal_rep, bari_officer):
    bari, lecce = Entity.objects.get(code=BARI), Entity.objects.get(code=LECCE)
    assert policy.can_manage_entity(bari_legal_rep, bari)
    assert not policy.can_manage_entity(bari_legal_rep, lecce)
    assert not policy.can_manage_entity(bari_officer, bari)
    assert policy.can_manage_entity(region_admin, lecce)


@pytest.mark.parametrize(("who", "may"), [("region_admin", True), ("reviewer", False), ("bari_legal_rep", False)])
def test_who_may_end_a_membership(request, bari_officer, who, may):
    assert policy.can_end_membership(request.getfixturevalue(who), bari_officer.memberships.get()) is may


def test_only_the_region_reads_the_site_history(region_admin, reviewer, bari_legal_rep):
    assert policy.can_read_site_history(region_admin) and policy.can_read_site_history(reviewer)
    assert not policy.can_read_site_history(bari_legal_rep)


def test_accounts_are_changed_only_from_above_or_by_their_owner(entities):
    administrator = member(REGION, Role.ADMINISTRATOR)
    other_administrator = member(REGION, Role.ADMINISTRATOR)
    officer = member(BARI, Role.LEGAL_REPRESENTATIVE)
    superuser = UserFactory(is_superuser=True)
    assert policy.can_edit_user(administrator, officer)
    assert policy.can_edit_user(administrator, administrator)
    assert not policy.can_edit_user(administrator, other_administrator)
    assert not policy.can_edit_user(administrator, superuser)
    assert not policy.can_edit_user(officer, administrator)
    assert policy.can_edit_user(superuser, administrator)
