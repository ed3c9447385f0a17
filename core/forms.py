"""Form pieces shared by the admin screens: Italian numbers in model forms, and the
confirmation asked before an implausible value is saved."""

from decimal import Decimal

from django import forms
from django.conf import settings
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin.forms.models import WagtailAdminModelForm, formfield_for_dbfield
from wagtail.admin.panels import FieldPanel

from core.numbers import ItalianDecimalField, format_italian_decimal


def italian_formfield_for_dbfield(db_field, **kwargs):
    """Wagtail's form field for `db_field`, except that decimals are written the Italian way."""
    if isinstance(db_field, models.DecimalField):
        kwargs.setdefault("form_class", ItalianDecimalField)
    return formfield_for_dbfield(db_field, **kwargs)


class ItalianNumbersAdminForm(WagtailAdminModelForm):
    """Base form (`ObjectList(..., base_form_class=...)`) of admin model forms: every decimal
    model field becomes an `ItalianDecimalField` (1.234,56 in, 1.234,56 out)."""

    class Meta:
        formfield_callback = italian_formfield_for_dbfield


class ConfirmUnusualValuesMixin(forms.Form):
    """A form that saves an out-of-range value only when the person confirms it.

    `unusual_above = {field name: settings name of the threshold}`. A changed value above
    its threshold stops the first submit with a warning on the field and shows the
    `confirm_unusual` checkbox (`ConfirmPanel`); ticked, the second submit saves. Typing
    "8652" for "86,52" is a slip nobody notices in a list of thousands of units."""

    unusual_above: dict = {}
    confirm_unusual = forms.BooleanField(
        label=gettext_lazy("I have checked the values marked above: they are correct"),
        required=False,
    )

    def unusual_fields(self) -> list:
        found = []
        for name, setting_name in self.unusual_above.items():
            value = self.cleaned_data.get(name)
            threshold = Decimal(str(getattr(settings, setting_name)))
            if value is not None and name in self.changed_data and value > threshold:
                found.append((name, threshold))
        return found

    def clean(self):
        cleaned = super().clean()
        unusual = self.unusual_fields()
        self.needs_confirmation = bool(unusual)
        if unusual and not cleaned.get("confirm_unusual"):
            for name, threshold in unusual:
                self.add_error(
                    name,
                    forms.ValidationError(
                        _(
                            "%(value)s is above %(threshold)s, unusual for this field: check it (86,52 is not 8.652,00) and, if it is right, tick the confirmation below and save again."
                        )
                        % {
                            "value": format_italian_decimal(cleaned[name]),
                            "threshold": format_italian_decimal(threshold),
                        },
                        code="unusual",
                    ),
                )
        return cleaned


class ConfirmPanel(FieldPanel):
    """The `confirm_unusual` checkbox, shown only when the form asks for the confirmation."""

    def __init__(self, field_name="confirm_unusual", *args, **kwargs):
        super().__init__(field_name, *args, **kwargs)

    class BoundPanel(FieldPanel.BoundPanel):
        def is_shown(self):
            return bool(getattr(self.form, "needs_confirmation", False)) and super().is_shown()


class NativeDateInput(forms.DateInput):
    """`<input type="date">`: browsers read and write its value as ISO (2025-12-31) whatever
    the language, and show an empty box for anything else (31/12/2025, Django's Italian input
    format). The browser displays it the person's way."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class NativeDateTimeInput(forms.DateTimeInput):
    """`<input type="datetime-local">`, for the same reason: its value is ISO without seconds
    (2026-12-31T12:00), or the browser shows an empty box when the form comes back with an
    error. Django's DateTimeField reads that ISO form back."""

    input_type = "datetime-local"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%dT%H:%M")
