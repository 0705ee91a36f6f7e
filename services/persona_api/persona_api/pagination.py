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
from datetime import datetime
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field
from sqlalchemy import ColumnElement, and_, or_, tuple_
from sqlalchemy.orm import Mapped

from persona_api.errors import BadRequest

ItemT = TypeVar("ItemT")

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


def decode_cursor(cursor: str, sort: str) -> tuple[Any, uuid.UUID]:
    """Inverse of :func:`encode_cursor`.

    Raises:
        BadRequest: the cursor is malformed or was made for another ``order_by``.
    """
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        made_for, value, row_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if isinstance(value, dict):
            value = datetime.fromisoformat(value["dt"])
        parsed_id = uuid.UUID(row_id)
    except (ValueError, TypeError, KeyError, binascii.Error, json.JSONDecodeError):
        raise BadRequest(
            "The cursor is malformed; pass a next_cursor from a previous page."
        ) from None
    if made_for != sort:
        raise BadRequest("The cursor belongs to another order_by; start again without a cursor.")
    if value is not None and not isinstance(value, str | int | float | datetime):
        raise BadRequest("The cursor is malformed; pass a next_cursor from a previous page.")
    return value, parsed_id


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
