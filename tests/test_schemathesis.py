"""Property tests of the JSON API from its own OpenAPI schema (schemathesis): for generated valid and invalid
parameters, no answer is a server error and every answer matches the schema (status, content type, body).

The case count is kept modest (MAX_EXAMPLES per operation) so the suite stays quick; raise it locally with
SCHEMATHESIS_EXAMPLES=500 to probe harder.
"""
from __future__ import annotations

import os

import pytest
import schemathesis
from schemathesis import checks
from hypothesis import HealthCheck, given, settings

from factories import add_statement

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "25"))
# No server error, the answer's status, content type and body as documented, and invalid input refused. Not
# "positive data acceptance": the schema says `format: date`, and JSON Schema cannot say "between 1991-01-01 and
# today", so a schema-valid 0447-12-08 is rightly answered 422.
CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, checks.negative_data_rejection]


@pytest.fixture
def api_schema(engine, session):
    from app.web import create_app

    for iso2, stance, day in (("FR", "support", "2025-02-01"), ("DE", "reject", "2025-02-10"),
                              ("PL", "undecided", None)):
        add_statement(session, iso2, stance, day)
    session.commit()
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(engine))


def test_the_api_never_errs_and_matches_its_schema(api_schema):
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert {op.path for op in operations} >= {"/api/positions", "/api/statements", "/api/countries", "/healthz"}
    for operation in operations:
        @given(case=operation.as_strategy())
        @settings(max_examples=MAX_EXAMPLES, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()
