"""Who may do what with the calls is answered in calls/policy.py only: the screens, the
services and the admin home ask its named predicates, never "regional with permission X"
written out again."""

import pathlib
import re

import pytest

from calls import policy
from registry.models import Area, Role
from tests.conftest import BARI, REGION
from tests.factories import member

CALLS = pathlib.Path(policy.__file__).parent
# Written by others: the API (through the services) and the role definitions.
NOT_HERE = {"policy.py", "api.py", "applicants.py", "roles.py"}
PERMISSION_CHECK = re.compile(r"\.has_perm\(|is_regional\(")


# Which side reads the duplicates: the Region's (names, if the policy lets it review) or the
# Comune's (anonymously, its own list once sent). A question of side, not of permission.
SIDE_NOT_PERMISSION = {("services.py", "if access.is_regional(user):")}


def test_no_permission_check_is_written_outside_the_policy():
    found = []
    for path in sorted(CALLS.rglob("*.py")):
        if path.name in NOT_HERE or "migrations" in path.parts:
            continue
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if PERMISSION_CHECK.search(line) and (path.name, line.strip()) not in SIDE_NOT_PERMISSION:
                found.append(f"{path.relative_to(CALLS)}:{number}: {line.strip()}")
    assert found == []


@pytest.mark.parametrize(
    ("who", "prepares", "reviews", "runs_riparto", "changes_calls"),
    [
        ("bari_calls", True, False, False, False),
        ("reviewer", False, True, False, False),
        ("region_admin", False, True, True, True),
        ("editor", False, False, False, True),
        ("bari_officer", False, False, False, False),
    ],
)
def test_each_role_gets_its_own_answers(request, entities, who, prepares, reviews, runs_riparto, changes_calls):
    user = member(REGION, Role.EDITOR) if who == "editor" else request.getfixturevalue(who)
    assert policy.can_prepare_submission(user, entities[BARI]) is prepares
    assert policy.can_review_submissions(user) is reviews
    assert policy.can_run_riparto(user) is runs_riparto
    assert policy.can_change_call(user) is changes_calls


def test_a_permission_alone_does_not_make_a_comune_regional(entities):
    """A Comune's role given a regional permission by mistake still reviews nothing."""
    from django.contrib.auth.models import Permission

    officer = member(BARI, Role.OFFICER, Area.CALLS)
    officer.user_permissions.add(Permission.objects.get(codename="review_submission"))
    officer = type(officer).objects.get(pk=officer.pk)  # the permission cache, fresh
    assert officer.has_perm("calls.review_submission")
    assert not policy.can_review_submissions(officer)
