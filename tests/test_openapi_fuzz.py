"""Property-based run over the OpenAPI document (schemathesis): no input produces a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hsettings
from schemathesis import GenerationMode

from assistant.api.app import create_app
from assistant.config import Settings

pytestmark = pytest.mark.slow

_db = Path("/tmp") / "onething-fuzz.db"
_app = create_app(
    Settings(
        database_url=f"sqlite:///{_db}",
        console_enabled=False,
        rate_per_minute_client=100000,
        rate_per_minute_session=100000,
    )
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _app)


@schema.parametrize()
@hsettings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_never_returns_5xx(case):
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.path} → {response.status_code}: {response.text[:200]}"
    )
    ctype = response.headers.get("content-type") or ""
    ctype = ctype[0] if isinstance(ctype, list) else ctype
    if response.status_code >= 400 and ctype.startswith("application/json"):
        body = response.json()
        assert "code" in body and "message" in body, body


# negative data: values that break the schema (wrong types, out of range, too long, missing) — 4xx, never 5xx
negative = schemathesis.openapi.from_asgi("/openapi.json", _app)
negative.config.generation.update(modes=[GenerationMode.NEGATIVE])


@negative.parametrize()
@hsettings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_api_rejects_bad_input_without_server_errors(case):
    response = case.call()
    assert response.status_code < 500, (
        f"{case.method} {case.path} → {response.status_code}: {response.text[:200]}"
    )


# stateful: sequences of calls linked through their responses (a session, then its chat, feedback, forms…)
APIWorkflow = schema.as_state_machine()


class TestAPIWorkflow(APIWorkflow.TestCase):
    settings = hsettings(
        max_examples=20,
        stateful_step_count=6,
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,  # the same sequences on every machine: CI does not depend on luck
    )


def _no_server_error(response, case) -> None:
    assert response.status_code < 500, f"{case.method} {case.path} → {response.status_code}"


APIWorkflow.validate_response = lambda self, response, case, **kw: _no_server_error(response, case)
