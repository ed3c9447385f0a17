"""Admin lists accept only the parameters they declare.

wagtail-modeladmin's IndexView turned every query parameter no declared filter claimed into
an ORM lookup, so a list became a yes/no oracle on whatever its rows reach by relations
(issue 8: a Comune's officer read a regional administrator's API token a character at a
time). Every modeladmin now answers 400 to such a parameter; Wagtail's own listings, built on
django-filter filtersets, ignore it. Both are checked over every list there is, found from
the URL configuration, so a list added later is covered without touching this file."""

import datetime
import inspect
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry, Page
from wagtail.snippets.models import get_snippet_models
from wagtail_modeladmin.options import ModelAdmin

from calls.models import Applicant, Call, CallState, CallType, Submission
from registry.models import AccreditationRequest, Area, Entity, Role
from registry.scoped_admin import ItalianExportIndexView
from tests.conftest import LECCE, REGION
from tests.factories import member, valid_fiscal_code
from tests.helpers import assert_bad_request, body_of


def _patterns(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def registered_modeladmins() -> list[ModelAdmin]:
    """Every ModelAdmin whose index view is routed, found from its URL pattern's view."""
    found = {}
    for pattern in _patterns(get_resolver().url_patterns):
        view = inspect.unwrap(pattern.callback)
        owner = getattr(view, "__self__", None)
        if isinstance(owner, ModelAdmin) and view.__name__ == "index_view":
            found[owner.model._meta.label] = owner
    return [found[label] for label in sorted(found)]


MODELADMINS = registered_modeladmins()
LIST_MODELS = {
    "calls.Call",
    "calls.Submission",
    "registry.AccreditationRequest",
    "registry.Building",
    "registry.Entity",
    "registry.ImportJob",
    "registry.Membership",
    "registry.StockSnapshot",
    "registry.Unit",
}


def relation_lookup(model) -> str:
    """An undeclared lookup that follows a relation out of the model's rows."""
    relation = next(field for field in model._meta.get_fields() if field.is_relation and field.related_model)
    return f"{relation.name}__pk__gt=0"


def exports(kind=None):
    queryset = ModelLogEntry.objects.filter(action="push.export")
    return queryset.filter(data__list=kind) if kind else queryset


def test_the_discovery_finds_every_list_of_the_project():
    assert {admin.model._meta.label for admin in MODELADMINS} >= LIST_MODELS


@pytest.mark.parametrize("model_admin", MODELADMINS, ids=lambda admin: admin.model._meta.label)
def test_every_modeladmin_uses_the_guarded_index_view(model_admin):
    assert issubclass(model_admin.index_view_class, ItalianExportIndexView)


@pytest.mark.parametrize("model_admin", MODELADMINS, ids=lambda admin: admin.model._meta.label)
def test_an_undeclared_lookup_is_refused_in_every_modeladmin_list(client, superuser, model_admin, caplog):
    client.force_login(superuser)
    index = reverse(model_admin.url_helper.get_action_url_name("index"))
    assert client.get(index).status_code == 200
    for query in ("pk__gt=0", relation_lookup(model_admin.model), "q=x&pk__in=987654321"):
        for suffix in ("", "&export=csv", "&export=xlsx"):
            response = client.get(f"{index}?{query}{suffix}")
            assert_bad_request(response)
            assert response.get("Content-Disposition") is None
    assert not exports().exists()
    refused = [record for record in caplog.records if record.name == "push.security"]
    assert len(refused) == 9 and all(record.levelname == "WARNING" for record in refused)
    logged = "\n".join(record.getMessage() for record in refused)
    assert "pk__in" in logged and "987654321" not in logged  # the name only, never the value


@pytest.mark.parametrize("model_admin", MODELADMINS, ids=lambda admin: admin.model._meta.label)
def test_the_declared_parameters_still_work_in_every_modeladmin_list(client, superuser, model_admin):
    client.force_login(superuser)
    index = reverse(model_admin.url_helper.get_action_url_name("index"))
    assert client.get(f"{index}?q=a&o=0&p=1").status_code == 200
    assert client.get(f"{index}?q=a&export=csv").status_code == 200
    assert exports(model_admin.model._meta.label).get().data["filters"] == {"q": ["a"]}
    response = client.get(index)
    for spec in response.context["view"].filter_specs:
        for parameter in spec.expected_parameters():
            if parameter.endswith("__isnull"):
                value = "True"
            else:
                value = next((str(choice[0]) for choice in getattr(spec, "lookup_choices", []) if choice[0]), "")
            if not value:
                continue
            assert client.get(f"{index}?{parameter}={value}").status_code == 200, parameter


def test_an_entity_filter_set_to_all_is_accepted(client, superuser):
    """The drop-down filters' "All" submits the parameter empty."""
    client.force_login(superuser)
    response = client.get(reverse("registry_unit_modeladmin_index") + "?owner__id__exact=&building__comune__id__exact=")
    assert response.status_code == 200


def test_a_declared_filter_with_a_value_of_the_wrong_type_is_a_bad_request(client, superuser):
    client.force_login(superuser)
    assert_bad_request(client.get(reverse("registry_unit_modeladmin_index") + "?owner__id__exact=abc"))


def test_an_export_is_written_to_the_audit_log(client, superuser, entities):
    client.force_login(superuser)
    response = client.get(reverse("registry_entity_modeladmin_index") + "?kind__exact=arca&export=csv")
    assert response.status_code == 200
    assert len(body_of(response).decode("utf-8-sig").splitlines()) == 1 + 5
    entry = exports("registry.Entity").get()
    assert entry.user_id == superuser.pk
    assert entry.data == {
        "list": "registry.Entity",
        "format": "csv",
        "filters": {"kind__exact": ["arca"]},
        "rows": 5,
    }


# --- the attacks of issue 8, from a Comune's officer -------------------------------------


@pytest.fixture
def lecce_officer(entities):
    return member(LECCE, Role.OFFICER, Area.CALLS)


@pytest.fixture
def region_token(entities):
    administrator = member(REGION, Role.ADMINISTRATOR)
    return Token.objects.create(user=administrator).key


def oracle(client, lookup, guess):
    """The Region's row, searched by its code, narrowed by an undeclared lookup."""
    return client.get(reverse("registry_entity_modeladmin_index") + f"?q={REGION}&{lookup}={guess}")


def region_row(entities):
    """What shows that the Region's row is listed: the link to its page."""
    return reverse("registry_entity_modeladmin_inspect", args=[entities[REGION].pk])


def test_the_region_is_found_by_its_code_in_the_register(client, lecce_officer, entities):
    """The counterpart of the refusals below: the search itself works."""
    client.force_login(lecce_officer)
    response = client.get(reverse("registry_entity_modeladmin_index") + f"?q={REGION}")
    assert response.status_code == 200 and region_row(entities) in response.content.decode()


def test_the_api_token_of_a_regional_administrator_cannot_be_guessed(client, lecce_officer, region_token, entities):
    client.force_login(lecce_officer)
    lookup = "memberships__user__auth_token__key__startswith"
    right, wrong = oracle(client, lookup, region_token[0]), oracle(client, lookup, "-")
    assert_bad_request(right, leaked=(region_row(entities),))
    assert_bad_request(wrong, leaked=(region_row(entities),))


def test_a_password_hash_cannot_be_guessed(client, lecce_officer, region_token, entities):
    client.force_login(lecce_officer)
    response = oracle(client, "memberships__user__password__startswith", "md5")
    assert_bad_request(response, leaked=(region_row(entities),))


def test_an_applicants_fiscal_code_cannot_be_guessed(client, lecce_officer, entities):
    fiscal_code = valid_fiscal_code()
    AccreditationRequest.objects.create(
        entity=entities[REGION],
        first_name="Anna",
        last_name="Riservata",
        email="anna@example.it",
        fiscal_code=fiscal_code,
        role=Role.REVIEWER,
        designation_act="designazione.pdf",
        designation_act_sha256="0" * 64,
        designation_act_size=1,
    )
    client.force_login(lecce_officer)
    response = oracle(client, "accreditation_requests__fiscal_code__startswith", fiscal_code[:3])
    assert_bad_request(response, leaked=(region_row(entities), fiscal_code[:3]))


@pytest.fixture
def bari_submission_with_applicant(entities):
    now = timezone.now()
    call = Call.objects.create(
        call_type=CallType.RENT_SUPPORT,
        year=2025,
        title="Fondo 2025",
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=1),
        state=CallState.OPEN,
    )
    bari = Entity.objects.get(code="072006")
    submission = Submission.objects.create(call=call, comune=bari, decision_reason="motivo riservato")
    Applicant.objects.create(
        submission=submission,
        row_number=1,
        fiscal_code_hash="x" * 64,
        household_size=3,
        income=Decimal("9000"),
        annual_rent=Decimal("4800"),
        months=12,
        lease_registration="R1",
        contribution=Decimal("0"),
    )
    return submission


