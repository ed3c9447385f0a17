"""Who may read the monitoring of the Comuni.

The Region's staff – administrators, reviewers and editors (and superusers) – read every
Comune's row: the screen is read-only and shows counts, dates and states, no personal data
(people are counted, never named). An ARCA's or a Comune's people never read it, not even
for their own entity: their own figures are on their admin home (admin_home.py)."""

from registry import access


def can_monitor_comuni(user) -> bool:
    """Read the monitoring screen, its files and its map: the Region's staff."""
    return access.is_regional(user)
