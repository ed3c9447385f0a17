"""The generic probe of issue 8: an officer of a Comune (Bari: property register and calls)
and an officer of an ARCA (Sud Salento: property register) each own rows; each then asks, with
the other's ids, for every admin screen (lists with undeclared lookups, searches and exports,
inspect, edit, delete, history, file downloads, actions, choosers) and every address of the
API. Nothing of the other may show, and every refusal is the specific one expected.

The admin screens come from the registered modeladmins and the admin URL patterns, the API
addresses from the URL resolver, so a screen or route added later is probed without touching
this file (a route the probe cannot fill in fails `test_every_route_is_probed`). modeladmin has
no usage or copy screens, and no snippet is registered (the snippet lists, if any, are walked
by tests/security/test_admin_list_params.py)."""

import datetime
import inspect
import re
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.urls.exceptions import NoReverseMatch
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient
from wagtail_modeladmin.options import ModelAdmin

from calls.models import Applicant, Attachment, Call, CallState, CallType, ProtocolEntry, Submission
from calls.programmes.models import Intervention, InterventionType, Programme
from calls.sales.models import SalePlan, SalePlanUnit
from core.notifications.models import Notification
from core.pdf import blank_pdf
from helpdesk.circulars.models import Circular, CircularAttachment, ReplyAttachment
from helpdesk.models import Message as TicketMessage
from helpdesk.models import Ticket, TicketAttachment
from registry import roles
from registry.models import (
    AccreditationRequest,
    Area,
    Building,
    Entity,
    ImportJob,
    Membership,
    Role,
    StockSnapshot,
    Unit,
)
from registry.stock import services as stock
from tests.conftest import ARCA_SUD_SALENTO, BARI, REGION
from tests.factories import member, valid_fiscal_code
from tests.helpdesk.circulars.fixtures import plant_circular
from tests.helpers import (
    assert_bad_request,
    assert_forbidden,
    assert_not_found,
    assert_not_shown,
    assert_refused_by_admin,
    body_of,
)
from tests.sales.fixtures import plant_sale_plan

# --- the two owners and what each plants ------------------------------------------------


def plant(owner_code, tag, officer, load_stock):
    """Rows owned by one entity, each carrying a text found nowhere else."""
    owner = Entity.objects.get(code=owner_code)
    load_stock(owner_code, 3)
    building = Building.objects.filter(owner=owner).order_by("pk").first()
    building.street = f"Via Sentinella {tag}"
    building.save(update_fields=["street"])
    colleague = member(owner, Role.OFFICER, Area.HELPDESK, last_name=f"Collega-{tag}")
    request_obj = AccreditationRequest.objects.create(
        entity=owner,
        first_name="Richiedente",
        last_name=f"Richiesta-{tag}",
        email=f"richiesta.{tag.lower()}@example.it",
        fiscal_code=valid_fiscal_code(),
        role=Role.OFFICER,
        area=Area.PROPERTY_REGISTER,
        designation_act=ContentFile(blank_pdf(), name="atto.pdf"),
        designation_act_sha256="0" * 64,
        designation_act_size=1,
    )
    job = ImportJob.objects.create(
        owner=owner,
        uploaded_by=officer,
        file=ContentFile(f"Via Sentinella {tag};1\n".encode(), name="alloggi.csv"),
        file_format="csv",
        original_name=f"alloggi-{tag}.csv",
        sha256="0" * 64,
        size=10,
    )
    units = list(Unit.objects.filter(owner=owner))
    ticket = Ticket.objects.create(entity=owner, author=officer, topic="technical", subject=f"Segnalazione-{tag}")
    ticket_file = TicketAttachment.objects.create(
        message=TicketMessage.objects.create(ticket=ticket, author=officer, kind="message", body=f"Messaggio-{tag}"),
        file=ContentFile(blank_pdf(), name="allegato.pdf"),
        original_name=f"segnalazione-{tag}.pdf",
        content_type="application/pdf",
        sha256="0" * 64,
        size=1,
    )
    notification = Notification.objects.create(
        recipient=officer, kind="digest", context={"notification_ids": []}, url=f"/admin/?n=Notifica-{tag}"
    )
    rows = {
        Notification: [notification],
        Entity: [owner],
        Building: [building],
        Unit: units,
        Membership: list(Membership.objects.filter(entity=owner)),
        AccreditationRequest: [request_obj],
        ImportJob: [job],
        Ticket: [ticket],
        TicketAttachment: [ticket_file],
    }
    markers = (
        f"Via Sentinella {tag}",
        f"Collega-{tag}",
        f"Richiesta-{tag}",
        f"alloggi-{tag}.csv",
        f"Segnalazione-{tag}",
        f"Messaggio-{tag}",
        f"segnalazione-{tag}.pdf",
        f"Notifica-{tag}",
        *(unit.push_id for unit in units),
    )
    return {"entity": owner, "officer": officer, "rows": rows, "markers": markers, "colleague": colleague}


