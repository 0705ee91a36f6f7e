"""Mappings of the metrics onto the traits: 1..10 levels and descriptive words.

Each scale trait is a piecewise-linear function of one or more metrics through anchor
points (raw value -> level), then rounded half up and clamped to 1..10. Anchors are
monotone, so every mapping is monotone in each of its inputs (tests/shared/stylometry checks
this over a grid). The anchors were set on the 12 reference texts of shared/reference/
writing-samples (human levels in index.json for formality, vocabulary, contractions,
dialogue, rhetorical questions and passives) and, for the other traits, on published
typical rates where they exist; bench/calibration_report.py prints how the mapped levels
rank against the human ones. Each mapping's docstring states its anchors and why.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

from personagen_shared.traits import SCALE_MAX, SCALE_MIN, TRAITS_BY_NAME

Anchors = tuple[tuple[float, float], ...]
Metrics = dict[str, float]


def piecewise(value: float, anchors: Anchors) -> float:
    """Linear interpolation through ``anchors`` ((x, y) with increasing x), flat outside.

    Returns the interpolated level (a float; :func:`to_level` rounds it). Non-finite
    values are treated as the lowest anchor's x.
    """
    if not math.isfinite(value) or value <= anchors[0][0]:
        return anchors[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(anchors):
        if value <= x1:
            return y0 + (y1 - y0) * (value - x0) / (x1 - x0)
    return anchors[-1][1]


def to_level(score: float) -> int:
    """Round a score half up (6.5 -> 7, like the trait normalisation) and clamp it to 1..10."""
    rounded = int(Decimal(str(round(score, 9))).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return max(SCALE_MIN, min(SCALE_MAX, rounded))


CONTRACTION_ANCHORS: Final[Anchors] = ((0, 1), (3, 3), (8, 5), (15, 6), (25, 8), (40, 10))
PASSIVE_ANCHORS: Final[Anchors] = ((0, 1), (0.1, 3), (0.25, 5), (0.5, 7), (0.75, 9), (1, 10))
QUESTION_ANCHORS: Final[Anchors] = (
    (0, 1),
    (0.02, 2),
    (0.05, 3),
    (0.1, 5),
    (0.2, 7),
    (0.35, 9),
    (0.5, 10),
)
DIALOGUE_ANCHORS: Final[Anchors] = ((0, 1), (1, 2), (3, 3), (10, 6), (20, 8), (40, 10))
LIST_ANCHORS: Final[Anchors] = ((0, 1), (2, 2), (10, 4), (25, 7), (50, 10))
ELLIPSIS_ANCHORS: Final[Anchors] = ((0, 1), (0.5, 2), (2, 4), (5, 7), (10, 10))
STATISTICS_ANCHORS: Final[Anchors] = ((0, 1), (2, 2), (10, 4), (25, 7), (50, 10))
HEDGE_ANCHORS: Final[Anchors] = ((0, 1), (4, 3), (10, 5), (20, 8), (30, 10))
TRANSITION_ANCHORS: Final[Anchors] = ((0, 1), (2, 3), (5, 5), (10, 7), (20, 10))
PARENTHETICAL_ANCHORS: Final[Anchors] = ((0, 1), (2, 3), (5, 5), (10, 7), (20, 10))
QUOTATION_ANCHORS: Final[Anchors] = ((0, 1), (2, 2), (8, 4), (20, 7), (40, 10))
SUBORDINATE_ANCHORS: Final[Anchors] = ((0, 1), (0.25, 3), (0.5, 5), (1, 7), (1.5, 9), (2, 10))
GRADE_VOCABULARY_ANCHORS: Final[Anchors] = ((4, 1), (8, 4), (12, 6), (16, 8), (22, 10))
SYLLABLE_ANCHORS: Final[Anchors] = ((1.2, 1), (1.4, 4), (1.7, 7), (2, 10))
GRADE_FORMALITY_ANCHORS: Final[Anchors] = ((5, 2), (9, 5), (14, 8), (20, 10))
CONTRACTION_FORMALITY_ANCHORS: Final[Anchors] = ((0, 10), (2, 8), (8, 5), (15, 3), (25, 1))
PERSONAL_FORMALITY_ANCHORS: Final[Anchors] = ((0, 10), (10, 8), (30, 5), (60, 2), (90, 1))
EXCLAMATION_FORMALITY_ANCHORS: Final[Anchors] = ((0, 10), (0.05, 6), (0.2, 2), (0.4, 1))


def contraction_usage(m: Metrics) -> int:
    """``contraction_rate`` (contractions per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 3 -> 3, 8 -> 5, 15 -> 6, 25 -> 8, 40 -> 10.
    Why: edited expository prose has almost none (the legal, man-page and manifesto samples
    measure 0-1), relaxed documentation 8-20 (the FAQ, the HOWTO, Alice), and conversation
    runs to 30-50 per 1000 words (Biber et al. 1999, 7.7), hence 10 at 40.
    """
    return to_level(piecewise(m["contraction_rate"], CONTRACTION_ANCHORS))


def passive_voice_frequency(m: Metrics) -> int:
    """``passive_rate`` (share of sentences with a passive) -> 1..10, increasing.

    Anchors: 0 -> 1, 0.1 -> 3, 0.25 -> 5, 0.5 -> 7, 0.75 -> 9, 1 -> 10.
    Why: narrative and chatty text measures about 0.1 (Alice, the quips), technical and
    normative prose 0.4-0.5 (the man page, Debian policy); style checkers flag more than
    about one passive sentence in four, which sits at the middle of the scale.
    """
    return to_level(piecewise(m["passive_rate"], PASSIVE_ANCHORS))


def rhetorical_question_usage(m: Metrics) -> int:
    """``question_rate`` (share of sentences with a question mark) -> 1..10, increasing.

    Anchors: 0 -> 1, 0.02 -> 2, 0.05 -> 3, 0.1 -> 5, 0.2 -> 7, 0.35 -> 9, 0.5 -> 10.
    Why: documents measure 0; one question in 20-50 sentences (the HOWTO, the quips) is a
    touch; Alice (0.17) and Paradise Lost (0.25) are full of them. A counter cannot tell a
    rhetorical question from a real one (FAQ headings count too), so this is an upper bound.
    """
    return to_level(piecewise(m["question_rate"], QUESTION_ANCHORS))


def dialogue_inclusion(m: Metrics) -> int:
    """``dialogue_rate`` (quoted speeches per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 1 -> 2, 3 -> 3, 10 -> 6, 20 -> 8, 40 -> 10.
    Why: expository samples measure 0; a quoted remark or two gives 2-3 (the quips measure
    3); Alice's narration with speech measures about 10 and the koans, told through
    dialogue, about 18; a play or chat transcript exceeds 40.
    """
    return to_level(piecewise(m["dialogue_rate"], DIALOGUE_ANCHORS))


def list_usage_tendency(m: Metrics) -> int:
    """``list_item_rate`` (list-item lines per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 2 -> 2, 10 -> 4, 25 -> 7, 50 -> 10.
    Why: running prose has none; numbered sections (the licence: 8) are a moderate use;
    slide-like text with an item every 20-40 words (25-50) is list-driven.
    """
    return to_level(piecewise(m["list_item_rate"], LIST_ANCHORS))


def ellipsis_usage(m: Metrics) -> int:
    """``ellipsis_rate`` (ellipses per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 0.5 -> 2, 2 -> 4, 5 -> 7, 10 -> 10.
    Why: most prose has none; the quips (4.3) use them for timing; one ellipsis every
    100 words (10) is a trailing, chat-like style.
    """
    return to_level(piecewise(m["ellipsis_rate"], ELLIPSIS_ANCHORS))


def statistical_data_usage(m: Metrics) -> int:
    """``number_rate + 5 * percentage_rate`` (per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 2 -> 2, 10 -> 4, 25 -> 7, 50 -> 10.
    Why: a percentage is a statistic proper, so it weighs five plain numbers. Narrative
    has none, the licence (a percentage and section numbers) measures 17, the man page's
    buffer sizes and section references 40; reports quoting figures in most sentences
    exceed 50.
    """
    score = m["number_rate"] + 5 * m["percentage_rate"]
    return to_level(piecewise(score, STATISTICS_ANCHORS))


def hedging_language_frequency(m: Metrics) -> int:
    """``hedge_rate`` (hedges per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 4 -> 3, 10 -> 5, 20 -> 8, 30 -> 10.
    Why: Hyland (2005) counts about 15-20 hedges per 1000 words in research articles,
    fewer in textbooks; the reference samples measure 3 (koans) to 16 (the FAQ).
    """
    return to_level(piecewise(m["hedge_rate"], HEDGE_ANCHORS))


def transition_usage(m: Metrics) -> int:
    """``transition_rate`` (transitions per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 2 -> 3, 5 -> 5, 10 -> 7, 20 -> 10.
    Why: the reference samples run from 1.3 (the tutorial) to 12 (the argued manifesto);
    signposting every other sentence (20) is the top of the scale.
    """
    return to_level(piecewise(m["transition_rate"], TRANSITION_ANCHORS))


def parenthetical_aside_frequency(m: Metrics) -> int:
    """``parenthetical_rate`` (asides per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 2 -> 3, 5 -> 5, 10 -> 7, 20 -> 10.
    Why: Paradise Lost has none, the manifesto 2, Alice and the licence about 6, the FAQ 12
    and the man page, with its "(see below)" cross-references, 15.
    """
    return to_level(piecewise(m["parenthetical_rate"], PARENTHETICAL_ANCHORS))


def quotation_frequency(m: Metrics) -> int:
    """``quotation_rate`` (quoted spans per 1000 words) -> 1..10, increasing.

    Anchors: 0 -> 1, 2 -> 2, 8 -> 4, 20 -> 7, 40 -> 10.
    Why: any quoted span counts (speech, defined terms, scare quotes); the samples run from
    0 (the HOWTO) through 15 (the licence's defined terms, Alice) to 30 (the FAQ's quoted
    names and rhymes).
    """
    return to_level(piecewise(m["quotation_rate"], QUOTATION_ANCHORS))


def subordinate_clause_frequency(m: Metrics) -> int:
    """``subordinate_clause_rate`` (subordinators per sentence) -> 1..10, increasing.

    Anchors: 0 -> 1, 0.25 -> 3, 0.5 -> 5, 1 -> 7, 1.5 -> 9, 2 -> 10.
    Why: one-line quips measure 0.2, documentation about 0.5, the licence 1.0 and Milton's
    periodic verse 1.75; a dependent clause in every other sentence is the middle.
    """
    return to_level(piecewise(m["subordinate_clause_rate"], SUBORDINATE_ANCHORS))


def vocabulary_complexity(m: Metrics) -> int:
    """0.7 x level(``flesch_kincaid_grade``) + 0.3 x level(``syllables_per_word``), increasing.

    Anchors, grade (US school grade): 4 -> 1, 8 -> 4, 12 -> 6, 16 -> 8, 22 -> 10.
    Anchors, syllables per word: 1.2 -> 1, 1.4 -> 4, 1.7 -> 7, 2 -> 10.
    Why: the human levels of the reference texts follow reading difficulty (rank
    correlation with the grade 0.78) more than word length alone (0.31) or lexical
    diversity (MTLD, -0.15: the quips' unrelated one-liners score high); the syllable term
    keeps the trait about words. The grade runs from 7 (quips) to 23 (the licence).
    """
    score = 0.7 * piecewise(m["flesch_kincaid_grade"], GRADE_VOCABULARY_ANCHORS)
    score += 0.3 * piecewise(m["syllables_per_word"], SYLLABLE_ANCHORS)
    return to_level(score)


def formality_level(m: Metrics) -> int:
    """Weighted mean of four measured signals, each mapped to 1..10.

    - 0.4 x reading grade (``flesch_kincaid_grade``), increasing:
      5 -> 2, 9 -> 5, 14 -> 8, 20 -> 10;
    - 0.3 x contractions (``contraction_rate``, per 1000 words), decreasing:
      0 -> 10, 2 -> 8, 8 -> 5, 15 -> 3, 25 -> 1;
    - 0.2 x writer and reader in the text (``first_second_person_rate``, per 1000 words),
      decreasing: 0 -> 10, 10 -> 8, 30 -> 5, 60 -> 2, 90 -> 1;
    - 0.1 x exclamations (``exclamation_rate``, share of sentences), decreasing:
      0 -> 10, 0.05 -> 6, 0.2 -> 2, 0.4 -> 1.

    Why: formal registers use longer sentences and words, avoid contractions, keep the
    writer and reader out of the text and rarely exclaim (Heylighen & Dewaele 1999 measure
    the same contrast with part-of-speech counts, which need a tagger). On the 12 reference
    texts the grade alone ranks like the human levels at 0.92 and the contractions at -0.80;
    the weights are round numbers, not fitted, to avoid over-fitting 12 texts.
    """
    score = 0.4 * piecewise(m["flesch_kincaid_grade"], GRADE_FORMALITY_ANCHORS)
    score += 0.3 * piecewise(m["contraction_rate"], CONTRACTION_FORMALITY_ANCHORS)
    score += 0.2 * piecewise(m["first_second_person_rate"], PERSONAL_FORMALITY_ANCHORS)
    score += 0.1 * piecewise(m["exclamation_rate"], EXCLAMATION_FORMALITY_ANCHORS)
    return to_level(score)


SHORT_WORDS_BELOW: Final = 4.3  # letters per word
LONG_WORDS_FROM: Final = 5.0
VARIED_SENTENCES_FROM: Final = 0.8  # coefficient of variation of sentence length
COMPLEX_SENTENCES_FROM: Final = 20.0  # words per sentence
COMPLEX_SUBORDINATION_FROM: Final = 0.9  # subordinators per sentence
PERSON_SHARE_FROM: Final = 0.35  # share of personal pronouns


def word_length_preference(m: Metrics) -> str:
    """``word_length_mean`` (letters per word) -> "short", "varied" or "long".

    "short" below 4.3 letters, "long" from 5.0, otherwise "varied": the ordinary mix of
    short function words and longer content words. English prose averages about 4.5-4.7
    letters per word; Alice measures 4.0, the HOWTO and the licence 5.2.
    """
    mean = m["word_length_mean"]
    if mean < SHORT_WORDS_BELOW:
        return "short"
    if mean >= LONG_WORDS_FROM:
        return "long"
    return "varied"


def sentence_structure(m: Metrics) -> str:
    """Sentence length and subordination -> "varied", "complex" or "simple".

    "varied" when sentence lengths spread widely (standard deviation at least 0.8 x the
    mean: Alice's "Oh dear!" beside 100-word periods); else "complex" from 20 words per
    sentence or 0.9 subordinators per sentence (the man page, the manifesto, Milton);
    else "simple" (the quips, the FAQ, the koans: 12-16 words per sentence).
    """
    mean = m["sentence_length_mean"]
    if mean and m["sentence_length_sd"] / mean >= VARIED_SENTENCES_FROM:
        return "varied"
    if mean >= COMPLEX_SENTENCES_FROM or m["subordinate_clause_rate"] >= COMPLEX_SUBORDINATION_FROM:
        return "complex"
    return "simple"


def pronoun_preference(m: Metrics) -> str:
    """Pronoun shares -> "first-person", "second-person" or "third-person".

    First person when at least 35 % of the personal pronouns are I/we forms (first-person
    narrators still use many it/they: the magic-switch anecdote measures 43 % first
    person); else second person when you-forms reach 35 % (tutorials, the FAQ, the
    licence's defined "You"); else third person, which includes impersonal prose with
    few pronouns at all.
    """
    if m["first_person_share"] >= PERSON_SHARE_FROM and (
        m["first_person_share"] >= m["second_person_share"]
    ):
        return "first-person"
    if m["second_person_share"] >= PERSON_SHARE_FROM:
        return "second-person"
    return "third-person"


@dataclass(frozen=True, slots=True)
class ScaleMapping:
    """A scale trait's mapping and the metrics it reads, each with its direction.

    ``inputs`` pairs a metric name with +1 (the level rises with it) or -1 (it falls).
    """

    trait: str
    function: Callable[[Metrics], int]
    inputs: tuple[tuple[str, int], ...]


SCALE_MAPPINGS: Final[dict[str, ScaleMapping]] = {
    mapping.trait: mapping
    for mapping in (
        ScaleMapping("contraction_usage", contraction_usage, (("contraction_rate", 1),)),
        ScaleMapping("passive_voice_frequency", passive_voice_frequency, (("passive_rate", 1),)),
        ScaleMapping(
            "rhetorical_question_usage", rhetorical_question_usage, (("question_rate", 1),)
        ),
        ScaleMapping("dialogue_inclusion", dialogue_inclusion, (("dialogue_rate", 1),)),
        ScaleMapping("list_usage_tendency", list_usage_tendency, (("list_item_rate", 1),)),
        ScaleMapping("ellipsis_usage", ellipsis_usage, (("ellipsis_rate", 1),)),
        ScaleMapping(
            "statistical_data_usage",
            statistical_data_usage,
            (("number_rate", 1), ("percentage_rate", 1)),
        ),
        ScaleMapping(
            "hedging_language_frequency", hedging_language_frequency, (("hedge_rate", 1),)
        ),
        ScaleMapping("transition_usage", transition_usage, (("transition_rate", 1),)),
        ScaleMapping(
            "parenthetical_aside_frequency",
            parenthetical_aside_frequency,
            (("parenthetical_rate", 1),),
        ),
        ScaleMapping("quotation_frequency", quotation_frequency, (("quotation_rate", 1),)),
        ScaleMapping(
            "subordinate_clause_frequency",
            subordinate_clause_frequency,
            (("subordinate_clause_rate", 1),),
        ),
        ScaleMapping(
            "vocabulary_complexity",
            vocabulary_complexity,
            (("flesch_kincaid_grade", 1), ("syllables_per_word", 1)),
        ),
        ScaleMapping(
            "formality_level",
            formality_level,
            (
                ("flesch_kincaid_grade", 1),
                ("contraction_rate", -1),
                ("first_second_person_rate", -1),
                ("exclamation_rate", -1),
            ),
        ),
    )
}
"""Every scale trait this module measures, by trait name."""

TEXT_MAPPINGS: Final[dict[str, Callable[[Metrics], str]]] = {
    "word_length_preference": word_length_preference,
    "sentence_structure": sentence_structure,
    "pronoun_preference": pronoun_preference,
}
"""Every descriptive trait this module measures, by trait name."""

MEASURED_TRAITS: Final[frozenset[str]] = frozenset(SCALE_MAPPINGS) | frozenset(TEXT_MAPPINGS)
"""Names of the traits :func:`analyse_text` sets; their measured value wins over the LLM's."""

assert TRAITS_BY_NAME.keys() >= MEASURED_TRAITS, "every measured trait is in the catalogue"