@pytest.mark.parametrize(
    "lookup,guess",
    [("call_submissions__applicants__income__gt", "8999"), ("call_submissions__decision_reason__contains", "riserv")],
)
def test_another_comunes_applicants_and_decisions_cannot_be_probed(
    client, lecce_officer, bari_submission_with_applicant, lookup, guess
):
    client.force_login(lecce_officer)
    response = client.get(reverse("registry_entity_modeladmin_index") + f"?q=072006&{lookup}={guess}")
    assert_bad_request(response, leaked=("Bari",))
    export = client.get(reverse("registry_entity_modeladmin_index") + f"?q=072006&{lookup}={guess}&export=csv")
    assert_bad_request(export, leaked=("Bari",))
    assert not exports().exists()


# --- Wagtail's own listings and snippets: django-filter filtersets ignore the rest ------

WAGTAIL_LISTS = [
    ("wagtailusers_users:index", ()),
    ("wagtailusers_groups:index", ()),
    ("wagtailadmin_explore_root", ()),
    ("wagtaildocs:index", ()),
    ("wagtailimages:index", ()),
    ("wagtailadmin_reports:site_history", ()),
    ("wagtailadmin_reports:locked_pages", ()),
    ("wagtailadmin_reports:aging_pages", ()),
    ("wagtailadmin_reports:workflow", ()),
    ("wagtailadmin_reports:workflow_tasks", ()),
    ("wagtailredirects:index", ()),
    ("wagtailsites:index", ()),
    ("wagtailadmin_collections:index", ()),
    ("wagtailadmin_workflows:index", ()),
]


