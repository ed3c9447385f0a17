"""The permissions the calls give to each role (gathered by registry.roles).

Editors publish calls, reviewers examine submissions, administrators also split the fund;
the Comuni's officers of the calls area and legal representatives prepare and send."""

from registry.models import Area, Role

REVIEW = ("calls.view_call", "calls.view_submission", "calls.review_submission", "calls.view_allocation")
PREPARE = ("calls.view_call", "calls.view_submission", "calls.add_submission", "calls.change_submission")

PERMISSIONS = {
    (Role.ADMINISTRATOR, ""): (*REVIEW, "calls.add_call", "calls.change_call", "calls.run_riparto"),
    (Role.REVIEWER, ""): REVIEW,
    (Role.EDITOR, ""): ("calls.view_call", "calls.add_call", "calls.change_call"),
    (Role.LEGAL_REPRESENTATIVE, ""): PREPARE,
    (Role.OFFICER, Area.CALLS): PREPARE,
}
