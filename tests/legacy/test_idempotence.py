"""Re-running the import: nothing twice, new legacy rows picked up, deletions respected."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personagen.legacy import LegacyImportError, import_legacy
from tests.legacy._support import (
    JSON_DB,
    copy_legacy,
    fetch,
    imported_content,
    imported_personas,
    sqlite_exec,
    table_counts,
)

KINDS = ("user", "persona", "content")


async def test_second_run_imports_nothing(database_url: str) -> None:
    await import_legacy(str(JSON_DB), database_url)
    before = await table_counts(database_url)

    again = await import_legacy(str(JSON_DB), database_url)

    assert await table_counts(database_url) == before
    assert {kind: again.counts[kind].imported for kind in KINDS} == dict.fromkeys(KINDS, 0)
    assert again.counts["persona"].already_imported == 120
    assert again.counts["content"].already_imported == 60
    assert again.counts["user"].already_imported == 3
    assert again.normalisations == []  # nothing was looked at twice
    assert again.ok


async def test_rows_added_to_a_copy_since_are_picked_up(database_url: str, tmp_path: Path) -> None:
    await import_legacy(str(JSON_DB), database_url)
    # The user deletes an imported persona here; a re-run must not bring it back.
    await fetch(
        database_url,
        "DELETE FROM personas WHERE id = (SELECT new_id FROM legacy_imports "
        "WHERE kind = 'persona' AND legacy_id = 5)",
    )
    copy = copy_legacy(JSON_DB, tmp_path)
    data = json.dumps({"name": "Guess", "formality_level": "9", "tone": "warm"})
    sqlite_exec(
        copy,
        # A new persona for chloé_m (author 3) with a content piece of hers on it.
        (
            "INSERT INTO core_persona (id, name, description, data, is_active, created_at, "
            "updated_at, author_id) VALUES (121, 'New since', NULL, ?, 1, "
            "'2024-12-10 10:00:00', '2024-12-10 10:00:00', 3)",
            (data,),
        ),
        (
            "INSERT INTO core_contentpiece (id, title, content, status, tags, word_count, "
            "created_at, updated_at, published_at, author_id, persona_id) VALUES "
            "(61, 'Later', 'three more words', 'draft', '[]', 3, '2024-12-11 10:00:00', "
            "'2024-12-11 10:00:00', NULL, 3, 121)",
            (),
        ),
        # New content of bob's on the persona he deleted here since.
        (
            "INSERT INTO core_contentpiece (id, title, content, status, tags, word_count, "
            "created_at, updated_at, published_at, author_id, persona_id) VALUES "
            "(62, 'On a deleted persona', 'text', 'draft', '[]', 1, '2024-12-11 11:00:00', "
            "'2024-12-11 11:00:00', NULL, 2, 5)",
            (),
        ),
        # A new user with an author and a persona.
        (
            "INSERT INTO auth_user (id, password, is_superuser, username, last_name, email, "
            "is_staff, is_active, date_joined, first_name) VALUES (4, "
            "'pbkdf2_sha256$870000$abc$def=', 0, 'dora', '', 'dora@example.com', 0, 1, "
            "'2024-12-12 09:00:00', 'Dora')",
            (),
        ),
        ("INSERT INTO core_author (id, bio, created_at, user_id) VALUES (4, '', NULL, 4)", ()),
        (
            "INSERT INTO core_persona (id, name, description, data, is_active, created_at, "
            "updated_at, author_id) VALUES (122, 'Dora''s voice', NULL, NULL, 1, "
            "'2024-12-12 10:00:00', '2024-12-12 10:00:00', 4)",
            (),
        ),
    )
    before = await table_counts(database_url)

    report = await import_legacy(str(copy), database_url)

    assert {kind: report.counts[kind].imported for kind in KINDS} == {
        "user": 1,
        "persona": 2,
        "content": 2,
    }
    assert report.counts["persona"].already_imported == 120
    after = await table_counts(database_url)
    assert after["users"] == before["users"] + 1
    assert after["personas"] == before["personas"] + 2
    assert after["content_pieces"] == before["content_pieces"] + 2
    personas = await imported_personas(database_url)
    assert 5 not in personas  # deleted here: not resurrected
    assert personas[121]["owner"] == "chloé_m"
    assert personas[121]["formality_level"] == 9
    assert personas[122]["owner"] == "dora"
    content = await imported_content(database_url)
    assert content[61]["persona_legacy_id"] == 121
    assert content[62]["owner"] == "bob.dev"
    assert content[62]["persona_id"] is None
    dropped = [e for e in report.normalisations if e["kind"] == "content" and e["legacy_id"] == 62]
    assert dropped[0]["field"] == "persona"

    third = await import_legacy(str(copy), database_url)
    assert all(third.counts[kind].imported == 0 for kind in KINDS)
    assert await table_counts(database_url) == after


def _delete_first_user(copy: Path) -> None:
    """Delete legacy user 1 (alice_writer, author 1) with every row that points at her."""
    sqlite_exec(
        copy,
        (
            "DELETE FROM core_contentpiece WHERE author_id = 1 "
            "OR persona_id IN (SELECT id FROM core_persona WHERE author_id = 1)",
            (),
        ),
        ("DELETE FROM core_persona WHERE author_id = 1", ()),
        ("DELETE FROM core_author WHERE user_id = 1", ()),
        ("DELETE FROM auth_user WHERE id = 1", ()),
    )


async def test_deleting_the_first_legacy_user_keeps_the_installation(
    database_url: str, tmp_path: Path
) -> None:
    """The installation is recognised by what never changes (its first migration), so deleting
    the lowest-id user in the legacy app neither skips everyone nor stops new rows arriving."""
    copy = copy_legacy(JSON_DB, tmp_path)
    first = await import_legacy(str(copy), database_url)
    _delete_first_user(copy)
    sqlite_exec(
        copy,
        (
            "INSERT INTO core_persona (id, name, description, data, is_active, created_at, "
            "updated_at, author_id) VALUES (121, 'After the purge', NULL, NULL, 1, "
            "'2024-12-10 10:00:00', '2024-12-10 10:00:00', 2)",
            (),
        ),
    )
    before = await table_counts(database_url)

    report = await import_legacy(str(copy), database_url)

    assert report.fingerprint == first.fingerprint
    assert report.ok, report.failures
    assert report.skipped == []
    assert {kind: report.counts[kind].imported for kind in KINDS} == {
        "user": 0,
        "persona": 1,
        "content": 0,
    }
    assert report.counts["user"].already_imported == 2
    assert report.counts["persona"].already_imported == 120 - 55
    after = await table_counts(database_url)
    assert after["personas"] == before["personas"] + 1
    assert after["users"] == before["users"]
    assert (await imported_personas(database_url))[121]["owner"] == "bob.dev"


async def test_an_installation_whose_fingerprint_changed_is_refused(
    database_url: str, tmp_path: Path
) -> None:
    """Without ``django_migrations`` the fingerprint falls back to the first user; when that
    user is deleted the fingerprint changes, and the importer says so instead of skipping every
    user as "taken" and reporting success."""
    copy = copy_legacy(JSON_DB, tmp_path)
    sqlite_exec(copy, ("DROP TABLE django_migrations", ()))
    await import_legacy(str(copy), database_url)
    _delete_first_user(copy)
    before = await table_counts(database_url)

    with pytest.raises(LegacyImportError, match="same legacy installation") as caught:
        await import_legacy(str(copy), database_url)

    assert "bob.dev" in str(caught.value)
    assert await table_counts(database_url) == before
