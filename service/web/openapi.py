"""The OpenAPI 3.1 document describing the real responses."""

from __future__ import annotations

from .. import __version__

_SPAN = {
    "type": "object",
    "required": ["start", "end", "text"],
    "properties": {
        "start": {"type": "integer", "minimum": 0, "description": "Offset of the first character, in the unit asked for."},
        "end": {"type": "integer", "minimum": 0, "description": "Offset just past the last character."},
        "text": {"type": "string", "description": "Exactly text[start:end] (in the chosen unit)."},
    },
}

_LABEL = {"type": "string", "enum": ["speculative", "vague_source", "unsourced", "sourced"]}

_SCHEMAS = {
    "AnalyzeRequest": {
        "type": "object",
        "required": ["text"],
        "properties": {
            "text": {"type": "string", "description": "The article text."},
            "offsets": {"$ref": "#/components/schemas/OffsetUnit"},
        },
    },
    "BatchRequest": {
        "type": "object",
        "required": ["texts"],
        "properties": {
            "texts": {"type": "array", "items": {"type": "string"}},
            "offsets": {"$ref": "#/components/schemas/OffsetUnit"},
        },
    },
    "OffsetUnit": {
        "type": "string",
        "enum": ["codepoint", "utf16"],
        "default": "codepoint",
        "description": "Unicode code points (Python, most languages) or UTF-16 code units (JavaScript, the DOM).",
    },
    "Cue": {
        "allOf": [
            {"$ref": "#/components/schemas/Span"},
            {
                "type": "object",
                "required": ["kind", "type"],
                "properties": {
                    "kind": {"type": "string", "enum": ["speculation", "attribution", "claim"]},
                    "type": {"type": "string", "description": (
                        "speculation: epistemic, doxastic, investigation, condition, prediction, question; "
                        "attribution: according_to, reporting_verb, passive, adverb, headline_colon, quote_signature, stance "
                        "(a stance or act found by the trained classifier); claim: number, date, quantity, percent, money, actor, effect"
                    )},
                },
            },
        ]
    },
    "Source": {
        "allOf": [
            {"$ref": "#/components/schemas/Span"},
            {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string", "enum": ["named", "vague"]}}},
        ]
    },
    "Span": _SPAN,
    "Sentence": {
        "allOf": [
            {"$ref": "#/components/schemas/Span"},
            {
                "type": "object",
                "required": ["labels", "claim", "score", "explanation", "cues", "source"],
                "properties": {
                    "labels": {"type": "array", "items": _LABEL},
                    "claim": {"type": "boolean", "description": "The sentence asserts something checkable."},
                    "score": {"type": "number", "minimum": 0, "maximum": 1, "description": "How strongly a reader should doubt it."},
                    "explanation": {"type": "string"},
                    "cues": {"type": "array", "items": {"$ref": "#/components/schemas/Cue"}},
                    "source": {"oneOf": [{"$ref": "#/components/schemas/Source"}, {"type": "null"}]},
                },
            },
        ]
    },
    "Result": {
        "type": "object",
        "required": ["model", "offsets", "sentences", "summary"],
        "properties": {
            "model": {"type": "string"},
            "offsets": {"$ref": "#/components/schemas/OffsetUnit"},
            "sentences": {"type": "array", "items": {"$ref": "#/components/schemas/Sentence"}},
            "summary": {
                "type": "object",
                "required": ["sentences", "speculative", "vague_source", "unsourced", "sourced"],
                "properties": {name: {"type": "integer", "minimum": 0} for name in ["sentences", "speculative", "vague_source", "unsourced", "sourced"]},
            },
        },
    },
    "BatchResult": {
        "type": "object",
        "required": ["results"],
        "properties": {"results": {"type": "array", "items": {"$ref": "#/components/schemas/Result"}}},
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}},
            }
        },
    },
}


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


_X_CACHE = {"X-Cache": {"description": "hit, miss or off (cache unavailable)", "schema": {"type": "string", "enum": ["hit", "miss", "off"]}}}

