"""Merge the measured traits with the LLM's judgement into one trait set with sources.

Rules (issue "Writing-sample analysis"):

- the LLM's document goes through the one normalisation,
  :func:`personagen_shared.normalize.normalise_traits` (numbers, "7/10", 7.5 -> 8, out-of-range
  and wrong-typed values dropped, text trimmed, unknown keys and ``name`` ignored);
- the measured values (from the API's stylometry, carried in the job) go through it too, as a
  guard: they are valid by construction, and anything that is not is reported, not stored;
- where both have a value, the measured one wins and the LLM's is kept as a note
  (``llm_value``);
- each trait in the result says where it came from: ``measured`` or ``llm``;
- every value that normalisation converted, rounded, trimmed, dropped or ignored is a warning
  with its reason (the :class:`~personagen_shared.normalize.Change` fields plus ``source``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from personagen_shared.normalize import normalise_traits
from personagen_shared.traits import TRAIT_NAMES


class TraitSource(StrEnum):
    """Where a trait's value came from."""

    MEASURED = "measured"
    LLM = "llm"


@dataclass(frozen=True, slots=True)
class MergedTrait:
    """One trait's value, its source and, when measured won, the LLM's own value."""

    value: int | str
    source: TraitSource
    llm_value: int | str | None = None

    def as_dict(self) -> dict[str, Any]:
        """``{"value", "source"}`` plus ``"llm_value"`` when there is one."""
        result: dict[str, Any] = {"value": self.value, "source": self.source.value}
        if self.llm_value is not None:
            result["llm_value"] = self.llm_value
        return result


@dataclass(slots=True)
class AnalysisOutcome:
    """The merged traits (catalogue order) and the warnings about dropped or changed values.

    ``warnings`` items are JSON-ready dicts: ``source`` (``measured``/``llm``), ``trait`` (the
    trait or the ignored key), ``action`` (converted/rounded/trimmed/dropped/ignored),
    ``reason``, ``raw`` (the value as found), ``value`` (what is kept, ``None`` when dropped)
    and ``key`` (the key it was found under, when that differs from the trait).
    """

    traits: dict[str, MergedTrait] = field(default_factory=dict)
    warnings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def values(self) -> dict[str, int | str]:
        """Trait name -> value, ready for the persona's columns."""
        return {name: merged.value for name, merged in self.traits.items()}

    @property
    def sources(self) -> dict[str, str]:
        """Trait name -> ``"measured"`` or ``"llm"``."""
        return {name: merged.source.value for name, merged in self.traits.items()}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready ``{"traits": {name: {"value", "source", ["llm_value"]}}, "warnings"}``."""
        return {
            "traits": {name: merged.as_dict() for name, merged in self.traits.items()},
            "warnings": list(self.warnings),
        }


def merge_traits(measured: Mapping[str, Any], llm_document: Mapping[str, Any]) -> AnalysisOutcome:
    """Merge ``measured`` trait values with the LLM's ``llm_document`` (see the module rules).

    Args:
        measured: trait name -> measured value (the stylometry's ``traits``).
        llm_document: the JSON object the LLM returned, untrusted.

    Returns:
        An :class:`AnalysisOutcome` with every trait either side could give a value for.

    Raises:
        TypeError: either argument is not a mapping (a JSON array, say): callers extract an
            object first (:func:`~generator_worker.analysis.extract.extract_json_object`).
    """
    if not isinstance(measured, Mapping) or not isinstance(llm_document, Mapping):
        raise TypeError("measured traits and the LLM document must be JSON objects")
    from_measure = normalise_traits(measured)
    from_llm = normalise_traits(llm_document)
    outcome = AnalysisOutcome()
    for source, normalised in (
        (TraitSource.MEASURED, from_measure),
        (TraitSource.LLM, from_llm),
    ):
        for change in normalised.changes:
            outcome.warnings.append({"source": source.value, **change.as_dict()})
    for name in TRAIT_NAMES:
        if name in from_measure.values:
            outcome.traits[name] = MergedTrait(
                from_measure.values[name], TraitSource.MEASURED, from_llm.values.get(name)
            )
        elif name in from_llm.values:
            outcome.traits[name] = MergedTrait(from_llm.values[name], TraitSource.LLM)
    return outcome
