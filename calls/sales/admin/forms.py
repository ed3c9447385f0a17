"""Forms of the sale plans' screens: plain data, no state field (a plan's state moves only
through calls/sales/transitions.py), and every choice offered is narrowed to what the person
may use; the services check everything again."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from calls.programmes.models import Intervention
from core.forms import NativeDateTimeInput
from core.numbers import ItalianDecimalField
from registry.models import Building, Entity, OccupancyStatus

from ..models import BuyerType, ReinvestmentPurpose, SalePlanState
from ..selectors import NOT_PROPOSABLE

MONEY = {"min_value": Decimal("0.01"), "max_digits": 14, "decimal_places": 2}


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class PlanForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Entity.objects.none(), empty_label=None)
    title = forms.CharField(label=_("Title"), max_length=200)
    owner_act = forms.CharField(
        label=_("Owner's act"),
        max_length=200,
        required=False,
        help_text=_("The owner's resolution adopting the plan, e.g. Delibera n. 12 del 3/2/2026."),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        only = list(owners.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            self.fields["owner"].initial = only[0]
            self.fields["owner"].widget = forms.HiddenInput()


class PlanListFilter(forms.Form):
    """Closed lists: whatever else the query says is ignored, never turned into a lookup."""

    state = forms.ChoiceField(label=_("State"), choices=[("", _("All")), *SalePlanState.choices], required=False)
    owner = forms.ModelChoiceField(
        label=_("Owner"), queryset=Entity.objects.none(), required=False, empty_label=_("All")
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners


PROPOSABLE_STATUSES = [(value, label) for value, label in OccupancyStatus.choices if value not in NOT_PROPOSABLE]


class UnitFilter(forms.Form):
    """The unit picker's filters, on the plan's owner's own Comuni and buildings only."""

    comune = forms.ModelChoiceField(
        label=_("Comune"), queryset=Entity.objects.none(), required=False, empty_label=_("All")
    )
    building = forms.ModelChoiceField(
        label=_("Building"), queryset=Building.objects.none(), required=False, empty_label=_("All")
    )
    status = forms.ChoiceField(
        label=_("Occupancy status"), choices=[("", _("All")), *PROPOSABLE_STATUSES], required=False
    )

    def __init__(self, *args, comuni, buildings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["comune"].queryset = comuni
        self.fields["building"].queryset = buildings


class IntegrationForm(forms.Form):
    message = forms.CharField(
        label=_("What must be integrated"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    deadline = forms.DateTimeField(label=_("Deadline"), widget=NativeDateTimeInput())


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000)


class SaleForm(forms.Form):
    sold_on = forms.DateField(label=_("Date of the sale"), widget=DateInput())
    price = ItalianDecimalField(label=_("Price (€)"), **MONEY)
    buyer_type = forms.ChoiceField(label=_("Buyer"), choices=BuyerType.choices)


class ReinvestmentForm(forms.Form):
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=Entity.objects.none(), empty_label=None)
    spent_on = forms.DateField(label=_("Date"), widget=DateInput())
    amount = ItalianDecimalField(label=_("Amount (€)"), **MONEY)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ReinvestmentPurpose.choices)
    description = forms.CharField(label=_("Description"), max_length=300, required=False)
    intervention = forms.ModelChoiceField(
        label=_("Intervention"),
        queryset=None,
        required=False,
        help_text=_("The intervention of a programme the proceeds fund, where there is one."),
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        only = list(owners.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            self.fields["owner"].initial = only[0]
            self.fields["owner"].widget = forms.HiddenInput()
        # Only the interventions of the owners the person acts for (the service checks the owner's).
        self.fields["intervention"].queryset = Intervention.objects.filter(beneficiary__in=owners).order_by("title")
        self.fields["intervention"].label_from_instance = lambda item: f"{item.title} {item.cup}".strip()


class YearFilter(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)
