"""The OpenAPI document, the human docs page and the demo page, all served from the package."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, jsonify

from .errors import APIError
from .metrics import CONTENT_TYPE
from .openapi import openapi_document
from .security import require_metrics_token

pages = Blueprint("pages", __name__, static_folder="static", static_url_path="/static")


@pages.get("/health")
def health() -> Response:
    """The process is alive."""
    return jsonify({"status": "ok"})


@pages.get("/ready")
def ready() -> Response:
    """The model is loaded; the cache in use ('disk' or 'redis') and its state ('ok' or 'down')."""
    state = current_app.extensions["sourcewise"]
    cache_status = state.cache.status()
    redis_status = cache_status if state.cache.backend == "redis" else "disabled"
    return jsonify({"status": "ok", "model": state.version, "cache": {"backend": state.cache.backend, "status": cache_status},
                    "redis": redis_status})


@pages.get("/metrics")
def metrics() -> Response:
    """Prometheus text format, every worker of this instance counted; METRICS_TOKEN as a bearer token when set."""
    state = current_app.extensions["sourcewise"]
    if state.metrics is None:
        raise APIError(404, "not_found", "Metrics are off (METRICS_ENABLED=0).")
    require_metrics_token(state.settings)
    return Response(state.metrics.exposition(state.version), content_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})


@pages.get("/openapi.json")
def openapi() -> Response:
    return jsonify(openapi_document(current_app.extensions["sourcewise"].version))


@pages.get("/docs")
def docs() -> Response:
    return pages.send_static_file("docs.html")


@pages.get("/")
def demo() -> Response:
    return pages.send_static_file("demo.html")


SHARED_FILES = {"renderer.js": "text/javascript", "article.js": "text/javascript", "marks.css": "text/css"}


@lru_cache(maxsize=len(SHARED_FILES))
def _shared_file(name: str) -> bytes:
    """A file the extension and the demo page share, from the package (or the repo checkout)."""
    try:
        return resources.files("service.web.extension_src").joinpath(name).read_bytes()
    except (ModuleNotFoundError, FileNotFoundError, TypeError):
        return (Path(__file__).resolve().parents[2] / "extension" / "src" / name).read_bytes()


@pages.get("/shared/<name>")
def shared(name: str) -> Response:
    if name not in SHARED_FILES:
        abort(404)
    return Response(_shared_file(name), mimetype=SHARED_FILES[name], headers={"Cache-Control": "no-cache"})
