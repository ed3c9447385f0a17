"""The admin forms of the programmes: the intervention's (its fields' verdict is
INTERVENTION_SPEC through Intervention.clean_fields; the buildings and units offered are the
beneficiary's own only), the transition's date and the update file's upload."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from core.forms import ItalianNumbersAdminForm, NativeDateInput
from registry.models import Building, Unit

from . import policy, services
from .spec import IMPORT_HELP

# Fields only the Region decides (they are shown, not editable, to the beneficiary).
REGION_FIELDS = ("programme", "beneficiary", "title", "intervention_type", "funded_amount")
# Fields fixed once the intervention exists (its buildings belong to its beneficiary).
FIXED_AFTER_CREATION = ("programme", "beneficiary")


class InterventionForm(ItalianNumbersAdminForm):
    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        instance = self.instance
        manager = for_user is not None and policy.manages_programmes(for_user)
        for name in REGION_FIELDS:
            if name in self.fields and (not manager or (instance.pk and name in FIXED_AFTER_CREATION)):
                self.fields[name].disabled = True
                # A fixed choice offers only its value, not every programme or entity of the region.
                if instance.pk and hasattr(self.fields[name], "queryset"):
                    self.fields[name].queryset = self.fields[name].queryset.filter(pk=getattr(instance, f"{name}_id"))
        beneficiary_id = instance.beneficiary_id if instance.pk else None
        if "buildings" in self.fields:
            self.fields["buildings"].queryset = (
                Building.objects.filter(owner_id=beneficiary_id).order_by("local_id")
                if beneficiary_id
                else Building.objects.none()
            )
        if "units" in self.fields:
            self.fields["units"].queryset = self._unit_choices(beneficiary_id)

    def _unit_choices(self, beneficiary_id):
        """The beneficiary's units in the buildings chosen (as posted, else as stored): an
        ARCA's thousands of units are never all offered at once."""
        if not beneficiary_id:
            return Unit.objects.none()
        if self.is_bound:
            building_ids = [value for value in self.data.getlist(self.add_prefix("buildings")) if value.isdigit()]
        else:
            building_ids = list(self.instance.buildings.values_list("pk", flat=True))
        return Unit.objects.filter(owner_id=beneficiary_id, building_id__in=building_ids).order_by("push_id")

    def clean(self):
        cleaned = super().clean()
        instance = self.instance
        if not instance.pk and cleaned.get("programme") and cleaned.get("beneficiary"):
            try:
                services.check_beneficiary(cleaned["programme"], cleaned["beneficiary"])
            except ValidationError as error:
                self.add_error(None, error)
        beneficiary = cleaned.get("beneficiary") or (instance.beneficiary if instance.pk else None)
        if beneficiary is not None:
            problems = services.register_problems(
                beneficiary, list(cleaned.get("buildings") or []), list(cleaned.get("units") or [])
            )
            for name, messages in problems.items():
                for message in messages:
                    self.add_error(name if name in self.fields else None, message)
        for name, messages in services.amount_problems(
            funded_amount=cleaned.get("funded_amount", instance.funded_amount),
            co_financing=cleaned.get("co_financing", instance.co_financing),
            amount_paid=cleaned.get("amount_paid", instance.amount_paid),
        ).items():
            for message in messages:
                self.add_error(name if name in self.fields else None, message)
        return cleaned


class MoveForm(forms.Form):
    on = forms.DateField(
        label=gettext_lazy("Date"),
        help_text=gettext_lazy("The actual date of the stage this closes (today, if left empty)."),
        required=False,
        widget=NativeDateInput(),
    )

    def clean_on(self):
        value = self.cleaned_data.get("on")
        if value and value > timezone.localdate():
            raise forms.ValidationError(gettext_lazy("An actual date cannot be in the future."))
        return value


class UpdateFileForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=IMPORT_HELP,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
