"""Settings, declared once with their help text and read from ``SKILLS_MATCH_*`` variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from .errors import ConfigurationError

REPO_ROOT = Path(__file__).resolve().parent.parent
ENV_PREFIX = "SKILLS_MATCH_"


def _setting(default: Any, help: str) -> Any:
    return field(default=default, metadata={"help": help})


@dataclass(frozen=True)
class Settings:
    """Every run-time setting of the service; each is also an environment variable."""

    database: str = _setting(
        str(REPO_ROOT / "var" / "skills-match.db"),
        "Path of the SQLite database file (created by `skills-match init`).",
    )
    data_dir: str = _setting(
        str(REPO_ROOT / "data"),
        "Folder holding the derived reference data (`reference/`) shipped with the product.",
    )
    models_dir: str = _setting(
        str(REPO_ROOT / "models"),
        "Folder holding fitted models (the skill level classifier).",
    )
    onnx_model: str = _setting(
        str(REPO_ROOT / "models" / "onnx" / "all-MiniLM-L6-v2.onnx"),
        "The embedding model exported to ONNX (`skills-match export-model`; `init` makes it if "
        "missing). When present, text is embedded with onnxruntime, without PyTorch (same "
        "vectors); when absent, through PyTorch.",
    )
    onnx_threads: int = _setting(
        1,
        "Threads onnxruntime uses to embed text in each process. 1 suits the service, which "
        "runs a worker per core (`SKILLS_MATCH_WORKERS`); more can speed up a lone big job. "
        "`init` uses every core unless this is set.",
    )
    busy_timeout_ms: int = _setting(
        5000, "How long a connection waits for SQLite's write lock before giving up."
    )
    secret_key: str = _setting(
        "",
        "Flask session signing key. Empty: a random key per process (sessions end on restart).",
    )
    session_hours: int = _setting(
        8,
        "Hours a web page sign-in lasts; after that the person signs in again with their key.",
    )
    api_key_pepper: str = _setting(
        "",
        "Secret mixed into API key hashes (HMAC-SHA256). Empty: a development pepper is used "
        "and the service logs a warning; set it in production.",
    )
    max_content_length: int = _setting(
        16 * 1024 * 1024, "Largest request body in bytes; larger bodies get 413."
    )
    rate_limit_match: str = _setting(
        "60 per minute",
        "Requests each API key may make to the match, pathway and skill extraction routes and "
        "the adviser page's searches, together (flask-limiter syntax, "
        "e.g. `60 per minute;1000 per day`; empty: no limit). Counted in memory per worker "
        "process, so the effective limit is this times `SKILLS_MATCH_WORKERS`.",
    )
    rate_limit_bulk: str = _setting(
        "10 per minute",
        "Requests each API key may make to the bulk upload routes (same syntax and per-process "
        "counting as `SKILLS_MATCH_RATE_LIMIT_MATCH`).",
    )
    rate_limit_report: str = _setting(
        "30 per minute",
        "Requests each API key may make to the gap report routes (same syntax and per-process "
        "counting as `SKILLS_MATCH_RATE_LIMIT_MATCH`).",
    )
    cors_origins: str = _setting(
        "",
        "Comma-separated origins (e.g. `https://skills.example.org`) whose browser scripts may "
        "call the API cross-origin. Empty: none (same-origin only).",
    )
    small_cell_threshold: int = _setting(
        10, "Gap-report cells with a count below this are flagged (and suppressible)."
    )
    report_cache_mb: int = _setting(
        256,
        "Memory (MB) each service process may use to hold the gap report's months as arrays, "
        "least recently used first out; 24 months of a million demand-skill rows take about "
        "34 MB. 0: read every month from the database for every report.",
    )
    travel_km: int = _setting(
        20,
        "How far (km, straight line) an adviser's client is assumed to travel to a course when "
        "the request gives no `max_travel_km`. Courses in the client's own council area and "
        "online ones are always included; nearer courses rank a little higher.",
    )
    host: str = _setting("127.0.0.1", "Address `skills-match serve` binds to.")
    port: int = _setting(8000, "Port `skills-match serve` listens on.")
    workers: int = _setting(2, "gunicorn worker processes for `skills-match serve`.")
    log_level: str = _setting("INFO", "Python logging level for the service.")

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from defaults, then ``SKILLS_MATCH_*`` variables, then overrides."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(ENV_PREFIX + f.name.upper())
            if raw is None:
                continue
            if f.type in ("int", int):
                try:
                    values[f.name] = int(raw)
                except ValueError as exc:
                    raise ConfigurationError(
                        f"{ENV_PREFIX}{f.name.upper()} must be a whole number, got {raw!r}"
                    ) from exc
            else:
                values[f.name] = raw
        unknown = set(overrides) - {f.name for f in fields(cls)}
        if unknown:
            raise ConfigurationError(f"Unknown setting(s): {', '.join(sorted(unknown))}")
        values.update(overrides)
        settings = cls(**values)
        return settings

    @classmethod
    def documentation(cls) -> list[tuple[str, str, str]]:
        """(environment variable, default, help) for every setting, for the README."""

        def shown(default: object) -> str:
            # Paths inside the checkout are shown relative to it, as a reader would use them.
            text = str(default)
            return text.replace(str(REPO_ROOT) + os.sep, "") if text else "(empty)"

        return [
            (ENV_PREFIX + f.name.upper(), shown(f.default), f.metadata["help"]) for f in fields(cls)
        ]
