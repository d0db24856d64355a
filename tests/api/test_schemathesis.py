"""Schemathesis against the served OpenAPI document, with an officer's token, on every operation: any 500, any
status, media type or body the document does not describe fails the suite. Bounded (a few examples per operation,
derandomised) so that it stays well under a minute."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app.extensions import db
from devtools.factories import make_estate, make_investor, make_permit, region
from permits.models import PermitStatus

EXAMPLES = 25  # per operation: about 600 requests, some 30 seconds
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def officer_token(token_for) -> str:
    """An officer's token, and a few records for the ids to meet (id 1 of most tables)."""
    investor = make_investor(legal_name="PT Skema", nib="9120001111111")
    estate = make_estate(investor=investor, region=region("36.73"), name="Kawasan Skema")
    make_permit("KKPR", estate=estate, status=PermitStatus.SUBMITTED, reference_number="R-1")
    db.session.commit()
    return token_for("officer").token


def test_every_operation_answers_as_the_document_says(app, officer_token):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    headers = {"Authorization": f"Bearer {officer_token}"}
    failures, operations = [], 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck),
                  database=None)  # fmt: skip
        def answers_as_documented(case) -> None:
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            answers_as_documented()
        except Exception as failure:  # noqa: BLE001 - every operation is run; all failures are reported together
            failures.append(f"{operation.label}: {failure}")
    assert operations >= 23  # every operation of the document was asked
    assert not failures, "\n\n".join(failures)
