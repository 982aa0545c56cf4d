"""Read and validate an analysis request body (JSON or text/plain)."""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from typing import Any

from flask import Request

from ..engine.labeller import SENSITIVITIES
from ..engine.offsets import UNITS
from .errors import APIError

JSON_TYPES = {"application/json"}
TEXT_TYPES = {"text/plain"}
MAX_UTF8_BYTES = 4  # bytes per character at most


@dataclass(frozen=True)
class AnalysisRequest:
    """What a caller asked for: texts and the offset unit."""

    texts: list[str]
    offsets: str
    sensitivity: str


def _offsets(body: dict[str, Any]) -> str:
    offsets = body.get("offsets", "codepoint")
    if offsets not in UNITS:
        raise APIError(400, "bad_offsets", f"'offsets' must be one of {', '.join(UNITS)}.")
    return offsets


def _sensitivity(value: Any) -> str:
    if value not in SENSITIVITIES:
        raise APIError(400, "bad_sensitivity", f"'sensitivity' must be one of {', '.join(SENSITIVITIES)}.")
    return value


def _json_body(request: Request) -> dict[str, Any]:
    _check_charset(request)
    try:
        body = request.get_json(silent=True)
    except RecursionError as exc:  # JSON nested thousands deep: Python's parser recurses per level (#12)
        raise APIError(400, "bad_json", "The JSON body is nested too deeply.") from exc
    if not isinstance(body, dict):
        raise APIError(400, "bad_json", "The body must be a JSON object, e.g. {\"text\": \"...\"}.")
    return body


def _check_size(texts: list[str], max_chars: int) -> None:
    total = sum(len(text) for text in texts)
    if total > max_chars:
        raise APIError(413, "too_large", f"The text is {total} characters long; the limit is {max_chars}.")


def _media_type(request: Request) -> str:
    media_type = (request.mimetype or "").lower()
    if media_type not in JSON_TYPES | TEXT_TYPES:
        raise APIError(415, "unsupported_media_type", "Send 'Content-Type: application/json' or 'text/plain'.")
    return media_type


def _check_charset(request: Request) -> None:
    """Only UTF-8 (under any of its names) is accepted: other codecs can cost seconds of CPU to decode (#12)."""
    charset = request.mimetype_params.get("charset", "utf-8")
    try:
        utf8 = codecs.lookup(charset).name == "utf-8"
    except LookupError:
        utf8 = False
    if not utf8:
        raise APIError(415, "unsupported_charset", "Send the text encoded as UTF-8 ('charset=utf-8').")


def _plain_text(request: Request, max_chars: int) -> str:
    _check_charset(request)
    data = request.get_data(cache=False)
    if len(data) > max_chars * MAX_UTF8_BYTES:  # too many characters whatever the bytes decode to
        raise APIError(413, "too_large", f"The body is {len(data)} bytes long; the limit is {max_chars} characters.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise APIError(400, "bad_encoding", "The body is not valid UTF-8 text.") from exc


def parse_single(request: Request, max_chars: int, default_sensitivity: str = "balanced") -> AnalysisRequest:
    """Parse ``POST /analyze``: JSON ``{"text", "offsets", "sensitivity"}`` or a plain-text body; ``?offsets=`` and
    ``?sensitivity=`` also work."""
    query_offsets = _offsets({"offsets": request.args.get("offsets", "codepoint")})
    query_sensitivity = _sensitivity(request.args.get("sensitivity", default_sensitivity))
    if _media_type(request) in TEXT_TYPES:
        parsed = AnalysisRequest([_plain_text(request, max_chars)], query_offsets, query_sensitivity)
    else:
        body = _json_body(request)
        text = body.get("text")
        if not isinstance(text, str):
            raise APIError(400, "bad_text", "'text' is required and must be a string.")
        sensitivity = _sensitivity(body["sensitivity"]) if "sensitivity" in body else query_sensitivity
        parsed = AnalysisRequest([text], _offsets(body) if "offsets" in body else query_offsets, sensitivity)
    _check_size(parsed.texts, max_chars)
    return parsed


def parse_batch(request: Request, max_chars: int, max_batch: int, default_sensitivity: str = "balanced") -> AnalysisRequest:
    """Parse ``POST /analyze/batch``: JSON ``{"texts": [...], "offsets", "sensitivity"}``."""
    if _media_type(request) not in JSON_TYPES:
        raise APIError(415, "unsupported_media_type", "Send 'Content-Type: application/json' for a batch.")
    body = _json_body(request)
    texts = body.get("texts")
    if not isinstance(texts, list) or not all(isinstance(text, str) for text in texts):
        raise APIError(400, "bad_texts", "'texts' is required and must be a list of strings.")
    if len(texts) > max_batch:
        raise APIError(413, "too_many_texts", f"A batch holds at most {max_batch} texts; this one has {len(texts)}.")
    _check_size(texts, max_chars)
    return AnalysisRequest(texts, _offsets(body), _sensitivity(body.get("sensitivity", default_sensitivity)))
