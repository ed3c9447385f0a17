"""The API's contract, checked by a client that reads only the schema.

Schemathesis reads /api/v1/'s OpenAPI schema and sends what it allows (and, in negative mode,
what it forbids) to every operation: anonymously, as a Comune's officer and as the Region's
reviewer, on a small register with a call, a submission and its receipt. Every answer must
be no server error, with a documented status, content type, headers and body.

Bounded (a few examples per operation, no deadline) and run on its own, as CI does:

    PUSH_SCHEMA_FUZZ=1 .venv/bin/python -m pytest -p no:cacheprovider -m schema tests/api/test_schema_fuzz.py

PUSH_SCHEMA_FUZZ_EXAMPLES sets the examples per operation (default 25)."""

import os

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.core.parameters import ParameterLocation
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = pytest.mark.schema

EXAMPLES = int(os.environ.get("PUSH_SCHEMA_FUZZ_EXAMPLES", "25"))


def negative_body_rejection(ctx, response, case):
    """A body the schema forbids is refused (writes validate their input strictly). Query
    parameters are not held to it: like DRF and django-filter everywhere, an unknown
    `ordering` or a `limit` that is not a number is ignored, not refused."""
    data = case.meta.phase.data if case.meta else None
    mutations = getattr(data, "mutations", ())
    locations = {mutation.parameter_location for mutation in mutations} or {getattr(data, "parameter_location", None)}
    if locations != {ParameterLocation.BODY}:
        return None
    return negative_data_rejection(ctx, response, case)


CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_body_rejection,
]


@pytest.fixture(params=["anonymous", "comune officer", "regional reviewer"])
def caller(request, fuzz_register):
    """The Authorization header of who calls."""
    from rest_framework.authtoken.models import Token

    user = {"anonymous": None, **fuzz_register["users"]}[request.param]
    if user is None:
        return {}
    return {"Authorization": f"Token {Token.objects.get_or_create(user=user)[0].key}"}


@pytest.fixture
def api_schema(caller, settings):
    # The throttles would soon answer only 429: the run is one client asking fast.
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "1000000/minute", "user": "1000000/minute"},
    }
    schema = schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))
    schema.app = get_wsgi_application()
    # The requests run inside the test's transaction, as Django's test client runs them: the
    # connection must stay open between them.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield schema
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def fuzz(operation, mode, caller, known_paths):
    """Send the operation `EXAMPLES` generated cases; the first failure (shrunk) or None.
    Cases also address the records that exist, so that their answers are checked."""
    strategy = operation.as_strategy(generation_mode=mode)
    # Wrong bodies are sent to existing records too (a wrong address alone is only a 404).
    has_body = bool(operation.definition.raw.get("requestBody"))
    if known_paths and (mode is GenerationMode.POSITIVE or has_body):
        strategy = st.one_of(
            strategy, *[operation.as_strategy(generation_mode=mode, path_parameters=known) for known in known_paths]
        )

    @given(case=strategy)
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
    )
    def run(case):
        case.call_and_validate(headers=caller, checks=CHECKS)

    try:
        run()
    except Unsatisfiable:  # nothing to send wrong (no parameters, no body)
        return None
    except (Exception, BaseExceptionGroup) as failure:  # every failure is reported, not only the first
        found = getattr(failure, "exceptions", None) or [failure]
        lines = [f"{type(one).__name__}: {one}" for one in found] + list(getattr(failure, "__notes__", []))
        return f"== {mode.value} {operation.label}\n" + "\n".join(lines)
    return None


def test_the_api_keeps_its_schema(api_schema, caller, fuzz_register):
    failures = []
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) > 20
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            failure = fuzz(operation, mode, caller, fuzz_register["paths"].get(operation.path, []))
            if failure:
                failures.append(failure)
    assert not failures, "\n\n".join(failures)
