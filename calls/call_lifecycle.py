"""A call's life: its states, the transitions between them and who may take each.

    draft --publish--> open --close--> closed --compute--> under_review --allocate--> allocated --archive--> archived
                         ^                |                     |
                         +----reopen------+---------------------+

"Published" is the open state before `opens_at`: the call, its guideline and its list
template are public, and it accepts submissions only from `opens_at` until its deadline
excluded (calls/rules.accepts_submissions).
"compute" and "allocate" are taken by the riparto's services (compute_riparto,
publish_riparto), "reopen" by services.reopen_call (it also sets the new deadline); the
others by the buttons of the call's page.

`move_call` is the only way a call's state changes: it checks the table and the person's
permission (calls/policy.can_take_call_transition), saves, and writes the audit entry, in one transaction. The generic edit form
has no state field, so a forged POST cannot set one.

The call's parameters (bands, thresholds, fund) are locked once a Comune has opened a
submission: lists are computed with them, so changing them would change figures the Comuni
have already seen or sent. `check_parameters_unchanged` is the rule, enforced on every
save of a call (pre_save below) and used by the admin to lock the edit form.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.signals import pre_save
from django.dispatch import receiver
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from . import policy
from .models import CALL_PARAMETERS, Call, CallState


@dataclass(frozen=True)
class CallTransition:
    sources: tuple[str, ...]
    target: str
    permission: str  # the regional person must hold it (calls/policy.can_take_call_transition)
    label: str
    irreversible: bool = False


TRANSITIONS = {
    "publish": CallTransition(
        (CallState.DRAFT,), CallState.OPEN, "calls.change_call", gettext_lazy("Publish the call"), True
    ),
    "close": CallTransition(
        (CallState.OPEN,), CallState.CLOSED, "calls.change_call", gettext_lazy("Close the call"), True
    ),
    "reopen": CallTransition(
        (CallState.CLOSED, CallState.UNDER_REVIEW),
        CallState.OPEN,
        "calls.change_call",
        gettext_lazy("Reopen with a new deadline"),
    ),
    "compute": CallTransition(
        (CallState.CLOSED,), CallState.UNDER_REVIEW, "calls.run_riparto", gettext_lazy("Compute the riparto")
    ),
    "allocate": CallTransition(
        (CallState.UNDER_REVIEW,),
        CallState.ALLOCATED,
        "calls.run_riparto",
        gettext_lazy("Publish the riparto (cannot be undone)"),
        True,
    ),
    "archive": CallTransition(
        (CallState.ALLOCATED,), CallState.ARCHIVED, "calls.change_call", gettext_lazy("Archive the call"), True
    ),
}

AUDIT_ACTIONS = {
    "push.call.publish": gettext_lazy("Call published"),
    "push.call.close": gettext_lazy("Call closed"),
    "push.call.reopen": gettext_lazy("Call reopened"),
    "push.call.compute": gettext_lazy("Call under review (riparto computed)"),
    "push.call.allocate": gettext_lazy("Call allocated (riparto published)"),
    "push.call.archive": gettext_lazy("Call archived"),
}


def holds_permission(user, action: str) -> bool:
    """Whether the person's role allows the action at all (whatever the call's state)."""
    return policy.can_take_call_transition(user, TRANSITIONS[action])


def may_take(user, call: Call, action: str) -> bool:
    return policy.can_move_call(user, call, TRANSITIONS[action])


def riparto_computable(call: Call) -> bool:
    """The riparto is computed on a closed call, and recomputed while under review, until
    it is published."""
    return call.state in (CallState.CLOSED, CallState.UNDER_REVIEW) and not call.riparto_published_at


def allowed_transitions(user, call: Call) -> list[str]:
    """The actions this person may take on the call now, in the table's order."""
    return [action for action in TRANSITIONS if may_take(user, call, action)]


def move_call(call: Call, action: str, by, *, fields: dict | None = None, data: dict | None = None) -> Call:
    """Take `action` on the call: atomic (the row is locked, the stored state is checked),
    refused with PermissionDenied to whoever the table does not allow and with
    ValidationError from a state the action does not start from. `fields` are saved with
    the state (the new deadline of a reopening, the riparto's publication time)."""
    transition = TRANSITIONS[action]
    if not holds_permission(by, action):
        raise PermissionDenied(_("You may not do this to a call."))
    with transaction.atomic():
        locked = Call.objects.select_for_update().get(pk=call.pk)
        if locked.state not in transition.sources:
            raise ValidationError(
                _("This cannot be done to a call in state “%(state)s”.") % {"state": locked.get_state_display()},
                code="state",
            )
        old = locked.state
        for name, value in (fields or {}).items():
            setattr(locked, name, value)
        locked.state = transition.target
        locked.full_clean()
        locked.save(update_fields=["state", *(fields or {})])
        log(
            instance=locked,
            action=f"push.call.{action}",
            user=by,
            data={"from": old, "to": locked.state, **(data or {})},
        )
    call.refresh_from_db()
    return call


# --- parameters locked once submissions exist ----------------------------------------

LOCKED_PARAMETERS = ("call_type", *CALL_PARAMETERS)


def parameters_locked(call: Call) -> bool:
    return bool(call.pk) and call.submissions.exists()


def check_parameters_unchanged(call: Call) -> None:
    """Refuse a change of the call's parameters once a Comune has opened a submission."""
    if not call.pk or not parameters_locked(call):
        return
    stored = Call.objects.filter(pk=call.pk).values(*LOCKED_PARAMETERS).first()
    if stored is None:
        return
    changed = [
        name for name in LOCKED_PARAMETERS if stored[name] != Call._meta.get_field(name).to_python(getattr(call, name))
    ]
    if changed:
        raise ValidationError(
            _("The Comuni have started their submissions: the call's parameters can no longer change (%(fields)s).")
            % {"fields": ", ".join(str(Call._meta.get_field(name).verbose_name) for name in changed)},
            code="locked",
        )


@receiver(pre_save, sender=Call, dispatch_uid="calls.call_lifecycle.guard")
def _guard_call_save(sender, instance, raw=False, update_fields=None, **kwargs):
    if raw:  # fixtures and loaddata write what was dumped
        return
    check_parameters_unchanged(instance)
