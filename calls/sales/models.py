"""Sale plans of public housing (piani di vendita, L. 560/1993), the sales recorded under
them and the reinvestment of the proceeds.

An owner (an ARCA or a Comune) proposes a plan of units chosen from its own register, each
with its appraised value and whether the sitting tenant has the right of first refusal
(prelazione). No personal data of the tenant is kept: the unit identifies the tenancy in the
owner's own records. The Region reviews the plan (calls/sales/transitions.py); every sending
is numbered in the calls' protocol register. Once approved, each unit is marked `for_sale`
in the register, and a recorded sale marks it `sold`, both through the register's write path
(registry.stock.writer), so the unit's history shows them.

The proceeds of the sales must fund new housing or the recovery of the stock: the owner
records its reinvestments, and proceeds are shown against them (calls/sales/selectors.py).
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from registry.models import Entity, Unit

MONEY = {"max_digits": 14, "decimal_places": 2, "validators": [MinValueValidator(Decimal("0.01"))]}


class SalePlanState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent to the Region")
    INTEGRATION_REQUESTED = "integration_requested", _("Integration requested")
    # A plan (il piano) is masculine in Italian; other records' "Approved" are feminine.
    APPROVED = "approved", pgettext_lazy("sale plan state", "Approved")
    REJECTED = "rejected", pgettext_lazy("sale plan state", "Rejected")


# The owner may change the plan's units only in these states.
EDITABLE_STATES = (SalePlanState.DRAFT, SalePlanState.INTEGRATION_REQUESTED)
# A unit may be in one plan at a time, unless that plan was rejected.
OPEN_STATES = (
    SalePlanState.DRAFT,
    SalePlanState.SENT,
    SalePlanState.INTEGRATION_REQUESTED,
    SalePlanState.APPROVED,
)


class SalePlan(models.Model):
    owner = models.ForeignKey(Entity, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="sale_plans")
    title = models.CharField(_("title"), max_length=200)
    owner_act = models.CharField(
        _("owner's act"),
        max_length=200,
        blank=True,
        help_text=_("The owner's resolution adopting the plan, e.g. Delibera n. 12 del 3/2/2026."),
    )
    state = models.CharField(_("state"), max_length=30, choices=SalePlanState.choices, default=SalePlanState.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("created by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("last change"), default=timezone.now)
    # The latest sending, copied from its protocol entry in the same transaction.
    protocol_number = models.CharField(_("protocol number"), max_length=20, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    first_sent_at = models.DateTimeField(_("first sent at"), null=True, blank=True)
    integration_message = models.TextField(_("integration requested"), blank=True)
    integration_deadline = models.DateTimeField(_("integration deadline"), null=True, blank=True)
    decision_reason = models.TextField(_("reason of the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("sale plan")
        verbose_name_plural = _("sale plans")
        ordering = ["-updated_at", "-pk"]
        permissions = [("review_saleplan", _("Can review the owners' sale plans"))]
        indexes = [models.Index(fields=["owner", "state"])]

    def __str__(self):
        return self.title

    @property
    def reference(self) -> str:
        return f"PV-{self.pk:06d}" if self.pk else ""


class SalePlanSending(models.Model):
    """One sending of a plan to the Region (the first and each integration), with its
    entry of the protocol register."""

    plan = models.ForeignKey(SalePlan, on_delete=models.PROTECT, related_name="sendings")
    protocol_entry = models.OneToOneField(
        "calls.ProtocolEntry", verbose_name=_("protocol entry"), on_delete=models.PROTECT, related_name="+"
    )
    integration = models.BooleanField(_("integration"), default=False)

    class Meta:
        verbose_name = _("sending of a sale plan")
        verbose_name_plural = _("sendings of sale plans")
        ordering = ["pk"]

    def __str__(self):
        return self.protocol_entry.number


class SalePlanUnit(models.Model):
    """A unit proposed for sale, with its appraised value and the tenant's right of first
    refusal (prelazione): yes or no, and nothing about the tenant."""

    plan = models.ForeignKey(SalePlan, on_delete=models.CASCADE, related_name="lines")
    unit = models.ForeignKey(Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="sale_lines")
    appraised_value = models.DecimalField(_("appraised value (€)"), **MONEY)
    right_of_first_refusal = models.BooleanField(
        _("tenant's right of first refusal"), help_text=_("The sitting tenant may buy first (prelazione).")
    )

    class Meta:
        verbose_name = _("unit of a sale plan")
        verbose_name_plural = _("units of sale plans")
        ordering = ["unit__push_id"]
        constraints = [models.UniqueConstraint(fields=["plan", "unit"], name="sale_plan_unit_once")]

    def __str__(self):
        return f"{self.plan_id}: {self.unit_id}"


class BuyerType(models.TextChoices):
    SITTING_TENANT = "sitting_tenant", _("Sitting tenant")
    OTHER = "other", _("Other buyer")


class Sale(models.Model):
    """The sale of a unit of an approved plan: once per unit."""

    line = models.OneToOneField(SalePlanUnit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="sale")
    # The owner, copied from the plan: the proceeds are summed per owner without a join.
    owner = models.ForeignKey(Entity, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    sold_on = models.DateField(_("date of the sale"))
    price = models.DecimalField(_("price (€)"), **MONEY)
    buyer_type = models.CharField(_("buyer"), max_length=20, choices=BuyerType.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("sale")
        verbose_name_plural = _("sales")
        ordering = ["-sold_on", "-pk"]
        indexes = [models.Index(fields=["owner", "sold_on"])]

    def __str__(self):
        return f"{self.line.unit_id} {self.sold_on}"


class ReinvestmentPurpose(models.TextChoices):
    NEW_HOUSING = "new_housing", _("New housing")
    RECOVERY = "recovery", _("Recovery of the stock")


class Reinvestment(models.Model):
    """Proceeds of the sales spent on new housing or on the recovery of the stock."""

    owner = models.ForeignKey(Entity, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="+")
    spent_on = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (€)"), **MONEY)
    purpose = models.CharField(_("purpose"), max_length=20, choices=ReinvestmentPurpose.choices)
    description = models.CharField(_("description"), max_length=300, blank=True)
    # The intervention of a programme the proceeds fund, where there is one: the owner's own
    # (calls/sales/services.py checks it).
    intervention = models.ForeignKey(
        "programmes.Intervention",
        verbose_name=_("intervention"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("reinvestment of proceeds")
        verbose_name_plural = _("reinvestments of proceeds")
        ordering = ["-spent_on", "-pk"]
        indexes = [models.Index(fields=["owner", "spent_on"])]

    def __str__(self):
        return f"{self.owner_id} {self.spent_on} {self.amount}"
