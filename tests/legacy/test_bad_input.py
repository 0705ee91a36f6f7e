"""Unusable sources and targets: a clear error, and nothing written."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from personagen.legacy import LegacyImportError, import_legacy
from tests.conftest import TEST_POSTGRES_URL, _with_database
from tests.legacy._support import JSON_DB, copy_legacy, sqlite_exec, table_counts

EMPTY = dict.fromkeys(("users", "personas", "content_pieces", "legacy_imports"), 0)


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "notes.sqlite3"
    path.write_text("id,name\n1,not a database\n")
    return path


def _empty_file(tmp_path: Path) -> Path:
    path = tmp_path / "empty.sqlite3"
    path.touch()
    return path


def _other_sqlite(tmp_path: Path) -> Path:
    path = tmp_path / "other.sqlite3"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    return path


def _persona_table_without_traits(tmp_path: Path) -> Path:
    path = copy_legacy(JSON_DB, tmp_path)
    sqlite_exec(path, ("ALTER TABLE core_persona DROP COLUMN data", ()))
    return path


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_text_file, "is not an SQLite database"),
        (_empty_file, "has no PersonaGen tables (missing: auth_user, core_author, core_persona)"),
        (_other_sqlite, "has no PersonaGen tables"),
        (lambda tmp: tmp / "missing.sqlite3", "no such file"),
        (lambda tmp: tmp, "not a file"),
        (_persona_table_without_traits, "neither a `data` column nor trait columns"),
    ],
    ids=["text-file", "empty-file", "other-sqlite", "missing", "directory", "no-traits"],
)
async def test_bad_sqlite_source(database_url: str, tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    source = make(tmp_path)

    with pytest.raises(LegacyImportError) as error:
        await import_legacy(str(source), database_url)

    assert message in str(error.value)
    assert await table_counts(database_url) == EMPTY


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "postgresql://postgres@127.0.0.1:1/legacy",
            "cannot connect to postgresql://postgres@127.0.0.1:1/legacy",
        ),
        (
            "postgresql://postgres:s3cret@127.0.0.1:1/legacy",
            "postgresql://postgres:***@127.0.0.1:1/legacy",
        ),
        ("mysql://root@127.0.0.1/legacy", "unsupported source mysql://"),
    ],
    ids=["refused", "password-hidden", "other-scheme"],
)
async def test_unreachable_or_unsupported_url(database_url: str, url: str, message: str) -> None:
    with pytest.raises(LegacyImportError) as error:
        await import_legacy(url, database_url)

    assert message in str(error.value)
    assert "s3cret" not in str(error.value)
    assert await table_counts(database_url) == EMPTY


async def test_missing_postgres_database(database_url: str) -> None:
    url = _with_database(TEST_POSTGRES_URL, f"no_such_db_{uuid.uuid4().hex[:8]}")

    with pytest.raises(LegacyImportError, match="cannot connect"):
        await import_legacy(url, database_url)

    assert await table_counts(database_url) == EMPTY


async def test_postgres_database_without_personagen_tables(
    database_url: str, scratch_database: str
) -> None:
    with pytest.raises(LegacyImportError, match="has no PersonaGen tables"):
        await import_legacy(scratch_database, database_url)

    assert await table_counts(database_url) == EMPTY


async def test_unmigrated_target(scratch_database: str) -> None:
    with pytest.raises(LegacyImportError, match="run `personagen migrate` first"):
        await import_legacy(str(JSON_DB), scratch_database)


async def test_unreachable_target() -> None:
    with pytest.raises(LegacyImportError, match="cannot connect to the target database"):
        await import_legacy(str(JSON_DB), "postgresql://postgres:pw@127.0.0.1:1/personagen")
