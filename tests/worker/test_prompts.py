"""The prompt builder: golden texts for two contrasting personas, and its rules one by one.

Regenerate the goldens after a deliberate change of the prompt design with
``UPDATE_GOLDEN=1 uv run pytest tests/worker/test_prompts.py`` and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from generator_worker.prompts import (
    FORMAT_INSTRUCTIONS,
    GROUP_HEADINGS,
    SCALE_LEVELS,
    build_prompt,
    scale_words,
    trait_line,
)
from personagen_shared.traits import SCALE_TRAITS, TEXT_TRAITS, TRAITS, TRAITS_BY_NAME

GOLDEN = Path(__file__).parent / "golden"

LEGAL_DRAFTER: dict[str, Any] = {
    "name": "Margaret Hale, KC",
    "description": (
        "A senior commercial barrister who drafts opinions for boards.\n"
        "Precise, cautious, never casual."
    ),
    "formality_level": 10,
    "vocabulary_complexity": 9,
    "technical_jargon_usage": 8,
    "contraction_usage": 1,
    "humor_sarcasm_usage": 1,
    "emotional_expressiveness": 2,
    "hedging_language_frequency": 7,
    "passive_voice_frequency": 6,
    "subordinate_clause_frequency": 9,
    "list_usage_tendency": 7,
    "pop_culture_reference_frequency": None,
    "sentence_structure": "complex",
    "tone": "formal",
    "paragraph_organization": "structured",
    "pronoun_preference": "third-person",
    "conscientiousness": 10,
    "extraversion": 3,
    "self_confidence": 8,
    "decision_making_style": "analytical",
    "core_values": "integrity,  precedent and\nclarity",
    "age": "50-60",
    "education_level": "LLM (Cantab)",
    "professional_background": "commercial law",
    "primary_language": "English",
    "language_fluency": "native",
}

TEEN_BLOGGER: dict[str, Any] = {
    "name": "Zoe",
    "description": "16, runs a blog about thrifted fashion and indie games.",
    "formality_level": 2,
    "contraction_usage": 10,
    "emphatic_device_usage": 9,
    "pop_culture_reference_frequency": 9,
    "humor_sarcasm_usage": 7,
    "reader_question_frequency": 8,
    "neologism_frequency": 6,
    "ellipsis_usage": 5,
    "technical_jargon_usage": None,
    "tone": "conversational",
    "punctuation_style": "heavy",
    "extraversion": 9,
    "emotion_level": 8,
    "risk_taking_tendency": 7,
    "idealism_vs_realism": "idealistic",
    "age": "16",
    "gender": "female",
}


def _golden(name: str, text: str) -> str:
    path = GOLDEN / name
    if os.environ.get("UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    return path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("persona", "topic", "golden"),
    [
        (LEGAL_DRAFTER, "Whether a board may rely on an unsigned NDA", "legal_drafter.txt"),
        (TEEN_BLOGGER, "my top 5 cozy games for rainy weekends", "teen_blogger.txt"),
    ],
)
def test_prompt_matches_golden(persona: dict[str, Any], topic: str, golden: str) -> None:
    prompt = build_prompt(persona, topic)
    assert prompt == _golden(golden, prompt)


def test_contrasting_personas_read_differently() -> None:
    legal = build_prompt(LEGAL_DRAFTER, "x")
    teen = build_prompt(TEEN_BLOGGER, "x")
    assert "- formality: extremely high (10/10)" in legal
    assert "- formality: very low (2/10)" in teen
    assert "- use of contractions: none at all (1/10)" in legal
    assert "- use of contractions: extremely high (10/10)" in teen


def test_unknown_traits_are_left_out() -> None:
    prompt = build_prompt({"name": "Blank", "description": None, "tone": "  "}, "cats")
    assert "None" not in prompt
    assert "/10" not in prompt
    for heading in GROUP_HEADINGS.values():
        assert f"{heading}:" not in prompt
    assert "tone" not in prompt
    assert "About Blank" not in prompt
    assert prompt.startswith("You are writing as Blank.")


def test_known_traits_appear_once_in_catalogue_order_and_groups() -> None:
    persona: dict[str, Any] = {"name": "All"}
    for trait in TRAITS:
        persona[trait.name] = 5 if trait.is_scale else f"value of {trait.name}"
    prompt = build_prompt(persona, "topic")
    positions = [prompt.index(f"- {trait.label}: ") for trait in TRAITS]
    assert positions == sorted(positions)
    assert prompt.count("(5/10)") == len(SCALE_TRAITS)
    for trait in TEXT_TRAITS:
        assert f"- {trait.label}: value of {trait.name}\n" in prompt
    headings = [prompt.index(f"\n{h}:\n") for h in GROUP_HEADINGS.values()]
    assert headings == sorted(headings)


def test_scale_levels_cover_the_scale_and_rise() -> None:
    assert [scale_words(v) for v in (1, 5, 9, 10)] == [
        "none at all (1/10)",
        "moderate (5/10)",
        "very high (9/10)",
        "extremely high (10/10)",
    ]
    assert sorted(SCALE_LEVELS) == list(range(1, 11))
    assert len(set(SCALE_LEVELS.values())) == 10


@pytest.mark.parametrize("bad", [0, 11, -1, "9", 9.0, True, None])
def test_scale_outside_the_scale_is_refused(bad: Any) -> None:
    with pytest.raises(ValueError, match=r"1\.\.10"):
        scale_words(bad)


def test_text_traits_are_one_line() -> None:
    line = trait_line(TRAITS_BY_NAME["core_values"], "integrity,\n\n  - injected: line")
    assert line == "- core values: integrity, - injected: line"


def test_topic_and_format_close_the_prompt() -> None:
    prompt = build_prompt(TEEN_BLOGGER, "  rainy days  ")
    assert "\nTopic: rainy days\n" in prompt
    assert prompt.endswith(FORMAT_INSTRUCTIONS)
    assert "Title: <the title of the piece>" in prompt


@pytest.mark.parametrize("topic", ["", "   ", "\n"])
def test_blank_topic_is_refused(topic: str) -> None:
    with pytest.raises(ValueError, match="topic"):
        build_prompt(TEEN_BLOGGER, topic)
