"""Small text facts shared by the API, the worker and the importer."""

from __future__ import annotations

import re

_WORD = re.compile(r"\w+(?:['\u2019-]\w+)*")


def count_words(text: str) -> int:
    """Words in ``text``: runs of letters/digits, keeping ``don't`` and ``well-known`` whole."""
    return len(_WORD.findall(text))
