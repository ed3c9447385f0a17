"""The filters of a dashboard: a GET form whose values are in the URL and apply to every chart
of the page (and to its images and files, which carry the same query). Only the parameters
the page's charts declare are offered; a value outside the choices is dropped, with its error
shown, so that a URL can only ever ask for what the form offers."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .results import PARAMETERS

FILTERS = ("year", "province", "arca", "call")
YEARS_BACK = 6


def _year_choices():
    this_year = timezone.localdate().year
    return [(str(year), str(year)) for year in range(this_year, this_year - YEARS_BACK, -1)]


def _province_choices():
    from registry.models import Province

    return list(Province.choices)


def _arca_choices():
    from registry.models import Entity

    return list(Entity.objects.arca().order_by("name").values_list("code", "name"))


def _call_choices():
    from calls.selectors import published_calls

    return [(str(pk), title) for pk, title in published_calls().order_by("-year", "pk").values_list("pk", "title")]


CHOICES = {"year": _year_choices, "province": _province_choices, "arca": _arca_choices, "call": _call_choices}


class DashboardFilterForm(forms.Form):
    def __init__(self, data=None, *, offered=FILTERS):
        super().__init__(data=data, auto_id="filtro_%s")
        for name in FILTERS:
            if name in offered:
                self.fields[name] = forms.ChoiceField(
                    label=PARAMETERS[name],
                    required=False,
                    choices=[("", _("All")), *CHOICES[name]()],
                )

    def applied(self) -> dict:
        """The valid filters chosen, as the indicators take them (year and call as numbers)."""
        values = {}
        if not self.is_bound:
            return values
        self.is_valid()
        for name in self.fields:
            value = self.cleaned_data.get(name) if name not in self.errors else None
            if value:
                values[name] = int(value) if name in ("year", "call") else value
        return values

    def label_of(self, name, value) -> str:
        """How a chosen value reads (on the image and above the tables)."""
        field = self.fields.get(name)
        if field is not None:
            for code, label in field.choices:
                if str(code) == str(value):
                    return str(label)
        return str(value)

    def query(self) -> str:
        """The filters as a URL query, for the images and files of the page."""
        from django.utils.http import urlencode

        return urlencode(sorted(self.applied().items()))
