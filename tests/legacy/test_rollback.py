"""A failure while importing one user rolls back that user only."""

from __future__ import annotations

from pathlib import Path

import pytest

from personagen.legacy import import_legacy
from tests.legacy._support import (
    JSON_DB,
    copy_legacy,
    fetch,
    imported_content,
    imported_personas,
    imported_users,
    sqlite_exec,
)

BOB = 2


class Boom(RuntimeError):
    """Injected failure."""


async def test_failure_after_rows_are_written_rolls_back_that_user(database_url: str) -> None:
    def fail_for_bob(legacy_user_id: int) -> None:
        # Runs inside bob's transaction after his user, personas and content are written.
        if legacy_user_id == BOB:
            raise Boom("disk full while importing bob")

    report = await import_legacy(str(JSON_DB), database_url, before_commit=fail_for_bob)

    assert not report.ok
    assert [(f["username"], f["legacy_id"]) for f in report.failures] == [("bob.dev", BOB)]
    assert "Boom: disk full" in report.failures[0]["error"]
    assert report.failures[0]["rows"] == {"user": 1, "persona": 47, "content": 22}
    assert report.counts["persona"].failed == 47
    assert report.counts["persona"].imported == 120 - 47
    users = await imported_users(database_url)
    assert set(users) == {"alice_writer", "chloé_m"}
    assert await fetch(database_url, "SELECT 1 FROM users WHERE username = 'bob.dev'") == []
    assert len(await imported_personas(database_url)) == 55 + 18
    assert len(await imported_content(database_url)) == 29 + 9
    leftovers = await fetch(
        database_url,
        "SELECT count(*) AS n FROM legacy_imports WHERE kind = 'user' AND legacy_id = $1",
        BOB,
    )
    assert leftovers[0]["n"] == 0

    # Run again without the failure: bob, and only bob, is imported.
    again = await import_legacy(str(JSON_DB), database_url)
    assert again.ok
    assert again.counts["user"].imported == 1
    assert again.counts["persona"].imported == 47
    assert again.counts["content"].imported == 22
    assert len(await imported_personas(database_url)) == 120


@pytest.mark.parametrize("field", ["email", "username"])
async def test_legacy_row_violating_a_constraint_rolls_back_that_user(
    database_url: str, tmp_path: Path, field: str
) -> None:
    """SQLite does not enforce varchar limits; PostgreSQL does: bob's 300-character value
    fails his transaction after his user row was sent, and only his."""
    copy = copy_legacy(JSON_DB, tmp_path)
    update = f"UPDATE auth_user SET {field} = ? WHERE id = ?"  # noqa: S608  # a test parameter
    sqlite_exec(copy, (update, ("b" * 300, BOB)))

    report = await import_legacy(str(copy), database_url)

    assert [f["legacy_id"] for f in report.failures] == [BOB]
    assert (
        "StringDataRightTruncation" in report.failures[0]["error"]
        or "too long" in (report.failures[0]["error"])
    )
    assert set(await imported_users(database_url)) == {"alice_writer", "chloé_m"}
    owners = {p["owner"] for p in (await imported_personas(database_url)).values()}
    assert owners == {"alice_writer", "chloé_m"}
