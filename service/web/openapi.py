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
            "sensitivity": {"$ref": "#/components/schemas/Sensitivity"},
        },
    },
    "BatchRequest": {
        "type": "object",
        "required": ["texts"],
        "properties": {
            "texts": {"type": "array", "items": {"type": "string"}},
            "offsets": {"$ref": "#/components/schemas/OffsetUnit"},
            "sensitivity": {"$ref": "#/components/schemas/Sensitivity"},
        },
    },
    "Sensitivity": {
        "type": "string",
        "enum": ["strict", "balanced", "sensitive"],
        "description": (
            "Label thresholds: strict marks fewer, surer sentences (each label's precision about 0.90 on held-out reader judgements), "
            "balanced is precision first (about 0.80), sensitive marks more (about 0.65). Default: the server's SENSITIVITY (balanced)."
        ),
    },
    "Scores": {
        "type": "object",
        "required": ["speculative", "vague_source", "unsourced", "sourced"],
        "description": "The calibrated probability of each label (0 for a line that is not judged: a credit, byline or caption).",
        "properties": {name: {"type": "number", "minimum": 0, "maximum": 1} for name in ["speculative", "vague_source", "unsourced", "sourced"]},
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
            {"type": "object", "required": ["kind"], "properties": {
                "kind": {"type": "string", "enum": ["named", "vague"]},
                "refers_to": {"type": ["string", "null"], "description": (
                    "For a pronoun source ('he', 'it', a quoted 'I'), the name it stands for ('Mr Obama'); null for a name, or for a "
                    "pronoun nothing earlier in the text names (explained as 'someone named earlier').")},
            }},
        ]
    },
    "Span": _SPAN,
    "Sentence": {
        "allOf": [
            {"$ref": "#/components/schemas/Span"},
            {
                "type": "object",
                "required": ["labels", "scores", "claim", "score", "explanation", "cues", "source"],
                "properties": {
                    "labels": {"type": "array", "items": _LABEL},
                    "scores": {"$ref": "#/components/schemas/Scores"},
                    "claim": {"type": "boolean", "description": "The sentence asserts something checkable."},
                    "score": {"type": "number", "minimum": 0, "maximum": 1,
                              "description": "How strongly a reader should doubt it: the highest probability among its doubt labels (0 when it has none)."},
                    "explanation": {"type": "string"},
                    "cues": {"type": "array", "items": {"$ref": "#/components/schemas/Cue"}},
                    "source": {"oneOf": [{"$ref": "#/components/schemas/Source"}, {"type": "null"}]},
                },
            },
        ]
    },
    "Result": {
        "type": "object",
        "required": ["model", "offsets", "sensitivity", "sentences", "summary"],
        "properties": {
            "model": {"type": "string", "description": "Package, spaCy model and a hash of the label weights."},
            "offsets": {"$ref": "#/components/schemas/OffsetUnit"},
            "sensitivity": {"$ref": "#/components/schemas/Sensitivity"},
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
    "FeedbackRequest": {
        "type": "object",
        "required": ["sentence", "label", "verdict"],
        "description": "A reader's report on one label of one sentence (#17); other fields are ignored and not stored.",
        "properties": {
            "sentence": {"type": "string", "minLength": 1, "maxLength": 2000, "pattern": "\\S", "description": "The sentence as analysed."},
            "context": {"type": ["string", "null"], "maxLength": 4000, "description": "The sentences before it, to judge who speaks."},
            "labels": {"type": "array", "items": _LABEL, "description": "The labels the engine gave the sentence."},
            "label": {**_LABEL, "description": "The disputed label."},
            "verdict": {"type": "string", "enum": ["wrong", "missing"], "description": (
                "wrong: the label should not be there (it must be in labels); missing: it should (it must not be in labels).")},
            "url": {"type": ["string", "null"], "maxLength": 2000, "description": "The page the sentence came from."},
        },
        "allOf": [  # 'wrong' disputes a label the engine gave, 'missing' one it did not give
            {"if": {"required": ["label", "verdict"], "properties": {"label": {"const": name}, "verdict": {"const": verdict}}},
             "then": {"required": ["labels"], "properties": {"labels": {"contains": {"const": name}}}} if verdict == "wrong"
             else {"properties": {"labels": {"not": {"contains": {"const": name}}}}}}
            for name in _LABEL["enum"] for verdict in ("wrong", "missing")
        ],
    },
    "FeedbackCreated": {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}}},
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
    "400": _error("Bad JSON (or nested too deep), a text/plain body that is not UTF-8, missing or non-string text, unknown offsets or sensitivity."),
    "401": _error("API keys are configured and none (or a wrong one) was given."),
    "413": _error("Text longer than MAX_TEXT_CHARS or batch larger than MAX_BATCH."),
    "415": _error("Content type other than application/json or text/plain, or a charset other than UTF-8."),
    "429": _error("Rate limit exceeded; see Retry-After."),
    "503": _error("The analysis ran past ANALYSIS_TIMEOUT; see Retry-After."),
}


