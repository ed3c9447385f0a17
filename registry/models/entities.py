"""The registry of entities (Regione, ARCA, Comuni), their people and their accreditation.

Who may see which rows is decided in one place, `registry.access`; the models here only
hold data and the invariants that must be true whoever writes them.
"""

import uuid

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.files import private_storage
from core.fiscal_codes import body_code_validator, person_code_validator

entity_code_validator = RegexValidator(r"^\d{6}$", _("The PUSH code of an entity has exactly 6 digits (e.g. 072006)."))


class User(AbstractUser):
    """A person who signs in to PUSH. The codice fiscale is kept in clear because it is
    the identity SPID returns at sign-in and the Region must know who acts for an entity."""

    fiscal_code = models.CharField(
        _("codice fiscale"),
        max_length=16,
        unique=True,
        null=True,
        blank=True,
        validators=[person_code_validator],
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")
        swappable = "AUTH_USER_MODEL"

    def __str__(self):
        return self.get_full_name() or self.username


class EntityKind(models.TextChoices):
    REGION = "region", _("Region")
    ARCA = "arca", _("Housing agency (ARCA)")
    COMUNE = "comune", _("Municipality (Comune)")


class Province(models.TextChoices):
    BARI = "BA", "Bari"
    BAT = "BT", "Barletta-Andria-Trani"
    BRINDISI = "BR", "Brindisi"
    FOGGIA = "FG", "Foggia"
    LECCE = "LE", "Lecce"
    TARANTO = "TA", "Taranto"


class AccreditationState(models.TextChoices):
    NOT_ACCREDITED = "not_accredited", _("Not accredited")
    ACCREDITED = "accredited", _("Accredited")
    SUSPENDED = "suspended", _("Suspended")


class EntityQuerySet(models.QuerySet):
    def comuni(self):
        return self.filter(kind=EntityKind.COMUNE)

    def arca(self):
        return self.filter(kind=EntityKind.ARCA)


class Entity(models.Model):
    """A public body that uses PUSH: the Region, one of the five ARCA or a Comune."""

    kind = models.CharField(_("kind"), max_length=10, choices=EntityKind.choices)
    code = models.CharField(
        _("PUSH code"),
        max_length=6,
        unique=True,
        validators=[entity_code_validator],
        help_text=_("Comuni: ISTAT code with the leading zero. ARCA: province prefix followed by 0000."),
    )
    name = models.CharField(_("name"), max_length=150)
    province = models.CharField(_("province"), max_length=2, choices=Province.choices, blank=True)
    fiscal_code = models.CharField(
        _("fiscal code"),
        max_length=11,
        blank=True,
        validators=[body_code_validator],
        help_text=_("The 11-digit codice fiscale of the body."),
    )
    pec = models.EmailField(_("PEC address"), blank=True)
    legal_representative = models.CharField(
        _("legal representative"),
        max_length=150,
        blank=True,
        help_text=_("Name of the mayor, president or director who represents the body."),
    )
    population = models.PositiveIntegerField(
        _("population"), null=True, blank=True, help_text=_("Residents at 1 January 2021 (ISTAT).")
    )
    cadastral_code = models.CharField(_("cadastral code (Belfiore)"), max_length=4, blank=True)
    covering_arca = models.ForeignKey(
        "self",
        verbose_name=_("covering ARCA"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="covered_comuni",
        limit_choices_to={"kind": EntityKind.ARCA},
        help_text=_("The housing agency whose territory includes this Comune."),
    )
    accreditation_state = models.CharField(
        _("accreditation state"),
        max_length=20,
        choices=AccreditationState.choices,
        default=AccreditationState.NOT_ACCREDITED,
    )
    accredited_on = models.DateField(_("accredited on"), null=True, blank=True)
    suspended_on = models.DateField(_("suspended on"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = EntityQuerySet.as_manager()

    class Meta:
        verbose_name = _("entity")
        verbose_name_plural = _("entities")
        ordering = ["kind", "name"]
        permissions = [
            ("manage_registry", _("Can manage the registry of entities (kind, code, accreditation, coverage)")),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=EntityKind.REGION) | ~Q(province=""),
                name="entity_province_required_outside_region",
            ),
            models.CheckConstraint(
                condition=Q(covering_arca__isnull=True) | Q(kind=EntityKind.COMUNE),
                name="entity_only_comuni_are_covered",
            ),
        ]
        indexes = [models.Index(fields=["kind", "province"])]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        # ISTAT names are bare ("Bari"); people write "Comune di Bari".
        return f"Comune di {self.name}" if self.kind == EntityKind.COMUNE else self.name

    @property
    def is_region(self):
        return self.kind == EntityKind.REGION


class Role(models.TextChoices):
    """What a person does for an entity. The first three exist only at the Region."""

    ADMINISTRATOR = "administrator", _("Regional administrator")
    REVIEWER = "reviewer", _("Reviewer (istruttore)")
    EDITOR = "editor", _("Editor (redattore)")
    LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
    OFFICER = "officer", _("Officer (referente)")


REGIONAL_ROLES = frozenset({Role.ADMINISTRATOR, Role.REVIEWER, Role.EDITOR})
ENTITY_ROLES = frozenset({Role.LEGAL_REPRESENTATIVE, Role.OFFICER})


class Area(models.TextChoices):
    """The procedure an officer is accredited for (one referente per area)."""

    PROPERTY_REGISTER = "property_register", _("Property register")
    CALLS = "calls", _("Calls and funds")
    HELPDESK = "helpdesk", _("Helpdesk")


def roles_for_kind(kind: str) -> frozenset:
    return REGIONAL_ROLES if kind == EntityKind.REGION else ENTITY_ROLES


class MembershipQuerySet(models.QuerySet):
    def active(self, on=None):
        day = on or timezone.localdate()
        return self.filter(valid_from__lte=day).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=day))


