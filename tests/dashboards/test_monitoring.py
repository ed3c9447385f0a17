"""The monitoring of the Comuni, as the Region's staff read it: the rows counted by hand, the
filters and the ordering as the query string gives them, the files equal to the screen, the
map's colours, the queries it costs, and the refusal to anyone else.

The fixture (all 257 Comuni exist; four carry the figures):
  Comune     province ARCA                accredited people units (incomplete) register call 1  call 2
  Bari       BA       Puglia Centrale     yes        2      4 (1)   75,0 %     current  on time draft
  Altamura   BA       Puglia Centrale     no         0      0                  empty    draft   missing
  Lecce      LE       Sud Salento         yes        1      2 (0)  100,0 %     stale    late    missing
  Gallipoli  LE       Sud Salento         no         0      0                  empty    missing missing
Call 1 (rent support) is open past its deadline (Lecce sent under an extension); call 2
(arrears) closes in a month; a closed call of last year is not a column. Behind: everyone but
Bari (every other Comune has nothing in call 1)."""

import csv
import datetime
import html as html_module
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from calls.models import CallState, Submission, SubmissionState
from dashboards.monitoring import map as monitoring_map
from dashboards.monitoring import selectors
from dashboards.monitoring.selectors import CallStatus, RegisterStatus
from dashboards.rendering import theme
from registry.models import AccreditationState, Area, Entity, Membership, Role, Unit
from tests.calls.fixtures import make_arrears_call, make_call
from tests.conftest import ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO, BARI, LECCE, REGION
from tests.dashboards.conftest import ALTAMURA, GALLIPOLI, write_units
from tests.factories import member
from tests.helpers import assert_forbidden, assert_redirects_to_login, body_of

SCREEN = "dashboards_monitoring"
COMPLETE = {
    "cadastral_sheet": "41",
    "cadastral_parcel": "1234",
    "cadastral_subunit": "2",
    "cadastral_category": "A/4",
    "conventional_area": "70,00",
    "energy_class": "E",
}


@pytest.fixture
def monitored(entities, region_admin):
    now = timezone.now()
    comuni = {code: Entity.objects.get(code=code) for code in (BARI, ALTAMURA, LECCE, GALLIPOLI)}
    Entity.objects.filter(code__in=[BARI, LECCE]).update(accreditation_state=AccreditationState.ACCREDITED)
    member(BARI, Role.OFFICER, Area.PROPERTY_REGISTER)
    member(BARI, Role.LEGAL_REPRESENTATIVE)
    member(LECCE, Role.LEGAL_REPRESENTATIVE)
    gone = member(ALTAMURA, Role.LEGAL_REPRESENTATIVE)
    Membership.objects.filter(user=gone).update(
        valid_from=now.date() - datetime.timedelta(days=30), ended_on=now.date() - datetime.timedelta(days=1)
    )
    write_units(BARI, [(BARI, "let", 3), (BARI, "vacant_ready", 1)], **COMPLETE)
    write_units(LECCE, [(LECCE, "let", 2)], **COMPLETE)
    incomplete = Unit.objects.filter(owner=comuni[BARI]).order_by("pk").first()
    Unit.objects.filter(pk=incomplete.pk).update(energy_class="")
    Unit.objects.filter(owner=comuni[LECCE]).update(updated_at=now - datetime.timedelta(days=200))
    rent = make_call(opens_at=now - datetime.timedelta(days=30), closes_at=now - datetime.timedelta(days=1))
    arrears = make_arrears_call(opens_at=now - datetime.timedelta(days=1))
    old = make_call(
        year=2024,
        title="Fondo sostegno locazioni 2024",
        state=CallState.ALLOCATED,
        opens_at=now - datetime.timedelta(days=400),
        closes_at=now - datetime.timedelta(days=380),
    )
    sent = SubmissionState.SUBMITTED
    Submission.objects.create(call=rent, comune=comuni[BARI], state=sent, submitted_at=now - datetime.timedelta(days=5))
    Submission.objects.create(
        call=rent, comune=comuni[LECCE], state=sent, submitted_at=now - datetime.timedelta(hours=2)
    )
    Submission.objects.create(call=rent, comune=comuni[ALTAMURA])
    Submission.objects.create(call=arrears, comune=comuni[BARI])
    Submission.objects.create(
        call=old,
        comune=comuni[GALLIPOLI],
        state=SubmissionState.ACCEPTED,
        submitted_at=now - datetime.timedelta(days=390),
    )
    return {"rent": rent, "arrears": arrears, "old": old, **comuni}


