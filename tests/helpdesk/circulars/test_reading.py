"""The presa visione (issue 12): the first of an entity's people to open a circular records
it, with their name and the time, once per entity; a colleague opening it later, or the same
person again, changes nothing; the Region's read-status table, export and map are right."""

import datetime
import io

from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from helpdesk.circulars.models import Acknowledgement
from tests.conftest import BARI, LECCE
from tests.helpers import body_of


def open_in_admin(client, user, circular):
    client.force_login(user)
    response = client.get(reverse("circulars_open", args=[circular.pk]))
    assert response.status_code == 200
    return response


def test_the_first_reader_is_recorded_once_per_entity(client, clock, to_bari_and_lecce, bari_officer, bari_colleague):
    first_time = timezone.now() + datetime.timedelta(hours=1)
    clock(first_time)
    page = open_in_admin(client, bari_officer, to_bari_and_lecce)
    assert "Ricognizione alloggi sfitti" in page.content.decode()
    acknowledgement = Acknowledgement.objects.get()
    assert acknowledgement.recipient.entity.code == BARI
    assert acknowledgement.read_by == bari_officer and acknowledgement.read_at == first_time

    # A colleague opens it later, the first reader opens it again: nothing changes.
    clock(first_time + datetime.timedelta(days=1))
    open_in_admin(client, bari_colleague, to_bari_and_lecce)
    open_in_admin(client, bari_officer, to_bari_and_lecce)
    acknowledgement = Acknowledgement.objects.get()
    assert acknowledgement.read_by == bari_officer and acknowledgement.read_at == first_time
    reads = ModelLogEntry.objects.filter(action="push.circular.read", object_id=str(to_bari_and_lecce.pk))
    assert reads.count() == 1


def test_the_inbox_marks_unread_circulars(client, to_bari_and_lecce, bari_officer):
    client.force_login(bari_officer)
    inbox = client.get(reverse("circulars_inbox")).content.decode()
    assert 'class="circular-unread"' in inbox and "Ricognizione alloggi sfitti" in inbox
    client.get(reverse("circulars_open", args=[to_bari_and_lecce.pk]))
    assert 'class="circular-unread"' not in client.get(reverse("circulars_inbox")).content.decode()


def test_the_regions_unread_list_is_right(client, region_admin, to_bari_and_lecce, bari_officer, lecce_legal_rep):
    open_in_admin(client, bari_officer, to_bari_and_lecce)
    client.force_login(region_admin)
    status_url = reverse("circulars_status", args=[to_bari_and_lecce.pk])
    page = client.get(status_url).content.decode()
    assert f'data-entity="{BARI}" data-status="read"' in page
    assert f'data-entity="{LECCE}" data-status="unread"' in page
    assert bari_officer.get_full_name() in page

    unread = client.get(status_url + "?status=unread").content.decode()
    assert f'data-entity="{LECCE}"' in unread and f'data-entity="{BARI}"' not in unread
    read = client.get(status_url + "?status=read").content.decode()
    assert f'data-entity="{BARI}"' in read and f'data-entity="{LECCE}"' not in read

    csv = body_of(
        client.get(reverse("circulars_export", args=[to_bari_and_lecce.pk, "csv"]) + "?status=unread")
    ).decode("utf-8-sig")
    assert LECCE in csv and BARI not in csv and "non letta" in csv
    workbook = load_workbook(
        io.BytesIO(body_of(client.get(reverse("circulars_export", args=[to_bari_and_lecce.pk, "xlsx"]))))
    )
    cells = {row[0]: row for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert cells[BARI][4] == "letta" and cells[BARI][6] == bari_officer.get_full_name()
    assert cells[LECCE][4] == "non letta" and cells[LECCE][5] is None
    exports = ModelLogEntry.objects.filter(action="push.export", object_id=str(region_admin.pk))
    assert exports.count() == 2

    # Lecce opens it: the unread list is empty.
    open_in_admin(client, lecce_legal_rep, to_bari_and_lecce)
    client.force_login(region_admin)
    assert "data-entity=" not in client.get(status_url + "?status=unread").content.decode()


def test_the_map_colours_the_comuni_by_status(client, region_admin, to_bari_and_lecce, bari_officer):
    open_in_admin(client, bari_officer, to_bari_and_lecce)
    client.force_login(region_admin)
    page = client.get(reverse("circulars_status", args=[to_bari_and_lecce.pk])).content.decode()
    assert page.count("data-code=") == 257  # one area per Comune
    assert f'fill="#0072B2" stroke="#FFFFFF" stroke-width="0.4" data-code="{BARI}"' in page  # read
    assert f'fill="#D55E00" stroke="#FFFFFF" stroke-width="0.4" data-code="{LECCE}"' in page  # not read
    assert 'fill="#D4D4D4" stroke="#FFFFFF" stroke-width="0.4" data-code="071024"' in page  # Foggia: not sent to
    assert "Confini: Openpolis su dati ISTAT, CC BY 4.0" in page


def test_a_filter_value_the_table_does_not_offer_is_refused(client, region_admin, to_bari_and_lecce):
    client.force_login(region_admin)
    for url in (
        reverse("circulars_status", args=[to_bari_and_lecce.pk]),
        reverse("circulars_export", args=[to_bari_and_lecce.pk, "csv"]),
    ):
        assert client.get(url + "?status=letta").status_code == 400
        assert client.get(url + "?province=XX").status_code == 400
        assert client.get(url + "?kind=region").status_code == 400
