"""Persona logic: plain functions over a session, scoped to the owner.

Another user's persona is indistinguishable from a missing one (:class:`NotFound`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from persona_api.errors import NotFound, PreconditionFailed, UnprocessableContent
from persona_api.pagination import SortKey, page, paginate
from persona_api.personas.filters import NON_NULL_SORT_COLUMNS
from personagen_shared.models import Persona, User
from personagen_shared.traits import SCALE_TRAITS, TEXT_TRAITS, TRAITS_BY_NAME

NOT_NULL_FIELDS = ("name", "is_active")


def not_found(persona_id: uuid.UUID) -> NotFound:
    """The one 404 of this module."""
    return NotFound(f"Persona {persona_id} not found.")


async def mark_analysis(session: AsyncSession, persona: Persona, job_id: uuid.UUID) -> None:
    """Point the persona at its new analysis job, as one UPDATE that bumps ``version`` and
    ``updated_at`` (a read-modify-write would lose concurrent increments)."""
    await session.execute(
        update(Persona)
        .where(col(Persona.id) == persona.id)
        .values(
            analysis_job_id=job_id,
            version=col(Persona.version) + 1,
            updated_at=func.clock_timestamp(),
        )
    )


def new_persona(session: AsyncSession, owner: User, fields: dict[str, Any]) -> Persona:
    """Stage a persona for ``owner`` from validated ``fields`` (the caller commits)."""
    persona = Persona(owner_id=owner.id, **fields)
    session.add(persona)
    return persona


async def get_persona(
    session: AsyncSession, owner: User, persona_id: uuid.UUID, *, for_update: bool = False
) -> Persona:
    """The owner's persona; ``for_update`` locks its row until the transaction ends.

    Raises :class:`NotFound`.
    """
    stmt = select(Persona).where(col(Persona.id) == persona_id, col(Persona.owner_id) == owner.id)
    persona: Persona | None = await session.scalar(stmt.with_for_update() if for_update else stmt)
    if persona is None:
        raise not_found(persona_id)
    return persona


async def update_persona(
    session: AsyncSession,
    owner: User,
    persona_id: uuid.UUID,
    changes: dict[str, Any],
    *,
    expected_versions: frozenset[int] | None,
) -> Persona:
    """Apply ``changes`` (only the fields the client sent) in one conditional UPDATE.

    ``expected_versions`` comes from ``If-Match`` (None: unconditional). The version grows by
    one and ``updated_at`` is set, atomically, so two racing writers cannot both win.

    Raises:
        UnprocessableContent: ``name`` or ``is_active`` sent as null.
        NotFound: no such persona for this owner.
        PreconditionFailed: the persona's version is not in ``expected_versions``.
    """
    for field in NOT_NULL_FIELDS:
        if field in changes and changes[field] is None:
            raise UnprocessableContent(f"{field} cannot be null.")
    if not changes:
        current = await get_persona(session, owner, persona_id)
        _check_version(current, expected_versions)
        return current
    stmt = (
        update(Persona)
        .where(col(Persona.id) == persona_id, col(Persona.owner_id) == owner.id)
        .values(**changes, version=col(Persona.version) + 1, updated_at=func.clock_timestamp())
        .returning(Persona)
        .execution_options(synchronize_session=False)
    )
    if expected_versions is not None:
        stmt = stmt.where(col(Persona.version).in_(expected_versions))
    updated: Persona | None = await session.scalar(stmt)
    if updated is None:
        # Nothing was written; find out whether it is missing or stale.
        current = await get_persona(session, owner, persona_id)  # raises NotFound
        _check_version(current, expected_versions)
        raise PreconditionFailed(
            "The persona changed meanwhile; fetch it again."
        )  # pragma: no cover
    await session.commit()
    return updated


async def delete_persona(
    session: AsyncSession,
    owner: User,
    persona_id: uuid.UUID,
    *,
    expected_versions: frozenset[int] | None,
) -> None:
    """Delete the owner's persona (its content pieces stay, with the link nulled).

    Raises:
        NotFound: no such persona for this owner.
        PreconditionFailed: ``If-Match`` names another version.
    """
    stmt = delete(Persona).where(col(Persona.id) == persona_id, col(Persona.owner_id) == owner.id)
    if expected_versions is not None:
        stmt = stmt.where(col(Persona.version).in_(expected_versions))
    deleted: uuid.UUID | None = await session.scalar(stmt.returning(col(Persona.id)))
    if deleted is None:
        current = await get_persona(session, owner, persona_id)
        _check_version(current, expected_versions)
    await session.commit()


def _check_version(persona: Persona, expected_versions: frozenset[int] | None) -> None:
    if expected_versions is not None and persona.version not in expected_versions:
        raise PreconditionFailed(
            f"If-Match does not match the current version ({persona.version}); fetch it again."
        )


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


async def list_personas(
    session: AsyncSession, owner: User, params: Any
) -> tuple[list[Persona], str | None]:
    """One keyset page of the owner's personas, filtered and ordered as ``params`` say.

    Returns the rows (at most ``params.limit``) and the cursor of the next page (None at the end).
    Raises :class:`persona_api.errors.BadRequest` for a malformed cursor.
    """
    key = persona_sort_key(params.order_by)
    sort = params.order_by.lstrip("-")
    stmt = select(Persona).where(col(Persona.owner_id) == owner.id)
    for trait in SCALE_TRAITS:
        low = getattr(params, f"{trait.name}__gte")
        high = getattr(params, f"{trait.name}__lte")
        if low is not None:
            stmt = stmt.where(getattr(Persona, trait.name) >= low)
        if high is not None:
            stmt = stmt.where(getattr(Persona, trait.name) <= high)
    for trait in TEXT_TRAITS:
        value = getattr(params, trait.name)
        if value is not None:
            stmt = stmt.where(getattr(Persona, trait.name) == value)
    if params.q:
        pattern = f"%{_escape_like(params.q)}%"
        stmt = stmt.where(
            or_(col(Persona.name).ilike(pattern), col(Persona.description).ilike(pattern))
        )
    stmt = paginate(stmt, key, cursor=params.cursor, limit=params.limit)
    rows = list(await session.scalars(stmt))
    return page(rows, key, params.limit, lambda row: (getattr(row, sort), row.id))


def persona_sort_key(order_by: str) -> SortKey:
    """The :class:`SortKey` of a persona ``order_by`` (already validated by the query model)."""
    sort = order_by.lstrip("-")
    if sort in ("created_at", "updated_at"):
        value_type: type = datetime
    elif sort == "name" or not TRAITS_BY_NAME[sort].is_scale:
        value_type = str
    else:
        value_type = int
    return SortKey(
        order_by,
        getattr(Persona, sort),
        col(Persona.id),
        value_type,
        nullable=sort not in NON_NULL_SORT_COLUMNS,
    )