def screen(client, query=""):
    response = client.get(reverse(SCREEN) + query)
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    """The Comuni of the table, in its order (each row's header cell)."""
    html = response.content.decode()
    table = html[html.index('id="monitoring"') :]
    return [html_module.unescape(cell.split("</th>")[0]) for cell in table.split('<th scope="row">')[1:]]


def by_code(rows):
    return {row.code: row for row in rows}


# --- the rows, counted by hand -------------------------------------------------------------


def test_each_comune_has_its_accreditation_people_register_and_calls(monitored):
    rows, calls = selectors.rows()
    assert [call.pk for call in calls] == [monitored["rent"].pk, monitored["arrears"].pk]
    assert len(rows) == 257
    rent, arrears = monitored["rent"].pk, monitored["arrears"].pk
    found = by_code(rows)
    bari, lecce, altamura, gallipoli = found[BARI], found[LECCE], found[ALTAMURA], found[GALLIPOLI]
    assert (bari.accreditation, bari.people, bari.register.units, bari.register.incomplete) == ("accredited", 2, 4, 1)
    assert str(bari.completeness) == "75.0" and bari.register_status == RegisterStatus.CURRENT
    assert bari.last_update == timezone.localdate()
    assert bari.calls == {rent: CallStatus.SUBMITTED, arrears: CallStatus.DRAFT} and not bari.behind
    assert (lecce.people, lecce.register.units, str(lecce.completeness)) == (1, 2, "100.0")
    assert lecce.register_status == RegisterStatus.STALE
    assert lecce.calls == {rent: CallStatus.LATE, arrears: CallStatus.MISSING} and lecce.behind
    # Altamura's only membership has ended: nobody counts.
    assert (altamura.accreditation, altamura.people, altamura.register_status) == ("not_accredited", 0, "empty")
    assert altamura.completeness is None and altamura.last_update is None
    assert altamura.calls == {rent: CallStatus.DRAFT, arrears: CallStatus.MISSING} and altamura.behind
    # Gallipoli's submission to last year's call is not a column.
    assert gallipoli.calls == {rent: CallStatus.MISSING, arrears: CallStatus.MISSING}
    assert (bari.arca_code, lecce.arca_code) == (ARCA_PUGLIA_CENTRALE, ARCA_SUD_SALENTO)
    assert sum(row.behind for row in rows) == 256


def test_the_rows_cost_the_same_few_queries_however_many_comuni_have_figures(monitored, load_stock):
    calls = selectors.open_call_list()
    selectors.rows(calls=calls)  # the helpdesk's table is looked up once per process
    with CaptureQueriesContext(connection) as few:
        selectors.rows(calls=calls)
    for entity in Entity.objects.comuni().exclude(code__in=[BARI, LECCE, ALTAMURA, GALLIPOLI])[:30]:
        Submission.objects.create(call=monitored["arrears"], comune=entity)
        member(entity, Role.LEGAL_REPRESENTATIVE)
    load_stock("072008", 5)
    with CaptureQueriesContext(connection) as many:
        rows, _calls = selectors.rows(calls=calls)
    assert sum(CallStatus.DRAFT in row.calls.values() for row in rows) == 32
    # Comuni, people, registers, submissions, the late interventions (and the helpdesk's tickets
    # once it has them).
    assert len(few) == len(many) <= 6


def test_the_screen_and_its_files_cost_the_same_queries_however_many_comuni_have_figures(
    client, region_admin, monitored
):
    client.force_login(region_admin)
    urls = (reverse(SCREEN), reverse("dashboards_monitoring_export", args=["csv"]))
    for url in urls:
        client.get(url)  # warm the per-process caches (menus, content types, the helpdesk's table)

    def cost():
        counts = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url + "?ordering=-units").status_code == 200
            counts.append(len(queries))
        return counts

    before = cost()
    for entity in Entity.objects.comuni().exclude(code__in=[BARI, LECCE, ALTAMURA, GALLIPOLI])[:40]:
        Submission.objects.create(call=monitored["rent"], comune=entity)
    assert cost() == before
    # Measured 16 for the file: session, user and permissions, access, the ARCA offered, the open
    # calls, the rows' six, the audit entry.
    assert before[1] <= 17


