"""The HTTP API: thin views over the cached analyser."""

from __future__ import annotations

from collections.abc import Iterator

from flask import Blueprint, Response, current_app, g, jsonify, request

from .errors import APIError
from .feedback import LABELS, VERDICTS, FeedbackUnavailable, Report, stamp
from .requests_parsing import parse_batch, parse_feedback, parse_single
from .security import is_preflight, require_api_key
from .streaming import MEDIA_TYPE as STREAM_TYPE

api = Blueprint("api", __name__)


def _state():
    return current_app.extensions["sourcewise"]


@api.before_request
def _authenticate() -> None:
    if request.endpoint in {"api.analyze", "api.analyze_batch", "api.feedback"} and not is_preflight():
        require_api_key(_state().settings)


@api.post("/analyze")
def analyze() -> Response:
    """Analyse one text."""
    state = _state()
    parsed = parse_single(request, state.settings.max_text_chars, state.settings.sensitivity)
    if wants_stream(request):
        lines, g.cache_status = state.streamer.lines(parsed.texts[0], parsed.offsets, parsed.sensitivity)
        return _stream_response(lines, g.cache_status)
    results, g.cache_status = state.analyzer.run(parsed.texts, parsed.offsets, parsed.sensitivity)
    return _json_response(results[0], g.cache_status)


@api.post("/analyze/batch")
def analyze_batch() -> Response:
    """Analyse several texts, each cached on its own."""
    state = _state()
    parsed = parse_batch(request, state.settings.max_text_chars, state.settings.max_batch, state.settings.sensitivity)
    results, g.cache_status = state.analyzer.run(parsed.texts, parsed.offsets, parsed.sensitivity)
    return _json_response('{"results":[' + ",".join(results) + "]}", g.cache_status)


@api.post("/feedback")
def feedback() -> tuple[Response, int]:
    """Store a reader's report that a label is wrong or missing (#17); 503 rather than lose it."""
    report = stamp(Report(**parse_feedback(request, LABELS, VERDICTS)), _state().version)
    try:
        current_app.extensions["sourcewise_feedback"].add(report)
    except FeedbackUnavailable as exc:
        current_app.logger.warning("Feedback not stored: %s", exc)
        raise APIError(503, "feedback_unavailable", "The report could not be stored; nothing was kept. Try again later.") from exc
    return jsonify({"id": report.id}), 201


def wants_stream(request) -> bool:
    """``Accept: application/x-ndjson`` (preferred over JSON) asks for the streamed answer."""
    accept = request.accept_mimetypes
    return accept[STREAM_TYPE] > accept["application/json"]


def _stream_response(lines: Iterator[bytes], cache_status: str) -> Response:
    # X-Accel-Buffering: nginx (and routers that honour it) pass each line on at once instead of buffering the answer
    return Response(lines, mimetype=STREAM_TYPE, headers={"X-Cache": cache_status, "X-Accel-Buffering": "no", "Cache-Control": "no-cache"})


def _json_response(body: str, cache_status: str) -> Response:
    return Response(body, mimetype="application/json", headers={"X-Cache": cache_status})
