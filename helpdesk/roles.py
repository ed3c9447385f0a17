"""The permissions the helpdesk gives to each role (gathered by registry.roles).

Every person acting for an entity (its legal representative and its officers of any area)
opens and follows its entity's tickets: a property-register officer stuck on an import asks
the Region directly, without going through a colleague of the helpdesk area. The Region's
administrators and reviewers handle them (the staff that registry.recipients.regional_people
notifies); editors write the FAQ, not the answers."""

from registry.models import Area, Role

ENTITY = ("helpdesk.view_ticket", "helpdesk.add_ticket")
HANDLE = ("helpdesk.view_ticket", "helpdesk.handle_ticket")

PERMISSIONS = {
    (Role.ADMINISTRATOR, ""): HANDLE,
    (Role.REVIEWER, ""): HANDLE,
    (Role.LEGAL_REPRESENTATIVE, ""): ENTITY,
    (Role.OFFICER, Area.PROPERTY_REGISTER): ENTITY,
    (Role.OFFICER, Area.CALLS): ENTITY,
    (Role.OFFICER, Area.HELPDESK): ENTITY,
}