# --- the screen: filters and ordering --------------------------------------------------------


@pytest.mark.parametrize(
    "query,expected",
    [
        ("?province=BA&accreditation=accredited", ["Bari"]),
        ("?province=LE&accreditation=accredited", ["Lecce"]),
        (f"?arca={ARCA_SUD_SALENTO}&accreditation=accredited", ["Lecce"]),
        (f"?arca={ARCA_PUGLIA_CENTRALE}&accreditation=accredited", ["Bari"]),
        ("?call_state=submitted", ["Bari"]),
        ("?call_state=late", ["Lecce"]),
        ("?call_state=draft", ["Altamura", "Bari"]),
        ("?register=stale", ["Lecce"]),
        ("?register=current", ["Bari"]),
        ("?behind=1&accreditation=accredited", ["Lecce"]),
        ("?behind=on&register=stale", ["Lecce"]),
    ],
)
def test_the_filters_select_the_comuni_counted_by_hand(client, region_admin, monitored, query, expected):
    client.force_login(region_admin)
    assert names(screen(client, query)) == expected


def test_the_filter_on_one_call_reads_that_calls_column(client, region_admin, monitored):
    client.force_login(region_admin)
    rent, arrears = monitored["rent"].pk, monitored["arrears"].pk
    assert names(screen(client, f"?call={rent}&call_state=draft")) == ["Altamura"]
    assert names(screen(client, f"?call={arrears}&call_state=draft")) == ["Bari"]
    # "Not sent": drafts and nothing at all, the participation indicator's "missing".
    assert len(names(screen(client, f"?call={rent}&call_state=not_sent"))) == 255


def test_a_value_the_form_does_not_offer_is_dropped_and_the_other_filters_hold(client, region_admin, monitored):
    client.force_login(region_admin)
    response = screen(client, "?province=XX&accreditation=accredited&call=99999&register=<script>")
    assert names(response) == ["Bari", "Lecce"]
    assert "<script>" not in response.content.decode()


@pytest.mark.parametrize(
    "ordering,expected",
    [
        ("", ["Bari", "Lecce"]),
        ("-name", ["Lecce", "Bari"]),
        ("units", ["Lecce", "Bari"]),
        ("-units", ["Bari", "Lecce"]),
        ("completeness", ["Bari", "Lecce"]),
        ("-completeness", ["Lecce", "Bari"]),
        ("last_update", ["Lecce", "Bari"]),
        ("-people", ["Bari", "Lecce"]),
        ("province", ["Bari", "Lecce"]),
        ("-province", ["Lecce", "Bari"]),
        ("register", ["Bari", "Lecce"]),
        ("password", ["Bari", "Lecce"]),
        ("-__class__", ["Bari", "Lecce"]),
    ],
)
def test_any_column_sorts_and_an_unknown_ordering_is_ignored(client, region_admin, monitored, ordering, expected):
    client.force_login(region_admin)
    assert names(screen(client, f"?accreditation=accredited&ordering={ordering}")) == expected


def test_sorting_by_a_call_puts_those_furthest_behind_first_and_empty_values_last(client, region_admin, monitored):
    client.force_login(region_admin)
    rent = monitored["rent"].pk
    query = "?province=BA&ordering="
    assert names(screen(client, f"?accreditation=accredited&ordering=call-{rent}")) == ["Lecce", "Bari"]
    found = names(screen(client, f"{query}-completeness"))
    assert found[0] == "Bari" and found.index("Altamura") > 0  # no unit: last either way
    assert names(screen(client, f"{query}completeness"))[0] == "Bari"


def test_the_header_links_sort_and_say_which_way_with_aria_sort(client, region_admin, monitored):
    client.force_login(region_admin)
    html = screen(client, "?province=LE&ordering=-units").content.decode()
    assert '<th scope="col" aria-sort="descending"><a href="?province=LE&amp;ordering=units">' in html
    assert '<th scope="col"><a href="?province=LE&amp;ordering=name">' in html
    assert "<caption>" in html
    assert html.count('aria-sort="') == 1