def plant_submission(owner, tag, officer, rows, markers):
    now = timezone.now()
    call = Call.objects.create(
        call_type=CallType.RENT_SUPPORT,
        year=2025,
        title="Fondo sostegno locazioni 2025",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=10),
        state=CallState.OPEN,
    )
    submission = Submission.objects.create(
        call=call, comune=owner, protocol_number=f"PRT-{tag}", need=Decimal("4321.98")
    )
    Applicant.objects.create(
        submission=submission,
        row_number=1,
        fiscal_code_hash="f" * 64,
        household_size=2,
        income=Decimal("8000"),
        annual_rent=Decimal("4800"),
        months=12,
        lease_registration="R-1",
        contribution=Decimal("100"),
    )
    attachment = Attachment.objects.create(
        submission=submission,
        name=f"Allegato-{tag}",
        file=ContentFile(blank_pdf(), name="allegato.pdf"),
        sha256="0" * 64,
        size=1,
        uploaded_by=officer,
    )
    rows[Submission] = [submission]
    rows[Attachment] = [attachment]
    sequence = ProtocolEntry.objects.count() + 1
    rows[ProtocolEntry] = [
        ProtocolEntry.objects.create(
            number=f"PUSH/2099/{sequence:06d}",
            year=2099,
            sequence=sequence,
            registered_at=now,
            kind="submission_sent",
            submission=submission,
            receipt_pdf=ContentFile(blank_pdf(), name="ricevuta.pdf"),
            receipt_sha256="1" * 64,
        )
    ]
    return (*markers, f"PRT-{tag}", f"Allegato-{tag}", "4.321,98", "4321.98")


def plant_intervention(owner, tag, rows, markers):
    """An intervention of the owner under a programme both owners take part in, on a
    building of the owner's register."""
    programme, _created = Programme.objects.get_or_create(title="Programma condiviso", legal_act="DGR 1/2025")
    programme.beneficiaries.add(owner)
    intervention = Intervention.objects.create(
        programme=programme,
        beneficiary=owner,
        title=f"Intervento-{tag}",
        intervention_type=InterventionType.RECOVERY,
        funded_amount=Decimal("8765.43"),
    )
    intervention.buildings.set(rows[Building])
    rows[Intervention] = [intervention]
    return (*markers, f"Intervento-{tag}")


@pytest.fixture
def owners(entities, load_stock):
    bari_officer = member(BARI, Role.OFFICER, Area.PROPERTY_REGISTER)
    Membership.objects.create(user=bari_officer, entity=entities[BARI], role=Role.OFFICER, area=Area.CALLS)
    roles.sync_user_groups(bari_officer)
    arca_officer = member(ARCA_SUD_SALENTO, Role.OFFICER, Area.PROPERTY_REGISTER)
    bari = plant(BARI, "Bari", bari_officer, load_stock)
    arca = plant(ARCA_SUD_SALENTO, "Salento", arca_officer, load_stock)
    bari["markers"] = plant_submission(entities[BARI], "Bari", bari_officer, bari["rows"], bari["markers"])
    for owner, tag in ((bari, "Bari"), (arca, "Salento")):
        owner["markers"] = plant_intervention(owner["entity"], tag, owner["rows"], owner["markers"])
    for owner, tag in ((bari, "Bari"), (arca, "Salento")):
        owner["markers"] = (*owner["markers"], *plant_circular(owner["entity"], tag, owner["officer"], owner["rows"]))
    for owner, tag in ((bari, "Bari"), (arca, "Salento")):
        owner["markers"] = (*owner["markers"], *plant_sale_plan(owner["entity"], tag, owner["officer"], owner["rows"]))
    stock.take_snapshot(reference_date=timezone.localdate(), taken_by=member(REGION, Role.ADMINISTRATOR))
    return {"bari": bari, "arca": arca}


