"""Content piece logic, scoped to the owner."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from persona_api.errors import NotFound, UnprocessableContent
from persona_api.pagination import SortKey, page, paginate
from personagen_shared.models import ContentPiece, ContentStatus, User
from personagen_shared.text import count_words

LIST_SORT = SortKey("-created_at", col(ContentPiece.created_at), col(ContentPiece.id), datetime)
"""Content pieces are listed newest first."""


async def get_content(session: AsyncSession, owner: User, content_id: uuid.UUID) -> ContentPiece:
    """The owner's content piece. Raises :class:`NotFound`."""
    piece: ContentPiece | None = await session.scalar(
        select(ContentPiece).where(
            col(ContentPiece.id) == content_id, col(ContentPiece.owner_id) == owner.id
        )
    )
    if piece is None:
        raise NotFound(f"Content piece {content_id} not found.")
    return piece


async def list_content(
    session: AsyncSession,
    owner: User,
    *,
    limit: int,
    cursor: str | None,
    persona_id: uuid.UUID | None,
    status: ContentStatus | None,
) -> tuple[list[ContentPiece], str | None]:
    """A keyset page of the owner's content pieces, newest first."""
    stmt = select(ContentPiece).where(col(ContentPiece.owner_id) == owner.id)
    if persona_id is not None:
        stmt = stmt.where(col(ContentPiece.persona_id) == persona_id)
    if status is not None:
        stmt = stmt.where(col(ContentPiece.status) == status.value)
    stmt = paginate(stmt, LIST_SORT, cursor=cursor, limit=limit)
    rows = list(await session.scalars(stmt))
    return page(rows, LIST_SORT, limit, lambda piece: (piece.created_at, piece.id))


async def update_content(
    session: AsyncSession, owner: User, content_id: uuid.UUID, changes: dict[str, Any]
) -> ContentPiece:
    """Apply the sent fields; recount words when the text changes; stamp ``published_at`` once.

    Raises:
        NotFound: no such piece for this owner.
        UnprocessableContent: a field that cannot be null was sent as null.
    """
    for field, value in changes.items():
        if value is None:
            raise UnprocessableContent(f"{field} cannot be null.")
    piece: ContentPiece | None = await session.scalar(
        select(ContentPiece)
        .where(col(ContentPiece.id) == content_id, col(ContentPiece.owner_id) == owner.id)
        .with_for_update()
    )
    if piece is None:
        raise NotFound(f"Content piece {content_id} not found.")
    if not changes:
        return piece
    if "content" in changes:
        changes["word_count"] = count_words(changes["content"])
    if "status" in changes:
        changes["status"] = ContentStatus(changes["status"]).value
        if changes["status"] == ContentStatus.PUBLISHED and piece.published_at is None:
            changes["published_at"] = func.clock_timestamp()
    for field, value in changes.items():
        setattr(piece, field, value)
    piece.updated_at = func.clock_timestamp()  # type: ignore[assignment]  # SQL, set at flush
    await session.commit()
    await session.refresh(piece)
    return piece


async def delete_content(session: AsyncSession, owner: User, content_id: uuid.UUID) -> None:
    """Delete the owner's content piece. Raises :class:`NotFound`."""
    deleted: uuid.UUID | None = await session.scalar(
        delete(ContentPiece)
        .where(col(ContentPiece.id) == content_id, col(ContentPiece.owner_id) == owner.id)
        .returning(col(ContentPiece.id))
    )
    if deleted is None:
        raise NotFound(f"Content piece {content_id} not found.")
    await session.commit()