# --- the files equal the screen --------------------------------------------------------------


def test_the_csv_and_xlsx_hold_exactly_the_screens_rows_in_its_order_with_an_audit_entry(
    client, region_admin, monitored
):
    client.force_login(region_admin)
    query = "?behind=1&province=LE&ordering=-units"
    shown = names(screen(client, query))
    assert shown[0] == "Lecce" and len(shown) == Entity.objects.comuni().filter(province="LE").count()
    response = client.get(reverse("dashboards_monitoring_export", args=["csv"]) + query)
    assert response.status_code == 200
    lines = list(csv.reader(io.StringIO(body_of(response).decode("utf-8-sig")), delimiter=";"))
    assert [line[0] for line in lines[1:]] == shown
    # Comune, ISTAT code, province, ARCA, accreditation, people, units, last update, complete (%), …
    lecce = lines[1]
    assert lecce[1:3] == [LECCE, "LE"] and lecce[5:7] == ["1", "2"] and lecce[8] == "100,0"
    stale_day = timezone.localtime(timezone.now() - datetime.timedelta(days=200)).date()
    assert lecce[7] == stale_day.strftime("%d/%m/%Y")
    xlsx = client.get(reverse("dashboards_monitoring_export", args=["xlsx"]) + query)
    sheet = load_workbook(io.BytesIO(body_of(xlsx))).active
    assert [row[0].value for row in sheet.iter_rows(min_row=2)] == shown
    entries = ModelLogEntry.objects.filter(action="push.export").order_by("pk")
    assert [entry.data["format"] for entry in entries] == ["csv", "xlsx"]
    assert entries[0].data["rows"] == len(shown)
    assert entries[0].data["filters"] == {"province": "LE", "behind": "1", "ordering": "-units"}


def test_an_unknown_file_format_is_not_found(client, region_admin, monitored):
    client.force_login(region_admin)
    assert client.get(reverse("dashboards_monitoring_export", args=["pdf"])).status_code == 404


# --- the map ---------------------------------------------------------------------------------


def test_the_map_colours_each_comune_by_its_state(monitored):
    rows, _calls = selectors.rows(province="BA")
    colours = monitoring_map.comune_colours(rows)
    assert len(colours) == 257
    assert colours[BARI] == "#E69F00"  # a draft in the arrears call, nothing behind
    assert colours[ALTAMURA] == "#D55E00"  # behind
    assert colours[LECCE] == theme.NO_DATA  # outside the filter
    rows, _calls = selectors.rows()
    colours = monitoring_map.comune_colours(rows)
    assert colours[LECCE] == colours[GALLIPOLI] == "#D55E00"
    counts = monitoring_map.counts(rows)
    assert counts == {"behind": 256, "in_progress": 1, "on_track": 0}


def test_a_comune_with_every_call_sent_on_time_and_a_current_register_is_on_track(monitored):
    Submission.objects.filter(call=monitored["arrears"], comune=monitored[BARI]).update(
        state=SubmissionState.SUBMITTED, submitted_at=timezone.now()
    )
    rows, _calls = selectors.rows(province="BA")
    assert monitoring_map.comune_colours(rows)[BARI] == "#009E73"


def test_the_map_image_is_drawn_with_the_filters_and_described_in_words(client, region_admin, monitored):
    client.force_login(region_admin)
    image = client.get(reverse("dashboards_monitoring_map") + "?province=LE")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert body_of(image).startswith(b"\x89PNG")
    svg = client.get(reverse("dashboards_monitoring_map") + "?province=LE&format=svg")
    assert b"Openpolis su dati ISTAT, CC BY 4.0" in body_of(svg)
    assert client.get(reverse("dashboards_monitoring_map") + "?format=gif").status_code == 404
    html = screen(client, "?province=LE").content.decode()
    assert f'src="{reverse("dashboards_monitoring_map")}?province=LE"' in html
    assert "Confini: Openpolis su dati ISTAT, CC BY 4.0" in html
    # The text alternative: Lecce's province's Comuni by state (all behind: none sent call 1 on time).
    behind = Entity.objects.comuni().filter(province="LE").count()
    assert f"{monitoring_map.LABELS['behind']}: {behind}; " in html