PAIRS = [("bari", "arca"), ("arca", "bari")]


# --- admin ----------------------------------------------------------------------------


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def modeladmins():
    found = {}
    for _route, pattern in _patterns(get_resolver().url_patterns):
        view = inspect.unwrap(pattern.callback)
        if isinstance(getattr(view, "__self__", None), ModelAdmin) and view.__name__ == "index_view":
            found[view.__self__.model] = view.__self__
    return found


# Admin routes beyond modeladmin's, by name: the model whose pk they take, the method, and the
# `action` they are called with. Routes that take a call's pk are about calls, which belong to
# no entity (their visibility is tested in tests/calls/test_call_visibility.py).
ADMIN_ROUTES = {
    "registry_designation_act": (AccreditationRequest, "get", {}),
    "registry_accreditation_approve": (AccreditationRequest, "post", {}),
    "registry_accreditation_reject": (AccreditationRequest, "post", {}),
    "registry_membership_end": (Membership, "post", {}),
    "registry_import_report": (ImportJob, "get", {}),
    "registry_import_file": (ImportJob, "get", {}),
    "registry_import_valid_rows": (ImportJob, "post", {}),
    "registry_import_progress": (ImportJob, "get", {}),
    "calls_submission_action": (Submission, "post", {"action": "co_financing"}),
    "calls_receipt": (Submission, "get", {}),
    "calls_applicants_file": (Submission, "get", {}),
    "calls_attachment": (Submission, "get", {"attachment_pk": Attachment}),
    "calls_protocol_receipt": (Submission, "get", {"entry_pk": ProtocolEntry}),
    "calls_submission_confirm": (Submission, "post", {"action": "submit"}),
    "circulars_open": (Circular, "post", {}),
    "circulars_attachment": (Circular, "get", {"attachment_pk": CircularAttachment}),
    "circulars_reply_attachment": (Circular, "get", {"attachment_pk": ReplyAttachment}),
    "circulars_status": (Circular, "get", {}),
    "circulars_export": (Circular, "get", {"file_format": "csv"}),
    "circulars_remind": (Circular, "post", {}),
    "circulars_confirm": (Circular, "post", {}),
    "helpdesk_ticket": (Ticket, "get", {}),
    "helpdesk_ticket_write": (Ticket, "post", {"action": "message"}),
    "helpdesk_ticket_note": (Ticket, "post", {}),
    "helpdesk_ticket_assign": (Ticket, "post", {}),
    "helpdesk_attachment": (Ticket, "get", {"attachment_pk": TicketAttachment}),
    "push_notification_open": (Notification, "post", {}),
    "programmes_intervention_move": (Intervention, "post", {"action": "start_design"}),
    "sales_plan": (SalePlan, "get", {}),
    "sales_plan_units": (SalePlan, "post", {}),
    "sales_plan_unit_remove": (SalePlan, "post", {"line_pk": SalePlanUnit}),
    "sales_sale_new": (SalePlan, "post", {"line_pk": SalePlanUnit}),
    "sales_plan_move": (SalePlan, "post", {"action": "send"}),
}
# Admin lists beyond modeladmin's (no id in the address): asked with the other's ids and codes
# in the query string, they show nothing of the other (or refuse the person altogether).
ADMIN_LISTS = {
    "helpdesk_tickets": {},
    "helpdesk_queue": {},
    "helpdesk_export": {"file_format": "csv"},
    "helpdesk_ticket_new": {},
    "helpdesk_faq_proposals": {},
    "push_notifications": {},
    "push_notification_preferences": {},
    # A beneficiary's update file (its own interventions) and its upload screen.
    "programmes_update_file": {"file_format": "csv"},
    "programmes_update_upload": {},
    # The sale plans' list, new plan, proceeds against reinvestments (and their file), new reinvestment.
    "sales_plans": {},
    "sales_plan_new": {},
    "sales_proceeds": {},
    "sales_proceeds_export": {"file_format": "csv"},
    "sales_reinvestment_new": {},
}
# The register's map of buildings and its image (registry/stock/admin/map.py) take the building
# list's declared filters: asked for the other's owner or Comune they show nothing of theirs, and
# a parameter the list does not declare is refused (400) as on the list.
ADMIN_FILTERED_LISTS = ("registry_building_map", "registry_building_map_image")
NOT_OWNED_ROUTES = {
    "calls_riparto",
    "calls_riparto_publish",
    "calls_call_action",
    "calls_call_move",
    "calls_list_template",
    "calls_review_queue",
    "registry_import_template",
    # The Region's list and compose screen, and each person's own inbox (tests/helpdesk/circulars/).
    "circulars_index",
    "circulars_compose",
    "circulars_inbox",
    # Marking one's own notifications read (POST), and the Region's e-mail deliveries
    # (tests/core/test_notifications*.py).
    "push_notification_read_all",
    "push_notification_deliveries",
    "push_notification_resend_all",
    "push_notification_resend",
    # The Region's progress of the programmes and their files, refused to the entities' people
    # (tests/programmes/test_attacker.py).
    "programmes_progress",
    "programmes_progress_export",
    "programmes_programme_progress",
    "programmes_programme_progress_export",
}


