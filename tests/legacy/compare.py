"""Field-by-field comparison of an imported reference database with its ``expected.json``."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from personagen.legacy import ImportReport
from personagen_shared.traits import TRAIT_NAMES, TRAITS_BY_NAME
from tests.legacy._support import (
    JSON_DB,
    expected,
    imported_content,
    imported_personas,
    imported_users,
    sqlite_rows,
    utc,
)


def _changed(report: ImportReport, legacy_id: int, field: str) -> list[dict[str, Any]]:
    return [
        entry
        for entry in report.normalisations
        if entry["kind"] == "persona"
        and entry["legacy_id"] == legacy_id
        and entry["field"] == field
    ]


async def assert_matches_expected(database_url: str, database: Path, report: ImportReport) -> None:
    """Everything ``expected.json`` of ``database`` states holds in the target after import.

    ``database`` is the SQLite file the rows came from (possibly through a PostgreSQL copy);
    counts, users and content are checked against it and against the sidecar.
    """
    exp = expected(database)
    personas = await imported_personas(database_url)
    content = await imported_content(database_url)
    users = await imported_users(database_url)
    # The flat sidecar only counts users and content: its rows are the legacy database's.
    legacy_exp = expected(JSON_DB)

    # Counts, read and imported.
    assert len(users) == exp["counts"]["users"]
    assert len(personas) == exp["counts"]["personas"]
    assert len(content) == exp["counts"]["content_pieces"]
    for kind, count in (("user", 3), ("persona", 120), ("content", 60)):
        assert report.counts[kind].read == count
        assert report.counts[kind].imported == count
    assert report.ok and not report.skipped

    # Users: names, emails, flags, per-user counts, password hashes verbatim.
    legacy_users = {
        row["username"]: row for row in sqlite_rows(database, "SELECT * FROM auth_user")
    }
    assert set(users) == {user["username"] for user in legacy_exp["users"]}
    for user in legacy_exp["users"]:
        row = users[user["username"]]
        assert row["email"] == user["email"]
        assert row["legacy_id"] == user["id"]
        assert row["password_hash"] == legacy_users[user["username"]]["password"]
        assert row["password_hash"].startswith("pbkdf2_sha256$")
        assert row["is_active"] is True
        assert row["created_at"] == utc(legacy_users[user["username"]]["date_joined"])
        assert "password" not in row["legacy_row"]["auth_user"]
        owned = [p for p in personas.values() if p["owner"] == user["username"]]
        assert len(owned) == user["personas"]
        assert (
            sum(c["owner"] == user["username"] for c in content.values()) == user["content_pieces"]
        )

    # Personas: every one, every field the sidecar states.
    null_key = "data_is_null" if "data_is_null" in exp["personas"][0] else "legacy_data_was_null"
    legacy_rows = {row["id"]: row for row in sqlite_rows(database, "SELECT * FROM core_persona")}
    for persona in exp["personas"]:
        row = personas[persona["id"]]
        assert row["name"] == persona["name"], persona["id"]
        assert row["owner"] == persona["owner"], persona["id"]
        assert row["is_active"] is persona["is_active"], persona["id"]
        assert row["version"] == 1
        for key in exp["scale_keys"]:
            assert row[key] == persona["scales"][key], (persona["id"], key)
        # emotion_level is a PersonaGen trait no PersonaGen05 prompt asked for.
        assert row["emotion_level"] is None
        if persona[null_key]:
            assert all(row[trait] is None for trait in TRAIT_NAMES), persona["id"]
        # The legacy row is kept verbatim (data parsed), with the source's fingerprint.
        legacy = dict(legacy_rows[persona["id"]])
        if "data" in legacy and legacy["data"] is not None:
            legacy["data"] = json.loads(legacy["data"])
        source = row["legacy_source"]
        assert source["id"] == persona["id"]
        assert source["source"] == report.fingerprint
        assert source["table"] == "core_persona"
        if report.backend == "sqlite":
            assert source["row"] == legacy
        else:  # the driver's types (booleans, ISO timestamps), same values
            assert source["row"].get("data") == legacy.get("data")
            assert source["row"]["name"] == legacy["name"]
        assert row["created_at"] == utc(legacy["created_at"])
        assert row["updated_at"] == utc(legacy["updated_at"])

    # Content: counts by status, owners, verbatim fields, recomputed word counts.
    assert (
        Counter(c["status"] for c in content.values()) == legacy_exp["counts"]["content_by_status"]
    )
    for legacy in sqlite_rows(database, "SELECT * FROM core_contentpiece"):
        row = content[legacy["id"]]
        assert row["title"] == legacy["title"]
        assert row["content"] == legacy["content"]
        assert row["status"] == legacy["status"]
        assert row["tags"] == json.loads(legacy["tags"])
        assert row["word_count"] == len(legacy["content"].split())
        assert row["created_at"] == utc(legacy["created_at"])
        assert row["updated_at"] == utc(legacy["updated_at"])
        assert row["published_at"] == utc(legacy["published_at"])
        assert row["legacy_row"]["core_contentpiece"]["persona_id"] == legacy["persona_id"]

    for case in exp["messy_cases"]:
        check_case(case, personas, content, users, report)


def check_case(
    case: dict[str, Any],
    personas: dict[int, dict[str, Any]],
    content: dict[int, dict[str, Any]],
    users: dict[str, dict[str, Any]],
    report: ImportReport,
) -> None:
    """One ``messy_cases`` entry holds (an unknown case fails, so none is skipped silently)."""
    name = case["case"]
    persona = personas.get(case.get("persona_id", -1))
    for key, value in (
        case.get("values", {}).items() if isinstance(case.get("values"), dict) else ()
    ):
        if "expected" not in value:  # a text trait: kept as text
            if value["raw"] != "<missing>" and key in TRAITS_BY_NAME:
                assert persona[key] == value["raw"], (name, key)
            elif value["raw"] != "<missing>":
                assert persona["legacy_source"]["row"]["data"][key] == value["raw"]
                assert any(
                    e["action"] == "ignored" for e in _changed(report, case["persona_id"], key)
                )
            continue
        assert persona[key] == value["expected"], (name, key)
        assert persona[key] in value["acceptable"]
        if value["raw"] not in ("<missing>", None) and value["raw"] != value["expected"]:
            assert _changed(report, case["persona_id"], key), (name, key)
        if value["found_via"].startswith("nested"):
            moved = _changed(report, case["persona_id"], key)
            assert moved and moved[0]["key"] == f"psychological_traits.{key}"
    if name.startswith("content_"):
        row = content[case["content_id"]]
        assert row["owner"] == case["owner"]
        assert row["title"] == case["title"]
        assert row["status"] == case["status"]
        assert row["published_at"] == utc(case["published_at"])
        assert row["tags"] == case["tags"]
        assert row["word_count"] == case["word_count"]
        assert len(row["content"]) == case["content_length"]
        if name in ("content_persona_of_other_user", "content_no_persona"):
            # Another user's persona is not linked (per-user isolation); the id is kept.
            assert row["persona_id"] is None
            assert row["legacy_row"]["core_contentpiece"]["persona_id"] == case["persona_id"]
        else:
            assert row["persona_legacy_id"] == case["persona_id"]
    elif name in ("age_40s", "age_adult"):
        assert persona["age"] == case["raw_age"]  # text, as the catalogue's age is
    elif name == "long_tone":
        assert persona["tone"] == case["raw_tone"]
    elif name in (
        "unicode_name_accents",
        "unicode_name_cjk",
        "unicode_name_emoji",
        "name_placeholder",
    ):
        assert persona["name"] == case["column_name"]
        assert persona["legacy_source"]["row"]["data"]["name"] == case["llm_guessed_name"]
    elif name == "duplicate_name":
        assert persona["name"] == personas[case["same_name_as"]]["name"] == case["name"]
    elif name == "inactive":
        assert persona["is_active"] is False
    elif name in ("data_null_manual",):
        assert all(persona[trait] is None for trait in TRAIT_NAMES)
    elif name == "unicode_username_or_bio":
        legacy_row = users[case["username"]]["legacy_row"]
        assert legacy_row["core_author"]["bio"] == "Rédactrice freelance ✍️ — Paris / 東京"
    elif name == "name_overwritten_by_llm_guess":
        for entry in case["personas"]:
            assert personas[entry["persona_id"]]["name"] == entry["flat_name"]
        noted = {n["legacy_id"] for n in report.notes if "placeholder" in n["note"]}
        assert {1, 2, 4, 85}.issubset(noted)
        assert 3 not in noted  # "Olivia Patel" looks like a real name
        assert any("0003_migrate_json_data" in warning for warning in report.warnings)
    elif name == "out_of_range_or_unusable_in_int_columns":
        for entry in case["values"]:
            assert personas[entry["persona_id"]][entry["key"]] == entry["expected"]
            changes = _changed(report, entry["persona_id"], entry["key"])
            assert changes[0]["raw"] == entry["column_value"]
            assert changes[0]["origin"] == "column"
    elif name == "text_longer_than_max_length_50":
        for entry in case["values"]:
            assert personas[entry["persona_id"]][entry["key"]] == entry["value"]
    elif name == "keys_dropped_by_0004":
        gone = [key for key in case["keys"] if key in TRAITS_BY_NAME]
        assert all(p[key] is None for p in personas.values() for key in gone)
    elif name == "nested_psychological_traits_lost":
        for persona_id in case["persona_ids"]:
            assert personas[persona_id]["openness_to_experience"] is None
    elif name == "updated_at_rewritten":
        rewritten = [p for p in personas.values() if p["updated_at"].year == 2026]
        assert len(rewritten) == case["count"]
    elif name == "data_null_personas_have_all_columns_null":
        for persona_id in case["persona_ids"]:
            assert all(personas[persona_id][trait] is None for trait in TRAIT_NAMES)
    elif name == "migration_0003_fails_on_non_numeric_scale":
        for entry in case["prefixed_values"]:
            assert personas[entry["persona_id"]][entry["key"]] is None
    elif name not in (
        "out_of_range_0",
        "out_of_range_11",
        "out_of_range_42",
        "scale_as_string",
        "missing_keys",
        "null_values",
        "na_string",
        "extra_unknown_key",
        "nested_psychological_traits",
    ):
        raise AssertionError(f"messy case {name!r} is not checked")
