"""schemathesis against the service's own /openapi.json: no 5xx, every response matches the schema."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, settings

from service.web import create_app
from service.web.settings import Settings

app = create_app(Settings(rate_limit=None, max_text_chars=5_000))
schema = schemathesis.openapi.from_wsgi("/openapi.json", app)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case) -> None:
    case.call_and_validate()