class Membership(models.Model):
    """A person's role at an entity, valid from a date until it is ended (the end date is
    the first day it no longer holds).

    Memberships are never deleted when someone leaves: they are ended, so the record of
    who could act for an entity, and when, is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("person"), on_delete=models.PROTECT, related_name="memberships"
    )
    entity = models.ForeignKey(Entity, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    area = models.CharField(
        _("area"), max_length=30, choices=Area.choices, blank=True, help_text=_("Only for officers.")
    )
    valid_from = models.DateField(_("valid from"), default=timezone.localdate)
    ended_on = models.DateField(
        _("ended on"), null=True, blank=True, help_text=_("First day on which the role no longer holds.")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["entity__name", "role", "user__last_name"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(role=Role.OFFICER) & ~Q(area="")) | (~Q(role=Role.OFFICER) & Q(area="")),
                name="membership_area_only_and_always_for_officers",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("valid_from")),
                name="membership_ends_after_it_starts",
            ),
            models.UniqueConstraint(
                fields=["user", "entity", "role", "area"],
                condition=Q(ended_on__isnull=True),
                name="membership_one_open_per_role",
            ),
        ]

    def __str__(self):
        label = self.get_role_display()
        if self.area:
            label = f"{label} – {self.get_area_display()}"
        return f"{self.user} · {self.entity} · {label}"

    def has_ended(self, on=None) -> bool:
        """Whether the role no longer holds on the day (today by default)."""
        return self.ended_on is not None and self.ended_on <= (on or timezone.localdate())

    def clean(self):
        from django.core.exceptions import ValidationError

        errors = {}
        if self.entity_id and self.role and self.role not in roles_for_kind(self.entity.kind):
            errors["role"] = _("This role does not exist for an entity of this kind.")
        if self.role == Role.OFFICER and not self.area:
            errors["area"] = _("Choose the area the officer is accredited for.")
        if self.role and self.role != Role.OFFICER and self.area:
            errors["area"] = _("Only officers have an area.")
        if self.ended_on and self.valid_from and self.ended_on < self.valid_from:
            errors["ended_on"] = _("The end date comes before the start date.")
        if errors:
            raise ValidationError(errors)


class RequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")


def designation_act_path(instance, filename):
    # The stored name never carries the uploader's file name: it may hold personal data.
    stamp = timezone.now().strftime("%Y/%m")
    return f"designation-acts/{stamp}/{instance.request_uuid}.pdf"


class AccreditationRequest(models.Model):
    """A request, made on the public site, to act for an entity in PUSH. It replaces the
    designation letter sent by PEC; a regional administrator approves or rejects it."""

    request_uuid = models.UUIDField(_("reference"), default=uuid.uuid4, unique=True, editable=False)
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"))
    fiscal_code = models.CharField(_("codice fiscale"), max_length=16, validators=[person_code_validator])
    entity = models.ForeignKey(
        Entity, verbose_name=_("entity"), on_delete=models.PROTECT, related_name="accreditation_requests"
    )
    role = models.CharField(_("role"), max_length=30, choices=Role.choices)
    area = models.CharField(_("area"), max_length=30, choices=Area.choices, blank=True)
    designation_act = models.FileField(
        _("designation act"), storage=private_storage, upload_to=designation_act_path, max_length=200
    )
    designation_act_sha256 = models.CharField(_("SHA-256 of the designation act"), max_length=64)
    designation_act_size = models.PositiveIntegerField(_("size in bytes"))
    status = models.CharField(_("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.PENDING)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    membership = models.OneToOneField(
        Membership,
        verbose_name=_("membership granted"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="accreditation_request",
    )

    class Meta:
        verbose_name = _("accreditation request")
        verbose_name_plural = _("accreditation requests")
        ordering = ["-submitted_at"]
        permissions = [("decide_accreditationrequest", _("Can approve or reject accreditation requests"))]
        constraints = [
            # Double submissions of the same request race here, not in Python.
            models.UniqueConstraint(
                fields=["fiscal_code", "entity", "role", "area"],
                condition=Q(status="pending"),
                name="accreditation_one_pending_per_person_and_role",
            ),
            models.CheckConstraint(
                condition=(Q(role="officer") & ~Q(area="")) | (~Q(role="officer") & Q(area="")),
                name="accreditation_area_only_and_always_for_officers",
            ),
        ]
        indexes = [models.Index(fields=["status", "submitted_at"])]

    def __str__(self):
        return f"{self.first_name} {self.last_name} · {self.entity} · {self.get_role_display()}"

    @property
    def full_name(self):
        return f"{self.first_name} {self.last_name}"

    @property
    def reference(self):
        return str(self.request_uuid).split("-")[0].upper()

    @property
    def is_pending(self):
        return self.status == RequestStatus.PENDING
