"""Keyset (cursor) pagination shared by every list route.

A page is ``{"items": [...], "next_cursor": str | null}``. The cursor is an opaque URL-safe
base64 of ``[sort key, last value, last id]``; the next page is the rows strictly after that
``(value, id)`` in the sort order, so rows inserted while a client pages never shift, duplicate
or skip the rows it has not seen yet (unlike OFFSET).
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, Select, and_, or_, tuple_
from sqlalchemy.orm import Mapped

from persona_api.errors import BadRequest

ItemT = TypeVar("ItemT")
RowT = TypeVar("RowT")
SelectT = TypeVar("SelectT", bound=Select)  # a SELECT of any row shape

DEFAULT_LIMIT = 20
MAX_LIMIT = 100


class Page(BaseModel, Generic[ItemT]):
    """One page of a list."""

    items: list[ItemT]
    next_cursor: str | None = Field(
        description="Pass as `cursor` to get the next page; null on the last page."
    )


def encode_cursor(sort: str, value: Any, row_id: uuid.UUID) -> str:
    """Opaque cursor for the row after which the next page starts."""
    if isinstance(value, datetime):
        value = {"dt": value.isoformat()}
    raw = json.dumps([sort, value, str(row_id)], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclass(frozen=True, slots=True)
class SortKey:
    """What a list is ordered by: ``order_by`` as the client wrote it (``-`` for descending),
    the column, and the type a cursor value for it must have (checked before it reaches SQL).

    ``value_type`` is ``datetime``, ``str`` or ``int`` (a SMALLINT trait); ``nullable`` columns
    sort NULLs last in both directions.
    """

    order_by: str
    column: Mapped[Any]
    id_column: Mapped[Any]
    value_type: type
    nullable: bool = False

    @property
    def descending(self) -> bool:
        """True for ``-name`` style keys."""
        return self.order_by.startswith("-")


_SMALLINT = (-32768, 32767)
_MAX_CURSOR_TEXT = 1000


def _malformed() -> BadRequest:
    return BadRequest("The cursor is malformed; pass a next_cursor from a previous page.")


def _fits(value: Any, key: SortKey) -> bool:
    """Whether a decoded cursor value can be compared with ``key``'s column."""
    if value is None:
        return key.nullable
    if key.value_type is int:
        in_range = isinstance(value, int) and _SMALLINT[0] <= value <= _SMALLINT[1]
        return in_range and not isinstance(value, bool)
    if key.value_type is str:
        return isinstance(value, str) and len(value) <= _MAX_CURSOR_TEXT and "\x00" not in value
    return isinstance(value, datetime) and value.tzinfo is not None


def decode_cursor(cursor: str, key: SortKey) -> tuple[Any, uuid.UUID]:
    """Inverse of :func:`encode_cursor`, checked against ``key``.

    Raises:
        BadRequest: the cursor is malformed, was made for another ``order_by``, or holds a
            value of the wrong type for the sort column (a forged cursor never reaches SQL).
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        made_for, value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["dt"])
        parsed_id = uuid.UUID(row_id)
    except (ValueError, TypeError, KeyError, binascii.Error, json.JSONDecodeError):
        raise _malformed() from None
    if made_for != key.order_by:
        raise BadRequest("The cursor belongs to another order_by; start again without a cursor.")
    if not _fits(value, key):
        raise _malformed()
    return value, parsed_id


def paginate(stmt: SelectT, key: SortKey, *, cursor: str | None, limit: int) -> SelectT:
    """``stmt`` restricted to the rows after ``cursor`` in ``key``'s order, ``limit + 1`` of them
    (the extra row tells whether there is a next page; see :func:`page`)."""
    if cursor:
        value, row_id = decode_cursor(cursor, key)
        stmt = stmt.where(
            keyset_condition(
                key.column,
                key.id_column,
                descending=key.descending,
                value=value,
                row_id=row_id,
                nullable=key.nullable,
            )
        )
    order = order_clauses(
        key.column, key.id_column, descending=key.descending, nullable=key.nullable
    )
    return stmt.order_by(*order).limit(limit + 1)


def page(
    rows: Sequence[RowT],
    key: SortKey,
    limit: int,
    position: Callable[[RowT], tuple[Any, uuid.UUID]],
) -> tuple[list[RowT], str | None]:
    """The first ``limit`` of ``rows`` (fetched by :func:`paginate`) and the next page's cursor.

    ``position(row)`` gives the row's sort value and id.
    """
    if len(rows) <= limit:
        return list(rows), None
    kept = list(rows[:limit])
    value, row_id = position(kept[-1])
    return kept, encode_cursor(key.order_by, value, row_id)


def keyset_condition(
    column: Mapped[Any],
    id_column: Mapped[Any],
    *,
    descending: bool,
    value: Any,
    row_id: uuid.UUID,
    nullable: bool,
) -> ColumnElement[bool]:
    """WHERE clause for the rows after ``(value, row_id)`` in the order of :func:`order_clauses`.

    Non-null columns use a row comparison, which PostgreSQL answers from a
    ``(owner_id, column, id)`` index; nullable ones (traits) sort NULLs last in both directions.
    """
    if not nullable:
        key = tuple_(column, id_column)
        return key < tuple_(value, row_id) if descending else key > tuple_(value, row_id)
    if value is None:
        after = id_column < row_id if descending else id_column > row_id
        return and_(column.is_(None), after)
    beyond = column < value if descending else column > value
    tie = and_(column == value, id_column < row_id if descending else id_column > row_id)
    return or_(and_(column.is_not(None), or_(beyond, tie)), column.is_(None))


def order_clauses(
    column: Mapped[Any],
    id_column: Mapped[Any],
    *,
    descending: bool,
    nullable: bool,
) -> list[Any]:
    """ORDER BY matching :func:`keyset_condition` (id breaks ties in the same direction)."""
    clauses: list[Any] = [column.is_(None)] if nullable else []
    if descending:
        clauses += [column.desc(), id_column.desc()]
    else:
        clauses += [column.asc(), id_column.asc()]
    return clauses
