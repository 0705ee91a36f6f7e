"""A legacy user whose username or email is already taken here is skipped, never merged."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from personagen.legacy import import_legacy
from tests.legacy._support import (
    JSON_DB,
    copy_legacy,
    fetch,
    imported_personas,
    imported_users,
    sqlite_exec,
    table_counts,
)


@pytest.mark.parametrize(
    ("username", "email", "which"),
    [("BOB.dev", "someone@example.com", "username"), ("robert", "Bob@Example.com", "email")],
)
async def test_taken_username_or_email_skips_that_user(
    database_url: str, username: str, email: str, which: str
) -> None:
    existing = uuid.uuid4()
    await fetch(
        database_url,
        "INSERT INTO users (id, username, email, password_hash) VALUES ($1, $2, $3, 'x')",
        existing,
        username,
        email,
    )

    report = await import_legacy(str(JSON_DB), database_url)

    assert report.ok
    skipped_users = [s for s in report.skipped if s["kind"] == "user"]
    assert skipped_users == [
        {
            "kind": "user",
            "legacy_id": 2,
            "reason": f"{which} already belongs to another PersonaGen user",
            "username": "bob.dev",
        }
    ]
    assert report.counts["user"].skipped == 1
    assert report.counts["persona"].skipped == 47
    assert report.counts["content"].skipped == 22
    assert set(await imported_users(database_url)) == {"alice_writer", "chloé_m"}
    owners = {p["owner"] for p in (await imported_personas(database_url)).values()}
    assert owners == {"alice_writer", "chloé_m"}
    untouched = await fetch(
        database_url, "SELECT count(*) AS n FROM personas WHERE owner_id = $1", existing
    )
    assert untouched[0]["n"] == 0


_NEW_USER = (
    "INSERT INTO auth_user (id, password, is_superuser, username, last_name, email, is_staff, "
    "is_active, date_joined, first_name) VALUES (?, 'pbkdf2_sha256$870000$abc$def=', 0, ?, '', ?, "
    "0, 1, '2024-12-12 09:00:00', '')"
)


async def test_clash_with_a_user_of_the_same_source_is_skipped_on_every_run(
    database_url: str, tmp_path: Path
) -> None:
    """Django usernames are case-sensitive, PersonaGen's are not: ``ALICE_WRITER`` next to
    ``alice_writer`` (and a second ``bob@example.com``) must be skipped on the re-run too, not
    reach the unique index once ``alice_writer`` counts as already imported."""
    copy = copy_legacy(JSON_DB, tmp_path)
    sqlite_exec(
        copy,
        (_NEW_USER, (4, "ALICE_WRITER", "alice.other@example.com")),
        (_NEW_USER, (5, "robert", "BOB@example.com")),
        ("INSERT INTO core_author (id, bio, created_at, user_id) VALUES (4, '', NULL, 4)", ()),
        (
            "INSERT INTO core_persona (id, name, description, data, is_active, created_at, "
            "updated_at, author_id) VALUES (121, 'Shouty', NULL, NULL, 1, "
            "'2024-12-12 10:00:00', '2024-12-12 10:00:00', 4)",
            (),
        ),
    )
    expected_skips = [
        {
            "kind": "user",
            "legacy_id": 4,
            "reason": "username already belongs to another PersonaGen user",
            "username": "ALICE_WRITER",
        },
        {
            "kind": "user",
            "legacy_id": 5,
            "reason": "email already belongs to another PersonaGen user",
            "username": "robert",
        },
    ]

    first = await import_legacy(str(copy), database_url)
    after_first = await table_counts(database_url)
    second = await import_legacy(str(copy), database_url)

    for report in (first, second):
        assert report.ok, report.failures
        assert report.failures == []
        assert [s for s in report.skipped if s["kind"] == "user"] == expected_skips
        assert report.counts["user"].skipped == 2
        assert report.counts["persona"].skipped == 1
    assert second.counts["user"].already_imported == 3
    assert all(second.counts[kind].imported == 0 for kind in ("user", "persona", "content"))
    assert await table_counts(database_url) == after_first
    assert set(await imported_users(database_url)) == {"alice_writer", "bob.dev", "chloé_m"}