# Routes addressed by a random token given only to the person who asked (background exports):
# another person, the Region included, gets 404 — probed in tests/registry/test_background_exports.py.
TOKEN_ROUTES = {"registry_export_status", "registry_export_download"}


def admin_routes_with_ids():
    names = set()
    for route, pattern in _patterns(get_resolver().url_patterns):
        if (
            route.startswith(
                (
                    "admin/registry/",
                    "admin/calls/",
                    "admin/helpdesk/tickets/",
                    "admin/circulars/",
                    "admin/notifiche/",
                    "admin/programmes/",
                )
            )
            and pattern.name
            and "modeladmin" not in pattern.name
        ):
            names.add(pattern.name)
    return names


def test_every_route_is_probed():
    assert admin_routes_with_ids() == (
        set(ADMIN_ROUTES) | NOT_OWNED_ROUTES | TOKEN_ROUTES | set(ADMIN_LISTS) | set(ADMIN_FILTERED_LISTS)
    )
    assert dashboard_routes() == DASHBOARD_ROUTES
    assert monitoring_routes() == set(MONITORING_ROUTES)
    assert set(api_routes()) <= set(API_EXPECTED) | API_LISTS | API_WITHOUT_IDS


def admin_probe(client, me, other):
    """Every admin address of the other's rows, as `me`; returns how many were asked."""
    asked = 0
    leaked = other["markers"]
    user = me["officer"]
    for model, model_admin in modeladmins().items():
        helper = model_admin.url_helper
        index = helper.index_url
        may_list = model_admin.permission_helper.user_can_list(user)
        # The search is for the word every planted street shares (the search box echoes it).
        for query in ("", "?q=Sentinella", "?export=csv", "?export=xlsx"):
            response = client.get(index + query)
            asked += 1
            if may_list:
                assert response.status_code == 200, (index, query, response.status_code)
                assert_not_shown(response, *leaked)
            else:
                assert_refused_by_admin(response, leaked=leaked)
        for obj in other["rows"].get(model, []):
            for query in (f"?pk={obj.pk}", f"?pk__in={obj.pk}&export=csv", f"?id__exact={obj.pk}"):
                response = client.get(index + query)
                asked += 1
                if may_list:
                    assert_bad_request(response, leaked=leaked)
                else:
                    assert_refused_by_admin(response, leaked=leaked)
            for action in ("inspect", "edit", "delete", "history"):
                try:
                    url = helper.get_action_url(action, obj.pk)
                except NoReverseMatch:
                    continue  # the screen does not exist for this model
                for method in ("get", "post"):
                    response = getattr(client, method)(url)
                    asked += 1
                    if action == "inspect" and getattr(model_admin, "public_register", False):
                        # The register of entities is public to every member; nothing private in
                        # it. Its page is read-only.
                        assert response.status_code == (200 if method == "get" else 405), url
                        assert_not_shown(response, *leaked)
                    else:
                        assert_not_found(response, leaked=leaked)
    for name, (model, method, extra) in ADMIN_ROUTES.items():
        for obj in other["rows"].get(model, []):
            kwargs = {"pk": obj.pk}
            for key, value in extra.items():
                kwargs[key] = other["rows"][value][0].pk if isinstance(value, type) else value
            response = getattr(client, method)(reverse(name, kwargs=kwargs), {"amount": "1", "reason": "x"})
            asked += 1
            assert_not_found(response, leaked=leaked)
            assert not body_of(response).startswith(b"%PDF")
    for name, kwargs in ADMIN_LISTS.items():
        other_entity = other["entity"]
        for query in ("", f"?entity={other_entity.pk}", f"?entity__code={other_entity.code}", "?subject=Segnalazione"):
            response = client.get(reverse(name, kwargs=kwargs) + query)
            asked += 1
            assert response.status_code in (200, 302), (name, query, response.status_code)
            assert_not_shown(response, *leaked)
    for name in ADMIN_FILTERED_LISTS:
        theirs = other["entity"]
        for query in ("", "?q=Sentinella", f"?owner__id__exact={theirs.pk}", f"?comune__id__exact={theirs.pk}"):
            response = client.get(reverse(name) + query)
            asked += 1
            assert response.status_code == 200, (name, query, response.status_code)
            assert_not_shown(response, *leaked)
        assert_bad_request(client.get(reverse(name) + f"?owner__code={theirs.code}"), leaked=leaked)
        asked += 1
    for snapshot in StockSnapshot.objects.all():
        response = client.get(reverse("registry_stocksnapshot_modeladmin_inspect", args=[snapshot.pk]))
        asked += 1
        assert response.status_code == 200
        assert_not_shown(response, *leaked)
    for url in ("/admin/choose-page/search/?q=Sentinella", "/admin/documents/chooser/", "/admin/images/chooser/"):
        assert_forbidden(client.get(url), leaked=leaked)
        asked += 1
    return asked


