"""Shared helpers of the legacy-import tests: reference files, target queries, legacy copies."""

from __future__ import annotations

import json
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import asyncpg

from tests.conftest import REFERENCE

LEGACY = REFERENCE / "legacy"
JSON_DB = LEGACY / "pg05_legacy_dev.sqlite3"
FLAT_DB = LEGACY / "pg05_flat_dev.sqlite3"
TABLES = ("users", "personas", "content_pieces", "legacy_imports")


def expected(database: Path) -> dict[str, Any]:
    """The ``<name>.expected.json`` sidecar of a reference database."""
    return json.loads(database.with_suffix("").with_suffix(".expected.json").read_text())


def copy_legacy(source: Path, tmp_path: Path, name: str = "legacy.sqlite3") -> Path:
    """A writable copy of a reference database (the originals are read-only)."""
    target = tmp_path / name
    shutil.copyfile(source, target)
    target.chmod(0o644)
    return target


def sqlite_rows(path: Path, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of a query on a legacy SQLite file, as dicts."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(row) for row in conn.execute(sql, args)]
    finally:
        conn.close()


def sqlite_exec(path: Path, *statements: tuple[str, tuple[Any, ...]]) -> None:
    """Run statements on a legacy SQLite copy and commit."""
    conn = sqlite3.connect(path)
    try:
        for sql, args in statements:
            conn.execute(sql, args)
        conn.commit()
    finally:
        conn.close()


async def fetch(database_url: str, sql: str, *args: Any) -> list[dict[str, Any]]:
    """Rows of a query on the target database, as dicts."""
    conn = await asyncpg.connect(database_url)
    try:
        await conn.set_type_codec(
            "jsonb", encoder=json.dumps, decoder=json.loads, schema="pg_catalog"
        )
        return [dict(row) for row in await conn.fetch(sql, *args)]
    finally:
        await conn.close()


async def table_counts(database_url: str) -> dict[str, int]:
    """Row count of every table the importer writes."""
    conn = await asyncpg.connect(database_url)
    try:
        return {
            table: int(await conn.fetchval(f"SELECT count(*) FROM {table}"))  # noqa: S608
            for table in TABLES
        }
    finally:
        await conn.close()


async def imported_personas(database_url: str) -> dict[int, dict[str, Any]]:
    """Imported personas by legacy id, each with ``owner`` = the owner's username."""
    rows = await fetch(
        database_url,
        "SELECT p.*, u.username AS owner, li.legacy_id FROM personas p "
        "JOIN users u ON u.id = p.owner_id "
        "JOIN legacy_imports li ON li.kind = 'persona' AND li.new_id = p.id",
    )
    return {int(row["legacy_id"]): row for row in rows}


async def imported_content(database_url: str) -> dict[int, dict[str, Any]]:
    """Imported content pieces by legacy id, with ``owner`` and ``persona_legacy_id``."""
    rows = await fetch(
        database_url,
        "SELECT c.*, u.username AS owner, li.legacy_id, li.legacy_row, "
        "pi.legacy_id AS persona_legacy_id FROM content_pieces c "
        "JOIN users u ON u.id = c.owner_id "
        "JOIN legacy_imports li ON li.kind = 'content' AND li.new_id = c.id "
        "LEFT JOIN legacy_imports pi ON pi.kind = 'persona' AND pi.new_id = c.persona_id",
    )
    return {int(row["legacy_id"]): row for row in rows}


async def imported_users(database_url: str) -> dict[str, dict[str, Any]]:
    """Imported users by username, with their ``legacy_row``."""
    rows = await fetch(
        database_url,
        "SELECT u.*, li.legacy_id, li.legacy_row FROM users u "
        "JOIN legacy_imports li ON li.kind = 'user' AND li.new_id = u.id",
    )
    return {row["username"]: row for row in rows}


def utc(text: str | None) -> datetime | None:
    """A legacy timestamp (naive UTC text, or ISO with offset) as an aware datetime."""
    if text is None:
        return None
    value = datetime.fromisoformat(text)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# --- a PostgreSQL copy of a legacy SQLite database (Django's PostgreSQL column types) -------

_COPIED_TABLES = (
    "django_migrations",
    "auth_user",
    "core_author",
    "core_persona",
    "core_contentpiece",
)


def _pg_type(declared: str, column: str) -> str:
    declared = declared.lower()
    if column in ("data", "tags"):
        return "jsonb"  # Django's JSONField on PostgreSQL
    if declared in ("integer", "bigint"):
        return "bigint"
    if declared == "bool":
        return "boolean"
    if declared == "datetime":
        return "timestamptz"
    return "text"  # varchar(n) and text; SQLite kept over-long values, so no limit here


def _pg_value(value: Any, pg_type: str) -> Any:
    if value is None:
        return None
    if pg_type == "boolean":
        return bool(value)
    if pg_type == "timestamptz":
        return utc(value)
    return value


async def sqlite_to_postgres(path: Path, url: str) -> None:
    """Recreate the PersonaGen tables of SQLite ``path`` in the (empty) PostgreSQL ``url``."""
    conn = await asyncpg.connect(url)
    try:
        for table in _COPIED_TABLES:
            info = sqlite_rows(path, "SELECT name, type FROM pragma_table_info(?)", table)
            columns = [(col["name"], _pg_type(col["type"], col["name"])) for col in info]
            ddl = ", ".join(f'"{name}" {kind}' for name, kind in columns)
            await conn.execute(f'CREATE TABLE "{table}" ({ddl}, PRIMARY KEY (id))')
            rows = sqlite_rows(path, f'SELECT * FROM "{table}"')  # noqa: S608
            names = ", ".join(f'"{name}"' for name, _ in columns)
            marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
            await conn.executemany(
                f'INSERT INTO "{table}" ({names}) VALUES ({marks})',  # noqa: S608
                [tuple(_pg_value(row[name], kind) for name, kind in columns) for row in rows],
            )
    finally:
        await conn.close()
