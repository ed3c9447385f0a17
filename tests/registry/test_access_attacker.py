"""The access rule from the attacker's side: officers of Bari (and a signed-in stranger)
reaching for Lecce's people, memberships, accreditation requests and designation acts by
admin URL, export, file download and API."""

import io

import openpyxl
import pytest
from django.http import Http404
from django.urls import reverse

from registry.models import AccreditationRequest, Area, Membership, Role
from registry.services import AccreditationApplication, submit_accreditation_request
from tests.conftest import BARI, LECCE
from tests.factories import member, valid_fiscal_code
from tests.helpers import (
    assert_bad_request,
    assert_not_found,
    assert_redirects_to_login,
    assert_refused_by_admin,
)

LECCE_PERSON_SURNAME = "Capone-Lecce"
LECCE_APPLICANT_SURNAME = "Manni-Lecce"


@pytest.fixture
def lecce_data(entities, pdf_file):
    """Lecce's private rows: a member and a pending accreditation request with its act."""
    person = member(LECCE, Role.OFFICER, Area.CALLS, last_name=LECCE_PERSON_SURNAME)
    request_obj = submit_accreditation_request(
        AccreditationApplication(
            first_name="Paola",
            last_name=LECCE_APPLICANT_SURNAME,
            email="paola.manni@comune.lecce.example.it",
            fiscal_code=valid_fiscal_code(),
            entity=entities[LECCE],
            role=Role.OFFICER,
            area=Area.PROPERTY_REGISTER,
            designation_act=pdf_file(),
        )
    )
    return {"membership": Membership.objects.get(user=person), "request": request_obj, "entity": entities[LECCE]}


@pytest.fixture
def bari_data(entities, pdf_file, bari_legal_rep):
    request_obj = submit_accreditation_request(
        AccreditationApplication(
            first_name="Rocco",
            last_name="Bari-Applicant",
            email="rocco@comune.bari.example.it",
            fiscal_code=valid_fiscal_code(),
            entity=entities[BARI],
            role=Role.OFFICER,
            area=Area.HELPDESK,
            designation_act=pdf_file(),
        )
    )
    return {"request": request_obj}


def instance_urls(prefix, pk):
    return [reverse(f"{prefix}_{action}", args=[pk]) for action in ("inspect", "edit", "delete", "history")]


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if getattr(response, "streaming", False) else response.content
    return response, body


# --- Entities: a public register, but only one's own entity is editable ----------------


def test_officer_reads_the_register_of_entities_including_other_entities(client, bari_officer, entities):
    client.force_login(bari_officer)
    listing = client.get(reverse("registry_entity_modeladmin_index") + "?q=Lecce")
    assert listing.status_code == 200 and "Lecce" in listing.content.decode()
    inspect = client.get(reverse("registry_entity_modeladmin_inspect", args=[entities[LECCE].pk]))
    assert inspect.status_code == 200


@pytest.mark.parametrize("attacker", ["bari_officer", "bari_legal_rep"])
def test_nobody_of_bari_edits_deletes_or_reads_the_history_of_lecce(client, request, attacker, entities):
    client.force_login(request.getfixturevalue(attacker))
    lecce = entities[LECCE]
    for action in ("edit", "delete", "history"):
        assert_not_found(client.get(reverse(f"registry_entity_modeladmin_{action}", args=[lecce.pk])))
    response = client.post(
        reverse("registry_entity_modeladmin_edit", args=[lecce.pk]), {"pec": "hacked@pec.example.it"}
    )
    assert_not_found(response)
    lecce.refresh_from_db()
    assert lecce.pec == ""


