"""The generation prompt: a persona's columns and the user's topic -> one prompt text.

Pure functions, no I/O: the same persona and topic always give the same text, byte for byte
(``tests/worker/golden/`` pins it for two contrasting personas). The prompt is sent as a single
user message, because some local chat templates (Gemma's, for one) have no system role, and it
is stored verbatim on the content piece.

Design:

1. Who is writing: the persona's name and description.
2. Its traits, grouped by catalogue section (:class:`~personagen_shared.traits.TraitGroup`) in
   catalogue order, from :data:`~personagen_shared.traits.TRAITS` (the one trait list). A scale
   is read as a level word from :data:`SCALE_LEVELS` with the number kept beside it
   (``formality: very high (9/10)``), because small models follow words better than numbers
   and larger ones use the number to calibrate. Text traits are given as written. Unknown
   (null) traits are left out: the model should not be told "None/10".
3. The task: the user's topic, then the reply format the splitter in
   :mod:`generator_worker.replies` reads best (``Title: ...`` on the first line, then the body).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from personagen_shared.traits import SCALE_MAX, SCALE_MIN, TRAITS, Trait, TraitGroup

SCALE_LEVELS: Final[dict[int, str]] = {
    1: "none at all",
    2: "very low",
    3: "low",
    4: "fairly low",
    5: "moderate",
    6: "moderately high",
    7: "fairly high",
    8: "high",
    9: "very high",
    10: "extremely high",
}
"""Words for each point of the 1..10 scale (1 = none / very low, 10 = very high, as the
catalogue ``reference/persona-traits.md`` defines the scale). Symmetric around the middle:
2/9 "very", 3/8 plain, 4/7 "fairly"."""

GROUP_HEADINGS: Final[dict[TraitGroup, str]] = {
    TraitGroup.WRITING_STYLE: "Writing style",
    TraitGroup.PERSONALITY: "Personality",
    TraitGroup.BACKGROUND: "Background",
}
"""Section headings of the prompt, one per catalogue group, in this order."""

assert set(SCALE_LEVELS) == set(range(SCALE_MIN, SCALE_MAX + 1))
assert set(GROUP_HEADINGS) == set(TraitGroup)

SCALE_NOTE: Final = (
    f"Levels run from {SCALE_LEVELS[SCALE_MIN]} ({SCALE_MIN}/{SCALE_MAX}) "
    f"to {SCALE_LEVELS[SCALE_MAX]} ({SCALE_MAX}/{SCALE_MAX})."
)
"""Closes the trait list when it holds a scale, so the numbers read as a scale."""

FORMAT_INSTRUCTIONS: Final = (
    "Reply in this format and nothing else:\n"
    "Title: <the title of the piece>\n"
    "\n"
    "<the body of the piece>\n"
    "\n"
    "Write only the piece itself: no notes, no explanations, no commentary about the persona."
)


def scale_words(value: int) -> str:
    """``9`` -> ``"very high (9/10)"``.

    Raises ``ValueError`` for a value outside 1..10 (the database CHECK forbids those).
    """
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE_LEVELS:
        raise ValueError(f"a scale value is an integer {SCALE_MIN}..{SCALE_MAX}, got {value!r}")
    return f"{SCALE_LEVELS[value]} ({value}/{SCALE_MAX})"


def _one_line(text: str) -> str:
    # A trait value is a phrase: newlines in it would break the list structure of the prompt.
    return " ".join(text.split())


def trait_line(trait: Trait, value: Any) -> str | None:
    """The prompt line for one trait, or ``None`` when the value is unknown (null or blank).

    Scales: ``- formality: very high (9/10)``; text traits: ``- tone: conversational``.
    """
    if value is None:
        return None
    if trait.is_scale:
        return f"- {trait.label}: {scale_words(value)}"
    words = _one_line(str(value))
    if not words:
        return None
    return f"- {trait.label}: {words}"


def persona_section(persona: Mapping[str, Any]) -> str:
    """The persona part of the prompt: who is writing and every known trait, grouped.

    ``persona`` maps column names to values (a ``Persona`` row's ``model_dump()`` or a
    database row mapping); missing keys count as unknown. ``name`` is required.
    """
    name = _one_line(str(persona["name"]))
    lines = [f"You are writing as {name}. Write entirely in {name}'s voice, as described below."]
    description = (persona.get("description") or "").strip()
    if description:
        lines += ["", f"About {name}:", description]
    has_scale = False
    for group, heading in GROUP_HEADINGS.items():
        group_lines = []
        for trait in TRAITS:
            if trait.group is group:
                line = trait_line(trait, persona.get(trait.name))
                if line is not None:
                    group_lines.append(line)
                    has_scale = has_scale or trait.is_scale
        if group_lines:
            lines += ["", f"{heading}:", *group_lines]
    if has_scale:
        lines += ["", SCALE_NOTE]
    return "\n".join(lines)


def build_prompt(persona: Mapping[str, Any], topic: str) -> str:
    """The whole prompt sent to the model for ``persona`` writing about ``topic``.

    Returns persona section, the topic and :data:`FORMAT_INSTRUCTIONS`, separated by blank
    lines. Raises ``ValueError`` when the topic is blank (the API requires a prompt).
    """
    topic = topic.strip()
    if not topic:
        raise ValueError("the topic (the user's prompt) is empty")
    return "\n".join(
        [
            persona_section(persona),
            "",
            "Task: write a piece on the topic below, in this voice.",
            f"Topic: {topic}",
            "",
            FORMAT_INSTRUCTIONS,
        ]
    )
