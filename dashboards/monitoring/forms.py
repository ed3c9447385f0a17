"""The monitoring's filters, as the query string gives them. A value the form does not offer
is dropped (the field shows why) and the other filters still apply: a filter never widens
what the screen shows, and never turns into an error page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry.models import AccreditationState, Entity, Province

from .selectors import CALL_STATUS_LABELS, REGISTER_STATUS_LABELS
from .table import NOT_SENT

ALL = [("", _("All"))]


class MonitoringFilter(forms.Form):
    province = forms.ChoiceField(label=_("Province"), required=False, choices=ALL + list(Province.choices))
    arca = forms.ChoiceField(label=_("Covering ARCA"), required=False)
    accreditation = forms.ChoiceField(
        label=_("Accreditation"), required=False, choices=ALL + list(AccreditationState.choices)
    )
    call = forms.ChoiceField(label=_("Open call"), required=False)
    call_state = forms.ChoiceField(
        label=_("Submission"),
        required=False,
        choices=ALL
        + [(key.value, label) for key, label in CALL_STATUS_LABELS.items()]
        + [(NOT_SENT, _("Not sent (draft or not started)"))],
    )
    register = forms.ChoiceField(
        label=_("Register"),
        required=False,
        choices=ALL + [(key.value, label) for key, label in REGISTER_STATUS_LABELS.items()],
    )
    behind = forms.BooleanField(
        label=_("Only Comuni behind"),
        required=False,
        help_text=_("Nothing sent or sent late in an open call, or a stale register."),
    )

    def __init__(self, data, *, calls: list):
        super().__init__(data)
        self.calls = {str(call.pk): call for call in calls}
        self.fields["arca"].choices = ALL + list(Entity.objects.arca().order_by("name").values_list("code", "name"))
        self.fields["call"].choices = ALL + [(str(call.pk), call.title) for call in calls]

    def applied(self) -> dict:
        """The valid filters (an invalid one is left out, its error shown on the field)."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "province": data.get("province", ""),
            "arca": data.get("arca", ""),
            "accreditation": data.get("accreditation", ""),
            "call": self.calls.get(data.get("call") or ""),
            "call_state": data.get("call_state", ""),
            "register": data.get("register", ""),
            "behind": bool(data.get("behind")),
        }

    def describe(self) -> str:
        """The applied filters in words, for the map's subtitle: "Province: Lecce · …"."""
        applied = self.applied()
        parts = []
        for name in ("province", "arca", "accreditation", "call", "call_state", "register"):
            value = applied[name]
            if not value:
                continue
            shown = value.title if name == "call" else dict(self.fields[name].choices).get(value, value)
            parts.append(f"{self.fields[name].label}: {shown}")
        if applied["behind"]:
            parts.append(str(self.fields["behind"].label))
        return " · ".join(parts)

    def query(self) -> dict:
        """The applied filters as query-string values (for the exports' audit entry and links)."""
        applied = self.applied()
        values = {key: value for key, value in applied.items() if value and key != "call"}
        if applied["call"] is not None:
            values["call"] = str(applied["call"].pk)
        if applied["behind"]:
            values["behind"] = "1"
        return values
