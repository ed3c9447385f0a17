"""The permissions the sale plans give to each role (gathered by registry.roles).

The owner's people who keep its register (legal representatives and property-register
officers) propose plans and record sales and reinvestments; the Region's administrators and
reviewers review the plans and read every owner's proceeds."""

from registry.models import Area, Role

OWNER = ("sales.view_saleplan", "sales.add_saleplan", "sales.change_saleplan")
REVIEW = ("sales.view_saleplan", "sales.review_saleplan")

PERMISSIONS = {
    (Role.ADMINISTRATOR, ""): REVIEW,
    (Role.REVIEWER, ""): REVIEW,
    (Role.LEGAL_REPRESENTATIVE, ""): OWNER,
    (Role.OFFICER, Area.PROPERTY_REGISTER): OWNER,
}
