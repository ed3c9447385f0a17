"""Who may do what with the calls: one named predicate per question, built on the access
rule (registry/access.py: which entities a person acts for) and the permissions the roles
grant.

The Region's side (calls, reviews, the riparto) needs both a regional membership and the
permission: a permission alone is not enough, as a Comune's role could be given it by
mistake. The Comuni's side (preparing a submission) needs the permission, a Comune the
person acts for, and no regional membership: the Region never writes a Comune's
submission for it.

The services ask these predicates once, before they act; the views use them only to
decide what to show (buttons, menu items, pages), and leave the refusal to the service.
Whether a call accepts submissions at a given moment is not a permission but the call's
own rule (calls/rules.py); which state a call or a submission may move to is its
transition table (calls/call_lifecycle.py, calls/services.TRANSITIONS).
"""

from registry import access


def _regional_with(user, permission: str) -> bool:
    return access.is_regional(user) and user.has_perm(permission)


# --- calls ----------------------------------------------------------------------------------


def can_see_all_calls(user) -> bool:
    """The Region's staff who prepare calls also read the drafts."""
    return _regional_with(user, "calls.view_call")


def can_create_call(user) -> bool:
    return _regional_with(user, "calls.add_call")


def can_change_call(user, call=None) -> bool:
    """Edit a call's plain data and grant extensions to a Comune (the call's state moves
    only by its transitions: can_move_call)."""
    return _regional_with(user, "calls.change_call")


def can_take_call_transition(user, transition) -> bool:
    """Whether the person's role allows a transition of the call's table at all, whatever
    the call's state (`transition.permission` names the permission it needs)."""
    return _regional_with(user, transition.permission)


def can_move_call(user, call, transition) -> bool:
    """Whether the person may take the transition on this call now: the call is in one of
    its source states and the role allows it."""
    return call.state in transition.sources and can_take_call_transition(user, transition)


# --- submissions -------------------------------------------------------------------------


def can_prepare_submission(user, comune) -> bool:
    """Officers of the calls area and the legal representative of the Comune itself."""
    return (
        user.has_perm("calls.change_submission") and not access.is_regional(user) and access.can_edit(user, comune.pk)
    )


def can_start_submissions(user) -> bool:
    """Whether the person may start a submission for some Comune (the form then offers the
    Comuni they act for)."""
    return user.has_perm("calls.add_submission") and not access.is_regional(user)


def prepares_submissions(user) -> bool:
    """A Comune's person with submissions to prepare (their admin home lists them)."""
    return (
        not access.is_regional(user)
        and user.has_perm("calls.change_submission")
        and bool(access.access_for(user).editable_ids())
    )


def can_review_submissions(user) -> bool:
    """The Region's reviewers: the review queue, decisions, names in the duplicates."""
    return _regional_with(user, "calls.review_submission")


def can_review_submission(user, submission) -> bool:
    """Request an integration, accept or reject this submission."""
    return can_review_submissions(user)


def can_see_submissions(user) -> bool:
    """Whether the person reads submissions at all (which ones: access.scope by Comune)."""
    return user.has_perm("calls.view_submission")


def can_see_submission(user, submission) -> bool:
    return can_see_submissions(user) and access.can_view(user, submission.comune_id)


# --- the riparto ---------------------------------------------------------------------------


def can_see_riparto_before_publication(user) -> bool:
    """The Region's staff read a riparto while it is computed; everyone else once published."""
    return _regional_with(user, "calls.view_allocation")


def can_run_riparto(user, call=None) -> bool:
    """Compute and publish the riparto."""
    return _regional_with(user, "calls.run_riparto")
