"""Forms of the helpdesk's screens: plain data; no state field (states move only through
helpdesk/transitions.py), and every choice offered is narrowed to what the person may use."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registry import access
from registry.models import Entity, EntityKind, ImportJob, Province

from ..attachments import MAX_FILES_PER_MESSAGE
from ..models import Ticket, TicketState, Topic
from ..selectors import AGE_DAYS


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (checked by content in the service)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.png,.jpg,.jpeg"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


FILES_HELP = _("PDF documents, PNG or JPEG images; at most %(count)d files.") % {"count": MAX_FILES_PER_MESSAGE}


class TicketForm(forms.Form):
    entity = forms.ModelChoiceField(label=_("Entity"), queryset=Entity.objects.none(), empty_label=None)
    topic = forms.ChoiceField(label=_("Topic"), choices=Topic.choices)
    subject = forms.CharField(label=_("Subject"), max_length=Ticket._meta.get_field("subject").max_length)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 8}), max_length=10000)
    call = forms.ModelChoiceField(label=_("Related call"), queryset=None, required=False)
    submission = forms.ModelChoiceField(label=_("Related submission"), queryset=None, required=False)
    import_job = forms.ModelChoiceField(label=_("Related import"), queryset=ImportJob.objects.none(), required=False)
    files = MultipleFileField(label=_("Attachments"), help_text=FILES_HELP)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        from calls.models import Submission
        from calls.selectors import published_calls

        editable = access.access_for(user).editable_ids() or frozenset()
        entities = Entity.objects.filter(pk__in=editable).exclude(kind=EntityKind.REGION).order_by("name")
        self.fields["entity"].queryset = entities
        self.fields["call"].queryset = published_calls().order_by("-year", "title")
        self.fields["submission"].queryset = (
            Submission.objects.filter(comune_id__in=editable).select_related("call", "comune").order_by("-pk")
        )
        self.fields["import_job"].queryset = ImportJob.objects.filter(owner_id__in=editable).order_by("-created_at")
        self.fields["import_job"].label_from_instance = lambda job: f"{job.original_name} ({job.created_at:%d/%m/%Y})"
        self.fields["submission"].label_from_instance = lambda submission: f"{submission.call} – {submission.comune}"
        if entities.count() == 1:
            self.fields["entity"].initial = entities.first()
            self.fields["entity"].widget = forms.HiddenInput()

    def clean(self):
        cleaned = super().clean()
        chosen = [name for name in ("call", "submission", "import_job") if cleaned.get(name)]
        if len(chosen) > 1:
            raise forms.ValidationError(_("Choose at most one related object."))
        return cleaned


class MessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 6}), max_length=10000)
    files = MultipleFileField(label=_("Attachments"), help_text=FILES_HELP)


class NoteForm(forms.Form):
    body = forms.CharField(
        label=_("Internal note (the Region only)"), widget=forms.Textarea(attrs={"rows": 3}), max_length=10000
    )


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(label=_("Assign to"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {person.pk: person for person in staff}
        self.fields["assignee"].choices = [("", _("Nobody"))] + [
            (person.pk, person.get_full_name() or person.username) for person in staff
        ]

    def clean_assignee(self):
        value = self.cleaned_data["assignee"]
        return None if value is None else self.staff[value]


STATE_CHOICES = [("", _("All")), ("active", _("Still being handled")), *TicketState.choices]
AGE_CHOICES = [("", _("Any"))] + [
    (key, _("Opened at least %(days)d days ago") % {"days": days}) for key, days in AGE_DAYS.items()
]


class QueueFilter(forms.Form):
    """The queue's filters: each a closed list of choices (whatever else the query string
    says is ignored, never turned into a lookup)."""

    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    topic = forms.ChoiceField(label=_("Topic"), choices=[("", _("All")), *Topic.choices], required=False)
    entity = forms.ModelChoiceField(
        label=_("Entity"),
        queryset=Entity.objects.exclude(kind=EntityKind.REGION).order_by("name"),
        required=False,
        empty_label=_("All"),
    )
    province = forms.ChoiceField(label=_("Province"), choices=[("", _("All")), *Province.choices], required=False)
    age = forms.ChoiceField(label=_("Age"), choices=AGE_CHOICES, required=False)
    assignee = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args, staff, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = {str(person.pk): person for person in staff}
        self.fields["assignee"].choices = [
            ("", _("Anyone")),
            ("me", _("Me")),
            ("none", _("Nobody")),
            *((key, person.get_full_name() or person.username) for key, person in self.staff.items()),
        ]
        self.user = user

    def filters(self) -> dict:
        if not self.is_valid():
            return {"state": "active"}
        data = self.cleaned_data
        chosen = data.get("assignee") or ""
        return {
            "state": data.get("state") or "",
            "topic": data.get("topic") or "",
            "entity": data.get("entity"),
            "province": data.get("province") or "",
            "age": data.get("age") or "",
            "assignee": self.user if chosen == "me" else self.staff.get(chosen),
            "unassigned": chosen == "none",
        }
