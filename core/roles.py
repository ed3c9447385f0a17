"""The permissions core's models give to the roles (gathered by registry.roles): the
Region's administrators see the notification e-mails pending and failed, and re-send them.

Keys are the roles' values as plain strings: core imports no app (.importlinter), and
("administrator", "") is the registry's (Role.ADMINISTRATOR, "")."""

PERMISSIONS = {
    ("administrator", ""): ("core.view_delivery", "core.resend_delivery"),
}
