"""Hostile legacy rows (what SQLite lets a Django app store): imported, changes reported."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from personagen.legacy import ImportReport, import_legacy
from tests.legacy._support import (
    JSON_DB,
    copy_legacy,
    imported_content,
    imported_personas,
    imported_users,
    sqlite_exec,
)


def _entries(report: ImportReport, kind: str, legacy_id: int) -> dict[str, dict[str, Any]]:
    return {
        e["field"]: e
        for e in report.normalisations
        if e["kind"] == kind and e["legacy_id"] == legacy_id
    }


async def test_hostile_rows_are_imported_and_reported(database_url: str, tmp_path: Path) -> None:
    copy = copy_legacy(JSON_DB, tmp_path)
    data = json.dumps({"name": "x", "tone": "calm\u0000ish", "formality_level": 3})
    sqlite_exec(
        copy,
        # A user with a blank email and a hash PersonaGen cannot verify.
        ("UPDATE auth_user SET email = '', password = 'argon2$argon2id$v=19$x' WHERE id = 3", ()),
        # Persona 1: NUL bytes in name, description and data; a name too long after that.
        (
            "UPDATE core_persona SET name = ?, description = ?, data = ?, is_active = NULL, "
            "created_at = 'yesterday' WHERE id = 1",
            ("R\u0000" + "a" * 150, "desc\u0000ription", data),
        ),
        ("UPDATE core_persona SET name = '   ' WHERE id = 2", ()),  # blank name
        ("UPDATE core_persona SET author_id = NULL WHERE id = 3", ()),  # no owner
        # Content: NULL title and body, odd status, tags not a list, no author but a persona.
        (
            "UPDATE core_contentpiece SET title = NULL, content = NULL, status = 'PUBLISHED', "
            "tags = '\"solo\"', author_id = NULL WHERE id = 1",
            (),
        ),
        (
            "UPDATE core_contentpiece SET status = 'scheduled', tags = ? WHERE id = 2",
            (json.dumps(["ok", "t" * 80, 7, None, "  "]),),
        ),
        ("UPDATE core_contentpiece SET author_id = NULL, persona_id = NULL WHERE id = 3", ()),
    )

    report = await import_legacy(str(copy), database_url)

    assert report.ok, report.failures
    users = await imported_users(database_url)
    chloe = users["chloé_m"]
    assert chloe["email"] == f"user-3.{report.fingerprint[:8]}@legacy.invalid"
    assert chloe["password_hash"] == "argon2$argon2id$v=19$x"
    assert _entries(report, "user", 3)["email"]["action"] == "replaced"
    assert any(n["kind"] == "user" and "cannot verify" in n["note"] for n in report.notes)

    personas = await imported_personas(database_url)
    first = personas[1]
    assert first["name"] == "R" + "a" * 99
    assert first["description"] == "description"
    assert first["tone"] == "calmish"
    assert first["formality_level"] == 3
    assert first["is_active"] is True
    assert first["legacy_source"]["row"]["data"]["tone"] == "calm\ufffdish"  # kept, NUL marked
    assert first["legacy_source"]["row"]["created_at"] == "yesterday"
    changes = _entries(report, "persona", 1)
    assert {"name", "description", "tone", "is_active", "created_at"} <= set(changes)
    assert personas[2]["name"] == "Legacy persona 2"
    assert 3 not in personas
    assert {"kind": "persona", "legacy_id": 3, "reason": "no author (or its user is missing)"} in (
        report.skipped
    )

    content = await imported_content(database_url)
    piece = content[1]
    assert (piece["title"], piece["content"], piece["status"], piece["tags"]) == (
        "",
        "",
        "published",
        [],
    )
    assert piece["owner"] == "bob.dev"  # no author: the persona's owner (persona 5 is bob's)
    assert piece["persona_legacy_id"] == 5
    assert {"title", "content", "status", "tags", "owner", "word_count"} <= set(
        _entries(report, "content", 1)
    )
    assert content[2]["status"] == "draft"
    assert content[2]["tags"] == ["ok", "t" * 50, "7"]
    assert 3 not in content
    assert report.counts["content"].skipped == 1
    assert report.counts["persona"].skipped == 1
