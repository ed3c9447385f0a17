"""The helpdesk's and the circulars' screens in the admin (core/admin_wiring.py): each menu
item shown only to whom its policy says, the inbox's item with the unread count, the screens'
URLs, and the audit actions' labels in the history."""

from django.urls import reverse
from wagtail.log_actions import registry as log_actions

from helpdesk.circulars.services import AUDIT_ACTIONS as CIRCULAR_ACTIONS
from helpdesk.transitions import AUDIT_ACTIONS as TICKET_ACTIONS


def item(name: str) -> str:
    """A side-menu item as the page carries it (the sidebar's JSON)."""
    return f'"name": "{name}"'


def menu_of(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"), HTTP_ACCEPT_LANGUAGE="it")
    assert response.status_code == 200
    return response.content.decode()


def test_an_officer_sees_their_tickets_and_the_inbox_with_its_unread_count(client, bari_officer, to_bari_and_lecce):
    page = menu_of(client, bari_officer)
    assert "Circolari ricevute (1 nuove)" in page
    assert item("helpdesk") in page and item("circulars-inbox") in page
    assert item("helpdesk-queue") not in page and item("circulars") not in page
    client.get(reverse("circulars_open", args=[to_bari_and_lecce.pk]))  # read: no count any more
    page = menu_of(client, bari_officer)
    assert "Circolari ricevute (1 nuove)" not in page and "Circolari ricevute" in page


def test_the_regions_staff_see_the_queue_and_the_circulars_not_the_entities_items(client, region_admin):
    page = menu_of(client, region_admin)
    assert item("helpdesk-queue") in page and item("circulars") in page
    assert item("helpdesk") not in page and item("circulars-inbox") not in page


def test_every_audit_action_has_its_label(db):
    for action, label in {**TICKET_ACTIONS, **CIRCULAR_ACTIONS}.items():
        assert log_actions.get_action_label(action) == label
