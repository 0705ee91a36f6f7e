"""Find the JSON object in an LLM's reply.

Models wrap JSON in many ways even when asked not to. :func:`extract_json_object` accepts, in
this order:

1. the whole reply as JSON (after dropping ``<think>...</think>`` reasoning blocks);
2. the content of a Markdown code fence (```` ```json ... ``` ````, any or no language tag);
3. a JSON object anywhere in prose: every ``{`` is tried with
   :meth:`json.JSONDecoder.raw_decode`, which parses exactly one JSON value and reports where
   it ends, so braces inside strings and nested objects are handled by the JSON parser itself
   (a greedy ``\\{.*\\}`` regex would swallow trailing prose or stop at the wrong brace). Of the
   top-level objects found, the one with the most keys wins (a reply that echoes a small
   example object before the answer still yields the answer).

Only objects count: an array or a number is not a trait document.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

MAX_SCAN_CHARS: Final = 200_000
"""Longest reply scanned for an embedded object (a trait document is a few kilobytes)."""

MAX_SCAN_STARTS: Final = 2_000
"""Most ``{`` positions tried, bounding the scan's cost on pathological replies."""

_THINK = re.compile(r"<think>.*?</think>", re.DOTALL | re.IGNORECASE)
_FENCE = re.compile(r"```[^\n`]*\n(.*?)```", re.DOTALL)


class NoJSONObjectError(ValueError):
    """The reply holds no JSON object; ``str(exc)`` says why in a few plain words."""


def _loads_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


def extract_json_object(reply: str | None) -> dict[str, Any]:
    """The JSON object in ``reply`` (see the module docstring for the accepted shapes).

    Raises:
        NoJSONObjectError: the reply is empty, or no part of it parses as a JSON object.
    """
    if not isinstance(reply, str) or not reply.strip():
        raise NoJSONObjectError("the reply is empty")
    text = _THINK.sub("", reply).strip()
    found = _loads_object(text)
    if found is not None:
        return found
    for fence in _FENCE.finditer(text):
        found = _loads_object(fence.group(1).strip())
        if found is not None:
            return found
    best: dict[str, Any] | None = None
    decoder = json.JSONDecoder()
    scanned = text[:MAX_SCAN_CHARS]
    start = scanned.find("{")
    tries = 0
    while start != -1 and tries < MAX_SCAN_STARTS:
        tries += 1
        try:
            value, end = decoder.raw_decode(scanned, start)
        except (json.JSONDecodeError, RecursionError):
            start = scanned.find("{", start + 1)
            continue
        if isinstance(value, dict) and (best is None or len(value) > len(best)):
            best = value
        start = scanned.find("{", end)  # skip the object's inside: only top-level objects
    if best is None:
        if "{" not in text:
            raise NoJSONObjectError("the reply contains no JSON object (no '{' at all)")
        raise NoJSONObjectError("the reply contains '{' but nothing that parses as a JSON object")
    return best
