"""The forms of the circulars' screens: plain data, read by a view and handed to a service."""

from django import forms
from django.utils.translation import gettext_lazy

from core.forms import NativeDateInput
from registry.models import Entity, EntityKind, Province

from ..audience import RECIPIENT_KINDS
from ..models import Audience, Circular


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field: the view checks each (PDF by content, size) in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class ComposeForm(forms.Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = Circular._meta.get_field("body").formfield(label=gettext_lazy("Text"))
    audience = forms.ChoiceField(label=gettext_lazy("Recipients"), choices=Audience.choices, widget=forms.RadioSelect)
    province = forms.ChoiceField(label=gettext_lazy("Province"), choices=[("", "—"), *Province.choices], required=False)
    arca = forms.ModelChoiceField(
        label=gettext_lazy("ARCA"),
        queryset=Entity.objects.filter(kind=EntityKind.ARCA).order_by("name"),
        required=False,
        to_field_name="code",
    )
    entities = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Entities chosen one by one"),
        queryset=Entity.objects.filter(kind__in=RECIPIENT_KINDS).order_by("kind", "name"),
        required=False,
        to_field_name="code",
        widget=forms.SelectMultiple(attrs={"size": 10}),
    )
    reply_by = forms.DateField(
        label=gettext_lazy("Reply by"),
        required=False,
        widget=NativeDateInput(),
        help_text=gettext_lazy("Leave empty when no reply is requested."),
    )
    attachments = MultipleFileField(label=gettext_lazy("Attachments (PDF)"))


class ReplyForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Reply"), max_length=10000, widget=forms.Textarea(attrs={"rows": 6}))
    attachments = MultipleFileField(label=gettext_lazy("Attachments (PDF)"))


class StatusFilter(forms.Form):
    """The read-status table's filters: only these keys are read from the query string."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("All")),
            ("unread", gettext_lazy("Not read")),
            ("read", gettext_lazy("Read")),
            ("replied", gettext_lazy("Replied")),
        ],
    )
    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=[("", gettext_lazy("All")), (EntityKind.ARCA, "ARCA"), (EntityKind.COMUNE, gettext_lazy("Comuni"))],
    )
    province = forms.ChoiceField(
        label=gettext_lazy("Province"), required=False, choices=[("", gettext_lazy("All")), *Province.choices]
    )
