"""The persona trait catalogue: the one list every other trait-shaped thing derives from.

The table columns, the API schemas and filters, the analysis JSON Schema and the worker's
prompt are all built from :data:`TRAITS`. The catalogue follows the team reference
``reference/persona-traits.md`` (75 traits); ``tests/test_traits.py`` proves the two agree.

Kinds:

- ``scale``: integer 1..10 (1 = none / very low, 10 = very high), ``SMALLINT`` with a CHECK.
- ``descriptive``: short free text; the suggested words are a vocabulary, not a closed set.
- ``background``: free text about the writer (``age`` is text too, because legacy data holds
  ranges and words such as "30-40" or "Adult" that an integer column would lose).

Column limits are twice the legacy PersonaGen05 limits (50, and 100 for ``dominant_motivations``
and ``core_values``) so that every legacy value fits without trimming.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final


class TraitKind(StrEnum):
    """What values a trait holds."""

    SCALE = "scale"
    DESCRIPTIVE = "descriptive"
    BACKGROUND = "background"


class TraitGroup(StrEnum):
    """Which section of the catalogue a trait belongs to (used to order the prompt)."""

    WRITING_STYLE = "writing_style"
    PERSONALITY = "personality"
    BACKGROUND = "background"


SCALE_MIN: Final = 1
SCALE_MAX: Final = 10
TEXT_LIMIT: Final = 100
LONG_TEXT_LIMIT: Final = 200


@dataclass(frozen=True, slots=True)
class Trait:
    """One persona trait.

    Attributes:
        name: column and JSON key, snake_case.
        kind: scale (int 1..10) or text.
        group: catalogue section.
        label: words a person (or a model) reads, e.g. "formality".
        suggested: vocabulary suggested for text traits (not a closed set).
        max_length: character limit of text traits; ``None`` for scales.
    """

    name: str
    kind: TraitKind
    group: TraitGroup
    label: str
    suggested: tuple[str, ...] = ()
    max_length: int | None = None

    @property
    def is_scale(self) -> bool:
        """True for 1..10 integer traits."""
        return self.kind is TraitKind.SCALE


def _scale(name: str, group: TraitGroup, label: str) -> Trait:
    return Trait(name, TraitKind.SCALE, group, label)


def _text(
    name: str,
    kind: TraitKind,
    group: TraitGroup,
    label: str,
    suggested: tuple[str, ...] = (),
    max_length: int = TEXT_LIMIT,
) -> Trait:
    return Trait(name, kind, group, label, suggested, max_length)


_W = TraitGroup.WRITING_STYLE
_P = TraitGroup.PERSONALITY
_B = TraitGroup.BACKGROUND
_D = TraitKind.DESCRIPTIVE
_BG = TraitKind.BACKGROUND

TRAITS: Final[tuple[Trait, ...]] = (
    # Writing style: scales (43)
    _scale("vocabulary_complexity", _W, "vocabulary complexity"),
    _scale("idiom_usage", _W, "use of idioms"),
    _scale("metaphor_frequency", _W, "use of metaphors"),
    _scale("simile_frequency", _W, "use of similes"),
    _scale("contraction_usage", _W, "use of contractions"),
    _scale("passive_voice_frequency", _W, "use of the passive voice"),
    _scale("rhetorical_question_usage", _W, "use of rhetorical questions"),
    _scale("list_usage_tendency", _W, "use of lists"),
    _scale("personal_anecdote_inclusion", _W, "personal anecdotes"),
    _scale("pop_culture_reference_frequency", _W, "pop-culture references"),
    _scale("technical_jargon_usage", _W, "technical jargon"),
    _scale("parenthetical_aside_frequency", _W, "parenthetical asides"),
    _scale("humor_sarcasm_usage", _W, "humour and sarcasm"),
    _scale("emotional_expressiveness", _W, "emotional expressiveness"),
    _scale("emphatic_device_usage", _W, "emphatic devices (italics, capitals, exclamations)"),
    _scale("quotation_frequency", _W, "quotations"),
    _scale("analogy_usage", _W, "analogies"),
    _scale("sensory_detail_inclusion", _W, "sensory detail"),
    _scale("onomatopoeia_usage", _W, "onomatopoeia"),
    _scale("alliteration_frequency", _W, "alliteration"),
    _scale("foreign_phrase_usage", _W, "foreign phrases"),
    _scale("rhetorical_device_usage", _W, "rhetorical devices"),
    _scale("statistical_data_usage", _W, "numbers and statistics"),
    _scale("personal_opinion_inclusion", _W, "personal opinions"),
    _scale("transition_usage", _W, "transition words"),
    _scale("reader_question_frequency", _W, "questions addressed to the reader"),
    _scale("imperative_sentence_usage", _W, "imperative sentences"),
    _scale("dialogue_inclusion", _W, "dialogue"),
    _scale("regional_dialect_usage", _W, "regional dialect"),
    _scale("hedging_language_frequency", _W, "hedging language"),
    _scale("personal_belief_inclusion", _W, "personal beliefs"),
    _scale("repetition_usage", _W, "deliberate repetition"),
    _scale("subordinate_clause_frequency", _W, "subordinate clauses"),
    _scale("sensory_imagery_usage", _W, "sensory imagery"),
    _scale("symbolism_usage", _W, "symbolism"),
    _scale("digression_frequency", _W, "digressions"),
    _scale("formality_level", _W, "formality"),
    _scale("reflection_inclusion", _W, "reflection"),
    _scale("irony_usage", _W, "irony"),
    _scale("neologism_frequency", _W, "coined words"),
    _scale("ellipsis_usage", _W, "ellipses"),
    _scale("cultural_reference_inclusion", _W, "cultural references"),
    _scale("stream_of_consciousness_usage", _W, "stream of consciousness"),
    # Writing style: descriptive (8)
    _text("sentence_structure", _D, _W, "sentence structure", ("simple", "complex", "varied")),
    _text(
        "paragraph_organization",
        _D,
        _W,
        "paragraph organisation",
        ("structured", "loose", "stream-of-consciousness"),
    ),
    _text("tone", _D, _W, "tone", ("formal", "informal", "academic", "conversational")),
    _text("punctuation_style", _D, _W, "punctuation", ("minimal", "heavy", "unconventional")),
    _text("pronoun_preference", _D, _W, "pronoun preference", ("first-person", "third-person")),
    _text("word_length_preference", _D, _W, "word length", ("short", "long", "varied")),
    _text("language_abstraction", _D, _W, "language", ("concrete", "abstract", "mixed")),
    _text("verb_type_preference", _D, _W, "verbs", ("active", "stative", "mixed")),
    # Personality: scales (10)
    _scale("openness_to_experience", _P, "openness to experience"),
    _scale("conscientiousness", _P, "conscientiousness"),
    _scale("extraversion", _P, "extraversion"),
    _scale("agreeableness", _P, "agreeableness"),
    _scale("emotional_stability", _P, "emotional stability"),
    _scale("emotion_level", _P, "emotional intensity"),
    _scale("empathy_level", _P, "empathy"),
    _scale("self_confidence", _P, "self-confidence"),
    _scale("risk_taking_tendency", _P, "risk-taking"),
    _scale("creativity_level", _P, "creativity"),
    # Personality: descriptive (7)
    _text(
        "dominant_motivations",
        _D,
        _P,
        "dominant motivations",
        ("achievement", "affiliation", "power"),
        LONG_TEXT_LIMIT,
    ),
    _text(
        "core_values",
        _D,
        _P,
        "core values",
        ("integrity", "freedom", "knowledge"),
        LONG_TEXT_LIMIT,
    ),
    _text(
        "decision_making_style",
        _D,
        _P,
        "decision making",
        ("analytical", "intuitive", "spontaneous"),
    ),
    _text("idealism_vs_realism", _D, _P, "outlook", ("idealistic", "realistic", "mixed")),
    _text(
        "conflict_resolution_style",
        _D,
        _P,
        "conflict resolution",
        ("assertive", "collaborative", "avoidant"),
    ),
    _text(
        "relationship_orientation",
        _D,
        _P,
        "relationship orientation",
        ("independent", "communal", "mixed"),
    ),
    _text(
        "emotional_response_tendency",
        _D,
        _P,
        "emotional response",
        ("calm", "reactive", "intense"),
    ),
    # Background (7)
    _text("age", _BG, _B, "age", ("age or age range",)),
    _text("gender", _BG, _B, "gender"),
    _text("education_level", _BG, _B, "education"),
    _text("professional_background", _BG, _B, "profession"),
    _text("cultural_background", _BG, _B, "cultural background"),
    _text("primary_language", _BG, _B, "primary language"),
    _text(
        "language_fluency",
        _BG,
        _B,
        "fluency",
        ("native", "fluent", "intermediate", "beginner"),
    ),
)

TRAITS_BY_NAME: Final[dict[str, Trait]] = {t.name: t for t in TRAITS}
TRAIT_NAMES: Final[tuple[str, ...]] = tuple(t.name for t in TRAITS)
SCALE_TRAITS: Final[tuple[Trait, ...]] = tuple(t for t in TRAITS if t.is_scale)
TEXT_TRAITS: Final[tuple[Trait, ...]] = tuple(t for t in TRAITS if not t.is_scale)

if len(TRAITS_BY_NAME) != len(TRAITS):  # pragma: no cover  # guards edits of the list
    raise RuntimeError("trait names must be unique")
