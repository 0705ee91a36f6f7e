"""Measured stylometry of an English writing sample: raw metrics and the traits they imply.

Pure code: no I/O, no web framework, no database. The API validates and measures the writing
samples it receives with :func:`analyse_text`; generated text can be scored with
:func:`measure`. Everything here is deterministic, in-process and fast (a 10,000-word sample
in well under 100 ms on one core once warm; ``bench/bench_stylometry.py`` measures it).
Nothing is guessed by a model: each number is counted from the text, and the counting rules
are written down.

Public entry points
-------------------
- :func:`measure` measures any text, without validating it, and returns a
  :class:`StylometryResult`: ``.metrics`` (name -> ``{"value", "unit", "description"}``),
  ``.traits`` (catalogue trait -> value valid for its column) and ``.as_dict()``.
- :func:`analyse_text` validates a sample (:func:`validate_sample`) and then measures it.
- :func:`validate_sample` rejects samples that cannot be analysed with a
  :class:`SampleRejected` (a :class:`ValueError`): :class:`SampleTooShort`,
  :class:`SampleTooLong`, :class:`SampleNotText` or :class:`SampleNotEnglish`, each with a
  human ``detail``. They are plain exceptions; the API maps them to 413/422 problem+json
  answers (``persona_api.errors``).
- :data:`MEASURED_TRAITS` names the traits this package sets (measured values win over the
  LLM's judgement of the same trait).
- :func:`warm_up` loads the pronunciation dictionary (about 1 s, once per process) so that the
  first text does not pay for it.

Modules
-------
- :mod:`~personagen_shared.stylometry.wordlists`: the documented word lists (abbreviations,
  pronouns, contraction bases, "be" forms and participles, transitions from Purdue OWL,
  hedges from Hyland 2005, subordinators from Quirk et al. 1985 and Biber et al. 1999,
  speech verbs, English function words), each with its source and its limits.
- :mod:`~personagen_shared.stylometry.tokens`: tokenisation and segmentation (what a word,
  a sentence and a paragraph are: ``WORD_RE``, :func:`split_paragraphs`,
  :func:`split_sentences`) and every regular expression the package matches text with.
- :mod:`~personagen_shared.stylometry.validation`: :func:`validate_sample`, its thresholds
  (calibrated on the reference samples) and the rejection exceptions.
- :mod:`~personagen_shared.stylometry.counts`: one pass over the text counting everything
  (syllables through ``textstat``, MTLD after McCarthy & Jarvis 2010, contractions,
  pronouns, passives, asides, quotations and dialogue, lists, hedges, numbers, clauses).
- :mod:`~personagen_shared.stylometry.metrics`: the metric dict (:class:`MetricValue` with
  units) and the readability formulas: Flesch 1948, Kincaid et al. 1975, Gunning 1952,
  Coleman & Liau 1975, Smith & Senter 1967 (:func:`~.metrics.readability`).
- :mod:`~personagen_shared.stylometry.mappings`: metrics -> traits: piecewise-linear anchors
  onto 1..10 (:func:`~.mappings.piecewise`, :func:`~.mappings.to_level`), one documented
  function per trait, :data:`SCALE_MAPPINGS` and :data:`TEXT_MAPPINGS`.

Names with a leading underscore are internal to the package (shared between its modules,
not part of its interface).

Libraries
---------
- ``textstat`` 0.7.8 counts syllables (CMUdict, falling back to Pyphen hyphenation), once
  per distinct word; the readability grades are its formulas (Flesch, Flesch-Kincaid, Gunning
  fog, Coleman-Liau, ARI; see :func:`~.metrics.readability`) applied to counts made once
  here. Calling textstat's text-level functions instead re-tokenises the text for every
  formula (about 35 ms of CPU for the five grades of a 10,000-word text, a third of the
  budget) and counts sentences differently from every other metric here.
  It is pinned to 0.7.8 because 0.7.9 and later fetch the CMU dictionary through
  ``nltk.download`` at run time, which fails on a machine without internet; 0.7.8 reads it
  from the ``cmudict`` package, which ships the data.
- MTLD (lexical diversity) is counted here: ``lexicalrichness`` implements it but imports
  matplotlib, pandas and scipy (about 300 MB, ~4.5 s import) and ``taaled`` /
  ``lexical-diversity`` import ``pkg_resources``, which current setuptools no longer ships.
  The algorithm is 20 lines (McCarthy & Jarvis 2010, see :func:`mtld`).
- Everything else (contractions, pronouns, passive voice, asides, quotations, lists, ellipses,
  transitions, hedges, numbers, subordinate clauses) is counted with the word lists of
  :mod:`~personagen_shared.stylometry.wordlists`, because no maintained library counts these
  for English without a statistical parser.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from personagen_shared.stylometry.counts import _count, mtld, warm_up
from personagen_shared.stylometry.mappings import (
    MEASURED_TRAITS,
    SCALE_MAPPINGS,
    TEXT_MAPPINGS,
    Metrics,
    ScaleMapping,
)
from personagen_shared.stylometry.metrics import MetricValue, _metrics
from personagen_shared.stylometry.validation import (
    DEFAULT_MAX_WORDS,
    DEFAULT_MIN_WORDS,
    SampleNotEnglish,
    SampleNotText,
    SampleRejected,
    SampleTooLong,
    SampleTooShort,
    validate_sample,
)
from personagen_shared.traits import TRAITS_BY_NAME

__all__ = [
    "DEFAULT_MAX_WORDS",
    "DEFAULT_MIN_WORDS",
    "MEASURED_TRAITS",
    "SCALE_MAPPINGS",
    "TEXT_MAPPINGS",
    "MetricValue",
    "SampleNotEnglish",
    "SampleNotText",
    "SampleRejected",
    "SampleTooLong",
    "SampleTooShort",
    "ScaleMapping",
    "StylometryResult",
    "analyse_text",
    "measure",
    "mtld",
    "validate_sample",
    "warm_up",
]


@dataclass(frozen=True, slots=True)
class StylometryResult:
    """What :func:`measure` (and :func:`analyse_text`) measured.

    Attributes:
        metrics: metric name -> ``{"value": float, "unit": str, "description": str}``.
        traits: catalogue trait name -> level 1..10 (scale traits) or a word (descriptive
            traits), every value valid for its persona column.
    """

    metrics: dict[str, MetricValue]
    traits: dict[str, int | str] = field(default_factory=dict)

    @property
    def word_count(self) -> int:
        """Words in the sample."""
        return int(self.metrics["word_count"]["value"])

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"metrics": {...}, "traits": {...}}`` (fresh copies)."""
        return {
            "metrics": {name: dict(metric) for name, metric in self.metrics.items()},
            "traits": dict(self.traits),
        }


