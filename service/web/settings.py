"""Settings, read only from the environment (12-factor)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import platformdirs

from ..engine.labeller import DEFAULT_SENSITIVITY, SENSITIVITIES

DEFAULT_CORS_ORIGINS = (
    r"^chrome-extension://[a-p]{32}$",
    r"^moz-extension://[0-9a-f-]{36}$",
    r"^http://127\.0\.0\.1(:\d+)?$",
    r"^http://localhost(:\d+)?$",
)


def default_cache_dir(env: Mapping[str, str] = os.environ) -> str:
    """CACHE_DIR, else ``sourcewise`` in the user's cache directory (~/.cache/sourcewise on Linux)."""
    return env.get("CACHE_DIR") or platformdirs.user_cache_dir("sourcewise")


def default_feedback_db(env: Mapping[str, str] = os.environ) -> str:
    """FEEDBACK_DB, else ``feedback.sqlite3`` in the user's data directory (~/.local/share/sourcewise on Linux), not the cache's."""
    return env.get("FEEDBACK_DB") or os.path.join(platformdirs.user_data_dir("sourcewise"), "feedback.sqlite3")


def _split(value: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in value.split(",") if item.strip())


@dataclass(frozen=True)
class Settings:
    """Everything the web service can be configured with."""

    redis_url: str | None = None
    cache_ttl: int = 86_400
    cache_dir: str = field(default_factory=default_cache_dir)
    cache_size_mb: int = 256
    redis_timeout: float = 0.25
    redis_retry_seconds: float = 2.0
    max_text_chars: int = 200_000
    max_batch: int = 50
    cors_origins: tuple[str, ...] = DEFAULT_CORS_ORIGINS
    api_keys: frozenset[str] = field(default_factory=frozenset)
    rate_limit: str | None = "600 per minute"
    analysis_timeout: float | None = 40.0  # seconds of analysis per request before a 503; None: no deadline
    trusted_proxy_hops: int = 0  # proxies in front that append to X-Forwarded-For (0: use the socket's address)
    sensitivity: str = DEFAULT_SENSITIVITY  # label thresholds when a request names none: strict | balanced | sensitive
    metrics_enabled: bool = True  # GET /metrics and the counting behind it (#18)
    metrics_token: str | None = None  # when set, GET /metrics needs it as a bearer token
    feedback_db: str = field(default_factory=default_feedback_db)  # readers' reports when REDIS_URL is not set (#17)

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> Settings:
        """Build settings from environment variables, falling back to defaults."""
        defaults = cls()
        rate_limit = env.get("RATE_LIMIT", defaults.rate_limit or "")
        return cls(
            redis_url=env.get("REDIS_URL") or None,
            cache_ttl=int(env.get("CACHE_TTL", defaults.cache_ttl)),
            cache_dir=default_cache_dir(env),
            cache_size_mb=int(env.get("CACHE_SIZE_MB", defaults.cache_size_mb)),
            redis_timeout=float(env.get("REDIS_TIMEOUT", defaults.redis_timeout)),
            redis_retry_seconds=float(env.get("REDIS_RETRY_SECONDS", defaults.redis_retry_seconds)),
            max_text_chars=int(env.get("MAX_TEXT_CHARS", defaults.max_text_chars)),
            max_batch=int(env.get("MAX_BATCH", defaults.max_batch)),
            cors_origins=_split(env["CORS_ORIGINS"]) if env.get("CORS_ORIGINS") else defaults.cors_origins,
            api_keys=frozenset(_split(env.get("API_KEYS", ""))),
            rate_limit=None if rate_limit.lower() in {"", "off", "none"} else rate_limit,
            analysis_timeout=_seconds_or_none(env.get("ANALYSIS_TIMEOUT"), defaults.analysis_timeout),
            trusted_proxy_hops=int(env.get("TRUSTED_PROXY_HOPS", defaults.trusted_proxy_hops)),
            sensitivity=_sensitivity(env.get("SENSITIVITY", defaults.sensitivity)),
            metrics_enabled=env.get("METRICS_ENABLED", "1").strip().lower() not in {"0", "off", "false", "no"},
            metrics_token=env.get("METRICS_TOKEN") or None,
            feedback_db=default_feedback_db(env),
        )


def _sensitivity(value: str) -> str:
    value = value.strip().lower()
    if value not in SENSITIVITIES:
        raise ValueError(f"SENSITIVITY must be one of {', '.join(SENSITIVITIES)}, got {value!r}")
    return value


def _seconds_or_none(value: str | None, default: float | None) -> float | None:
    if value is None or value.strip() == "":
        return default
    return None if value.strip().lower() in {"off", "none", "0"} else float(value)
