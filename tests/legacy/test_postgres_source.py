"""A legacy database on PostgreSQL (Django's PostgreSQL types), read with asyncpg."""

from __future__ import annotations

from pathlib import Path

import pytest

from personagen.legacy import import_legacy
from tests.legacy._support import FLAT_DB, JSON_DB, sqlite_to_postgres
from tests.legacy.compare import assert_matches_expected


@pytest.mark.parametrize("database", [JSON_DB, FLAT_DB], ids=["json", "flat"])
async def test_postgres_source_imports_as_expected(
    database_url: str, scratch_database: str, database: Path
) -> None:
    await sqlite_to_postgres(database, scratch_database)

    report = await import_legacy(scratch_database, database_url)

    assert report.backend == "postgresql"
    assert report.state == ("json" if database == JSON_DB else "flat")
    await assert_matches_expected(database_url, database, report)

    # The same installation as the SQLite file: importing that adds nothing.
    from_file = await import_legacy(str(database), database_url)
    assert from_file.fingerprint == report.fingerprint
    assert from_file.counts["persona"].imported == 0
    assert from_file.counts["persona"].already_imported == 120
