"""One normalisation of untrusted trait values, shared by the LLM analysis and the legacy importer.

Untrusted sources (an LLM's JSON, a legacy PersonaGen JSON document or column) hold ratings
as ints, floats, numeric strings, words and out-of-range numbers. The API itself rejects such
input with a 422; these two paths must instead keep what is usable, drop what is not, and
say which and why. The rules (``reference/legacy/*.expected.json`` ``normalization_policy``):

- scale: an int 1..10 is kept; an integral float or a numeric string ("8", " 9 ", "7/10",
  "7 out of 10") is parsed; a fraction inside 1..10 rounds half up (7.5 -> 8) and is reported;
  numbers outside 1..10, booleans, words ("N/A", "high"), empty strings, lists and objects are
  dropped (null) and reported.
- text: strings are trimmed of white space and NUL bytes and cut to the column limit (reported);
  numbers become their decimal text (reported); a list of strings is joined with ", "
  (reported); booleans, objects and empty strings are dropped (reported).
- keys: the canonical key wins; otherwise a key equal to it ignoring case, spaces and hyphens;
  otherwise the same key inside a nested object such as ``psychological_traits``. Keys that are
  no trait are ignored and reported. ``name`` is never a trait: a persona's name is the user's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from functools import lru_cache
from typing import Any, Final

from personagen_shared.traits import SCALE_MAX, SCALE_MIN, TRAITS, TRAITS_BY_NAME, Trait

NESTED_TRAIT_OBJECTS: Final = ("psychological_traits",)
"""Keys whose object value holds traits one level down (the PersonaGenAgentic layout)."""

_NUMBER = re.compile(r"^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(?:(?:/|out of)\s*10)?\s*$", re.I)


class Action(StrEnum):
    """What normalisation did to a value."""

    CONVERTED = "converted"  # kept, in another type ("8" -> 8, 35 -> "35")
    ROUNDED = "rounded"  # a fraction in range, rounded half up
    TRIMMED = "trimmed"  # text cut to the column limit
    DROPPED = "dropped"  # unusable: stored as null
    IGNORED = "ignored"  # a key that is no trait


@dataclass(frozen=True, slots=True)
class Change:
    """One value that normalisation changed or dropped.

    ``raw`` is the value as found (JSON types), ``value`` what is stored (``None`` when dropped
    or ignored), ``key`` the key it was found under when that is not the trait's own name.
    """

    trait: str
    action: Action
    reason: str
    raw: Any
    value: Any = None
    key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form for reports and job results."""
        return {k: v for k, v in asdict(self).items() if v is not None or k == "value"}


@dataclass(slots=True)
class NormalisedTraits:
    """Result of :func:`normalise_traits`: usable values by trait name, and every change made."""

    values: dict[str, int | str] = field(default_factory=dict)
    changes: list[Change] = field(default_factory=list)


