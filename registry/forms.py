"""Public forms of the registry."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.files import validate_pdf
from core.fiscal_codes import validate_person_code

from .models import Area, Entity, EntityKind, Province, Role


def entity_choices():
    """Entities grouped for a long select: the ARCA first, then the Comuni by province."""
    entities = list(
        Entity.objects.exclude(kind=EntityKind.REGION)
        .order_by("name")
        .values_list("pk", "kind", "name", "code", "province")
    )
    groups = [
        (
            _("Housing agencies (ARCA)"),
            [(pk, f"{name} ({code})") for pk, kind, name, code, _p in entities if kind == EntityKind.ARCA],
        )
    ]
    for province in Province:
        options = [
            (pk, f"Comune di {name} ({code})")
            for pk, kind, name, code, prov in entities
            if kind == EntityKind.COMUNE and prov == province.value
        ]
        if options:
            groups.append((_("Comuni – province of %(province)s") % {"province": province.label}, options))
    return [("", _("Choose the entity…"))] + groups


class AccreditationRequestForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=100, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    fiscal_code = forms.CharField(
        label=_("Codice fiscale"),
        max_length=24,
        help_text=_("Your personal codice fiscale, 16 characters."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "class": "text-uppercase"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_(
            "Your work address: the Region's answer and, if approved, the link to set your password arrive here."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    entity = forms.TypedChoiceField(label=_("Entity"), coerce=int, choices=())
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[
            ("", _("Choose the role…")),
            (Role.LEGAL_REPRESENTATIVE.value, Role.LEGAL_REPRESENTATIVE.label),
            (Role.OFFICER.value, Role.OFFICER.label),
        ],
    )
    area = forms.ChoiceField(
        label=_("Area (officers only)"),
        required=False,
        choices=[("", _("— not applicable —"))] + list(Area.choices),
        help_text=_("The procedure you are designated for: one officer per area."),
    )
    designation_act = forms.FileField(
        label=_("Signed designation act (PDF)"),
        help_text=_("The act by which the legal representative designates you, digitally signed or scanned, as a PDF."),
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
    privacy = forms.BooleanField(
        label=_("I have read the privacy notice on how PUSH processes my personal data."),
        error_messages={"required": _("You must read the privacy notice to send the request.")},
    )
    # Left empty by people; filled by form-spamming robots.
    website = forms.CharField(
        required=False,
        label=_("Leave this field empty"),
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entity"].choices = entity_choices()

    def clean_fiscal_code(self):
        return validate_person_code(self.cleaned_data["fiscal_code"])

    def clean_email(self):
        return self.cleaned_data["email"].strip().lower()

    def clean_entity(self):
        try:
            return Entity.objects.exclude(kind=EntityKind.REGION).get(pk=self.cleaned_data["entity"])
        except Entity.DoesNotExist:
            raise ValidationError(_("Choose an entity from the list."), code="invalid_choice")

    def clean_designation_act(self):
        upload = self.cleaned_data["designation_act"]
        self.designation_act_sha256 = validate_pdf(upload)
        return upload

    def clean_website(self):
        if self.cleaned_data.get("website"):
            raise ValidationError(_("The request could not be sent."), code="spam")
        return ""

    def clean(self):
        cleaned = super().clean()
        role, area = cleaned.get("role"), cleaned.get("area")
        if role == Role.OFFICER and not area:
            self.add_error("area", _("An officer is accredited for one area: choose it."))
        if role == Role.LEGAL_REPRESENTATIVE and area:
            self.add_error("area", _("The legal representative has no area: leave it empty."))
        return cleaned