def listed_count(response) -> int:
    context = response.context
    page = context.get("page_obj") or context.get("pages")
    if page is not None and hasattr(page, "paginator"):
        return page.paginator.count
    return len(context["object_list"])


def snippet_lists():
    return [model.snippet_viewset.get_url_name("list") for model in get_snippet_models()]


@pytest.mark.parametrize("url_name,args", WAGTAIL_LISTS + [(name, ()) for name in snippet_lists()])
def test_wagtails_listings_ignore_undeclared_lookups(client, superuser, region_token, url_name, args):
    log(instance=superuser, action="wagtail.edit", user=superuser)  # a line for the site history
    client.force_login(superuser)
    if url_name == "wagtailsnippets_dashboards_chart:list":  # a list with a row to hide
        from dashboards.models import Chart

        Chart.objects.create(
            title="Alloggi per stato", indicator="stock_by_status", kind="donut", text_alternative="Ciambella."
        )
    url = reverse(url_name, args=args)
    baseline = client.get(url)
    assert baseline.status_code == 200
    assert listed_count(baseline) > 0 or url_name in {
        "wagtaildocs:index",
        "wagtailimages:index",
        "wagtailadmin_reports:locked_pages",
        "wagtailadmin_reports:workflow",
        "wagtailadmin_reports:workflow_tasks",
        "wagtailredirects:index",
        "wagtailadmin_reports:aging_pages",
        "wagtailadmin_collections:index",
    }
    for query in ("pk__lt=0", "id__in=0", "user__password__startswith=zz", "username__startswith=zz"):
        probed = client.get(f"{url}?{query}")
        assert probed.status_code == 200, query
        assert listed_count(probed) == listed_count(baseline), query


def test_the_page_history_listing_ignores_undeclared_lookups(client, superuser):
    client.force_login(superuser)
    page = Page.objects.filter(depth=2).first()
    url = reverse("wagtailadmin_pages:history", args=[page.pk])
    baseline = client.get(url)
    probed = client.get(url + "?user__password__startswith=zz&pk__lt=0")
    assert baseline.status_code == probed.status_code == 200
    assert listed_count(probed) == listed_count(baseline)
