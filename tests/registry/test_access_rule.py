"""The access rule (registry.access) as a unit: which entities a user sees and edits."""

import datetime

import pytest
from django.utils import timezone

from registry import access
from registry.models import Area, Entity, Membership, Role
from tests.conftest import ARCA_SUD_SALENTO, BARI, LECCE
from tests.factories import UserFactory, member


def visible(user, **kwargs):
    return set(access.scope(Entity.objects.all(), user, path="", **kwargs).values_list("code", flat=True))


def test_regional_roles_see_and_edit_everything(region_admin, reviewer):
    for user in (region_admin, reviewer):
        assert access.is_regional(user)
        assert access.scope(Entity.objects.all(), user, path="").count() == 263
        assert access.scope(Entity.objects.all(), user, path="", for_edit=True).count() == 263


def test_entity_people_see_only_their_entity(bari_officer):
    assert visible(bari_officer) == {BARI}
    assert visible(bari_officer, for_edit=True) == {BARI}
    assert not access.is_regional(bari_officer)


def test_arca_sees_covered_comuni_only_when_asked_and_never_edits_them(arca_officer, entities):
    assert visible(arca_officer) == {ARCA_SUD_SALENTO}
    covered = visible(arca_officer, include_covered=True)
    assert LECCE in covered and BARI not in covered
    assert len(covered) == 1 + 96  # the ARCA and the 96 Comuni of Lecce's province
    assert visible(arca_officer, for_edit=True) == {ARCA_SUD_SALENTO}
    assert not access.can_edit(arca_officer, entities[LECCE].pk)


def test_coverage_follows_the_data_the_region_edits(arca_officer, entities):
    lecce = entities[LECCE]
    lecce.covering_arca = Entity.objects.get(code="720000")
    lecce.save()
    access.forget(arca_officer)
    assert LECCE not in visible(arca_officer, include_covered=True)


def test_people_of_two_entities_see_both(entities):
    user = member(BARI, Role.OFFICER, Area.CALLS)
    Membership.objects.create(user=user, entity=entities[LECCE], role=Role.LEGAL_REPRESENTATIVE)
    access.forget(user)
    assert visible(user) == {BARI, LECCE}


def test_ended_or_future_membership_grants_nothing(entities):
    user = member(BARI, Role.OFFICER, Area.CALLS)
    membership = user.memberships.get()
    membership.ended_on = timezone.localdate()
    membership.save()
    access.forget(user)
    assert visible(user) == set()

    future = member(LECCE, Role.OFFICER, Area.CALLS)
    Membership.objects.filter(user=future).update(valid_from=timezone.localdate() + datetime.timedelta(days=3))
    access.forget(future)
    assert visible(future) == set()


def test_no_membership_or_anonymous_or_inactive_sees_nothing(entities, outsider, bari_officer):
    from django.contrib.auth.models import AnonymousUser

    assert visible(outsider) == set()
    assert visible(AnonymousUser()) == set()
    bari_officer.is_active = False
    assert visible(bari_officer) == set()


def test_regional_role_on_a_comune_is_not_regional(entities):
    # A role name alone does not make someone regional: the entity must be the Region.
    user = UserFactory()
    Membership.objects.create(user=user, entity=entities[BARI], role=Role.LEGAL_REPRESENTATIVE)
    assert not access.is_regional(user)


def test_superuser_is_regional(db):
    assert access.is_regional(UserFactory(is_superuser=True))


def test_entity_id_of_follows_paths(entities, bari_officer):
    membership = bari_officer.memberships.get()
    assert access.entity_id_of(membership, "entity") == entities[BARI].pk
    assert access.entity_id_of(entities[BARI], "") == entities[BARI].pk


def test_membership_role_must_fit_the_entity_kind(entities):
    from django.core.exceptions import ValidationError

    bad = Membership(user=UserFactory(), entity=entities[BARI], role=Role.REVIEWER)
    with pytest.raises(ValidationError) as error:
        bad.full_clean()
    assert "role" in error.value.message_dict
