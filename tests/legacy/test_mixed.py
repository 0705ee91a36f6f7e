"""A database in the mixed state: trait columns (core.0002/0003) and ``data`` (no 0004)."""

from __future__ import annotations

from pathlib import Path

from personagen.legacy import import_legacy
from tests.legacy._support import (
    FLAT_DB,
    JSON_DB,
    copy_legacy,
    expected,
    imported_personas,
    sqlite_exec,
    sqlite_rows,
)


def _mixed_copy(tmp_path: Path) -> Path:
    """The JSON database with the flat database's columns and values added, as after core.0003
    when 0004 has not run: ``data`` still there, names already overwritten."""
    path = copy_legacy(JSON_DB, tmp_path)
    json_columns = {
        c["name"] for c in sqlite_rows(path, "SELECT name FROM pragma_table_info('core_persona')")
    }
    flat_columns = [
        (c["name"], c["type"])
        for c in sqlite_rows(FLAT_DB, "SELECT name, type FROM pragma_table_info('core_persona')")
        if c["name"] not in json_columns
    ]
    statements: list[tuple[str, tuple[object, ...]]] = [
        (f'ALTER TABLE core_persona ADD COLUMN "{name}" {kind} NULL', ())
        for name, kind in flat_columns
    ]
    names = [name for name, _ in flat_columns] + ["name", "updated_at"]
    for row in sqlite_rows(FLAT_DB, "SELECT * FROM core_persona"):
        assignments = ", ".join(f'"{name}" = ?' for name in names)
        statements.append(
            (
                f"UPDATE core_persona SET {assignments} WHERE id = ?",  # noqa: S608
                (*(row[name] for name in names), row["id"]),
            )
        )
    for migration in sqlite_rows(
        FLAT_DB,
        "SELECT app, name, applied FROM django_migrations WHERE name IN "
        "('0002_add_persona_fields', '0003_migrate_json_data')",
    ):
        statements.append(
            (
                "INSERT INTO django_migrations (app, name, applied) VALUES (?, ?, ?)",
                (migration["app"], migration["name"], migration["applied"]),
            )
        )
    # Newer PersonaGen05 code edited a column after the migration; data is stale there.
    statements.append(("UPDATE core_persona SET formality_level = 2 WHERE id = 1", ()))
    sqlite_exec(path, *statements)
    return path


async def test_mixed_state_columns_first_then_data(database_url: str, tmp_path: Path) -> None:
    source = _mixed_copy(tmp_path)
    legacy = {p["id"]: p for p in expected(JSON_DB)["personas"]}
    flat = {p["id"]: p for p in expected(FLAT_DB)["personas"]}

    report = await import_legacy(str(source), database_url)

    assert report.state == "mixed"
    assert report.core_migrations == [
        "0001_initial",
        "0002_add_persona_fields",
        "0003_migrate_json_data",
    ]
    personas = await imported_personas(database_url)
    assert len(personas) == 120
    for persona_id, row in personas.items():
        assert row["name"] == flat[persona_id]["name"]  # the column, as stored
        for key, value in legacy[persona_id]["scales"].items():
            if (persona_id, key) == (1, "formality_level"):
                continue
            # Columns where they hold a value; data for the rest (creativity_level, nested).
            assert row[key] == value, (persona_id, key)
    assert personas[1]["formality_level"] == 2  # the column wins over data's 7
    superseded = [
        e for e in report.normalisations if e["legacy_id"] == 1 and e["action"] == "superseded"
    ]
    assert [(e["field"], e["raw"], e["value"]) for e in superseded] == [("formality_level", 7, 2)]
    assert personas[1]["creativity_level"] == 6  # no column: from data
    assert personas[5]["age"] == "40s"  # no column: from data
    assert personas[85]["openness_to_experience"] == 2  # only in data's nested object
    notes = {n["legacy_id"]: n["note"] for n in report.notes if n["kind"] == "persona"}
    assert "placeholder" in notes[2]  # "[Author/Character Name]"
    assert "equals the LLM's guess" in notes[3]  # "Olivia Patel" overwrote "Gamer voice"
    assert 102 not in notes  # manual persona, data NULL: its name is its own
