"""The programmes' modeladmins: programmes (the Region sets them up; a beneficiary reads
those it takes part in) and interventions (each beneficiary its own, the Region all)."""

from django.contrib.admin import SimpleListFilter
from django.contrib.admin.filters import RelatedFieldListFilter
from django.utils.translation import gettext_lazy
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, MultiFieldPanel, ObjectList
from wagtail_modeladmin.helpers import ButtonHelper, PermissionHelper
from wagtail_modeladmin.options import ModelAdminGroup
from wagtail_modeladmin.views import InspectView

from core.forms import ItalianNumbersAdminForm, italian_formfield_for_dbfield
from registry.scoped_admin import AuditedEditView, GuardedModelAdmin, ScopedModelAdmin, ScopedPermissionHelper
from registry.stock.admin.common import readable_value

from .. import policy, selectors, services, transitions
from ..forms import InterventionForm
from ..models import STAGES, Intervention, InterventionState, InterventionType, Programme

# --- programmes -------------------------------------------------------------------------------


class ProgrammePermissionHelper(PermissionHelper):
    """Programmes are read by whoever holds the view permission (which ones: the
    programmes_visible_to selector) and set up by the Region's managers only."""

    def user_can_create(self, user):
        return policy.manages_programmes(user) and super().user_can_create(user)

    def user_can_edit_obj(self, user, obj):
        return policy.manages_programmes(user) and super().user_can_edit_obj(user, obj)

    def user_can_delete_obj(self, user, obj):
        return False


class ProgrammeAdmin(GuardedModelAdmin):
    model = Programme
    menu_label = gettext_lazy("Programmes")
    menu_icon = "folder-open-inverse"
    permission_helper_class = ProgrammePermissionHelper
    inspect_view_enabled = True
    list_display = ("title", "legal_act", "total_funds", "completion_deadline")
    search_fields = ("title", "legal_act")
    list_export = ("title", "legal_act", "total_funds", *(f"{stage}_deadline" for stage in STAGES))
    export_filename = "programmi"
    panels = [
        FieldPanel("title"),
        FieldRowPanel([FieldPanel("legal_act"), FieldPanel("total_funds")]),
        FieldPanel("beneficiaries"),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel(f"{stage}_deadline") for stage in STAGES[:3]]),
                FieldRowPanel([FieldPanel(f"{stage}_deadline") for stage in STAGES[3:]]),
            ],
            heading=gettext_lazy("Milestone deadlines"),
        ),
        FieldPanel("stale_after_days"),
    ]
    edit_handler = ObjectList(panels, base_form_class=ItalianNumbersAdminForm)

    def get_queryset(self, request):
        return selectors.programmes_visible_to(request.user).order_by("title")

    def get_editable_queryset(self, request):
        if not policy.manages_programmes(request.user):
            return Programme.objects.none()
        return Programme.objects.all()


# --- interventions ----------------------------------------------------------------------------


class InterventionPermissionHelper(ScopedPermissionHelper):
    """Interventions are funded by the Region's managers, updated by their beneficiary's
    people (and corrected by the Region's managers), never deleted (a revoked one keeps its
    history)."""

    entity_path = "beneficiary"
    deletable = False

    def user_can_create(self, user):
        return policy.manages_programmes(user)

    def user_can_edit_obj(self, user, obj):
        return policy.can_update(user, obj) or policy.manages_programmes(user)


class BeneficiaryFilter(RelatedFieldListFilter):
    """Only the beneficiaries of the interventions the person sees."""

    def field_choices(self, field, request, model_admin):
        from registry.models import Entity

        visible = selectors.interventions_visible_to(request.user).values("beneficiary_id")
        return list(Entity.objects.filter(pk__in=visible).order_by("name").values_list("pk", "name"))


class ProgrammeFilter(RelatedFieldListFilter):
    def field_choices(self, field, request, model_admin):
        return list(selectors.programmes_visible_to(request.user).order_by("title").values_list("pk", "title"))


class FollowUpFilter(SimpleListFilter):
    title = gettext_lazy("follow-up")
    parameter_name = "follow_up"

    def lookups(self, request, model_admin):
        return (("late", gettext_lazy("Late milestones")), ("stale", gettext_lazy("Not updated recently")))

    def queryset(self, request, queryset):
        if self.value() == "late":
            return selectors.late(queryset)
        if self.value() == "stale":
            return selectors.stale(queryset)
        return queryset


