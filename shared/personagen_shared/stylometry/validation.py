"""Which writing samples can be analysed: :func:`validate_sample` and its rejections.

The rejections are plain exceptions (:class:`SampleRejected`, a :class:`ValueError`, and its
subclasses), each carrying a human-readable ``detail`` and the numbers behind the decision;
the API maps them to HTTP statuses (``persona_api.errors``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Final

from personagen_shared.stylometry.tokens import (
    _CONTROL,
    _LATIN_LETTERS,
    _NON_ASCII,
    WORD_RE,
)
from personagen_shared.stylometry.wordlists import ENGLISH_FUNCTION_WORDS

DEFAULT_MIN_WORDS: Final = 50
DEFAULT_MAX_WORDS: Final = 20_000


# --------------------------------------------------------------------------------------------
# Rejections
# --------------------------------------------------------------------------------------------


class SampleRejected(ValueError):
    """A writing sample that cannot be analysed (a plain exception: no HTTP here).

    The API maps each subclass to its HTTP status and problem+json answer
    (``persona_api.errors``: 413 for :class:`SampleTooLong`, 422 for the others).

    Attributes:
        slug: a stable machine-readable reason, e.g. ``sample-too-short`` (the API's problem
            ``type`` is ``/problems/<slug>``).
        detail: one sentence a person reads, saying what is wrong and what would be accepted
            (also ``str(exc)``).
        context: the numbers behind the decision (e.g. ``{"words": 12, "min_words": 50}``).
    """

    slug: ClassVar[str] = "sample-rejected"

    def __init__(self, detail: str, **context: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.context = context


class SampleTooShort(SampleRejected):
    """Fewer words than the minimum: too little text to measure a style."""

    slug = "sample-too-short"


class SampleTooLong(SampleRejected):
    """More words than the configured maximum (the API answers 413 Content Too Large)."""

    slug = "sample-too-long"


class SampleNotText(SampleRejected):
    """Binary data, control characters, or no words at all (only punctuation/digits)."""

    slug = "sample-not-text"


class SampleNotEnglish(SampleRejected):
    """Text that is not English: the analysis and its calibration are English-only."""

    slug = "sample-not-english"


# Calibration of the English check on the 12 reference samples (shared/reference/
# writing-samples): their share of ENGLISH_FUNCTION_WORDS ranges from 0.41 (the HOWTO,
# Paradise Lost) to 0.49 (Alice); French, German, Spanish, Italian and Dutch prose score
# 0.00-0.06 (tests/shared/stylometry). 0.20 sits well clear of both.
MIN_FUNCTION_WORD_SHARE: Final = 0.20
MIN_LATIN_LETTER_SHARE: Final = 0.80  # of all letters: below this, another script dominates
MIN_LETTER_SHARE: Final = 0.50  # of non-space characters: below this, not prose
MAX_REPLACEMENT_SHARE: Final = 0.01  # U+FFFD share of characters: decoded binary


def validate_sample(
    text: str, *, min_words: int = DEFAULT_MIN_WORDS, max_words: int = DEFAULT_MAX_WORDS
) -> int:
    """Check that ``text`` is English prose of an analysable length.

    The checks run cheapest first: text-ness, the word limits, then the language.

    Args:
        text: the sample as received (any Unicode string).
        min_words: fewest words accepted (default 50; ``ANALYSIS_MIN_WORDS``).
        max_words: most words accepted (default 20,000; ``ANALYSIS_MAX_WORDS``).

    Returns:
        The number of words (see :mod:`personagen_shared.stylometry.tokens` for what a word is).

    Raises:
        SampleNotText: control characters (e.g. NUL), decoded binary (many U+FFFD), or fewer
            than half of the non-space characters are letters (only punctuation or digits).
        SampleTooLong: more than ``max_words`` words (the API answers 413).
        SampleTooShort: fewer than ``min_words`` words.
        SampleNotEnglish: mostly non-Latin letters, or the share of common English function
            words is below :data:`MIN_FUNCTION_WORD_SHARE`.
    """
    control = _CONTROL.search(text)
    if control:
        code = f"U+{ord(control.group()):04X}"
        raise SampleNotText(
            f"The sample contains a control character ({code} at position {control.start()}); "
            "send plain text, not binary data.",
            character=code,
            position=control.start(),
        )
    if text and text.count("\ufffd") > MAX_REPLACEMENT_SHARE * len(text):
        raise SampleNotText(
            "The sample contains many U+FFFD replacement characters, the mark of binary data "
            "decoded as text; send plain text.",
            replacement_characters=text.count("\ufffd"),
        )
    visible = len(text) - sum(text.count(ch) for ch in " \t\r\n\f\v")
    letters = sum(map(str.isalpha, text))
    if visible and letters < MIN_LETTER_SHARE * visible:
        raise SampleNotText(
            f"Only {letters} of the sample's {visible} visible characters are letters; the "
            "analysis needs prose, not only punctuation, digits or symbols.",
            letters=letters,
            visible_characters=visible,
        )
    words = WORD_RE.findall(text)
    count = len(words)
    if count > max_words:
        raise SampleTooLong(
            f"The sample has {count} words; the most accepted is {max_words}. Send an excerpt.",
            words=count,
            max_words=max_words,
        )
    # Only non-ASCII characters can be letters of another script: look at those alone.
    other_script = sum(
        1 for ch in _NON_ASCII.findall(text) if ch.isalpha() and not _LATIN_LETTERS.match(ch)
    )
    if letters and letters - other_script < MIN_LATIN_LETTER_SHARE * letters:
        raise SampleNotEnglish(
            "Most of the sample's letters are not in the Latin alphabet; the analysis is "
            "calibrated for English text only.",
        )
    if count < min_words:
        raise SampleTooShort(
            f"The sample has {count} words; at least {min_words} are needed to measure a "
            "writing style reliably.",
            words=count,
            min_words=min_words,
        )
    share = sum(1 for w in WORD_RE.findall(text.lower()) if w in ENGLISH_FUNCTION_WORDS) / count
    if share < MIN_FUNCTION_WORD_SHARE:
        raise SampleNotEnglish(
            f"Only {share:.0%} of the sample's words are common English function words "
            f"(English prose has 40-50 %); the analysis is calibrated for English only.",
            function_word_share=round(share, 3),
        )
    return count