@pytest.mark.parametrize("me,other", PAIRS)
def test_admin_shows_nothing_of_the_other_entity(client, owners, me, other):
    client.force_login(owners[me]["officer"])
    asked = admin_probe(client, owners[me], owners[other])
    assert asked > 60
    # The counterpart: the same screens show one's own rows.
    own = owners[me]
    page = client.get(reverse("registry_building_modeladmin_index") + f"?q={own['markers'][0]}")
    assert own["markers"][0] in page.content.decode()


# --- API ------------------------------------------------------------------------------


def api_routes():
    """Named routes of /api/v1/ with their view and regex."""
    routes = {}
    for route, pattern in _patterns(get_resolver().url_patterns):
        if route.startswith("api/v1/") and pattern.name:
            routes[pattern.name] = (route, pattern)
    return routes


# The open data answer the same public figures whoever asks (their key is not an id).
API_WITHOUT_IDS = {
    "api-health",
    "api-health-ready",
    "api-schema",
    "api-docs",
    "api-open-data-indicator",
    "notification-read-all",
}
API_LISTS = {
    "entity-list",
    "building-list",
    "unit-list",
    "call-list",
    "submission-list",
    "api-my-memberships",
    "api-stock-counts",
    "unit-bulk-upsert",
    "api-open-data",
    "circular-list",
    "ticket-list",
    "notification-list",
    "programme-list",
    "intervention-list",
    "sale-plan-list",
}
# Routes that take an id: the model whose lookup value fills it, and what each method must
# answer when the id is the other entity's. Entities are a public register (GET shows the
# public data, changing another's is forbidden); everything else does not exist for the caller.
API_EXPECTED = {
    "entity-detail": (Entity, {"get": 200, "patch": 403, "put": 405}),
    "building-detail": (Building, {"get": 404}),
    "unit-detail": (Unit, {"get": 404}),
    "submission-detail": (Submission, {"get": 404, "patch": 404, "put": 405}),
    "submission-applicants": (Submission, {"post": 404}),
    "submission-duplicates": (Submission, {"get": 404}),
    "submission-submit": (Submission, {"post": 404}),
    "submission-uploads": (Submission, {"get": 404}),
    "submission-receipts": (Submission, {"get": 404}),
    "circular-detail": (Circular, {"get": 404}),
    "circular-reply": (Circular, {"post": 404}),
    "circular-attachments": (Circular, {"get": 404}),
    "ticket-detail": (Ticket, {"get": 404}),
    "ticket-messages": (Ticket, {"post": 404}),
    "ticket-attachments": (Ticket, {"get": 404}),
    "notification-detail": (Notification, {"get": 404}),
    "notification-read": (Notification, {"post": 404}),
    "intervention-detail": (Intervention, {"get": 404, "patch": 404, "put": 405}),
    "intervention-transitions": (Intervention, {"post": 404}),
    "intervention-progress-reports": (Intervention, {"post": 404}),
    "sale-plan-detail": (SalePlan, {"get": 404}),
    "sale-plan-units": (SalePlan, {"post": 404}),
    "sale-plan-send": (SalePlan, {"post": 404}),
    "sale-plan-request-integration": (SalePlan, {"post": 404}),
    "sale-plan-approve": (SalePlan, {"post": 404}),
    "sale-plan-reject": (SalePlan, {"post": 404}),
    "sale-plan-sales": (SalePlan, {"post": 404}),
    # The programmes are the Region's, read by each of their beneficiaries (the shared one here).
    "programme-detail": (None, {}),
    "call-detail": (None, {}),
    "call-allocation": (None, {}),
}