_ERRORS = {
    "400": _error("Bad JSON (or nested too deep), a text/plain body that is not UTF-8, missing or non-string text, unknown offsets."),
    "401": _error("API keys are configured and none (or a wrong one) was given."),
    "413": _error("Text longer than MAX_TEXT_CHARS or batch larger than MAX_BATCH."),
    "415": _error("Content type other than application/json or text/plain, or a charset other than UTF-8."),
    "429": _error("Rate limit exceeded; see Retry-After."),
    "503": _error("The analysis ran past ANALYSIS_TIMEOUT; see Retry-After."),
}


# Streamed answer (#16): Accept: application/x-ndjson on POST /analyze.
_STREAM_DESCRIPTION = (
    "The analysis. With `Accept: application/x-ndjson` (preferred over application/json) the answer streams as NDJSON: one "
    "`{\"sentences\": [...]}` line per analysed chunk of the text (paragraph-aligned; offsets into the whole text in the asked unit) "
    "as soon as it is ready, then `{\"summary\", \"model\", \"offsets\"}`. An error after the stream started (e.g. the analysis "
    "timeout) is a last `{\"error\": {\"code\", \"message\"}}` line. Bad requests are answered before any line, as plain JSON "
    "errors. A cached text streams at once; a completed stream fills the cache. The lines add up to the plain JSON answer."
)
_X_ACCEL = {"X-Accel-Buffering": {"description": "`no` on a streamed answer: proxies that honour it (nginx) pass each line on at once",
                                  "schema": {"type": "string"}}}
_SCHEMAS["StreamLine"] = {
    "description": "One NDJSON line of a streamed answer: a chunk's sentences, the closing summary, or a final error.",
    "oneOf": [
        {"type": "object", "required": ["sentences"], "properties": {"sentences": {"type": "array", "items": {"$ref": "#/components/schemas/Sentence"}}}},
        {"type": "object", "required": ["summary", "model", "offsets"], "properties": {
            "summary": _SCHEMAS["Result"]["properties"]["summary"], "model": {"type": "string"}, "offsets": {"$ref": "#/components/schemas/OffsetUnit"}}},
        {"$ref": "#/components/schemas/Error"},
    ],
}


def openapi_document(model: str) -> dict:
    """Build the OpenAPI 3.1 document."""
    analyze_body = {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/AnalyzeRequest"}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Sourcewise API",
            "version": __version__,
            "description": f"Marks speculative, vaguely sourced, unsourced and sourced sentences. Model: {model}.",
        },
        "paths": {
            "/analyze": {
                "post": {
                    "summary": "Analyse one text",
                    "parameters": [
                        {"name": "offsets", "in": "query", "required": False, "description": "Offset unit when the body has none.",
                         "schema": {"$ref": "#/components/schemas/OffsetUnit"}}
                    ],
                    "requestBody": analyze_body,
                    "responses": {
                        "200": {"description": _STREAM_DESCRIPTION, "headers": {**_X_CACHE, **_X_ACCEL},
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Result"}},
                                            "application/x-ndjson": {"schema": {"$ref": "#/components/schemas/StreamLine"}}}},
                        **_ERRORS,
                    },
                }
            },
            "/analyze/batch": {
                "post": {
                    "summary": "Analyse several texts, each cached on its own",
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}}}},
                    "responses": {
                        "200": {"description": "One result per text, in order", "headers": _X_CACHE,
                                "content": {"application/json": {"schema": {"$ref": "#/components/schemas/BatchResult"}}}},
                        **_ERRORS,
                    },
                }
            },
            "/health": {"get": {"summary": "Process alive", "responses": {"200": {"description": "ok", "content": {"application/json": {
                "schema": {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}}}}}}},
            "/ready": {"get": {"summary": "Model loaded; the cache in use and its state", "responses": {"200": {"description": "ready", "content": {
                "application/json": {"schema": {"type": "object", "required": ["status", "model", "cache", "redis"], "properties": {
                    "status": {"type": "string"}, "model": {"type": "string"},
                    "cache": {"type": "object", "required": ["backend", "status"], "properties": {
                        "backend": {"type": "string", "enum": ["disk", "redis"], "description": "disk: the embedded cache in CACHE_DIR; redis: REDIS_URL"},
                        "status": {"type": "string", "enum": ["ok", "down"], "description": "down: requests are served uncached (X-Cache: off)"}}},
                    "redis": {"type": "string", "enum": ["ok", "down", "disabled"]}}}}}}}}},
        },
        "components": {"schemas": _SCHEMAS},
    }
