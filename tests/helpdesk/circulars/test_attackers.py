"""From the attacker's side (issue 12): an officer of Bari probes a circular sent to Lecce only
– by its address, the Region's screens and exports, its attachment, replying, the API – and
learns nothing; so do the ARCA that covers Lecce, a person of no entity and the Region's editor."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from helpdesk.circulars.models import Acknowledgement, Reply
from registry.models import Role
from tests.conftest import ARCA_SUD_SALENTO, REGION
from tests.factories import member
from tests.helpers import assert_not_found, assert_not_shown, assert_redirects_to_login, body_of

SECRET = "Riservata Lecce Sentinella"


def admin_addresses(circular):
    attachment = circular.attachments.get()
    return [
        ("get", reverse("circulars_open", args=[circular.pk])),
        ("post", reverse("circulars_open", args=[circular.pk])),
        ("get", reverse("circulars_attachment", args=[circular.pk, attachment.pk])),
        ("get", reverse("circulars_status", args=[circular.pk])),
        ("get", reverse("circulars_status", args=[circular.pk]) + "?status=unread"),
        ("get", reverse("circulars_export", args=[circular.pk, "csv"])),
        ("get", reverse("circulars_export", args=[circular.pk, "xlsx"])),
        ("get", reverse("circulars_remind", args=[circular.pk])),
        ("post", reverse("circulars_remind", args=[circular.pk])),
        ("post", reverse("circulars_confirm", args=[circular.pk])),
    ]


def probe(client, user, circular):
    client.force_login(user)
    enters_admin = user.has_perm("wagtailadmin.access_admin")
    for method, url in admin_addresses(circular):
        response = getattr(client, method)(url, {"text": "Risposta abusiva", "confirm": "yes"})
        if enters_admin:
            assert_not_found(response, leaked=(SECRET,))
        else:  # a person of no entity does not even enter the admin
            assert_redirects_to_login(response)
        assert not body_of(response).startswith(b"%PDF")
    for url in (reverse("circulars_inbox"), reverse("circulars_index"), "/admin/"):
        response = client.get(url)
        assert_not_shown(response, SECRET)
    assert not Acknowledgement.objects.filter(recipient__circular=circular).exists()
    assert not Reply.objects.exists()


@pytest.fixture(params=["bari_officer", "arca_covering_lecce", "outsider", "editor"])
def attacker(request, entities):
    if request.param == "arca_covering_lecce":
        return member(ARCA_SUD_SALENTO, Role.OFFICER, "property_register")
    if request.param == "editor":
        return member(REGION, Role.EDITOR)
    return request.getfixturevalue(request.param)


def test_nobody_else_learns_of_a_circular(client, to_lecce_only, to_bari_and_lecce, attacker):
    probe(client, attacker, to_lecce_only)


def test_the_api_shows_nothing_of_another_entitys_circular(to_lecce_only, to_bari_and_lecce, bari_officer):
    api = APIClient()
    api.force_authenticate(bari_officer)
    listing = api.get("/api/v1/circulars")
    assert listing.status_code == 200
    assert [row["id"] for row in listing.json()["results"]] == [to_bari_and_lecce.pk]
    base = f"/api/v1/circulars/{to_lecce_only.pk}"
    attachment = to_lecce_only.attachments.get()
    for method, path in (
        ("get", base),
        ("get", f"{base}/attachments/{attachment.pk}"),
        ("post", f"{base}/reply"),
        ("get", f"/api/v1/circulars/{to_bari_and_lecce.pk}/attachments/{attachment.pk}"),
    ):
        response = getattr(api, method)(path, {"text": "Risposta abusiva"}, format="json")
        assert response.status_code == 404, (method, path)
        assert response["Content-Type"].startswith("application/problem+json")
        assert_not_shown(response, SECRET)
    assert not Acknowledgement.objects.filter(recipient__circular=to_lecce_only).exists()
    assert not Reply.objects.exists()


def test_an_attachment_of_another_circular_is_not_reachable_through_ones_own(
    client, to_lecce_only, to_bari_and_lecce, bari_officer
):
    client.force_login(bari_officer)
    other = to_lecce_only.attachments.get()
    assert_not_found(client.get(reverse("circulars_attachment", args=[to_bari_and_lecce.pk, other.pk])))
    own = to_bari_and_lecce.attachments.get()
    download = client.get(reverse("circulars_attachment", args=[to_bari_and_lecce.pk, own.pk]))
    assert download.status_code == 200 and body_of(download).startswith(b"%PDF")