class InterventionInspectView(InspectView):
    def get_field_display_value(self, field_name, field=None):
        if field is not None and not field.choices and not field.is_relation:
            return readable_value(field, getattr(self.instance, field_name))
        return super().get_field_display_value(field_name, field)

    def get_context_data(self, **kwargs):
        user = self.request.user
        intervention = self.instance
        return super().get_context_data(
            transitions=[
                (action, transitions.TRANSITIONS[action])
                for action in transitions.allowed_transitions(user, intervention)
            ],
            stages=[
                (stage, intervention.planned(stage), intervention.due(stage), intervention.actual(stage))
                for stage in STAGES
            ],
            late_stages=intervention.late_stages(),
            reports=list(intervention.progress_reports.all()),
            buildings=list(intervention.buildings.select_related("comune")),
            units=list(intervention.units.all()[:200]),
            **kwargs,
        )


class InterventionEditView(AuditedEditView):
    """The generic edit, followed by the intervention's last update and its audit entry."""

    def form_valid(self, form):
        response = super().form_valid(form)
        services.record_update(intervention=self.instance, changes={"fields": form.changed_data}, by=self.request.user)
        return response


class ItalianInlinePanel(InlinePanel):
    """An inline panel whose rows read and write Italian numbers too (`1.234,56`): modelcluster
    builds the rows' forms with the callback given in the formset's options, not the parent's."""

    def get_form_options(self):
        options = super().get_form_options()
        options["formsets"][self.relation_name]["formfield_callback"] = italian_formfield_for_dbfield
        return options


class InterventionButtonHelper(ButtonHelper):
    def get_primary_button(self, obj):
        return self.inspect_button(obj.pk)


class InterventionAdmin(ScopedModelAdmin):
    model = Intervention
    menu_label = gettext_lazy("Interventions")
    menu_icon = "doc-full-inverse"
    entity_path = "beneficiary"
    permission_helper_class = InterventionPermissionHelper
    edit_view_class = InterventionEditView
    inspect_view_class = InterventionInspectView
    inspect_template_name = "programmes/admin/intervention_inspect.html"
    list_display = ("title", "cup", "programme", "beneficiary", "intervention_type", "state", "last_update")
    list_filter = (
        ("programme", ProgrammeFilter),
        ("beneficiary", BeneficiaryFilter),
        "state",
        "intervention_type",
        FollowUpFilter,
    )
    search_fields = ("title", "cup")
    list_select_related = ("programme", "beneficiary")
    list_per_page = 50
    list_export = (
        "title",
        "cup",
        "programme",
        "beneficiary",
        "intervention_type",
        "state",
        "funded_amount",
        "co_financing",
        "amount_paid",
        *(f"{stage}_{kind}" for stage in STAGES for kind in ("planned", "actual")),
        "last_update",
    )
    export_filename = "interventi"
    panels = [
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("programme"), FieldPanel("beneficiary")]),
                FieldPanel("title"),
                FieldRowPanel([FieldPanel("intervention_type"), FieldPanel("funded_amount")]),
            ],
            heading=gettext_lazy("Funding (decided by the Region)"),
        ),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("cup"), FieldPanel("co_financing"), FieldPanel("amount_paid")]),
                FieldPanel("energy_class_after"),
                FieldPanel("buildings"),
                FieldPanel("units"),
            ],
            heading=gettext_lazy("Project"),
        ),
        MultiFieldPanel(
            [FieldRowPanel([FieldPanel(f"{stage}_planned"), FieldPanel(f"{stage}_actual")]) for stage in STAGES],
            heading=gettext_lazy("Stages: planned and actual dates"),
        ),
        ItalianInlinePanel(
            "progress_reports", heading=gettext_lazy("Progress reports (SAL)"), label=gettext_lazy("SAL")
        ),
    ]
    edit_handler = ObjectList(panels, base_form_class=InterventionForm)

    def get_editable_queryset(self, request):
        if policy.manages_programmes(request.user):
            return Intervention.objects.all()
        return selectors.interventions_editable_by(request.user)


class ProgrammesGroup(ModelAdminGroup):
    menu_label = gettext_lazy("Intervention programmes")
    menu_icon = "folder-open-inverse"
    menu_order = 230
    items = (ProgrammeAdmin, InterventionAdmin)


__all__ = ["InterventionAdmin", "InterventionState", "InterventionType", "ProgrammeAdmin", "ProgrammesGroup"]
