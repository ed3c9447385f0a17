"""The permissions the intervention programmes give to each role (gathered by registry.roles).

The Region's administrators set up programmes, fund interventions and revoke them; its
reviewers follow the progress. An ARCA's or a Comune's legal representative and its officers
of the property register (who keep the buildings the interventions are about) update their
own entity's interventions."""

from registry.models import Area, Role

FOLLOW = ("programmes.view_programme", "programmes.view_intervention", "programmes.monitor_programme")
UPDATE = ("programmes.view_programme", "programmes.view_intervention", "programmes.change_intervention")

PERMISSIONS = {
    (Role.ADMINISTRATOR, ""): (
        *FOLLOW,
        "programmes.add_programme",
        "programmes.change_programme",
        "programmes.add_intervention",
        "programmes.manage_intervention",
    ),
    (Role.REVIEWER, ""): FOLLOW,
    (Role.LEGAL_REPRESENTATIVE, ""): UPDATE,
    (Role.OFFICER, Area.PROPERTY_REGISTER): UPDATE,
}
