"""JSON errors with the right status, for every failure, never a stack trace."""

from __future__ import annotations

import logging

from flask import Flask, Response, jsonify
from werkzeug.exceptions import HTTPException

from ..engine.limits import AnalysisTimeout

log = logging.getLogger("sourcewise.errors")

_CODES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    429: "rate_limited",
}
RETRY_AFTER_SECONDS = 10
TIMEOUT_ERROR = ("analysis_timeout", "The text took too long to analyse; try a shorter text or try again later.")
INTERNAL_ERROR = ("internal_error", "The server could not analyse this request.")


class APIError(Exception):
    """An error to answer as ``{"error": {"code", "message"}}`` with an HTTP status."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_response(status: int, code: str, message: str) -> Response:
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    """Answer API errors, HTTP errors and unexpected exceptions as JSON."""

    @app.errorhandler(APIError)
    def _api_error(error: APIError) -> Response:
        return error_response(error.status, error.code, error.message)

    @app.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        status = error.code or 500
        messages = {
            413: "The request body is too large.",
            429: f"Too many requests: the limit is {error.description}. Try again later.",
        }
        response = error_response(status, _CODES.get(status, "http_error"), messages.get(status, error.description or error.name))
        for name, value in error.get_headers():
            if name.lower() in {"retry-after", "allow"}:
                response.headers[name] = value
        return response

    @app.errorhandler(AnalysisTimeout)
    def _timeout(error: AnalysisTimeout) -> Response:
        response = error_response(503, *TIMEOUT_ERROR)
        response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def _unexpected(error: Exception) -> Response:
        log.error("Unexpected error: %s", type(error).__name__)
        return error_response(500, *INTERNAL_ERROR)
