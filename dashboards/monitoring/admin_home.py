"""The monitoring's panels on the admin home (Wagtail's construct_homepage_panels), beside
those of the calls (calls/admin_home.py: what waits for review, a Comune's drafts) and of the
register (registry/admin_home.py: units and last import), which they do not repeat.

- The Region's staff: the monitoring in figures – Comuni accredited or not, stale registers,
  per open call the Comuni that sent on time, late or nothing – each linking to the
  monitoring screen with its filter set. Five queries.
- An ARCA's or a Comune's people: their own entities' standing – the register's last update
  and complete records, and for a Comune its submission to each open call. The entities are
  the person's own memberships (registry.access), never another's. Four queries at most."""

from django.urls import reverse
from django.utils.http import urlencode
from wagtail.admin.ui.components import Component

from registry import access

from . import policy, selectors
from .table import NOT_SENT


class MonitoringSummaryPanel(Component):
    name = "push_monitoring_summary"
    order = 55
    template_name = "wagtailadmin/home/push_monitoring_summary.html"

    def __init__(self, summary):
        self.summary = summary

    def get_context_data(self, parent_context):
        screen = reverse("dashboards_monitoring")

        def link(**filters):
            return f"{screen}?{urlencode(filters)}"

        calls = [
            {
                "summary": item,
                "on_time": link(call=item.call.pk, call_state=selectors.CallStatus.SUBMITTED),
                "late": link(call=item.call.pk, call_state=selectors.CallStatus.LATE),
                "missing": link(call=item.call.pk, call_state=NOT_SENT),
            }
            for item in self.summary.calls
        ]
        return {
            "summary": self.summary,
            "calls": calls,
            "screen": screen,
            "accredited_link": link(accreditation="accredited"),
            "not_accredited_link": link(accreditation="not_accredited"),
            "stale_link": link(register=selectors.RegisterStatus.STALE),
            "behind_link": link(behind="1"),
        }


class OwnEntityPanel(Component):
    name = "push_monitoring_own"
    order = 56
    template_name = "wagtailadmin/home/push_monitoring_own.html"

    def __init__(self, entities):
        self.entities = entities

    def get_context_data(self, parent_context):
        return {"entities": self.entities, "statuses": selectors.CALL_STATUS_LABELS}


def add_monitoring_panels(request, panels):
    user = request.user
    if policy.can_monitor_comuni(user):
        panels.append(MonitoringSummaryPanel(selectors.summary()))
        return
    own = access.access_for(user).own_entity_ids
    if own:
        entities = selectors.own_entities(own)
        if entities:
            panels.append(OwnEntityPanel(entities))
