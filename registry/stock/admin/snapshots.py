"""Yearly snapshots of the stock: taking one, and reading it against today and the year before."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail_modeladmin.views import InspectView

from registry.models import (
    StockSnapshot,
)
from registry.scoped_admin import ScopedModelAdmin, ScopedPermissionHelper, ServiceFormView
from registry.stock import policy, selectors
from registry.stock import services as stock
from registry.stock.admin.forms import SnapshotForm

# --- snapshots ----------------------------------------------------------------------


class SnapshotCreateView(ServiceFormView):
    form_class = SnapshotForm
    template_name = "registry/admin/snapshot_take.html"

    def form_kwargs(self):
        today = timezone.localdate()
        return {"initial": {"reference_date": today.replace(year=today.year - 1, month=12, day=31)}}

    def form_valid(self, form):
        try:
            snapshot = stock.take_snapshot(
                reference_date=form.cleaned_data["reference_date"], taken_by=self.request.user
            )
        except ValidationError as error:
            form.add_error("reference_date", error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            _("%(snapshot)s taken: %(units)d units.") % {"snapshot": snapshot, "units": snapshot.unit_count},
        )
        return redirect(self.url_helper.get_action_url("inspect", snapshot.pk))


class SnapshotInspectView(InspectView):
    def get_context_data(self, **kwargs):
        dimension = self.request.GET.get("by", "status")
        if dimension not in selectors.COMPARISON_DIMENSIONS:
            dimension = "status"
        snapshot, user = self.instance, self.request.user
        previous = selectors.previous_snapshot(snapshot)
        regional = policy.sees_regional_totals(user)
        own_units = None if regional else selectors.visible_units_in_snapshot(snapshot, user)
        return super().get_context_data(
            regional=regional,
            own_units=own_units,
            dimension=dimension,
            versus_today=selectors.compare_with_today(snapshot, dimension, user),
            previous=previous,
            versus_previous=selectors.compare(previous, snapshot, dimension, user) if previous else None,
            **kwargs,
        )


class SnapshotPermissionHelper(ScopedPermissionHelper):
    # Snapshots belong to the whole region; their figures are filtered by the access rule.
    def user_can_inspect_obj(self, user, obj):
        return self.user_can_list(user)

    editable = False
    deletable = False

    def user_can_create(self, user):
        return policy.can_take_snapshot(user)


class SnapshotAdmin(ScopedModelAdmin):
    model = StockSnapshot
    menu_label = gettext_lazy("Yearly snapshots")
    menu_icon = "date"
    public_register = True  # the list of dates is not confidential; the figures are scoped
    entity_path = "cells__owner"
    permission_helper_class = SnapshotPermissionHelper
    create_view_class = SnapshotCreateView
    inspect_view_class = SnapshotInspectView
    inspect_template_name = "registry/admin/snapshot_inspect.html"
    list_display = ("reference_date", "taken_at", "taken_by", "unit_count", "building_count")
    list_select_related = ("taken_by",)
    history_view_enabled = False

    def get_list_display(self, request):
        # Regional totals only for the Region; owners read their own figures inside.
        if policy.sees_regional_totals(request.user):
            return self.list_display
        return ("reference_date", "taken_at")
