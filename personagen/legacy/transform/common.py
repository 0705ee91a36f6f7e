"""What the table modules of the transform share: driver values in JSON types, as text without
NUL characters and as UTC timestamps; :class:`RowPlan`, one row to insert; and
:class:`Recorder`, which writes one legacy row's changes and notes into the report.
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from personagen.legacy.report import ImportReport
from personagen_shared.normalize import Change


@dataclass(slots=True)
class RowPlan:
    """One row to insert: its table values and what goes to ``legacy_imports``."""

    legacy_id: int
    values: dict[str, Any]
    legacy_row: dict[str, Any] | None = None


# --- values ---------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` (a driver value) in JSON types, for ``legacy_source``/``legacy_row``.

    Timestamps become ISO text, decimals text, bytes hex text; NUL characters become U+FFFD
    because PostgreSQL cannot store them in ``jsonb`` or ``text``.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return repr(value)


def parse_json(value: Any) -> tuple[Any, str | None]:
    """A JSON column's driver value as Python data: ``(data, None)`` or ``(raw, problem)``."""
    if value is None or not isinstance(value, str | bytes):
        return value, None
    try:
        return json.loads(value), None
    except ValueError as exc:
        return value, f"not valid JSON ({exc})"


def parse_time(value: Any) -> datetime | None:
    """A Django timestamp (SQLite text or a PostgreSQL datetime) as an aware UTC datetime.

    Django with ``USE_TZ`` stores UTC without an offset in SQLite, so naive values are UTC.

    Raises:
        ValueError: ``value`` is text that is not an ISO 8601 timestamp.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise ValueError(f"not a timestamp: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def clean_text(value: str) -> str:
    """``value`` without NUL characters (PostgreSQL text cannot hold them)."""
    return value.replace("\x00", "")


# --- the report -----------------------------------------------------------------------------


class Recorder:
    """Collects report entries for one legacy row."""

    def __init__(
        self, report: ImportReport, kind: str, legacy_id: int, label: str, owner: str | None
    ) -> None:
        self.report = report
        self.base = {"kind": kind, "legacy_id": legacy_id, "label": label, "owner": owner}

    def change(
        self,
        field_name: str,
        action: str,
        reason: str,
        raw: Any,
        value: Any = None,
        **extra: Any,
    ) -> None:
        entry = {
            **self.base,
            "field": field_name,
            "action": action,
            "reason": reason,
            "raw": jsonable(raw),
            "value": jsonable(value),
        }
        entry.update({key: item for key, item in extra.items() if item is not None})
        self.report.normalisations.append(entry)

    def trait_change(self, change: Change, origin: str) -> None:
        self.change(
            change.trait,
            change.action.value,
            change.reason,
            change.raw,
            change.value,
            key=change.key,
            origin=origin,
        )

    def note(self, text: str, **extra: Any) -> None:
        self.report.notes.append({**self.base, "note": text, **jsonable(extra)})

    def time(self, field_name: str, raw: Any, fallback: datetime | None) -> datetime | None:
        try:
            value = parse_time(raw)
        except ValueError:
            self.change(field_name, "replaced", "not a timestamp", raw, fallback)
            return fallback
        if value is None and fallback is not None:
            self.change(field_name, "replaced", "missing", raw, fallback)
            return fallback
        return value
