"""The importer normalises through the one shared function (the analysis uses it too)."""

from __future__ import annotations

import json
from pathlib import Path

from personagen.legacy import import_legacy
from personagen.legacy.transform import personas as persona_transform
from personagen_shared import normalize
from personagen_shared.normalize import normalise_traits
from personagen_shared.traits import TRAIT_NAMES
from tests.legacy._support import JSON_DB, copy_legacy, imported_personas, sqlite_exec

MESSY = {
    "name": "An LLM's guess",
    "formality_level": "7/10",
    "vocabulary_complexity": 7.5,
    "idiom_usage": " 9 ",
    "irony_usage": 6.0,
    "metaphor_frequency": True,
    "simile_frequency": "N/A",
    "contraction_usage": "",
    "extraversion": -1,
    "agreeableness": 100,
    "self_confidence": "high",
    "Passive Voice-Frequency": 3,
    "psychological_traits": {"empathy_level": 4, "core_values": "honesty"},
    "tone": "x" * 250,
    "age": 35,
    "favourite_colour": "teal",
}


def test_importer_module_uses_the_shared_function() -> None:
    assert persona_transform.normalise_traits is normalize.normalise_traits


async def test_messy_values_are_stored_as_the_shared_function_says(
    database_url: str, tmp_path: Path
) -> None:
    copy = copy_legacy(JSON_DB, tmp_path)
    sqlite_exec(copy, ("UPDATE core_persona SET data = ? WHERE id = 1", (json.dumps(MESSY),)))
    shared = normalise_traits(MESSY)

    report = await import_legacy(str(copy), database_url)

    persona = (await imported_personas(database_url))[1]
    assert {name: persona[name] for name in TRAIT_NAMES} == {
        name: shared.values.get(name) for name in TRAIT_NAMES
    }
    # The policy of expected.json, as the shared function implements it:
    assert persona["formality_level"] == 7  # "7/10"
    assert persona["vocabulary_complexity"] == 8  # 7.5 rounds half up
    assert persona["idiom_usage"] == 9  # " 9 "
    assert persona["irony_usage"] == 6  # 6.0
    for dropped in (
        "metaphor_frequency",  # a boolean
        "simile_frequency",  # "N/A"
        "contraction_usage",  # ""
        "extraversion",  # -1
        "agreeableness",  # 100
        "self_confidence",  # "high"
    ):
        assert persona[dropped] is None, dropped
    assert persona["passive_voice_frequency"] == 3  # a case/space/hyphen variant of the key
    assert persona["empathy_level"] == 4  # nested psychological_traits
    assert persona["core_values"] == "honesty"
    assert persona["tone"] == "x" * 100  # cut to the column limit
    assert persona["age"] == "35"
    assert persona["name"] == "Rally speech"  # the column, never data["name"]
    assert persona["legacy_source"]["row"]["data"] == MESSY  # nothing lost

    # Every change of the shared function is in the report, with persona and field.
    reported = [
        (e["field"], e["action"], e.get("key"))
        for e in report.normalisations
        if e["kind"] == "persona" and e["legacy_id"] == 1 and e["action"] != "moved"
    ]
    assert reported == [(c.trait, c.action.value, c.key) for c in shared.changes]
    moved = {
        e["field"]: e.get("key")
        for e in report.normalisations
        if e["legacy_id"] == 1 and e["action"] == "moved"
    }
    assert moved == {
        "empathy_level": "psychological_traits.empathy_level",
        "core_values": "psychological_traits.core_values",
        "passive_voice_frequency": None,
    }