def test_legal_representative_edits_contacts_of_own_entity_but_not_its_identity(client, bari_legal_rep, entities):
    client.force_login(bari_legal_rep)
    bari = entities[BARI]
    url = reverse("registry_entity_modeladmin_edit", args=[bari.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert 'name="pec"' in form.content.decode()
    assert 'name="accreditation_state"' not in form.content.decode()

    response = client.post(
        url,
        {
            "pec": "protocollo@pec.comune.bari.it",
            "legal_representative": "Sindaco di Bari",
            "fiscal_code": "80015010723",
            # Fields the legal representative may not touch: ignored.
            "name": "Bari Capitale",
            "accreditation_state": "suspended",
            "covering_arca": entities[LECCE].pk,
        },
    )

    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    bari.refresh_from_db()
    assert bari.pec == "protocollo@pec.comune.bari.it"
    assert (bari.name, bari.accreditation_state) == ("Bari", "not_accredited")
    assert bari.covering_arca.code == "720000"


def test_officer_without_change_permission_cannot_edit_own_entity(client, bari_officer, entities):
    client.force_login(bari_officer)
    assert_refused_by_admin(client.get(reverse("registry_entity_modeladmin_edit", args=[entities[BARI].pk])))


# --- People, memberships, requests, designation acts: never another entity's ------------


def test_legal_representative_lists_and_exports_only_own_people(client, bari_legal_rep, lecce_data, bari_data):
    client.force_login(bari_legal_rep)
    for name in ("registry_membership_modeladmin_index", "registry_accreditationrequest_modeladmin_index"):
        listing = client.get(reverse(name))
        assert listing.status_code == 200
        html = listing.content.decode()
        assert LECCE_PERSON_SURNAME not in html and LECCE_APPLICANT_SURNAME not in html
        for export in ("csv", "xlsx"):
            response, body = download(client, reverse(name) + f"?export={export}")
            assert response.status_code == 200
            text = body.decode("utf-8-sig") if export == "csv" else _xlsx_text(body)
            assert LECCE_PERSON_SURNAME not in text and LECCE_APPLICANT_SURNAME not in text
            assert "Lecce" not in text
    own = client.get(reverse("registry_accreditationrequest_modeladmin_index")).content.decode()
    assert "Bari-Applicant" in own


def test_filters_in_the_url_cannot_widen_the_scope(client, bari_legal_rep, lecce_data):
    client.force_login(bari_legal_rep)
    lecce_pk = lecce_data["entity"].pk
    for name in ("registry_membership_modeladmin_index", "registry_accreditationrequest_modeladmin_index"):
        # Not a filter these lists declare: refused before it reaches the rows.
        response = client.get(reverse(name) + f"?entity__id__exact={lecce_pk}&export=csv")
        assert_bad_request(response, leaked=(LECCE_PERSON_SURNAME, LECCE_APPLICANT_SURNAME))
        # A declared filter set to another entity's kind still shows only one's own rows.
        response, body = download(client, reverse(name) + "?entity__kind__exact=comune&export=csv")
        assert response.status_code == 200
        assert LECCE_PERSON_SURNAME.encode() not in body and LECCE_APPLICANT_SURNAME.encode() not in body


@pytest.mark.parametrize("attacker", ["bari_officer", "bari_legal_rep", "outsider"])
def test_instance_pages_of_lecce_people_and_requests_are_denied(client, request, attacker, lecce_data):
    client.force_login(request.getfixturevalue(attacker))
    urls = instance_urls("registry_membership_modeladmin", lecce_data["membership"].pk) + instance_urls(
        "registry_accreditationrequest_modeladmin", lecce_data["request"].pk
    )
    for url in urls:
        response = client.get(url)
        if attacker == "outsider":  # no membership: not even the admin
            assert_redirects_to_login(response)
        else:
            assert_not_found(response, leaked=(LECCE_PERSON_SURNAME, LECCE_APPLICANT_SURNAME))


@pytest.mark.parametrize("attacker", ["bari_officer", "bari_legal_rep", "outsider", "reviewer_of_nothing"])
def test_designation_act_of_another_entity_is_never_served(client, request, attacker, lecce_data):
    user = (
        member(BARI, Role.OFFICER, Area.CALLS)
        if attacker == "reviewer_of_nothing"
        else request.getfixturevalue(attacker)
    )
    client.force_login(user)
    url = reverse("registry_designation_act", args=[lecce_data["request"].pk])
    response, body = download(client, url)
    if attacker == "outsider":
        assert_redirects_to_login(response)
    else:
        assert_not_found(response)
    assert not body.startswith(b"%PDF")


def test_decision_urls_of_another_entity_are_denied(client, bari_legal_rep, lecce_data):
    client.force_login(bari_legal_rep)
    pk = lecce_data["request"].pk
    assert_not_found(client.post(reverse("registry_accreditation_approve", args=[pk])))
    assert_not_found(client.post(reverse("registry_accreditation_reject", args=[pk]), {"reason": "x"}))
    assert AccreditationRequest.objects.get(pk=pk).status == "pending"


@pytest.mark.parametrize("attacker", ["bari_officer", "outsider"])
def test_people_without_permission_get_no_list_and_no_export(client, request, attacker, lecce_data):
    client.force_login(request.getfixturevalue(attacker))
    for name in ("registry_membership_modeladmin_index", "registry_accreditationrequest_modeladmin_index"):
        for suffix in ("", "?export=csv", "?export=xlsx"):
            response = client.get(reverse(name) + suffix)
            if attacker == "outsider":
                assert_redirects_to_login(response)
            else:  # an officer of the property register: no permission on people
                assert_refused_by_admin(response, leaked=(LECCE_PERSON_SURNAME, LECCE_APPLICANT_SURNAME))


def test_region_sees_everything(client, region_admin, lecce_data, bari_data):
    client.force_login(region_admin)
    html = client.get(reverse("registry_accreditationrequest_modeladmin_index")).content.decode()
    assert LECCE_APPLICANT_SURNAME in html and "Bari-Applicant" in html
    response, body = download(client, reverse("registry_designation_act", args=[lecce_data["request"].pk]))
    assert response.status_code == 200 and body.startswith(b"%PDF")
    assert response["Content-Type"] == "application/pdf"


def test_legal_representative_downloads_own_entity_act(client, bari_legal_rep, bari_data):
    client.force_login(bari_legal_rep)
    response, body = download(client, reverse("registry_designation_act", args=[bari_data["request"].pk]))
    assert response.status_code == 200 and body.startswith(b"%PDF")


def test_site_history_report_is_reserved_to_the_region(client, bari_legal_rep, region_admin, lecce_data):
    client.force_login(bari_legal_rep)
    for url in (
        "/admin/reports/site-history/",
        "/admin/reports/site-history/results/",
        "/admin/reports/site-history/?export=csv",
    ):
        assert_refused_by_admin(client.get(url), leaked=(LECCE_APPLICANT_SURNAME,))
    client.force_login(region_admin)
    assert client.get("/admin/reports/site-history/").status_code == 200


def test_designation_acts_live_outside_the_public_media_and_have_no_url(lecce_data, settings, rf):
    """A designation act is stored under PRIVATE_MEDIA_ROOT, never under MEDIA_ROOT: even a
    server that published MEDIA_ROOT (Django's static serve with DEBUG on, or a web server's
    /media/ alias) could not hand it out; its storage refuses to make a URL for it."""
    from pathlib import Path

    from django.views.static import serve

    act = lecce_data["request"].designation_act
    stored = Path(act.path).resolve()
    assert stored.is_file()
    assert stored.is_relative_to(Path(settings.PRIVATE_MEDIA_ROOT).resolve())
    assert not stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    with pytest.raises(NotImplementedError):
        act.url  # noqa: B018
    with pytest.raises(Http404):
        serve(rf.get(f"/media/{act.name}"), act.name, document_root=settings.MEDIA_ROOT)


def test_the_scoped_download_view_refuses_another_entitys_act_and_serves_ones_own(
    client, bari_legal_rep, lecce_data, bari_data
):
    client.force_login(bari_legal_rep)
    assert_not_found(client.get(reverse("registry_designation_act", args=[lecce_data["request"].pk])))
    response, body = download(client, reverse("registry_designation_act", args=[bari_data["request"].pk]))
    assert response.status_code == 200 and body.startswith(b"%PDF")


def test_a_suspended_entity_gives_its_people_nothing(client, bari_legal_rep, bari_data, entities):
    bari = entities[BARI]
    bari.accreditation_state = "suspended"
    bari.save()
    client.force_login(bari_legal_rep)
    # Suspension takes the role groups away at once: not even the admin is open.
    assert_redirects_to_login(client.get(reverse("registry_membership_modeladmin_index")))
    assert_redirects_to_login(client.get(reverse("registry_designation_act", args=[bari_data["request"].pk])))


def _xlsx_text(body):
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    return " ".join(str(cell) for sheet in workbook for row in sheet.iter_rows(values_only=True) for cell in row)


def test_an_entity_edit_in_the_admin_is_logged_with_old_and_new_values(client, bari_legal_rep, entities):
    from wagtail.models import ModelLogEntry

    bari = entities[BARI]
    client.force_login(bari_legal_rep)
    response = client.post(
        reverse("registry_entity_modeladmin_edit", args=[bari.pk]),
        {"pec": "protocollo@pec.comune.bari.it", "legal_representative": "Sindaco di Bari", "fiscal_code": ""},
    )
    assert response.status_code == 302
    entry = ModelLogEntry.objects.for_instance(bari).get(action="wagtail.edit")
    assert entry.user_id == bari_legal_rep.pk
    assert entry.data["changes"] == {
        "pec": ["", "protocollo@pec.comune.bari.it"],
        "legal_representative": ["", "Sindaco di Bari"],
    }
