"""Legacy personas: ``core_persona`` -> ``personas``, owner = the author's user.

``name`` is the ``name`` column, never ``data['name']`` (the LLM's guess, which is reported as
ignored). Traits go through :func:`personagen_shared.normalize.normalise_traits`, the one
normalisation the analysis uses too: from ``data`` (JSON state), from the trait columns (flat
state), or both (mixed state: the column wins where it holds a usable value, because
PersonaGen05's newer code reads and writes the columns; ``data`` fills the traits the columns
lack, e.g. ``age`` or ``creativity_level`` that have no column). The whole legacy row (columns
and parsed ``data``) is kept in ``personas.legacy_source``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any, Final

from personagen.legacy.source import PERSONA_BASE_COLUMNS, LegacySnapshot, Row, State
from personagen.legacy.transform.common import (
    Recorder,
    RowPlan,
    clean_text,
    jsonable,
    parse_json,
)
from personagen_shared.models.personas import NAME_MAX_LENGTH
from personagen_shared.normalize import NESTED_TRAIT_OBJECTS, normalise_traits
from personagen_shared.traits import TRAITS

PLACEHOLDER_NAME: Final = re.compile(
    r"^\s*(?:\[.*\]|<.*>|n/?a|none|null|unknown(?: \w+)?|anonymous(?: \w+)?|(?:the )?author"
    r"|(?:the )?writer)?\s*$",
    re.IGNORECASE,
)
"""Names an LLM gives when it cannot tell the author ("Unknown", "[Author/Character Name]")."""

_TRAIT_DEFAULTS: Final = {trait.name: None for trait in TRAITS}


def _record_moves(
    document: Mapping[str, Any], values: Mapping[str, Any], changed: set[str], rec: Recorder
) -> None:
    """Report values kept as they are but found away from their canonical top-level key.

    The shared normalisation reports only changed values; a value flattened out of a nested
    ``psychological_traits`` object or read from a differently spelled key is listed here too,
    so the report shows where each imported value came from.
    """
    for trait, value in values.items():
        if trait in document or trait in changed:
            continue
        nested = next(
            (
                f"{name}.{trait}"
                for name in NESTED_TRAIT_OBJECTS
                if isinstance(document.get(name), Mapping) and trait in document[name]
            ),
            None,
        )
        reason = "flattened from a nested object" if nested else "read from a variant of its key"
        rec.change(trait, "moved", reason, value, value, key=nested, origin="data")


def persona_traits(row: Row, state: State, rec: Recorder) -> tuple[dict[str, Any], Any]:
    """The trait values of a legacy persona row, and its ``data`` parsed (for legacy_source).

    Every change :func:`normalise_traits` makes is recorded with its origin (``data`` or
    ``column``).
    """
    column_values: dict[str, Any] = {}
    if state in (State.FLAT, State.MIXED):
        document = {key: value for key, value in row.items() if key not in PERSONA_BASE_COLUMNS}
        result = normalise_traits(document)
        column_values = result.values
        for change in result.changes:
            rec.trait_change(change, "column")
    data: Any = None
    data_values: dict[str, Any] = {}
    if state in (State.JSON, State.MIXED):
        data, problem = parse_json(row.get("data"))
        if problem:
            rec.change("data", "dropped", problem, data)
        elif isinstance(data, Mapping):
            result = normalise_traits(data)
            data_values = result.values
            for change in result.changes:
                rec.trait_change(change, "data")
            _record_moves(data, result.values, {c.trait for c in result.changes}, rec)
        elif data is not None:
            rec.change("data", "dropped", f"a JSON {type(data).__name__} is not an object", data)
    for trait, value in data_values.items():
        if trait in column_values and column_values[trait] != value:
            rec.change(
                trait,
                "superseded",
                "the trait column (written by PersonaGen05's newer code) wins over data",
                value,
                column_values[trait],
                origin="data",
            )
    return {**data_values, **column_values}, data


def persona_row(
    row: Row,
    snapshot: LegacySnapshot,
    new_id: uuid.UUID,
    owner_id: uuid.UUID,
    rec: Recorder,
    now: datetime,
) -> RowPlan:
    """``core_persona`` -> a ``personas`` row (``legacy_source`` keeps the legacy row)."""
    legacy_id = int(row["id"])
    traits, data = persona_traits(row, snapshot.state, rec)
    raw_name = row.get("name")
    name = clean_text(str(raw_name or "")).strip()
    if not name:
        name = f"Legacy persona {legacy_id}"
        rec.change("name", "replaced", "blank in the legacy database", raw_name, name)
    elif len(name) > NAME_MAX_LENGTH:
        name = name[:NAME_MAX_LENGTH].rstrip()
        rec.change("name", "trimmed", f"cut to {NAME_MAX_LENGTH} characters", raw_name, name)
    elif name != raw_name:
        rec.change("name", "converted", "white space or NUL bytes removed", raw_name, name)
    if snapshot.names_overwritten:
        guess = data.get("name") if isinstance(data, Mapping) else None
        if PLACEHOLDER_NAME.match(name):
            rec.note("name looks like an LLM placeholder written by core.0003; rename it")
        elif guess is not None and guess == raw_name:
            rec.note("name equals the LLM's guess in data: core.0003 overwrote the original")
    description = row.get("description")
    if isinstance(description, str) and "\x00" in description:
        rec.change("description", "converted", "NUL bytes removed", description)
        description = clean_text(description)
    is_active = row.get("is_active")
    if is_active is None:
        rec.change("is_active", "replaced", "null in the legacy database", None, True)
    created_at = rec.time("created_at", row.get("created_at"), now)
    updated_at = rec.time("updated_at", row.get("updated_at"), created_at)
    legacy_columns = {key: jsonable(value) for key, value in row.items() if key != "data"}
    if "data" in row:
        raw_data = row["data"]
        # Parsed JSON text is JSON-safe for jsonb already, unless it holds NUL characters
        # (escaped as \u0000) or Python's NaN/Infinity extensions; those go through jsonable.
        clean = isinstance(raw_data, str) and not any(
            token in raw_data for token in ("\\u0000", "NaN", "Infinity")
        )
        legacy_columns["data"] = data if clean else jsonable(data)
    return RowPlan(
        legacy_id=legacy_id,
        values={
            **_TRAIT_DEFAULTS,
            **traits,
            "id": new_id,
            "owner_id": owner_id,
            "name": name,
            "description": None if description is None else str(description),
            "is_active": True if is_active is None else bool(is_active),
            "version": 1,
            "created_at": created_at,
            "updated_at": updated_at,
            "analysis_job_id": None,
            "legacy_source": {
                "source": snapshot.fingerprint,
                "backend": snapshot.backend,
                "state": snapshot.state.value,
                "table": "core_persona",
                "id": legacy_id,
                "row": legacy_columns,
            },
        },
    )
