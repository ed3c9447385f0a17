"""The forms of the calls' admin screens: plain data only. Each is read by a view and handed
to a service (calls/services.py, calls/call_lifecycle.py); none writes a model itself, and
none has a state field."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy

from core.forms import NativeDateTimeInput
from core.numbers import ItalianDecimalField
from registry import access
from registry.models import Entity, EntityKind

from ..models import Call
from ..selectors import calls_accepting_submissions, calls_visible_to

# --- the call (the Region) -------------------------------------------------------------------


class ExtensionForm(forms.Form):
    comune = forms.ModelChoiceField(
        label=gettext_lazy("Comune"), queryset=Entity.objects.filter(kind=EntityKind.COMUNE).order_by("name")
    )
    closes_at = forms.DateTimeField(label=gettext_lazy("New deadline"), widget=NativeDateTimeInput())
    reason = forms.CharField(label=gettext_lazy("Reason"), widget=forms.Textarea(attrs={"rows": 3}))


class ReopenForm(forms.Form):
    closes_at = forms.DateTimeField(label=gettext_lazy("New closing date and time"), widget=NativeDateTimeInput())


# --- submissions --------------------------------------------------------------------------


class StartSubmissionForm(forms.Form):
    """A new submission: the calls accepting one now from a Comune the person acts for
    (calls/rules.py, an extension included), and those Comuni. The service checks both again."""

    call = forms.ModelChoiceField(label=gettext_lazy("Call"), queryset=Call.objects.none())
    comune = forms.ModelChoiceField(label=gettext_lazy("Comune"), queryset=Entity.objects.none())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        comuni = access.scope(Entity.objects.filter(kind=EntityKind.COMUNE), user, path="", for_edit=True)
        self.fields["call"].queryset = calls_accepting_submissions(comuni=comuni)
        self.fields["comune"].queryset = comuni
        # An officer of one Comune (the usual case) does not have to choose it.
        only = list(comuni.values_list("pk", flat=True)[:2])
        if len(only) == 1:
            self.fields["comune"].initial = only[0]
            self.fields["comune"].empty_label = None
        calls = list(self.fields["call"].queryset.values_list("pk", flat=True)[:2])
        if len(calls) == 1:
            self.fields["call"].initial = calls[0]


class _OwnIdsForm(forms.Form):
    """The submission page shows several small forms at once: each gets ids of its own, so
    that a label never points at another form's field (two file inputs were both id_file)."""

    id_prefix = ""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("auto_id", f"id_{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class ApplicantsForm(_OwnIdsForm):
    id_prefix = "list"
    file = forms.FileField(label=gettext_lazy("List of applicants (CSV or XLSX)"))


class CoFinancingForm(forms.Form):
    # Written the Italian way (15.000,00), like every amount (core/numbers.py).
    amount = ItalianDecimalField(
        label=gettext_lazy("Co-financing (€)"), min_value=Decimal("0"), decimal_places=2, max_digits=14
    )


class AttachmentForm(_OwnIdsForm):
    id_prefix = "attachment"
    name = forms.CharField(label=gettext_lazy("Document"), max_length=200)
    file = forms.FileField(label=gettext_lazy("PDF file"))


class IntegrationForm(forms.Form):
    message = forms.CharField(label=gettext_lazy("What must be integrated"), widget=forms.Textarea(attrs={"rows": 4}))
    deadline = forms.DateTimeField(label=gettext_lazy("New deadline"), widget=NativeDateTimeInput())


class RejectForm(forms.Form):
    reason = forms.CharField(label=gettext_lazy("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 4}))


# --- the review queue ----------------------------------------------------------------------


class ReviewQueueFilter(forms.Form):
    call = forms.ModelChoiceField(
        label=gettext_lazy("Call"), queryset=Call.objects.none(), required=False, empty_label=gettext_lazy("All")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["call"].queryset = calls_visible_to(user).order_by("-year", "call_type")
