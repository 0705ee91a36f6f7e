"""``--dry-run`` reports what would happen and writes nothing."""

from __future__ import annotations

from personagen.legacy import import_legacy
from tests.legacy._support import JSON_DB, table_counts

KINDS = ("user", "persona", "content")


async def test_dry_run_writes_nothing_and_reports_everything(database_url: str) -> None:
    report = await import_legacy(str(JSON_DB), database_url, dry_run=True)

    assert report.dry_run
    assert await table_counts(database_url) == dict.fromkeys(
        ("users", "personas", "content_pieces", "legacy_imports"), 0
    )
    assert {kind: report.counts[kind].imported for kind in KINDS} == {
        "user": 3,
        "persona": 120,
        "content": 60,
    }
    fields = {(e["legacy_id"], e["field"]) for e in report.normalisations}
    assert (50, "formality_level") in fields  # 42 -> null is reported before anything is written

    real = await import_legacy(str(JSON_DB), database_url)
    assert real.counts["persona"].imported == 120
    assert real.normalisations == report.normalisations


async def test_dry_run_after_import_finds_nothing_new(database_url: str) -> None:
    await import_legacy(str(JSON_DB), database_url)
    before = await table_counts(database_url)

    report = await import_legacy(str(JSON_DB), database_url, dry_run=True)

    assert all(report.counts[kind].imported == 0 for kind in KINDS)
    assert await table_counts(database_url) == before
