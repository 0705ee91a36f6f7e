"""Typed settings from the environment (and an optional ``.env``), read once per process.

The environment variable names are the public contract: ``DATABASE_URL``, ``REDIS_URL``,
``OPENAI_BASE_URL``, ``OPENAI_API_KEY``, ``LLM_MODEL``, ``SECRET_KEY`` and the tuning knobs
below. ``.env.example`` documents each. A missing or malformed required value raises
:class:`SettingsError` naming every offending variable, before anything starts.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import Field, HttpUrl, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_SECRET_KEY = "dev-insecure-key-for-local-development-only"
PLACEHOLDER_SECRET_KEYS = frozenset(
    {"", "changeme", "change-me", "secret", "dev-insecure-key", DEV_SECRET_KEY}
)
MIN_SECRET_KEY_LENGTH = 32


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


class Environment(StrEnum):
    """Where the process runs; only ``development`` tolerates a missing or placeholder
    ``SECRET_KEY`` (``test`` and ``production`` need a real one)."""

    DEVELOPMENT = "development"
    TEST = "test"
    PRODUCTION = "production"


class StructuredOutputMode(StrEnum):
    """How the analysis asks the LLM for JSON (see the analysis module)."""

    AUTO = "auto"
    JSON_SCHEMA = "json_schema"
    JSON_OBJECT = "json_object"
    TEXT = "text"


PositiveInt = Annotated[int, Field(gt=0)]


class Settings(BaseSettings):
    """Every setting of both services. Field names map to upper-case environment variables."""

    model_config = SettingsConfigDict(
        env_file=".env", env_file_encoding="utf-8", extra="ignore", case_sensitive=False
    )

    environment: Environment = Environment.PRODUCTION
    database_url: str = Field(description="postgresql://user:password@host:5432/dbname")
    redis_url: str = Field(description="redis://host:6379/0")
    secret_key: SecretStr = SecretStr("")
    access_token_expire_minutes: PositiveInt = 60
    jwt_algorithm: Literal["HS256", "HS384", "HS512"] = "HS256"

    # LLM (worker and analysis)
    openai_base_url: HttpUrl | None = None
    openai_api_key: SecretStr = SecretStr("")
    llm_model: str = "gpt-4o-mini"
    llm_timeout_seconds: Annotated[float, Field(gt=0)] = 120.0
    llm_max_attempts: PositiveInt = 4
    llm_retry_base_seconds: Annotated[float, Field(ge=0)] = 1.0
    llm_retry_max_seconds: Annotated[float, Field(ge=0)] = 30.0
    analysis_output_mode: StructuredOutputMode = StructuredOutputMode.AUTO

    # API
    max_request_body_bytes: PositiveInt = 1_048_576
    database_pool_size: PositiveInt = 10
    database_max_overflow: Annotated[int, Field(ge=0)] = 10
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    # Worker
    worker_max_jobs: PositiveInt = 100
    worker_job_timeout_seconds: PositiveInt = 300
    worker_poll_delay_seconds: Annotated[float, Field(gt=0)] = 0.02
    worker_sweep_interval_seconds: PositiveInt = 15
    # A running job whose heartbeat is older than this belongs to a dead worker; the sweep
    # re-queues it (at most worker_max_recoveries times, then fails it).
    worker_heartbeat_ttl_seconds: Annotated[float, Field(gt=0)] = 10.0
    worker_max_recoveries: Annotated[int, Field(ge=0)] = 3
    # None: derived from worker_max_jobs (see generator_worker.runtime.database_pool_size).
    worker_database_pool_size: PositiveInt | None = None
    arq_queue_name: str = "personagen:queue"

    # Analysis
    analysis_min_words: PositiveInt = 50
    analysis_max_words: PositiveInt = 20_000

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str) -> str:
        if not value.startswith(("postgresql://", "postgres://", "postgresql+asyncpg://")):
            raise ValueError("must be a postgresql:// URL")
        return value

    @field_validator("redis_url")
    @classmethod
    def _check_redis_url(cls, value: str) -> str:
        if not value.startswith(("redis://", "rediss://", "unix://")):
            raise ValueError("must be a redis:// URL")
        return value

    @model_validator(mode="after")
    def _check_secret_key(self) -> Settings:
        key = self.secret_key.get_secret_value()
        if self.environment is not Environment.DEVELOPMENT:
            if key.lower() in PLACEHOLDER_SECRET_KEYS or len(key) < MIN_SECRET_KEY_LENGTH:
                raise ValueError(
                    "SECRET_KEY must be set to a random value of at least "
                    f"{MIN_SECRET_KEY_LENGTH} characters outside development "
                    "(e.g. `python -c 'import secrets; print(secrets.token_urlsafe(48))'`), "
                    "or set ENVIRONMENT=development"
                )
        elif not key:
            self.secret_key = SecretStr(DEV_SECRET_KEY)
        return self

    @property
    def async_database_url(self) -> str:
        """``DATABASE_URL`` with the asyncpg driver, as SQLAlchemy wants it."""
        return to_async_url(self.database_url)


def to_async_url(url: str) -> str:
    """``postgresql://…`` or ``postgres://…`` -> ``postgresql+asyncpg://…`` (others unchanged)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+asyncpg://" + url[len(prefix) :]
    return url


def load_settings(**overrides: object) -> Settings:
    """Read the settings now, raising :class:`SettingsError` with one line per bad variable."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]  # pydantic-settings fills the rest
    except ValidationError as exc:
        lines = []
        for error in exc.errors():
            name = "_".join(str(part) for part in error["loc"]).upper() or "SETTINGS"
            message = error["msg"].removeprefix("Value error, ")
            if error["type"] == "missing":
                message = "is required but not set"
            lines.append(f"  {name}: {message}")
        raise SettingsError("invalid configuration:\n" + "\n".join(lines)) from None


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (cached; tests call ``get_settings.cache_clear()``)."""
    return load_settings()
