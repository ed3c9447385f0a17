"""Reading calls: which calls a person may see.

A call's draft (dates, bands, fund amounts still under discussion) belongs to the Region's
staff who prepare it. Everyone else – the public, the API, the Comuni's and the ARCA's people
in the admin – sees a call only once it is out of draft. Every screen and endpoint that
lists calls goes through these two functions."""

from registry import access

from .models import Call, CallState


def published_calls():
    """Calls anyone may read: every call except drafts."""
    return Call.objects.exclude(state=CallState.DRAFT)


def calls_visible_to(user):
    """Calls a signed-in person may read: all of them for the Region's staff who may view
    calls (they prepare the drafts); the published ones for everyone else."""
    if access.is_regional(user) and user.has_perm("calls.view_call"):
        return Call.objects.all()
    return published_calls()
