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
    if scheme.lower() != "bearer" or not any(hmac.compare_digest(token.strip(), key) for key in settings.api_keys):
        raise APIError(401, "unauthorized", "A valid API key is required: send 'Authorization: Bearer <key>'.")


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