def fill(route, pattern, obj, viewset):
    lookup = getattr(viewset, "lookup_field", "pk")
    value = str(getattr(obj, lookup))
    path = "/" + route
    path = re.sub(r"\^|\$", "", path)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda match: value if match[1] in (lookup, "pk") else "1", path)
    return path


def api_probe(api, me, other, expected_for):
    asked = 0
    leaked = other["markers"]
    other_code = other["entity"].code
    for name in sorted(API_LISTS - {"unit-bulk-upsert"}):
        route, _pattern = api_routes()[name]
        path = "/" + re.sub(r"\^|\$", "", route)
        for query in ("", f"?owner={other_code}", f"?comune={other_code}", "?search=Sentinella", "?q=Sentinella"):
            response = api.get(path + query)
            asked += 1
            assert response.status_code in expected_for(name), (name, query, response.status_code)
            assert_not_shown(response, *leaked)
    for name, (route, pattern) in api_routes().items():
        model, statuses = API_EXPECTED.get(name, (None, {}))
        if model is None:
            continue
        viewset = pattern.callback.cls
        for obj in other["rows"].get(model, []):
            path = fill(route, pattern, obj, viewset)
            for method, status in statuses.items():
                if (
                    name.startswith("submission")
                    and method == "get"
                    and not me["officer"].has_perm("calls.view_submission")
                ):
                    status = 403  # reading needs the view permission, checked before any lookup
                response = getattr(api, method)(path, {}, format="json")
                asked += 1
                assert response.status_code == status, (name, method, path, response.status_code)
                assert_not_shown(response, *leaked)
    return asked


@pytest.mark.parametrize("me,other", PAIRS)
def test_the_api_shows_nothing_of_the_other_entity(owners, me, other):
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owners[me]['officer']).key}")

    def expected_for(name):
        if name == "submission-list" and me == "arca":
            return {403}  # no permission on the calls at all
        return {200}

    assert api_probe(api, owners[me], owners[other], expected_for) > 20


# --- dashboards -----------------------------------------------------------------------


# The dashboards' image and data routes, probed below with a dashboard of every entity's figures.
DASHBOARD_ROUTES = {"chart_image", "chart_data"}


def dashboard_routes():
    return {pattern.name for route, pattern in _patterns(get_resolver().url_patterns) if route.startswith("cruscotto/")}


