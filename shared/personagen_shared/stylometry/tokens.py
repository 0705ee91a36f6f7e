"""Tokenisation and segmentation: what a word, a sentence and a paragraph are.

A *word* is a run of letters/digits, joined across an inner apostrophe or hyphen ("don't",
"daisy-chain", "PDP-10") and across a point or comma between digits ("3.14", "1,000").
A *sentence* ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes/brackets) followed by
white space and a capital, digit or opening quote, except after the abbreviations in
:data:`~personagen_shared.stylometry.wordlists.ABBREVIATIONS` and single initials
("A. M. Kuchling"); a blank line or a list item also ends one. Verse lines are joined, so a
poem's sentence runs to its full stop.

The regular expressions the counters and the validation use live here too, so that every
pattern the package matches text with is in one place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from typing import Final

from personagen_shared.stylometry.wordlists import (
    ABBREVIATIONS,
    HEDGE_PHRASES,
    SUBORDINATOR_PHRASES,
    TRANSITION_PHRASES,
)

# --------------------------------------------------------------------------------------------
# Regular expressions
# --------------------------------------------------------------------------------------------

WORD_RE: Final = re.compile(r"[^\W_]+(?:(?:['\u2019\-]|(?<=\d)[.,](?=\d))[^\W_]+)*")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_NON_ASCII = re.compile(r"[^\x00-\x7f]")
_LATIN_LETTERS = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_PARAGRAPHS = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_LIST_ITEM = re.compile(
    r"^[ \t]*(?:[-*+\u2022\u2023\u25e6\u2043]|\d{1,3}[.)]|[a-z][.)]|[A-Za-z]\)"
    r"|\([0-9a-zA-Z]{1,3}\))[ \t]+(?=\S)",
    re.M,
)
_BOUNDARY = re.compile(
    r"([.!?\u2026]+[\"'\u201d\u2019)\]]*)\s+(?=[\"'\u201c\u2018(\[]*[A-Z0-9\u00c0-\u00de])"
)
_ELLIPSIS = re.compile(r"\u2026|\.(?:\s?\.){2,}")
_PAREN_ASIDE = re.compile(r"(?<![\w])[(\[]([^()\[\]\n]{1,400})[)\]]")
_ENUMERATOR = re.compile(r"^\s*(?:[ivxlcdm]+|[a-zA-Z]|\d{1,3})\s*$", re.I)
_DASH_ASIDE = re.compile(
    r"(?:\u2014|\u2013|\s--\s?|(?<=\w)--(?=\w))[^\u2014\u2013\n]{2,200}?(?:\u2014|--)"
)
_DOUBLE_QUOTE = re.compile(r"[\"\u201c]([^\"\u201c\u201d]{1,5000})[\"\u201d]")
_SINGLE_QUOTE = re.compile(
    r"(?:^|(?<=[\s(\[\u2014\u2013]))['\u2018](?=[^\s'\u2018\u2019])"
    r"([^\n]{1,1000}?)(?<=[^\s'\u2018])['\u2019](?=$|[\s.,;:!?)\]\u2014\u2013-])",
    re.M,
)
_SENTENCE_END = re.compile(r"[.!?\u2026]\s")
_QUOTE_MARKS = re.compile(r"[\"'\u2018\u2019\u201c\u201d]")
_DRAMA_LINE = re.compile(r"^([A-Z][\w.'\u2019 -]{0,30}):\s+\S")
_PERCENT = re.compile(r"\d\s?%|\b(?:per\s?cent|percent|percentage)\b", re.I)
_DIGIT = re.compile(r"\d")
# The pronoun "I" (and I'm, I've, I'll, I'd): a capital I standing alone, not "I/O" or "(i)".
_PRONOUN_I = re.compile(r"(?<![\w/'\u2019])I(?:['\u2019](?:m|ve|ll|d))?(?![\w/'\u2019])")
_PRONOUN_US = re.compile(r"\bus\b")  # lower case only: "US" is a country


def _phrase_regex(phrases: Iterable[str]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in phrases)
    return re.compile(rf"\b(?:{alternatives})\b")


# One pass over the text finds the multi-word transitions, hedges and subordinators.
_PHRASE_KIND: Final[dict[str, str]] = {
    **dict.fromkeys(TRANSITION_PHRASES, "transition"),
    **dict.fromkeys(HEDGE_PHRASES, "hedge"),
    **dict.fromkeys(SUBORDINATOR_PHRASES, "subordinator"),
}
_PHRASES_RE = _phrase_regex(sorted(_PHRASE_KIND, key=len, reverse=True))


# --------------------------------------------------------------------------------------------
# Segmentation
# --------------------------------------------------------------------------------------------


def _split_sentences(segment: str) -> list[str]:
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(segment):
        punct = match.group(1)
        if punct[0] == "." and not punct.startswith(".."):
            before = segment[max(start, match.start() - 15) : match.start()]
            last = before.rsplit(None, 1)[-1] if before.strip() else ""
            last = last.lstrip("(\"'\u201c\u2018[").lower()
            if last + "." in ABBREVIATIONS or (len(last) == 1 and last.isalpha()):
                continue
        sentences.append(segment[start : match.end(1)])
        start = match.end()
    sentences.append(segment[start:])
    return sentences


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs of ``text``: blocks separated by blank lines, stripped, none empty."""
    return [p.strip() for p in _PARAGRAPHS.split(text.replace("\r\n", "\n")) if p.strip()]


def split_sentences(paragraphs: Sequence[str]) -> list[str]:
    """Sentences of the paragraphs (see the module docstring), those without a word left out.

    Lines inside a paragraph are joined with spaces, except that a list item starts a new
    segment (so a list of short items counts as several short sentences).
    """
    sentences: list[str] = []
    for paragraph in paragraphs:
        segments: list[list[str]] = [[]]
        for line in paragraph.split("\n"):
            if _LIST_ITEM.match(line) and segments[-1]:
                segments.append([])
            segments[-1].append(line.strip())
        for lines in segments:
            for sentence in _split_sentences(" ".join(lines)):
                sentence = sentence.strip()
                if sentence and WORD_RE.search(sentence):
                    sentences.append(sentence)
    return sentences