_METRICS = {
    "get": {
        "summary": "Prometheus metrics of this instance (every worker counted)",
        "description": (
            "The Prometheus text format: requests by route and status, request and analysis duration histograms, cache "
            "lookups and errors by backend, texts and characters analysed, analysis timeouts, worker memory and replacements, "
            "sourcewise_build_info. Scrape each instance directly, not through the router. When METRICS_TOKEN is set, "
            "send it as 'Authorization: Bearer <token>'. Not rate limited; 404 when METRICS_ENABLED=0."
        ),
        "responses": {
            "200": {"description": "The metrics", "content": {"text/plain": {"schema": {"type": "string"}}}},
            "401": _error("METRICS_TOKEN is set and was not given (or a wrong one was)."),
            "404": _error("Metrics are switched off (METRICS_ENABLED=0)."),
        },
    }
}


# Streamed answer (#16): Accept: application/x-ndjson on POST /analyze.
_STREAM_DESCRIPTION = (
    "The analysis. With `Accept: application/x-ndjson` (preferred over application/json) the answer streams as NDJSON: one "
    "`{\"sentences\": [...]}` line per analysed chunk of the text (paragraph-aligned; offsets into the whole text in the asked unit) "
    "as soon as it is ready, then `{\"summary\", \"model\", \"offsets\", \"sensitivity\"}`. An error after the stream started (e.g. the analysis "
    "timeout) is a last `{\"error\": {\"code\", \"message\"}}` line. Bad requests are answered before any line, as plain JSON "
    "errors. A cached text streams at once; a completed stream fills the cache. The lines add up to the plain JSON answer. "
    "Each line is one JSON object ending with a newline. Behind a proxy, response buffering must be off for the lines to "
    "arrive as they are sent (the answer carries `X-Accel-Buffering: no`; nginx: `proxy_buffering off`)."
)
_X_ACCEL = {"X-Accel-Buffering": {"description": "`no` on a streamed answer: proxies that honour it (nginx) pass each line on at once",
                                  "schema": {"type": "string"}}}
_SCHEMAS["StreamLine"] = {
    "description": "One NDJSON line of a streamed answer: a chunk's sentences, the closing summary, or a final error.",
    "oneOf": [
        {"type": "object", "required": ["sentences"], "properties": {"sentences": {"type": "array", "items": {"$ref": "#/components/schemas/Sentence"}}}},
        {"type": "object", "required": ["summary", "model", "offsets", "sensitivity"], "properties": {
            "summary": _SCHEMAS["Result"]["properties"]["summary"], "model": {"type": "string"}, "offsets": {"$ref": "#/components/schemas/OffsetUnit"},
            "sensitivity": {"$ref": "#/components/schemas/Sensitivity"}}},
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
                         "schema": {"$ref": "#/components/schemas/OffsetUnit"}},
                        {"name": "sensitivity", "in": "query", "required": False, "description": "Label thresholds when the body has none.",
                         "schema": {"$ref": "#/components/schemas/Sensitivity"}},
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
            "/feedback": {
                "post": {
                    "summary": "Report a label as wrong or missing",
                    "description": ("Stored durably: in Redis (a stream with no expiry) when REDIS_URL is set, else in the SQLite file FEEDBACK_DB. "
                                    "`sourcewise feedback export` writes the reports as reader-judged JSON Lines."),
                    "requestBody": {"required": True, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedbackRequest"}}}},
                    "responses": {
                        "201": {"description": "Stored", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/FeedbackCreated"}}}},
                        "400": _error("Bad JSON, a missing or wrongly typed field, an unknown label or verdict, "
                                      "a verdict that contradicts labels ('wrong' for a label not given, 'missing' for one given), "
                                      "or a field over its limit (sentence 2000, context 4000, url 2000 characters: code too_long)."),
                        "401": _ERRORS["401"],
                        "413": _error("A body larger than the service accepts at all."),
                        "415": _error("Content type other than application/json, or a charset other than UTF-8."),
                        "429": _ERRORS["429"],
                        "503": _error("The report could not be stored (Redis or the database unavailable); nothing was kept, try again."),
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
            "/metrics": _METRICS,
        },
        "components": {"schemas": _SCHEMAS},
    }