# --- who may read it ------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR, Role.REVIEWER, Role.EDITOR])
def test_the_regions_staff_read_the_monitoring_and_see_it_in_the_menu(client, monitored, role):
    client.force_login(member(REGION, role))
    assert "Lecce" in names(screen(client, "?province=LE"))
    assert f'"{reverse(SCREEN)}"' in client.get("/admin/").content.decode()


@pytest.fixture
def officers(monitored):
    bari = member(BARI, Role.OFFICER, Area.CALLS)
    arca = member(ARCA_SUD_SALENTO, Role.OFFICER, Area.PROPERTY_REGISTER)
    return [bari, arca, member(BARI, Role.LEGAL_REPRESENTATIVE)]


ATTACKS = (
    "",
    "?province=LE",
    f"?arca={ARCA_SUD_SALENTO}",
    "?accreditation=accredited&behind=1",
    f"?comune={LECCE}",
    "?ordering=-units",
    "?call_state=late&format=svg",
)


def test_an_entitys_people_are_refused_the_screen_its_files_and_its_map_whatever_the_query(client, officers):
    for officer in officers:
        client.force_login(officer)
        for query in ATTACKS:
            for url in (
                reverse(SCREEN),
                reverse("dashboards_monitoring_export", args=["csv"]),
                reverse("dashboards_monitoring_export", args=["xlsx"]),
                reverse("dashboards_monitoring_map"),
            ):
                response = client.get(url + query)
                assert_forbidden(response, leaked=("Gallipoli", "Lecce", "Altamura", "Sud Salento"))
                assert not body_of(response).startswith((b"\x89PNG", b"PK", b"\xef\xbb\xbf"))
        assert f'"{reverse(SCREEN)}"' not in client.get("/admin/").content.decode()
    assert not ModelLogEntry.objects.filter(action="push.export").exists()


def test_anonymous_readers_are_sent_to_sign_in(client, monitored):
    for url in (
        reverse(SCREEN),
        reverse("dashboards_monitoring_export", args=["csv"]),
        reverse("dashboards_monitoring_map"),
    ):
        assert_redirects_to_login(client.get(url + "?province=LE"))


def test_a_person_without_any_membership_is_refused(client, outsider, monitored):
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(outsider)
    assert_forbidden(client.get(reverse(SCREEN)), leaked=("Lecce",))


# --- the open tickets' column ------------------------------------------------------------------


def test_the_open_tickets_column_waits_for_the_helpdesk(monitored, monkeypatch):
    """Without the helpdesk's tickets the column is not shown; with them, each Comune's count."""
    monkeypatch.setattr(selectors, "open_tickets_by_entity", lambda: None)
    rows, calls = selectors.rows()
    from dashboards.monitoring import table

    assert "tickets" not in [column.key for column in table.columns(calls, with_tickets=False)]
    assert all(row.tickets is None for row in rows)
    monkeypatch.setattr(selectors, "open_tickets_by_entity", lambda: {monitored[LECCE].pk: 3})
    rows, _calls = selectors.rows()
    assert by_code(rows)[LECCE].tickets == 3 and by_code(rows)[BARI].tickets == 0


def test_open_tickets_are_counted_per_comune_as_the_helpdesk_counts_them(client, region_admin, monitored):
    from helpdesk.models import Ticket

    author = member(LECCE, Role.OFFICER, Area.HELPDESK)
    for state in ("open", "answered", "info_requested", "resolved"):
        Ticket.objects.create(entity=monitored[LECCE], author=author, topic="technical", subject="Accesso", state=state)
    Ticket.objects.create(entity=monitored[BARI], author=author, topic="technical", subject="Accesso", state="resolved")
    assert selectors.open_tickets_by_entity() == {monitored[LECCE].pk: 3}
    rows, _calls = selectors.rows()
    assert (by_code(rows)[LECCE].tickets, by_code(rows)[BARI].tickets) == (3, 0)
    client.force_login(region_admin)
    assert names(screen(client, "?accreditation=accredited&ordering=-tickets")) == ["Lecce", "Bari"]
    assert names(screen(client, "?accreditation=accredited&ordering=tickets")) == ["Bari", "Lecce"]
