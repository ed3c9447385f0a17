"""Demo people of the registry: one per role, plus a pending accreditation request."""

import os
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from stdnum.it import codicefiscale

from core.pdf import blank_pdf

from . import roles, services
from .models import AccreditationRequest, AccreditationState, Area, Entity, Membership, RequestStatus, Role
from .seeding import REGION


def _fiscal_code(stem: str) -> str:
    return stem + codicefiscale.calc_check_digit(stem)


# username, first name, last name, codice fiscale stem (15 chars), entity code, role, areas
DEMO_PEOPLE = [
    ("regione.admin", "Anna", "Loiacono", "LCNNNA75E41A662", REGION["code"], Role.ADMINISTRATOR, [""]),
    ("regione.istruttore", "Marco", "Sportelli", "SPRMRC80A01A662", REGION["code"], Role.REVIEWER, [""]),
    ("regione.redattore", "Giulia", "Carofiglio", "CRFGLI85M41A662", REGION["code"], Role.EDITOR, [""]),
    ("bari.sindaco", "Vito", "Decaro", "DCRVTI70C10A662", "072006", Role.LEGAL_REPRESENTATIVE, [""]),
    (
        "bari.referente",
        "Nicola",
        "Lorusso",
        "LRSNCL78D12A662",
        "072006",
        Role.OFFICER,
        [Area.PROPERTY_REGISTER, Area.CALLS],
    ),
    ("sudsalento.referente", "Maria", "Quarta", "QRTMRA82T52E506", "750000", Role.OFFICER, [Area.PROPERTY_REGISTER]),
    ("lecce.referente", "Luca", "Leccese", "LCCLCU83C15E506", "075035", Role.OFFICER, [Area.CALLS]),
]


def demo_password() -> str:
    if getattr(settings, "PUSH_PRINT_DEMO_PASSWORDS", False):
        return os.environ.get("PUSH_DEMO_PASSWORD", "push-demo-2026")
    return secrets.token_urlsafe(24)


def load(stdout=None) -> list[tuple[str, str, str]]:
    """Create the demo people (idempotent). Returns (username, role description, password
    or None when the account already existed)."""
    User = get_user_model()
    created_logins = []
    password = demo_password()
    entities = {entity.code: entity for entity in Entity.objects.filter(code__in={p[4] for p in DEMO_PEOPLE})}
    for username, first, last, stem, code, role, areas in DEMO_PEOPLE:
        user = User.objects.filter(username=username).first()
        new = user is None
        if new:
            user = User(
                username=username,
                first_name=first,
                last_name=last,
                email=f"{username}@push.example.it",
                fiscal_code=_fiscal_code(stem),
            )
            user.set_password(password)
            user.save()
        entity = entities[code]
        for area in areas:
            Membership.objects.get_or_create(
                user=user,
                entity=entity,
                role=role,
                area=area,
                ended_on=None,
                defaults={"valid_from": timezone.localdate().replace(month=1, day=1)},
            )
        if entity.accreditation_state == AccreditationState.NOT_ACCREDITED:
            entity.accreditation_state = AccreditationState.ACCREDITED
            entity.accredited_on = timezone.localdate().replace(month=1, day=1)
            entity.save(update_fields=["accreditation_state", "accredited_on", "updated_at"])
        roles.sync_user_groups(user)
        described = f"{Role(role).label} – {entity.display_name}"
        created_logins.append((username, described, password if new else None))
    _pending_request()
    return created_logins


def _pending_request():
    lecce = Entity.objects.get(code="075035")
    fiscal_code = _fiscal_code("PLMFNC84S22E506")
    if AccreditationRequest.objects.filter(fiscal_code=fiscal_code, status=RequestStatus.PENDING).exists():
        return
    if Membership.objects.filter(user__fiscal_code=fiscal_code).exists():
        return
    services.submit_accreditation_request(
        services.AccreditationApplication(
            first_name="Francesca",
            last_name="Palmieri",
            email="f.palmieri@comune.lecce.example.it",
            fiscal_code=fiscal_code,
            entity=lecce,
            role=Role.OFFICER,
            area=Area.CALLS,
            designation_act=SimpleUploadedFile("designazione.pdf", blank_pdf(), content_type="application/pdf"),
        )
    )


# Demo stock: units per owner, close to the figures reported for Puglia (DOMAIN.md §2.6:
# over 61,000 ERP units, about 54,000 managed by the five ARCA). Comune-owned stock of Bari
# is managed by ARCA Puglia Centrale, as it is in reality.
DEMO_STOCK = [
    # owner code, units, provinces of the Comuni it spreads over (None: the owner's Comune only), manager
    ("720000", 20000, ("BA", "BT"), None),
    ("750000", 12000, ("LE",), None),
    ("710000", 9000, ("FG",), None),
    ("730000", 7000, ("TA",), None),
    ("740000", 6000, ("BR",), None),
    ("072006", 3000, None, "720000"),
    ("075035", 800, None, None),
    ("071024", 600, None, None),
]


def load_stock(scale: float = 1.0, stdout=None) -> list[tuple[str, int]]:
    """Load the synthetic stock of each demo owner that has none yet (idempotent)."""
    from registry import synthetic
    from registry.stock import services as stock

    from .models import Unit

    loaded = []
    for owner_code, units, provinces, manager in DEMO_STOCK:
        owner = Entity.objects.get(code=owner_code)
        if Unit.objects.filter(owner=owner).exists():
            continue
        if provinces:
            comuni = list(
                Entity.objects.comuni().filter(province__in=provinces).values_list("code", "province", "population")
            )
        else:
            comuni = [(owner.code, owner.province, owner.population or 1)]
        count = max(1, int(units * scale))
        content = synthetic.generate_csv(owner_code=owner.code, comuni=comuni, count=count, manager_code=manager)
        parsed, result = stock.import_file(content=content, filename=f"demo-{owner.code}.csv", owner=owner)
        if result is None:
            raise RuntimeError(f"demo stock of {owner.code} did not validate: {parsed.errors[:3]}")
        loaded.append((owner.display_name, result.created_units))
    return loaded


def load_demo(*, stock_scale: float = 1.0, stdout=None) -> list[str]:
    """The registry's demo hook (RegistryConfig.load_demo): the 263 entities, the demo
    people and the property stock. Idempotent. Returns the demo logins, to print last."""
    call_command("load_entities", stdout=stdout)
    with transaction.atomic():
        logins = load()
    for owner, units in load_stock(scale=stock_scale):
        if stdout is not None:
            stdout.write(f"Property register: {units} units loaded for {owner}.")
    return login_lines(logins)


def login_lines(logins) -> list[str]:
    """The demo logins, with their passwords only where development asks for them."""
    lines = ["Demo logins:"]
    for username, described, password in logins:
        if not getattr(settings, "PUSH_PRINT_DEMO_PASSWORDS", False):
            secret = "(password not shown outside development)"
        elif password is None:
            secret = "(existing account, password unchanged)"
        else:
            secret = f"password: {password}"
        lines.append(f"  {username:<22} {described:<55} {secret}")
    return lines
