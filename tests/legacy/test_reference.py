"""Import each reference database into a fresh PostgreSQL and compare with its expected.json."""

from __future__ import annotations

from pathlib import Path

import pytest

from personagen.legacy import import_legacy
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
