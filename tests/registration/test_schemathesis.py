"""schemathesis against /api/openapi.json on the WSGI app, with its default checks: no 5xx, documented status
codes, content types and response schemas, bad input refused, valid input accepted, Allow on 405…

The schemathesis pytest plugin does not run under pytest 9 yet ('Function' object has no attribute '_nodeid'),
so each operation's Hypothesis strategy is driven directly; the checks are the same.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tests.factories import make_event, make_session, register

# The document is built by the app (events/registration/payloads.py, badges/door/payloads.py);
# test_every_operation_is_tried checks that these lists name each of its operations.
WITHOUT_INPUT = ["getCheckinRoster", "listEvents"]
# Negative cases need something to break: parameters or a body.
WITH_INPUT = ["addEnrolment", "cancelRegistration", "checkIn", "confirmRegistration", "createRegistration",
              "deleteEnrolment", "getEvent", "getRegistration", "getSession", "listSessions"]
OPERATIONS = sorted(WITHOUT_INPUT + WITH_INPUT)
# Rules JSON Schema cannot state (documented in the operation): sessions that exist and do not overlap, each
# language once, e-mail domains that can receive mail (not .test, .invalid…). A schema-valid body may break them
# and gets a 422 that names the field; any other refusal of schema-valid data still fails the test.
CROSS_FIELD = {"createRegistration": {"sessions", "languages", "email"}, "addEnrolment": {"sessions"}}


@pytest.fixture
def known(db) -> dict:
    """Things that exist, so that the success paths are checked too, not only the 404s."""
    event = make_event(slug="schema-day", capacity=50)
    sessions = [make_session(event, offset_minutes=60 * i, capacity=3) for i in range(3)]
    registration = register(event, email="schema@example.org", sessions=sessions[:1])
    return {"slug": event.slug, "token": registration.token, "session_id": sessions[1].id}


def test_every_operation_is_tried(client):
    document = client.get("/api/openapi.json").get_json()
    operations = [op for item in document["paths"].values() for op in item.values()]
    assert sorted(op["operationId"] for op in operations) == OPERATIONS
    assert sorted(op["operationId"] for op in operations if op.get("parameters") or op.get("requestBody")) \
        == WITH_INPUT


def _cross_field_refusal(operation_id: str, response) -> bool:
    if response.status_code != 422 or operation_id not in CROSS_FIELD:
        return False
    error = response.json()["error"]
    return set(error.get("fields") or {error.get("field")}) <= CROSS_FIELD[operation_id]


@pytest.mark.parametrize("operation_id,mode", [(op, GenerationMode.POSITIVE) for op in OPERATIONS]
                         + [(op, GenerationMode.NEGATIVE) for op in WITH_INPUT],
                         ids=lambda v: v.value if isinstance(v, GenerationMode) else v)
def test_api_conforms_to_its_openapi_document(app, known, operation_id, mode):
    operation = schemathesis.openapi.from_wsgi("/api/openapi.json", app).find_operation_by_id(operation_id)

    @given(case=operation.as_strategy(generation_mode=mode), use_known=st.booleans())
    @settings(max_examples=8 if operation_id == "createRegistration" else 15, deadline=None, database=None,
              suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                     HealthCheck.filter_too_much])
    def run(case, use_known):
        if use_known and case.path_parameters:
            for name in case.path_parameters:
                if name in known:
                    case.path_parameters[name] = known[name]
        response = case.call()
        excluded = [positive_data_acceptance] if _cross_field_refusal(operation_id, response) else []
        case.validate_response(response, excluded_checks=excluded)

    run()
