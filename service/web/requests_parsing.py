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


# POST /feedback (#17): a reader's report on one label of one sentence.
FEEDBACK_LIMITS = {"sentence": 2000, "context": 4000, "url": 2000}


def _feedback_text(body: dict[str, Any], name: str, required: bool) -> str | None:
    value = body.get(name)
    if value is None and not required:
        return None
    if not isinstance(value, str) or (required and not value.strip()):
        requirement = "is required and must be a non-empty string" if required else "must be a string or null"
        raise APIError(400, f"bad_{name}", f"'{name}' {requirement}.")
    if len(value) > FEEDBACK_LIMITS[name]:
        raise APIError(400, "too_long", f"'{name}' is {len(value)} characters long; the limit is {FEEDBACK_LIMITS[name]}.")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate ("\ud800") is valid JSON but not text that can be stored
        raise APIError(400, f"bad_{name}", f"'{name}' is not valid Unicode text.") from exc
    return value


def parse_feedback(request: Request, labels: tuple[str, ...], verdicts: tuple[str, ...]) -> dict[str, Any]:
    """Parse ``POST /feedback``: JSON ``{"sentence", "context", "labels", "label", "verdict", "url"}``; unknown fields are ignored."""
    if _media_type(request) not in JSON_TYPES:
        raise APIError(415, "unsupported_media_type", "Send 'Content-Type: application/json' for a report.")
    body = _json_body(request)
    sentence = _feedback_text(body, "sentence", required=True)
    context = _feedback_text(body, "context", required=False) or ""
    url = _feedback_text(body, "url", required=False)
    given = body.get("labels", [])
    if not isinstance(given, list) or not all(isinstance(item, str) and item in labels for item in given):
        raise APIError(400, "bad_labels", f"'labels' must be a list of the labels the engine gave, each one of {', '.join(labels)}.")
    label = body.get("label")
    if not isinstance(label, str) or label not in labels:
        raise APIError(400, "bad_label", f"'label' (the disputed label) is required and must be one of {', '.join(labels)}.")
    verdict = body.get("verdict")
    if not isinstance(verdict, str) or verdict not in verdicts:
        raise APIError(400, "bad_verdict", f"'verdict' is required and must be one of {', '.join(verdicts)}.")
    if (verdict == "wrong") != (label in given):
        which = "is not among" if verdict == "wrong" else "is already among"
        raise APIError(400, "bad_verdict", f"'{label}' {which} 'labels': 'wrong' disputes a label the engine gave, 'missing' one it did not give.")
    return {"sentence": sentence, "context": context, "labels": list(dict.fromkeys(given)), "label": label, "verdict": verdict, "url": url}