def normalise_scale(raw: Any) -> tuple[int | None, Action | None, str]:
    """Read ``raw`` as a rating on the 1..10 scale.

    Returns ``(value, action, reason)``: ``value`` is the integer or ``None`` when unusable;
    ``action`` is ``None`` when ``raw`` was already an int in range.
    Rounding is half up (7.5 -> 8), not Python's banker's rounding.
    """
    if raw is None:
        return None, None, "null"
    if isinstance(raw, bool):
        return None, Action.DROPPED, "a boolean is not a rating"
    if isinstance(raw, int):
        if SCALE_MIN <= raw <= SCALE_MAX:
            return raw, None, ""
        return None, Action.DROPPED, f"out of range {SCALE_MIN}..{SCALE_MAX}"
    if isinstance(raw, float):
        number = raw
        how = "number"
    elif isinstance(raw, str):
        match = _NUMBER.match(raw)
        if not match:
            reason = "empty string" if not raw.strip() else "not a number"
            return None, Action.DROPPED, reason
        number = float(match.group(1))
        how = "numeric string"
    else:
        return None, Action.DROPPED, f"a {type(raw).__name__} is not a rating"
    if not math.isfinite(number) or not SCALE_MIN <= number <= SCALE_MAX:
        return None, Action.DROPPED, f"out of range {SCALE_MIN}..{SCALE_MAX}"
    value = int(Decimal(str(number)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    if value != number:
        return value, Action.ROUNDED, f"fraction {number:g} rounded half up"
    return value, Action.CONVERTED, f"{how} read as an integer"


def normalise_text(trait: Trait, raw: Any) -> tuple[str | None, Action | None, str]:
    """Read ``raw`` as the free text of ``trait``, cut to ``trait.max_length`` characters."""
    if raw is None:
        return None, None, "null"
    if isinstance(raw, bool | Mapping):
        return None, Action.DROPPED, f"a {type(raw).__name__} is not text"
    action: Action | None = None
    reason = ""
    if isinstance(raw, int | float):
        if isinstance(raw, float) and not math.isfinite(raw):
            return None, Action.DROPPED, "not a finite number"
        text = str(raw)
        action, reason = Action.CONVERTED, "number written as text"
    elif isinstance(raw, list | tuple):
        if not all(isinstance(item, str) for item in raw):
            return None, Action.DROPPED, "a list of non-text items is not text"
        text = ", ".join(item.strip() for item in raw if item.strip())
        action, reason = Action.CONVERTED, "list joined with commas"
    elif isinstance(raw, str):
        text = raw
    else:
        return None, Action.DROPPED, f"a {type(raw).__name__} is not text"
    cleaned = " ".join(text.replace("\x00", "").split())
    if not cleaned:
        return None, Action.DROPPED, "empty string"
    if cleaned != text and action is None:
        action, reason = Action.CONVERTED, "white space or NUL bytes removed"
    limit = trait.max_length or len(cleaned)
    if len(cleaned) > limit:
        cleaned = cleaned[:limit].rstrip()
        action, reason = Action.TRIMMED, f"cut to {limit} characters"
    return cleaned, action, reason


@lru_cache(maxsize=4096)  # the same few hundred keys recur in every document of an import
def _fold(key: str) -> str:
    return re.sub(r"[\s\-_]+", "_", key.strip().casefold())


def _lookup(document: Mapping[str, Any]) -> tuple[dict[str, tuple[str, Any]], list[str]]:
    """Map each trait to ``(key found under, raw value)`` and list the keys that are no trait."""
    found: dict[str, tuple[str, Any]] = {}
    used: set[str] = set()
    layers: list[tuple[str, Mapping[str, Any]]] = [("", document)]
    for nested in NESTED_TRAIT_OBJECTS:
        inner = document.get(nested)
        if isinstance(inner, Mapping):
            layers.append((nested + ".", inner))
    for prefix, layer in layers:
        folded: dict[str, str] = {}  # folded key -> the key as written
        for key in layer:
            if isinstance(key, str):
                folded.setdefault(_fold(key), key)
        for trait in TRAITS:
            if trait.name in found:
                continue
            source_key = trait.name if trait.name in layer else folded.get(trait.name)
            if source_key is not None:
                found[trait.name] = (prefix + source_key, layer[source_key])
                used.add(prefix + source_key)
    unknown = [
        str(key)
        for key in document
        if str(key) not in used
        and not (key in NESTED_TRAIT_OBJECTS and isinstance(document[key], Mapping))
    ]
    for nested in NESTED_TRAIT_OBJECTS:
        inner = document.get(nested)
        if isinstance(inner, Mapping):
            unknown += [f"{nested}.{k}" for k in inner if f"{nested}.{k}" not in used]
    return found, unknown


def normalise_traits(document: Mapping[str, Any]) -> NormalisedTraits:
    """Normalise a whole trait document (LLM output or a legacy persona's ``data``).

    Args:
        document: a JSON object whose keys are meant to be trait names.

    Returns:
        The usable values (only traits with a value; absent or null traits are left out) and a
        :class:`Change` for every value converted, rounded, trimmed, dropped, or key ignored.
    """
    result = NormalisedTraits()
    found, unknown = _lookup(document)
    for trait in TRAITS:
        if trait.name not in found:
            continue
        key, raw = found[trait.name]
        value: int | str | None
        if trait.is_scale:
            value, action, reason = normalise_scale(raw)
        else:
            value, action, reason = normalise_text(trait, raw)
        if value is not None:
            result.values[trait.name] = value
        if action is not None:
            result.changes.append(
                Change(trait.name, action, reason, raw, value, None if key == trait.name else key)
            )
    for key in unknown:
        reason = (
            "the persona's name is never taken from analysis" if key == "name" else "not a trait"
        )
        raw = document.get(key)
        result.changes.append(Change(key, Action.IGNORED, reason, _json_safe(raw)))
    return result


def _json_safe(raw: Any) -> Any:
    if raw is None or isinstance(raw, str | int | float | bool | list | dict):
        return raw
    return repr(raw)


def is_trait(name: str) -> bool:
    """True when ``name`` is a trait of the catalogue."""
    return name in TRAITS_BY_NAME
