"""API keys and rate limiting."""

from __future__ import annotations

import hmac

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from .errors import APIError
from .settings import Settings


def require_api_key(settings: Settings) -> None:
    """Raise 401 unless the request carries one of the configured keys (when any are set)."""
    if not settings.api_keys:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    offered = _as_bytes(token.strip())
    if scheme.lower() != "bearer" or not any(hmac.compare_digest(offered, _as_bytes(key)) for key in settings.api_keys):
        raise APIError(401, "unauthorized", "A valid API key is required: send 'Authorization: Bearer <key>'.")


def require_metrics_token(settings: Settings) -> None:
    """Raise 401 unless the request carries METRICS_TOKEN as a bearer token (when it is set)."""
    if not settings.metrics_token:
        return
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(_as_bytes(token.strip()), _as_bytes(settings.metrics_token)):
        raise APIError(401, "unauthorized", "The metrics token is required: send 'Authorization: Bearer <METRICS_TOKEN>'.")


def _as_bytes(value: str) -> bytes:
    """Keys are compared as bytes: ``hmac.compare_digest`` refuses str with non-ASCII characters (#12)."""
    return value.encode("utf-8", "surrogatepass")


def is_preflight() -> bool:
    """A CORS preflight: the browser asks before a cross-origin POST, without credentials (#12)."""
    return request.method == "OPTIONS"


def make_limiter(app: Flask, settings: Settings) -> Limiter:
    """A Flask-Limiter bound to the app; Redis storage when configured, memory otherwise."""
    storage = settings.redis_url or "memory://"
    options = {"socket_timeout": settings.redis_timeout, "socket_connect_timeout": settings.redis_timeout} if settings.redis_url else {}
    return Limiter(
        get_remote_address,
        app=app,
        storage_uri=storage,
        storage_options=options,
        headers_enabled=True,
        swallow_errors=True,
        in_memory_fallback_enabled=True,
        default_limits=[],
        enabled=settings.rate_limit is not None,
    )
