"""Import each reference database into a fresh PostgreSQL and compare with its expected.json."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from personagen.legacy import import_legacy
from personagen.legacy.source import fingerprint
from tests.legacy._support import FLAT_DB, JSON_DB, imported_personas
from tests.legacy.compare import assert_matches_expected


@pytest.mark.parametrize("database", [JSON_DB, FLAT_DB], ids=["json", "flat"])
async def test_reference_database_imports_as_expected(database_url: str, database: Path) -> None:
    report = await import_legacy(str(database), database_url)

    assert report.state == ("json" if database == JSON_DB else "flat")
    await assert_matches_expected(database_url, database, report)


async def test_json_and_flat_copies_are_one_installation(database_url: str) -> None:
    """The flat database is the JSON one after PersonaGen05's migrations: same fingerprint,
    so importing it after the JSON one adds nothing (and no user is duplicated)."""
    first = await import_legacy(str(JSON_DB), database_url)
    second = await import_legacy(str(FLAT_DB), database_url)

    assert first.fingerprint == second.fingerprint
    assert all(second.counts[kind].imported == 0 for kind in ("user", "persona", "content"))
    assert second.counts["persona"].already_imported == 120
    # So importing the pre-migration copy first keeps the names core.0003 overwrote.
    personas = await imported_personas(database_url)
    assert personas[1]["name"] == "Rally speech"
    assert personas[2]["name"] == "Travel journal"


def test_fingerprint_is_the_first_migration_not_the_first_user() -> None:
    """Separately created installations differ (their first migration was applied at another
    time); editing users does not change an installation's fingerprint."""
    migration = {"app": "contenttypes", "name": "0001_initial", "applied": "2024-10-24 08:00:00"}
    alice = {"id": 1, "username": "alice_writer", "date_joined": "2024-10-29 17:00:00"}
    bob = {"id": 2, "username": "bob.dev", "date_joined": "2024-10-24 22:00:00"}
    other = {**migration, "applied": "2024-10-24 08:00:01"}

    assert fingerprint(migration, alice) == fingerprint(migration, bob)
    assert fingerprint(migration, None) == fingerprint(migration, alice)
    assert fingerprint(other, alice) != fingerprint(migration, alice)
    # Timestamps compare in UTC, so the SQLite text and a PostgreSQL copy agree.
    aware = {**migration, "applied": datetime(2024, 10, 24, 8, tzinfo=UTC)}
    assert fingerprint(aware, None) == fingerprint(migration, None)
    # No django_migrations table: the first user is all there is to go on.
    assert fingerprint(None, alice) != fingerprint(None, bob)
