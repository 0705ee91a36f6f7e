"""Settings: required values, clear messages, the SECRET_KEY rule, URL derivation."""

from __future__ import annotations

import pytest

from personagen_shared.settings import SettingsError, load_settings, to_async_url

GOOD = {"database_url": "postgresql://u@h:5432/db", "redis_url": "redis://h:6379/0"}


def test_missing_required_values_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ENVIRONMENT"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir("/")  # no .env here
    with pytest.raises(SettingsError) as info:
        load_settings(environment="development")
    message = str(info.value)
    assert "DATABASE_URL: is required but not set" in message
    assert "REDIS_URL: is required but not set" in message


def test_malformed_values_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir("/")
    with pytest.raises(SettingsError, match="DATABASE_URL: must be a postgresql:// URL"):
        load_settings(environment="development", database_url="mysql://x", redis_url="redis://h")
    with pytest.raises(SettingsError, match="WORKER_MAX_JOBS"):
        load_settings(environment="development", worker_max_jobs=0, **GOOD)


@pytest.mark.parametrize(
    "key", ["", "changeme", "secret", "dev-insecure-key", "short-but-random-1234"]
)
def test_outside_development_a_missing_or_placeholder_secret_key_is_refused(
    monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.chdir("/")
    for environment in ("production", "test"):
        with pytest.raises(SettingsError, match="SECRET_KEY must be set"):
            load_settings(environment=environment, secret_key=key, **GOOD)


def test_development_tolerates_a_missing_key_and_production_accepts_a_real_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir("/")
    dev = load_settings(environment="development", secret_key="", **GOOD)
    assert dev.secret_key.get_secret_value()
    prod = load_settings(environment="production", secret_key="k" * 48, **GOOD)
    assert "k" * 48 not in repr(prod), "secrets are masked in reprs"


def test_async_url_derivation() -> None:
    assert to_async_url("postgresql://u:p@h:5/d") == "postgresql+asyncpg://u:p@h:5/d"
    assert to_async_url("postgres://u@h/d") == "postgresql+asyncpg://u@h/d"
    assert to_async_url("postgresql+asyncpg://u@h/d") == "postgresql+asyncpg://u@h/d"


def test_env_example_documents_every_setting() -> None:
    import re

    from personagen_shared.settings import Settings
    from tests.conftest import ROOT

    text = (ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z_]+)=", text, re.MULTILINE))
    assert documented == {name.upper() for name in Settings.model_fields}


async def test_database_errors_never_carry_statement_parameters(database_url: str) -> None:
    from sqlalchemy import String, bindparam, text
    from sqlalchemy.exc import DBAPIError

    from personagen_shared.db import make_engine
    from personagen_shared.settings import get_settings

    # A server-side error (division by zero): the message names no parameter, so only
    # SQLAlchemy's "[parameters: ...]" suffix could carry the value.
    statement = text("SELECT 1 / 0 WHERE :secret <> ''").bindparams(
        bindparam("secret", type_=String)
    )
    engine = make_engine(get_settings())
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError) as caught:
                await conn.execute(statement, {"secret": "PROMPT-TEXT"})
    finally:
        await engine.dispose()
    assert "PROMPT-TEXT" not in str(caught.value)
