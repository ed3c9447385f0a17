"""Intervention programmes (monitoring): a programme is a funding line of the Region (a
regional fund, a PNRR measure) with its beneficiaries and its milestone deadlines; an
intervention is one funded project of one beneficiary on buildings (and units) of the
beneficiary's own register, followed stage by stage — design, tender, works start,
completion, testing — with its progress reports (SAL) and its amounts.

Who sees which intervention is the access rule (registry.access) on its `beneficiary`.
What each field of an intervention accepts is calls.programmes.spec.INTERVENTION_SPEC;
its state moves only through calls.programmes.transitions.move_intervention."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel

from core.records import RecordValidation
from registry.models import Building, EnergyClass, Entity, EntityKind, Unit

from .cup import normalise_cup, validate_cup

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0.00")


class Stage(models.TextChoices):
    """The stages of an intervention whose planned and actual dates are followed."""

    DESIGN = "design", _("Design")
    TENDER = "tender", _("Tender")
    WORKS_START = "works_start", _("Works start")
    COMPLETION = "completion", _("Completion")
    TESTING = "testing", _("Testing (collaudo)")


STAGES = tuple(Stage.values)


class InterventionType(models.TextChoices):
    NEW_CONSTRUCTION = "new_construction", _("New construction")
    RECOVERY = "recovery", _("Recovery")
    SEISMIC_UPGRADE = "seismic_upgrade", _("Seismic upgrade")
    ENERGY_UPGRADE = "energy_upgrade", _("Energy upgrade")
    EXTRAORDINARY_MAINTENANCE = "extraordinary_maintenance", _("Extraordinary maintenance")
    DEMOLITION_RECONSTRUCTION = "demolition_reconstruction", _("Demolition and reconstruction")


class InterventionState(models.TextChoices):
    PLANNED = "planned", _("Planned")
    DESIGN = "design", _("In design")
    TENDER = "tender", _("In tender")
    WORKS = "works", _("Works in progress")
    COMPLETED = "completed", _("Completed")
    TESTED = "tested", _("Tested")
    REVOKED = "revoked", _("Funding revoked")


# States in which nothing more is expected of the beneficiary: no milestone is late and no
# intervention stale there.
CLOSED_STATES = frozenset({InterventionState.TESTED, InterventionState.REVOKED})


class Programme(models.Model):
    """A funding line for building interventions, run by the Region."""

    title = models.CharField(_("title"), max_length=200)
    legal_act = models.CharField(
        _("legal act"),
        max_length=200,
        help_text=_("The act that funds the programme (e.g. DGR n. 1234 del 01/02/2025)."),
    )
    total_funds = models.DecimalField(_("total funds (€)"), **MONEY, validators=[MinValueValidator(ZERO)], default=ZERO)
    beneficiaries = models.ManyToManyField(
        Entity,
        verbose_name=_("beneficiaries"),
        related_name="programmes",
        limit_choices_to={"kind__in": [EntityKind.ARCA, EntityKind.COMUNE]},
        help_text=_("The ARCA and Comuni that may carry out interventions under the programme."),
    )
    design_deadline = models.DateField(_("design deadline"), null=True, blank=True)
    tender_deadline = models.DateField(_("tender deadline"), null=True, blank=True)
    works_start_deadline = models.DateField(_("works start deadline"), null=True, blank=True)
    completion_deadline = models.DateField(_("completion deadline"), null=True, blank=True)
    testing_deadline = models.DateField(_("testing deadline"), null=True, blank=True)
    stale_after_days = models.PositiveSmallIntegerField(
        _("stale after (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("An intervention not updated for this many days is reported as stale. Empty: the default of PUSH."),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("intervention programme")
        verbose_name_plural = _("intervention programmes")
        ordering = ["title"]

    def __str__(self):
        return self.title

    def deadline(self, stage: str):
        return getattr(self, f"{stage}_deadline")

    @property
    def stale_days(self) -> int:
        """After how many days without an update an intervention of the programme is stale."""
        return self.stale_after_days or default_stale_days()


def default_stale_days() -> int:
    return int(getattr(settings, "PUSH_PROGRAMMES_STALE_DAYS", 90))


class Intervention(RecordValidation, ClusterableModel):
    """One funded intervention of a beneficiary on buildings (and units) of its register."""

    record_spec = "calls.programmes.spec.INTERVENTION_SPEC"

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="interventions"
    )
    beneficiary = models.ForeignKey(
        Entity, verbose_name=_("beneficiary"), on_delete=models.PROTECT, related_name="interventions"
    )
    title = models.CharField(_("title"), max_length=200)
    intervention_type = models.CharField(_("type of intervention"), max_length=30, choices=InterventionType.choices)
    cup = models.CharField(
        _("CUP"),
        max_length=15,
        blank=True,
        validators=[validate_cup],
        help_text=_("Codice Unico di Progetto: 15 characters, e.g. J31B21001230006."),
    )
    buildings = models.ManyToManyField(Building, verbose_name=_("buildings"), related_name="interventions", blank=True)
    units = models.ManyToManyField(Unit, verbose_name=_("units"), related_name="interventions", blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=InterventionState.choices, default=InterventionState.PLANNED, editable=False
    )
    funded_amount = models.DecimalField(_("funded amount (€)"), **MONEY, default=ZERO)
    co_financing = models.DecimalField(_("co-financing (€)"), **MONEY, default=ZERO)
    amount_paid = models.DecimalField(_("amount paid (€)"), **MONEY, default=ZERO)
    energy_class_after = models.CharField(
        _("energy class after the works"),
        max_length=2,
        choices=EnergyClass.choices,
        blank=True,
        help_text=_("Written to the units of the intervention in the register when it is completed."),
    )
    design_planned = models.DateField(_("design: planned"), null=True, blank=True)
    design_actual = models.DateField(_("design: actual"), null=True, blank=True)
    tender_planned = models.DateField(_("tender: planned"), null=True, blank=True)
    tender_actual = models.DateField(_("tender: actual"), null=True, blank=True)
    works_start_planned = models.DateField(_("works start: planned"), null=True, blank=True)
    works_start_actual = models.DateField(_("works start: actual"), null=True, blank=True)
    completion_planned = models.DateField(_("completion: planned"), null=True, blank=True)
    completion_actual = models.DateField(_("completion: actual"), null=True, blank=True)
    testing_planned = models.DateField(_("testing: planned"), null=True, blank=True)
    testing_actual = models.DateField(_("testing: actual"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    last_update = models.DateTimeField(_("last update"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("intervention")
        verbose_name_plural = _("interventions")
        ordering = ["programme__title", "beneficiary__code", "title"]
        indexes = [models.Index(fields=["beneficiary", "state"]), models.Index(fields=["programme", "state"])]
        permissions = [
            ("manage_intervention", _("Can fund, revoke and reinstate interventions (the Region)")),
            ("monitor_programme", _("Can follow the progress of every programme (the Region)")),
        ]

    def __str__(self):
        return f"{self.title} ({self.cup})" if self.cup else self.title

    def save(self, *args, **kwargs):
        self.cup = normalise_cup(self.cup)
        super().save(*args, **kwargs)

    def planned(self, stage: str):
        return getattr(self, f"{stage}_planned")

    def actual(self, stage: str):
        return getattr(self, f"{stage}_actual")

    def due(self, stage: str):
        """When the stage is due: the intervention's planned date, else the programme's deadline."""
        return self.planned(stage) or self.programme.deadline(stage)

    def late_stages(self, today=None) -> list[str]:
        """The stages past their due date without an actual date (none once closed)."""
        if self.state in CLOSED_STATES:
            return []
        today = today or timezone.localdate()
        return [stage for stage in STAGES if self.actual(stage) is None and (self.due(stage) or today) < today]

    @property
    def progress_percent(self) -> Decimal:
        latest = max(self.progress_reports.all(), key=lambda report: (report.date, report.pk or 0), default=None)
        return latest.percentage if latest else ZERO


class ProgressReport(models.Model):
    """A SAL (stato di avanzamento lavori): how far the works are on a date, and the amount
    they account for."""

    intervention = ParentalKey(Intervention, on_delete=models.CASCADE, related_name="progress_reports")
    date = models.DateField(_("date"))
    percentage = models.DecimalField(
        _("progress (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(ZERO), MaxValueValidator(Decimal("100"))],
    )
    amount = models.DecimalField(_("amount (€)"), **MONEY, validators=[MinValueValidator(ZERO)])

    class Meta:
        verbose_name = _("progress report (SAL)")
        verbose_name_plural = _("progress reports (SAL)")
        ordering = ["date", "pk"]
        constraints = [models.UniqueConstraint(fields=["intervention", "date"], name="one_sal_per_intervention_day")]

    def __str__(self):
        return f"SAL {self.date:%d/%m/%Y} {self.percentage}%"