@pytest.mark.parametrize("me,other", PAIRS)
def test_the_dashboards_show_nothing_of_the_other_entity(client, owners, me, other):
    """A dashboard for each entity's people on their own figures (units by owner): whatever the
    query says (the other's id or code, an ARCA, a wider audience), the page's table, the files
    and the image are the officer's own entity's only."""
    import io

    from openpyxl import load_workbook

    from cms import demo
    from dashboards.models import Chart, DashboardAudience, DashboardPage

    chart = Chart.objects.create(
        title="Alloggi per proprietario", indicator="stock_by_owner", kind="hbar", text_alternative="Barre."
    )
    page = DashboardPage(
        title="Patrimonio per ente",
        slug="patrimonio-per-ente",
        audience=DashboardAudience.ENTITY,
        body=[("chart", {"chart": chart, "parameters": {}})],
    )
    demo.load().add_child(instance=page)
    page.save_revision().publish()
    block_id = page.body[0].id
    mine, theirs = owners[me]["entity"], owners[other]["entity"]
    client.force_login(owners[me]["officer"])
    etags = set()
    for query in (
        "",
        f"?entity={theirs.pk}",
        f"?owner={theirs.code}",
        f"?comune={theirs.code}",
        f"?arca={theirs.code}",
        "?audience=regional&public=1",
    ):
        html = client.get(page.url + query).content.decode()
        assert f'<th scope="row">{theirs.display_name}</th>' not in html, query
        for file_format in ("csv", "xlsx"):
            url = reverse("dashboards:chart_data", args=[page.pk, block_id, file_format]) + query
            response = client.get(url)
            assert response.status_code == 200, url
            body = body_of(response)
            if file_format == "xlsx":
                sheet = load_workbook(io.BytesIO(body)).active
                body = repr([[cell.value for cell in row] for row in sheet.iter_rows()]).encode()
            assert theirs.display_name.encode() not in body and theirs.code.encode() not in body, url
        image = client.get(reverse("dashboards:chart_image", args=[page.pk, block_id]) + query)
        assert image.status_code == 200
        etags.add(image["ETag"])
    # The counterpart: the officer's own figures are there; the other officer's image differs.
    assert f'<th scope="row">{mine.display_name}</th>' in client.get(page.url).content.decode()
    client.force_login(owners[other]["officer"])
    assert client.get(reverse("dashboards:chart_image", args=[page.pk, block_id]))["ETag"] not in etags


# --- the monitoring of the Comuni -------------------------------------------------------


# The Region's monitoring screen, its files and its map (dashboards/monitoring/), with the
# addresses each is asked at: refused to every entity's people whatever the query says (the
# Region's reading is tested in tests/dashboards/test_monitoring.py).
MONITORING_ROUTES = {
    "dashboards_monitoring": [{}],
    "dashboards_monitoring_export": [{"file_format": "csv"}, {"file_format": "xlsx"}],
    "dashboards_monitoring_map": [{}],
}


def monitoring_routes():
    return {
        pattern.name
        for route, pattern in _patterns(get_resolver().url_patterns)
        if route.startswith("admin/cruscotto/")
    }


@pytest.mark.parametrize("me,other", PAIRS)
def test_the_monitoring_of_the_comuni_is_refused_to_an_entitys_people(client, owners, me, other):
    mine, theirs = owners[me]["entity"], owners[other]["entity"]
    client.force_login(owners[me]["officer"])
    asked = 0
    for name, addresses in MONITORING_ROUTES.items():
        for kwargs in addresses:
            for query in (
                "",
                f"?comune={theirs.code}",
                f"?arca={theirs.code}",
                f"?province={theirs.province}&accreditation=accredited",
                f"?entity={mine.pk}",
                "?behind=1&ordering=-units&format=svg",
            ):
                response = client.get(reverse(name, kwargs=kwargs) + query)
                asked += 1
                # (The codes asked for are echoed by the 403 page's links: only data may not show.)
                assert_forbidden(response, leaked=(theirs.name, *owners[other]["markers"]))
                assert not body_of(response).startswith((b"\x89PNG", b"<?xml", b"PK", "\ufeff".encode()))
    assert asked == 24
