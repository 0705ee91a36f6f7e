"""Split a model's reply into a title and a body.

The prompt asks for ``Title: ...`` on the first line, but models (small local ones above all)
answer in many shapes. :func:`split_reply` accepts, after skipping leading blank lines and an
outer code fence:

- ``Title: X`` in any case, with Markdown decoration (``**Title:** X``, ``**Title: X**``,
  ``## Title: X``) and ``Title`` followed by ``:`` or a full-width colon (U+FF1A);
- a Markdown heading ``# X`` (any level);
- a line that is bold as a whole, ``**X**``, or quoted as a whole, ``"X"``, when it is short
  enough to be a title (:data:`BOLD_TITLE_MAX_WORDS`);
- quotes around the title in any of these shapes (``"X"``, ``'X'``, ``“X”``, ``«X»``);
- ``Title:`` alone on the first line and the title on the next;
- no title at all: one is derived from the body's first sentence, trimmed at a word boundary
  to :data:`DERIVED_TITLE_MAX_CHARS` characters.

A ``Body:`` label at the start of the body is dropped. An empty reply, or one without letters
or digits, raises :class:`UnusableReplyError`, and so does a title with no body.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from generator_worker.errors import JobFailure

TITLE_MAX_CHARS: Final = 200
"""Longest title kept (the column holds 300); a longer one is cut at a word boundary."""

DERIVED_TITLE_MAX_CHARS: Final = 80
"""Longest title derived from the body (about a headline's length)."""

BOLD_TITLE_MAX_WORDS: Final = 15
"""A whole-line bold first line of at most this many words is taken as the title."""

_COLON = ":\uff1a"  # ASCII and full-width colons
_TITLE_LINE = re.compile(
    r"^[\s#>*_]*"  # heading marks, quote marks, bold/italic openers
    rf"title[\s*_]*[{_COLON}]"  # the label, maybe bold itself (**Title:**)
    r"(?P<title>.*)$",
    re.IGNORECASE,
)
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(?P<title>.+?)\s*#*\s*$")
_BOLD_LINE = re.compile(r"^\s*(\*\*|__)(?P<title>[^*_].*?)\1\s*$")
_BODY_LABEL = re.compile(rf"^[\s*_#]*body[\s*_]*[{_COLON}][\s*_]*", re.IGNORECASE)
_FENCE = re.compile(r"^\s*```[\w-]*\s*\n(?P<inner>.*?)\n\s*```\s*$", re.DOTALL)
_SENTENCE_END = re.compile("(?<=[.!?\u2026])[\"'\u201d\u2019)\\]]*\\s")
_QUOTES: Final = (
    ('"', '"'),
    ("'", "'"),
    ("\u201c", "\u201d"),  # curly double quotes
    ("\u2018", "\u2019"),  # curly single quotes
    ("\u00ab", "\u00bb"),  # guillemets
    ("\u201e", "\u201c"),  # German low-high quotes
)
_MARKUP_EDGES: Final = " \t*_`~#>"


class UnusableReplyError(JobFailure, ValueError):
    """The reply holds no usable piece of writing; ``str(exc)`` is a short message for the job."""


@dataclass(frozen=True, slots=True)
class SplitReply:
    """A reply split into ``title`` (one line, non-empty) and ``body`` (non-empty).

    ``title_derived`` is True when the reply had no title and one was made from the body.
    """

    title: str
    body: str
    title_derived: bool = False


def _has_words(text: str) -> bool:
    return any(ch.isalnum() for ch in text)


def _clean_title(raw: str) -> str:
    """Strip Markdown emphasis, quotes and spaces around a title; collapse inner spaces."""
    title = " ".join(raw.split())
    previous = None
    while title != previous:
        previous = title
        title = title.strip(_MARKUP_EDGES)
        for opening, closing in _QUOTES:
            if len(title) >= 2 and title.startswith(opening) and title.endswith(closing):
                title = title[len(opening) : -len(closing)]
    return _shorten(title.strip(), TITLE_MAX_CHARS)


def _shorten(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a word boundary, with "…" when cut."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return (
        cut.rstrip(" ,;:-\u2013\u2014") + "\u2026"
    )  # trailing dashes go, an ellipsis marks the cut


def derive_title(body: str) -> str:
    """A title made from the first sentence of ``body`` (Markdown marks removed).

    The first sentence ends at ``.``, ``!``, ``?`` or ``…`` followed by a space, or at the end of
    the first paragraph. Raises :class:`UnusableReplyError` when the body has no words.
    """
    first_paragraph = next((p for p in re.split(r"\n\s*\n", body.strip()) if _has_words(p)), "")
    if not first_paragraph:
        raise UnusableReplyError("the LLM reply contains no text")
    text = " ".join(re.sub(r"[*_`#>]+", "", first_paragraph).split())
    sentence = _clean_title(_SENTENCE_END.split(text, maxsplit=1)[0])
    sentence = sentence.rstrip(".!?…:;, ").strip()
    if not _has_words(sentence):
        raise UnusableReplyError("the LLM reply contains no text")
    return _shorten(sentence, DERIVED_TITLE_MAX_CHARS)


def _strip_fence(text: str) -> str:
    match = _FENCE.match(text)
    return match.group("inner") if match else text


def _is_quoted_line(line: str) -> bool:
    """A short line wholly inside one pair of quotes (``"X"``), which models use as a title."""
    line = line.strip()
    return len(line.split()) <= BOLD_TITLE_MAX_WORDS and any(
        len(line) > len(o) + len(c)
        and line.startswith(o)
        and line.endswith(c)
        and c not in line[len(o) : -len(c)]
        for o, c in _QUOTES
    )


def _drop_leading_blank(lines: list[str]) -> list[str]:
    index = 0
    while index < len(lines) and not lines[index].strip():
        index += 1
    return lines[index:]


def _clean_body(lines: list[str]) -> str:
    body = "\n".join(lines).strip("\n")
    label = _BODY_LABEL.match(body)
    if label:
        body = body[label.end() :]
    return body.strip()


def split_reply(reply: str | None) -> SplitReply:
    """Split a model reply into title and body (see the module docstring for the shapes).

    Raises :class:`UnusableReplyError` for an empty reply, one without letters or digits,
    or one with a title but no body.
    """
    if reply is None or not _has_words(reply):
        raise UnusableReplyError("the LLM returned an empty reply")
    text = _strip_fence(reply.replace("\r\n", "\n").replace("\r", "\n").strip())
    lines = text.split("\n")
    first, rest = lines[0], lines[1:]

    title: str | None = None
    for pattern in (_TITLE_LINE, _HEADING):
        match = pattern.match(first)
        if match:
            title = _clean_title(match.group("title"))
            break
    else:
        bold = _BOLD_LINE.match(first)
        more = _has_words("\n".join(rest))
        if more and bold and len(bold.group("title").split()) <= BOLD_TITLE_MAX_WORDS:
            title = _clean_title(bold.group("title"))
        elif more and _is_quoted_line(first):
            title = _clean_title(first)
        else:
            rest = lines  # no title line: the whole reply is the body

    if title is not None and not _has_words(title):
        # "Title:" alone on its line: models often put the title on the next line.
        rest = _drop_leading_blank(rest)
        if len(rest) > 1 and _has_words(rest[0]) and len(rest[0].split()) <= BOLD_TITLE_MAX_WORDS:
            title, rest = _clean_title(rest[0]), rest[1:]

    body = _clean_body(rest)
    if not _has_words(body):
        if title:
            raise UnusableReplyError("the LLM reply has a title but no body")
        raise UnusableReplyError("the LLM returned an empty reply")
    if title and _has_words(title):
        return SplitReply(title=title, body=body)
    return SplitReply(title=derive_title(body), body=body, title_derived=True)
