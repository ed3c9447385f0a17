"""The permissions the circulars give to each role (gathered by registry.roles).

Regional administrators write and send circulars and remind the recipients; reviewers read
every circular with its read status and replies (they follow up with the entities) but do
not send in the Region's name. The ARCA's and Comuni's people need no permission: every active
member of a recipient entity reads its circulars (helpdesk/circulars/policy.py)."""

from registry.models import Role

READ = ("circulars.view_circular",)

PERMISSIONS = {
    (Role.ADMINISTRATOR, ""): (
        *READ,
        "circulars.add_circular",
        "circulars.send_circular",
        "circulars.remind_circular",
    ),
    (Role.REVIEWER, ""): READ,
}
