"""The metrics: rates, lengths and readability grades computed from the counts.

:func:`_metrics` turns :class:`~personagen_shared.stylometry.counts._Counts` into the metric
dict (name -> :class:`MetricValue`, each with its unit and a description). The readability
grades are the classic formulas (Flesch 1948; Kincaid et al. 1975; Gunning 1952; Coleman &
Liau 1975; Smith & Senter 1967; see :func:`readability`), applied to counts made once.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final, TypedDict

from personagen_shared.stylometry.counts import _Counts


class MetricValue(TypedDict):
    """One measured metric: ``value`` in ``unit`` (e.g. "words per sentence")."""

    value: float
    unit: str
    description: str


PER_1000 = "per 1000 words"
SHARE = "share 0..1"


def _ratio(part: float, whole: float) -> float:
    return part / whole if whole else 0.0


def _mean_sd(values: Sequence[int]) -> tuple[float, float]:
    """Mean and population standard deviation (0, 0 for no values)."""
    if not values:
        return 0.0, 0.0
    mean = sum(values) / len(values)
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))


def readability(
    *,
    words: int,
    sentences: int,
    letter_words: int,
    letters: int,
    syllables: int,
    polysyllables: int,
) -> dict[str, float]:
    """The classic readability formulas on counts made once (all 0.0 for an empty text).

    - Flesch reading ease = 206.835 - 1.015 ASL - 84.6 ASW (Flesch 1948);
    - Flesch-Kincaid grade = 0.39 ASL + 11.8 ASW - 15.59 (Kincaid et al. 1975);
    - Gunning fog = 0.4 (ASL + 100 x share of words of 3+ syllables) (Gunning 1952);
    - Coleman-Liau = 0.0588 L - 0.296 S - 15.8, L letters and S sentences per 100 words
      (Coleman & Liau 1975);
    - Automated readability index = 4.71 letters/word + 0.5 ASL - 21.43 (Smith & Senter
      1967);

    where ASL is words per sentence and ASW syllables per word (words with letters). These
    are textstat's formulas with textstat's syllable counts, applied to this package's own
    word and sentence counts (consistent with the other metrics, and one pass instead of
    textstat re-tokenising the text for every formula).
    """
    if not words or not sentences or not letter_words:
        return dict.fromkeys(READABILITY_METRICS, 0.0)
    asl = words / sentences
    asw = syllables / letter_words
    letters_per_word = letters / letter_words
    return {
        "flesch_reading_ease": 206.835 - 1.015 * asl - 84.6 * asw,
        "flesch_kincaid_grade": 0.39 * asl + 11.8 * asw - 15.59,
        "gunning_fog": 0.4 * (asl + 100 * polysyllables / letter_words),
        "coleman_liau_index": 0.0588 * 100 * letters_per_word - 0.296 * 100 / asl - 15.8,
        "automated_readability_index": 4.71 * letters_per_word + 0.5 * asl - 21.43,
    }


READABILITY_METRICS: Final = (
    "flesch_reading_ease",
    "flesch_kincaid_grade",
    "gunning_fog",
    "coleman_liau_index",
    "automated_readability_index",
)


def _metrics(c: _Counts) -> dict[str, MetricValue]:
    per_1000 = 1000 / c.words if c.words else 0.0
    pronouns = c.first + c.second + c.third
    sentence_mean, sentence_sd = _mean_sd(c.sentence_lengths)
    word_mean = _ratio(c.letters, c.letter_words)
    word_sd = math.sqrt(max(0.0, _ratio(c.letters_squared, c.letter_words) - word_mean**2))
    r = readability(
        words=c.words,
        sentences=c.sentences,
        letter_words=c.letter_words,
        letters=c.letters,
        syllables=c.syllables,
        polysyllables=c.polysyllables,
    )

    def m(value: float, unit: str, description: str) -> MetricValue:
        return {"value": round(float(value), 4), "unit": unit, "description": description}

    return {
        "word_count": m(c.words, "words", "Words (letter/digit runs; contractions count once)."),
        "sentence_count": m(c.sentences, "sentences", "Sentences (see the splitting rules)."),
        "sentence_length_mean": m(sentence_mean, "words per sentence", "Mean sentence length."),
        "sentence_length_sd": m(
            sentence_sd, "words per sentence", "Standard deviation of sentence length."
        ),
        "word_length_mean": m(
            word_mean, "letters per word", "Mean word length in letters (words with letters)."
        ),
        "word_length_sd": m(word_sd, "letters per word", "Standard deviation of word length."),
        "syllables_per_word": m(
            _ratio(c.syllables, c.letter_words),
            "syllables per word",
            "Mean syllables per word (textstat: CMUdict, else Pyphen).",
        ),
        "polysyllabic_word_share": m(
            _ratio(c.polysyllables, c.letter_words), SHARE, "Words of three or more syllables."
        ),
        "flesch_reading_ease": m(
            r["flesch_reading_ease"],
            "score (higher = easier; 60-70 plain English)",
            "Flesch (1948) reading ease.",
        ),
        "flesch_kincaid_grade": m(
            r["flesch_kincaid_grade"], "US school grade", "Flesch-Kincaid grade (Kincaid 1975)."
        ),
        "gunning_fog": m(r["gunning_fog"], "US school grade", "Gunning (1952) fog index."),
        "coleman_liau_index": m(
            r["coleman_liau_index"], "US school grade", "Coleman & Liau (1975) index."
        ),
        "automated_readability_index": m(
            r["automated_readability_index"],
            "US school grade",
            "Automated Readability Index (Smith & Senter 1967).",
        ),
        "mtld": m(
            c.mtld,
            "words per factor (higher = more diverse)",
            "Lexical diversity, MTLD (McCarthy & Jarvis 2010, TTR threshold 0.72).",
        ),
        "contraction_rate": m(
            c.contractions * per_1000,
            PER_1000,
            "Contractions: n't, 're, 've, 'll, 'd, 'm, and 's after a pronoun/adverb.",
        ),
        "first_person_share": m(
            _ratio(c.first, pronouns), SHARE, "First-person pronouns among personal pronouns."
        ),
        "second_person_share": m(
            _ratio(c.second, pronouns), SHARE, "Second-person pronouns among personal pronouns."
        ),
        "third_person_share": m(
            _ratio(c.third, pronouns), SHARE, "Third-person pronouns among personal pronouns."
        ),
        "pronoun_rate": m(pronouns * per_1000, PER_1000, "Personal pronouns of any person."),
        "first_second_person_rate": m(
            (c.first + c.second) * per_1000,
            PER_1000,
            "First- and second-person pronouns (writer and reader in the text).",
        ),
        "question_rate": m(
            _ratio(c.question_sentences, c.sentences),
            "questions per sentence (share 0..1)",
            "Sentences containing a question mark.",
        ),
        "exclamation_rate": m(
            _ratio(c.exclamation_sentences, c.sentences),
            "exclamations per sentence (share 0..1)",
            "Sentences containing an exclamation mark.",
        ),
        "passive_rate": m(
            _ratio(c.passive_sentences, c.sentences),
            "passive sentences per sentence (share 0..1)",
            "Sentences with a passive: a form of 'be' + past participle (-ed or irregular).",
        ),
        "passive_per_1000_words": m(c.passives * per_1000, PER_1000, "Passive constructions."),
        "parenthetical_rate": m(
            c.asides * per_1000,
            PER_1000,
            "Asides in (round) or [square] brackets with words in them, and dash pairs.",
        ),
        "quotation_rate": m(
            c.quotes.quotations * per_1000, PER_1000, "Quoted spans in double or single quotes."
        ),
        "quoted_word_share": m(
            _ratio(c.quotes.quoted_words, c.words), SHARE, "Words inside quotation marks."
        ),
        "dialogue_rate": m(
            c.quotes.dialogue_quotations * per_1000,
            PER_1000,
            "Quotations attached to a reporting verb, standalone speeches, script lines.",
        ),
        "dialogue_word_share": m(
            _ratio(c.quotes.dialogue_words, c.words), SHARE, "Words inside dialogue."
        ),
        "list_item_rate": m(
            c.list_items * per_1000,
            PER_1000,
            "Lines starting with -, *, a bullet, '1.', '1)', 'a)' or '(a)'.",
        ),
        "list_line_share": m(
            _ratio(c.list_items, c.lines), SHARE, "Non-empty lines that are list items."
        ),
        "ellipsis_rate": m(c.ellipses * per_1000, PER_1000, "Ellipses ('...', '. . .', '…')."),
        "transition_rate": m(
            c.transitions * per_1000, PER_1000, "Transition words and phrases (Purdue OWL list)."
        ),
        "hedge_rate": m(c.hedges * per_1000, PER_1000, "Hedging words and phrases (Hyland)."),
        "number_rate": m(c.numbers * per_1000, PER_1000, "Numbers written in digits."),
        "percentage_rate": m(
            c.percentages * per_1000, PER_1000, "Percentages ('%', 'percent', 'per cent')."
        ),
        "subordinate_clause_rate": m(
            _ratio(c.subordinators, c.sentences),
            "subordinators per sentence",
            "Subordinating conjunctions and relative pronouns opening a clause.",
        ),
    }
