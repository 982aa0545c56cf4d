"""The Flask app factory."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

from flask import Flask, Response, g, request
from flask_cors import CORS
from werkzeug.middleware.proxy_fix import ProxyFix

from ..engine import analyze_many, analyze_stream, model_version
from ..engine.pipeline import warm_vocab
from .api import api
from .cache import ResultCache, make_cache
from .errors import register_error_handlers
from .feedback import make_store
from .metrics import METRICS, Metrics
from .metrics import install as install_metrics
from .pages import pages
from .security import is_preflight, make_limiter
from .service import CachedAnalyzer
from .settings import Settings
from .streaming import StreamedAnalysis

access_log = logging.getLogger("sourcewise.access")
REQUEST_SLACK_BYTES = 64 * 1024


@dataclass
class AppState:
    """What the views need, kept on ``app.extensions['sourcewise']``."""

    settings: Settings
    cache: ResultCache
    analyzer: CachedAnalyzer
    version: str
    metrics: Metrics | None = None  # None: METRICS_ENABLED is off
    streamer: StreamedAnalysis | None = None  # POST /analyze with Accept: application/x-ndjson (#16)


def create_app(settings: Settings | None = None) -> Flask:
    """Create the Sourcewise web app; settings default to the environment."""
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    # Bytes allowed on the wire: 4 bytes per character (UTF-8 worst case) plus JSON overhead;
    # the character limit itself is checked after parsing, for a precise message.
    app.config["MAX_CONTENT_LENGTH"] = settings.max_text_chars * 6 + REQUEST_SLACK_BYTES
    app.json.sort_keys = False
    version = model_version()
    warm_vocab()  # before gunicorn forks (preload): every worker shares the warmed vocabulary
    metrics = METRICS if settings.metrics_enabled else None
    cache = make_cache(settings, on_error=metrics.cache_error if metrics else None)
    analyzer = CachedAnalyzer(analyze_many, version, cache, settings.analysis_timeout, metrics)
    streamer = StreamedAnalysis(analyze_stream, version, cache, analyzer.engine_lock, settings.analysis_timeout, metrics)
    app.extensions["sourcewise"] = AppState(settings, cache, analyzer, version, metrics, streamer)
    app.extensions["sourcewise_feedback"] = make_store(settings)  # readers' reports: Redis or their own SQLite file (#17)
    if settings.trusted_proxy_hops:  # behind a PaaS router: the client is in X-Forwarded-For, not the socket (#12)
        hops = settings.trusted_proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    origins = {"origins": list(settings.cors_origins)}
    CORS(app, resources={r"/analyze*": origins, r"/feedback": origins}, allow_headers=["Content-Type", "Authorization"],
         expose_headers=["X-Cache", "Retry-After"], max_age=600)
    limiter = make_limiter(app, settings)
    if settings.rate_limit:
        limiter.limit(settings.rate_limit, exempt_when=is_preflight)(api)
    app.register_blueprint(api)
    app.register_blueprint(pages)
    register_error_handlers(app)
    _log_requests(app)
    if metrics is not None:
        install_metrics(app, metrics)
    return app


def _log_requests(app: Flask) -> None:
    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()

    @app.after_request
    def _log(response: Response) -> Response:
        elapsed_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        cache_status = response.headers.get("X-Cache", "-")
        access_log.info("%s %s %s %.1fms cache=%s", request.method, request.path, response.status_code, elapsed_ms, cache_status)
        return response
