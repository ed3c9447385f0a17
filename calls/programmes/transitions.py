"""An intervention's life: its states, the transitions between them and which side may take
each.

    planned --start_design--> design --start_tender--> tender --start_works--> works
       ^                                                                        |
       |                                                                   complete
   reinstate (Region)                                                           v
       |                    reopen_works (Region) <------------------------ completed
    revoked <--revoke (Region, from any state but tested)--                     |
                                                                         record_testing
                                                                                v
                                                                              tested

The state is the stage under way. A transition taken by the beneficiary records the actual
date of the stage it closes (`stamps`), on the date given or today, unless the beneficiary
already wrote it. `complete` also writes the works' results to the register's buildings and
units (calls/programmes/register.py), in the same transaction.

`move_intervention` is the only way an intervention's state changes: it checks the table and
the person's side (policy.can_take), locks the row, checks the stored state, saves and writes
the audit entry, in one transaction."""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from . import policy, register
from .models import Intervention, InterventionState, Stage

BENEFICIARY, REGION = policy.BENEFICIARY_SIDE, policy.REGION_SIDE
S = InterventionState


@dataclass(frozen=True)
class InterventionTransition:
    sources: tuple[str, ...]
    target: str
    sides: tuple[str, ...]  # who may take it: the beneficiary's people, the Region's staff
    label: str
    stamps: tuple[str, ...] = ()  # stages whose actual date the transition records
    confirm: bool = False


TRANSITIONS = {
    "start_design": InterventionTransition((S.PLANNED,), S.DESIGN, (BENEFICIARY,), gettext_lazy("Start the design")),
    "start_tender": InterventionTransition(
        (S.DESIGN,), S.TENDER, (BENEFICIARY,), gettext_lazy("Design approved: start the tender"), (Stage.DESIGN,)
    ),
    "start_works": InterventionTransition(
        (S.TENDER,),
        S.WORKS,
        (BENEFICIARY,),
        gettext_lazy("Tender awarded: works started"),
        (Stage.TENDER, Stage.WORKS_START),
    ),
    "complete": InterventionTransition(
        (S.WORKS,),
        S.COMPLETED,
        (BENEFICIARY,),
        gettext_lazy("Works completed"),
        (Stage.COMPLETION,),
        confirm=True,
    ),
    "record_testing": InterventionTransition(
        (S.COMPLETED,), S.TESTED, (BENEFICIARY,), gettext_lazy("Testing done (collaudo)"), (Stage.TESTING,)
    ),
    "reopen_works": InterventionTransition(
        (S.COMPLETED,), S.WORKS, (REGION,), gettext_lazy("Reopen the works"), confirm=True
    ),
    "revoke": InterventionTransition(
        (S.PLANNED, S.DESIGN, S.TENDER, S.WORKS, S.COMPLETED),
        S.REVOKED,
        (REGION,),
        gettext_lazy("Revoke the funding"),
        confirm=True,
    ),
    "reinstate": InterventionTransition((S.REVOKED,), S.PLANNED, (REGION,), gettext_lazy("Reinstate the funding")),
}

AUDIT_ACTIONS = {
    **{f"push.intervention.{action}": transition.label for action, transition in TRANSITIONS.items()},
    "push.intervention.create": gettext_lazy("Intervention funded"),
    "push.intervention.update": gettext_lazy("Intervention updated"),
    "push.intervention.import": gettext_lazy("Interventions updated from a file"),
}


def may_take(user, intervention: Intervention, action: str) -> bool:
    transition = TRANSITIONS[action]
    return intervention.state in transition.sources and policy.can_take(user, intervention, transition)


def allowed_transitions(user, intervention: Intervention) -> list[str]:
    """The actions this person may take on the intervention now, in the table's order."""
    return [action for action in TRANSITIONS if may_take(user, intervention, action)]


def move_intervention(intervention: Intervention, action: str, by, *, on=None) -> Intervention:
    """Take `action` on the intervention: atomic (the row locked, the stored state checked),
    refused with PermissionDenied to a side the table does not allow and with ValidationError
    (code "state") from a state the action does not start from. Records the actual date of
    the stages the transition closes (`on`, default today; a date already written stays);
    an actual date cannot be in the future. Completing writes the results to the register.
    Returns the saved intervention."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise ValidationError(_("Unknown action."), code="invalid")
    if not policy.can_take(by, intervention, transition):
        raise PermissionDenied(_("You may not do this to this intervention."))
    today = timezone.localdate()
    on = on or today
    if on > today:
        raise ValidationError(_("An actual date cannot be in the future."), code="invalid")
    with transaction.atomic():
        locked = (
            Intervention.objects.select_for_update().select_related("programme", "beneficiary").get(pk=intervention.pk)
        )
        if locked.state not in transition.sources:
            raise ValidationError(
                _("This cannot be done to an intervention in state “%(state)s”.")
                % {"state": locked.get_state_display()},
                code="state",
            )
        old = locked.state
        fields = ["state", "last_update"]
        stamped = {}
        for stage in transition.stamps:
            if locked.actual(stage) is None:
                setattr(locked, f"{stage}_actual", on)
                fields.append(f"{stage}_actual")
                stamped[stage] = on.isoformat()
        locked.state = transition.target
        locked.last_update = timezone.now()
        locked.save(update_fields=fields)
        written = {}
        if transition.target == S.COMPLETED:
            written = register.write_completion(locked, by=by)
        log(
            instance=locked,
            action=f"push.intervention.{action}",
            user=by,
            data={"from": old, "to": locked.state, "dates": stamped, "register": written},
        )
    return locked
