"""The JSON Schema of the traits the LLM is asked to judge, built from the trait catalogue.

Every catalogue trait can be asked for; :func:`select_traits` leaves out the ones already
measured (their measured value wins anyway, and a shorter prompt suits small local models).

Shape (JSON Schema draft 2020-12, the subset structured-output servers accept):

- an object with one property per trait, ``additionalProperties: false``, every property
  ``required`` (OpenAI's strict mode demands it) and nullable (``null`` = no evidence);
- a scale trait is ``{"type": ["integer", "null"], "minimum": 1, "maximum": 10}``;
- a text trait is ``{"type": ["string", "null"], "maxLength": <column limit>}``;
- each property's ``description`` says what the trait is, its range or limit, and the
  catalogue's suggested words.

:func:`portable_schema` drops ``maxLength``, which OpenAI's strict ``json_schema`` mode does
not accept (its "Supported schemas" list allows ``minimum``/``maximum`` on numbers but only
``pattern``/``format`` on strings); the limit stays in the description, and
:func:`personagen_shared.normalize.normalise_traits` trims whatever comes back anyway.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any, Final

from personagen_shared.traits import SCALE_MAX, SCALE_MIN, TRAITS, TRAITS_BY_NAME, Trait

SCHEMA_NAME: Final = "persona_traits"
"""The ``json_schema.name`` sent with the schema (letters, digits, ``_``; at most 64)."""


def select_traits(exclude: Iterable[str] = ()) -> tuple[Trait, ...]:
    """The catalogue traits to ask the LLM for, in catalogue order, minus ``exclude``.

    Raises:
        ValueError: ``exclude`` names something that is not a trait (a typo would otherwise
            silently ask for a measured trait).
    """
    excluded = set(exclude)
    unknown = excluded - TRAITS_BY_NAME.keys()
    if unknown:
        raise ValueError(f"not traits: {', '.join(sorted(unknown))}")
    return tuple(t for t in TRAITS if t.name not in excluded)


def describe_trait(trait: Trait) -> str:
    """One line saying what ``trait`` holds, e.g. ``"use of contractions, integer 1-10"``."""
    if trait.is_scale:
        return f"{trait.label}: integer {SCALE_MIN} (none / very low) to {SCALE_MAX} (very high)"
    text = f"{trait.label}: a few words, at most {trait.max_length} characters"
    if trait.suggested:
        text += f" (e.g. {', '.join(trait.suggested)})"
    return text


def trait_property(trait: Trait) -> dict[str, Any]:
    """The JSON Schema of one trait's value (nullable)."""
    if trait.is_scale:
        return {
            "type": ["integer", "null"],
            "minimum": SCALE_MIN,
            "maximum": SCALE_MAX,
            "description": describe_trait(trait),
        }
    return {
        "type": ["string", "null"],
        "maxLength": trait.max_length,
        "description": describe_trait(trait),
    }


def build_trait_schema(traits: Iterable[Trait] | None = None) -> dict[str, Any]:
    """The JSON Schema of the reply: one nullable property per trait, nothing else.

    Args:
        traits: the traits to ask for (default: the whole catalogue; see
            :func:`select_traits`).

    Returns:
        A JSON-ready dict (see the module docstring for its shape).
    """
    chosen = tuple(TRAITS if traits is None else traits)
    return {
        "type": "object",
        "description": "A persona judged from a writing sample; null where there is no evidence.",
        "properties": {t.name: trait_property(t) for t in chosen},
        "required": [t.name for t in chosen],
        "additionalProperties": False,
    }


def portable_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``schema`` without ``maxLength`` (for OpenAI strict ``json_schema`` mode)."""
    result = copy.deepcopy(schema)
    for prop in result.get("properties", {}).values():
        prop.pop("maxLength", None)
    return result
