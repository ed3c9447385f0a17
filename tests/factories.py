"""Factories for the registry: people with memberships, entities from the seeded register."""

import itertools

import factory
from django.contrib.auth import get_user_model
from stdnum.it import codicefiscale

from registry import roles
from registry.models import Entity, Membership

_serial = itertools.count(1)


def valid_fiscal_code(n: int | None = None) -> str:
    """A syntactically valid, unique codice fiscale (born 1980, in Bari)."""
    n = next(_serial) if n is None else n
    letters = "BCDFGHLMNPRSTVZ"
    surname = letters[n % 15] + letters[(n // 15) % 15] + letters[(n // 225) % 15]
    name = letters[(n // 3375) % 15] + "RA"
    day = (n % 28) + 1
    stem = f"{surname}{name}80A{day:02d}A662"
    return stem + codicefiscale.calc_check_digit(stem)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.it")
    fiscal_code = factory.LazyFunction(valid_fiscal_code)
    password = factory.PostGenerationMethodCall("set_password", "secret-pass-123")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def member(entity: Entity | str, role: str, area: str = "", **user_fields):
    """A person with an active membership of ``entity`` (an Entity or its PUSH code)."""
    if isinstance(entity, str):
        entity = Entity.objects.get(code=entity)
    user = UserFactory(**user_fields)
    Membership.objects.create(user=user, entity=entity, role=role, area=area)
    roles.sync_user_groups(user)
    return user
