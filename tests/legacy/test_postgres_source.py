"""A legacy database on PostgreSQL (Django's PostgreSQL types), read with asyncpg."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import asyncpg
import pytest

from personagen.legacy import import_legacy
from tests.conftest import TEST_POSTGRES_URL, _with_database
from tests.legacy._support import FLAT_DB, JSON_DB, sqlite_to_postgres
from tests.legacy.compare import assert_matches_expected


@pytest.fixture
async def scratch_postgres() -> AsyncIterator[str]:
    """URL of a new, empty PostgreSQL database for a legacy copy (dropped afterwards)."""
    name = f"legacy_src_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(TEST_POSTGRES_URL)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield _with_database(TEST_POSTGRES_URL, name)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


@pytest.mark.parametrize("database", [JSON_DB, FLAT_DB], ids=["json", "flat"])
async def test_postgres_source_imports_as_expected(
    database_url: str, scratch_postgres: str, database: Path
) -> None:
    await sqlite_to_postgres(database, scratch_postgres)

    report = await import_legacy(scratch_postgres, database_url)

    assert report.backend == "postgresql"
    assert report.state == ("json" if database == JSON_DB else "flat")
    await assert_matches_expected(database_url, database, report)

    # The same installation as the SQLite file: importing that adds nothing.
    from_file = await import_legacy(str(database), database_url)
    assert from_file.fingerprint == report.fingerprint
    assert from_file.counts["persona"].imported == 0
    assert from_file.counts["persona"].already_imported == 120
