"""A legacy user whose username or email is already taken here is skipped, never merged."""

from __future__ import annotations

import uuid

import pytest

from personagen.legacy import import_legacy
from tests.legacy._support import JSON_DB, fetch, imported_personas, imported_users


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
