"""What the intervention programmes tell people (core.notifications): a milestone of an
intervention past its due date without its actual date, and an intervention left without an
update for longer than its programme allows. Both go to the beneficiary's legal
representatives and property-register officers, and the Region's staff following the
programmes read the same figures on their progress screen and in the monitoring of the
Comuni.

`deadline_reminders(now)` (run by `manage.py send_deadline_reminders`) writes them once per
intervention and stage (late) and once per intervention and last update (stale): the
notification's dedupe key. The stored context holds ids only."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.notifications import notify
from core.notifications.kinds import Kind
from registry.models import Area
from registry.recipients import people_of

from . import selectors
from .models import Intervention, Stage


def _intervention(context):
    intervention = Intervention.objects.select_related("programme", "beneficiary").get(pk=context["intervention_id"])
    stage = context.get("stage")
    return {"intervention": intervention, "stage_label": Stage(stage).label if stage else ""}


KINDS = (
    Kind("intervention_late", _("Programmes: a milestone of an intervention is late"), render_context=_intervention),
    Kind("intervention_stale", _("Programmes: an intervention has not been updated"), render_context=_intervention),
)


def beneficiary_people(entity) -> list:
    """Who keeps an entity's interventions: its legal representatives and property-register officers."""
    return people_of(entity, areas=[Area.PROPERTY_REGISTER])


def _url(intervention) -> str:
    return f"/admin/programmes/intervention/inspect/{intervention.pk}/"


def deadline_reminders(now) -> int:
    """Tell each beneficiary of its late milestones and stale interventions, once each.
    Returns the notifications written; running it again at once writes none."""
    today = timezone.localdate(now)
    written = 0
    late = selectors.late(Intervention.objects.select_related("programme", "beneficiary"), today).order_by("pk")
    for intervention in late:
        recipients = beneficiary_people(intervention.beneficiary)
        for stage in intervention.late_stages(today):
            written += notify(
                kind="intervention_late",
                recipients=recipients,
                context={"intervention_id": intervention.pk, "stage": stage, "due": intervention.due(stage)},
                url=_url(intervention),
                dedupe_key=f"intervention-late:{intervention.pk}:{stage}",
            )
    stale = selectors.stale(Intervention.objects.select_related("beneficiary"), now).order_by("pk")
    for intervention in stale:
        written += notify(
            kind="intervention_stale",
            recipients=beneficiary_people(intervention.beneficiary),
            context={"intervention_id": intervention.pk, "last_update": intervention.last_update},
            url=_url(intervention),
            dedupe_key=f"intervention-stale:{intervention.pk}:{intervention.last_update.isoformat()}",
        )
    return written
