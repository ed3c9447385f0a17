"""The register's admin forms: a unit's and a building's (what they accept is the record's
specification, checked by the models' clean_fields), the upload and the snapshot forms."""

from django import forms
from django.utils.translation import gettext_lazy

from core.forms import ConfirmUnusualValuesMixin, ItalianNumbersAdminForm, NativeDateInput
from registry.models import (
    Entity,
)
from registry.stock.spec import IMPORT_HELP


class UnitForm(ConfirmUnusualValuesMixin, ItalianNumbersAdminForm):
    """The unit's form: Italian numbers, and a confirmation before an unusual rent or area
    (settings PUSH_UNUSUAL_MONTHLY_RENT, PUSH_UNUSUAL_AREA_M2) is saved."""

    unusual_above = {
        "monthly_rent": "PUSH_UNUSUAL_MONTHLY_RENT",
        "usable_area": "PUSH_UNUSUAL_AREA_M2",
        "conventional_area": "PUSH_UNUSUAL_AREA_M2",
    }


class BuildingForm(ItalianNumbersAdminForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Coordinates are pasted from maps with a decimal point (41.1171).
        for name in ("latitude", "longitude"):
            if name in self.fields:
                self.fields[name].dot_decimal = True


class ImportForm(forms.Form):
    owner = forms.ModelChoiceField(label=gettext_lazy("Owner of the units"), queryset=Entity.objects.none())
    file = forms.FileField(
        label=gettext_lazy("File (CSV or XLSX)"),
        help_text=IMPORT_HELP,
        widget=forms.ClearableFileInput(
            attrs={"accept": ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
        ),
    )
    confirm_moves = forms.BooleanField(
        label=gettext_lazy("Units in this file may move to another Comune"),
        help_text=gettext_lazy(
            "Leave unticked: if the file would move existing units to another Comune, the report lists them and asks you to confirm."
        ),
        required=False,
    )

    def __init__(self, *args, owners, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = owners
        if owners.count() == 1:
            self.fields["owner"].initial = owners.first()


class SnapshotForm(forms.Form):
    reference_date = forms.DateField(
        label=gettext_lazy("Reference date"),
        help_text=gettext_lazy("Usually 31 December of the year just ended."),
        widget=NativeDateInput(),
    )
