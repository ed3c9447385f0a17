"""Refusals that services raise, named for what they mean to a caller.

A service refuses with Django's `ValidationError` (the admin shows it on the form, the API
answers it as problem+json). When the refusal is about the *state* of the record – the
submission is already sent, the call is not open, the riparto is published – the request
itself is fine and repeating it later may work: the API answers 409 Conflict instead of 400.
A service says so either by raising `StateConflict`, or by raising a `ValidationError` with
one of the codes in `STATE_CONFLICT_CODES` (the codes the calls' services already use)."""

from django.core.exceptions import ValidationError

# Codes of ValidationError that refuse an action because of the record's state.
STATE_CONFLICT_CODES = frozenset(
    {
        "state",  # the transition is not allowed from the record's current state
        "frozen",  # the submission is sent and can no longer change
        "not_open",  # the call does not accept submissions
        "late",  # the call's (or the integration's) deadline has passed
        "published",  # the riparto is published and frozen
        "not_computed",  # the riparto must be computed before it is published
    }
)


class StateConflict(ValidationError):
    """The action is not possible in the record's current state (409 in the API).

    A ValidationError, so every screen that shows a service's refusal keeps working."""

    def __init__(self, message, code="state", params=None):
        super().__init__(message, code=code, params=params)


def is_state_conflict(error: ValidationError) -> bool:
    if isinstance(error, StateConflict):
        return True
    if hasattr(error, "error_dict"):
        return False
    codes = {getattr(item, "code", None) for item in error.error_list}
    return bool(codes) and codes <= STATE_CONFLICT_CODES