def measure(text: str) -> StylometryResult:
    """Measure ``text`` without validating it (text validated already, generated text, benchmarks).

    Any string is accepted; an empty one gives zero rates. Prefer :func:`analyse_text`.
    """
    metrics = _metrics(_count(text.replace("\r\n", "\n")))
    values: Metrics = {name: metric["value"] for name, metric in metrics.items()}
    traits: dict[str, int | str] = {}
    for trait in TRAITS_BY_NAME:
        if trait in SCALE_MAPPINGS:
            traits[trait] = SCALE_MAPPINGS[trait].function(values)
        elif trait in TEXT_MAPPINGS:
            traits[trait] = TEXT_MAPPINGS[trait](values)
    return StylometryResult(metrics, traits)


def analyse_text(
    text: str, *, min_words: int = DEFAULT_MIN_WORDS, max_words: int = DEFAULT_MAX_WORDS
) -> StylometryResult:
    """Validate an English writing sample and measure its style.

    Args:
        text: the sample.
        min_words: fewest words accepted (default 50).
        max_words: most words accepted (default 20,000).

    Returns:
        The metrics (with units) and the traits of :data:`MEASURED_TRAITS`.

    Raises:
        SampleRejected: one of :class:`SampleNotText`, :class:`SampleTooLong`,
            :class:`SampleTooShort`, :class:`SampleNotEnglish` (see :func:`validate_sample`).
    """
    validate_sample(text, min_words=min_words, max_words=max_words)
    return measure(text)
