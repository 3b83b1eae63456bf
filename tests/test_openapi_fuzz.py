"""Property-based run over the OpenAPI document (schemathesis): no input produces a server error."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck
from hypothesis import settings as hsettings

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
@hsettings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
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
