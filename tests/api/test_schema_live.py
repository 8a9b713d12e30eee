"""The OpenAPI schema tested against the running app: schemathesis generates requests for every
operation from the schema and checks that none gets a 5xx and every response matches the schema."""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from crm.api.services import token_create
from tests.api.test_permissions import RESOURCES

# Enough to reach each operation's edge cases without making the suite slow: ~80 operations × this.
EXAMPLES_PER_OPERATION = 8
TIME_BUDGET_SECONDS = 150


@pytest.fixture
def schema_and_auth(live_server, world, admin_user):
    headers = {"Authorization": f"Bearer {token_create(user=admin_user, name='schemathesis').secret}"}
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json", headers=headers, timeout=30)
    ids = {resource: world[key].pk for resource, (key, *_rest) in RESOURCES.items()}
    return schema, headers, live_server.url, ids


@pytest.mark.timeout(300)
def test_no_operation_gets_a_server_error_or_breaks_the_schema(schema_and_auth):
    schema, headers, base_url, ids = schema_and_auth
    started = time.monotonic()
    failures: list[str] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @given(case=operation.as_strategy(), use_a_real_record=st.booleans())
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case: schemathesis.Case, use_a_real_record: bool) -> None:
            # Random ids almost never exist; half the time, aim at a real record so that changes,
            # deletions and actions on existing records are exercised too.
            if use_a_real_record and case.path_parameters and "id" in case.path_parameters:
                resource = case.path.split("/")[3]
                if resource in ids:
                    case.path_parameters["id"] = ids[resource]
            response = case.call(base_url=base_url, headers=headers, timeout=30)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

        try:
            check()
        except Exception as error:
            failures.append(f"{operation.label}: {str(error)[:1500]}")
        assert time.monotonic() - started < TIME_BUDGET_SECONDS, "schemathesis run went over its time budget"
    assert operations > 60, f"only {operations} operations in the schema"
    assert not failures, "\n\n".join(failures)
