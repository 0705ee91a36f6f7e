"""The worker's reads and writes of ``jobs``, ``personas`` and ``content_pieces``.

Every status change is a conditional UPDATE that names the state it expects
(``WHERE status = 'running' AND worker_id = :me``), so the worker never overwrites what the API
or another worker decided meanwhile: a job cancelled by the API stays cancelled, and a job the
sweep handed to another worker is no longer this run's to finish. Statements are SQLAlchemy
Core on the SQLModel tables (no ORM identity map: the worker keeps no objects between
statements), each in its own short transaction; no connection is held across the LLM call.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from personagen_shared.models import ContentPiece, Job, JobStatus, Persona
from personagen_shared.models.content import TITLE_MAX_LENGTH, ContentStatus

JOBS = Job.__table__  # type: ignore[attr-defined]
PIECES = ContentPiece.__table__  # type: ignore[attr-defined]
PERSONAS = Persona.__table__  # type: ignore[attr-defined]

UNFINISHED = (JobStatus.QUEUED.value, JobStatus.RUNNING.value)


class SkipReason(StrEnum):
    """Why a run did not start the job (nothing was written)."""

    MISSING = "missing"  # no such row (deleted with its owner)
    FINISHED = "finished"  # succeeded, failed or cancelled already
    BUSY = "busy"  # running on another live worker, or already in this process
    FAILED = "failed"  # failed at claim time (e.g. its persona was deleted)


@dataclass(frozen=True, slots=True)
class Claim:
    """A job this run now owns (``status='running'``, ``worker_id`` = this worker).

    ``persona`` maps the persona's column names to values; ``params`` is the job's request.
    """

    job_id: uuid.UUID
    owner_id: uuid.UUID
    persona_id: uuid.UUID
    params: Mapping[str, Any]
    persona: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Skip:
    """The run does nothing: ``reason`` says why, ``status`` is the row's status if any."""

    reason: SkipReason
    status: str | None = None


@dataclass(frozen=True, slots=True)
class Piece:
    """What a successful run writes as a content piece (see ``content_pieces``)."""

    title: str
    content: str
    model: str
    prompt: str
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None

    @property
    def word_count(self) -> int:
        """Words of the body, split on white space."""
        return len(self.content.split())


Sessions = async_sessionmaker[AsyncSession]


async def claim(
    sessions: Sessions,
    job_id: uuid.UUID,
    *,
    worker_id: str,
    heartbeat_ttl_seconds: float,
    local_jobs: Iterable[uuid.UUID] = (),
) -> Claim | Skip:
    """Take ``job_id`` for this worker, or say why not.

    In one transaction, with the row locked (``FOR UPDATE``, so a concurrent cancel waits a
    moment instead of interleaving): a row that is not ``queued``/``running`` is skipped; a
    ``running`` row whose worker is alive (heartbeat younger than ``heartbeat_ttl_seconds``)
    or that this process already runs (``local_jobs``) is skipped; otherwise the row becomes
    ``running`` for ``worker_id`` with ``started_at`` and ``heartbeat_at`` = now, and the
    persona's columns are read. A job whose persona was deleted fails here.
    """
    alive = JOBS.c.heartbeat_at > func.now() - timedelta(seconds=heartbeat_ttl_seconds)
    async with sessions() as session, session.begin():
        row = (
            await session.execute(
                select(
                    JOBS.c.status,
                    JOBS.c.worker_id,
                    alive.label("alive"),
                    JOBS.c.owner_id,
                    JOBS.c.persona_id,
                    JOBS.c.params,
                )
                .where(JOBS.c.id == job_id)
                .with_for_update()
            )
        ).one_or_none()
        if row is None:
            return Skip(SkipReason.MISSING)
        if row.status not in UNFINISHED:
            return Skip(SkipReason.FINISHED, row.status)
        if row.status == JobStatus.RUNNING and row.worker_id is not None:
            if row.worker_id != worker_id and row.alive:
                return Skip(SkipReason.BUSY, row.status)
            if row.worker_id == worker_id and job_id in set(local_jobs):
                return Skip(SkipReason.BUSY, row.status)
        persona = None
        if row.persona_id is not None:
            persona = (
                (await session.execute(select(PERSONAS).where(PERSONAS.c.id == row.persona_id)))
                .mappings()
                .one_or_none()
            )
        if persona is None:
            await session.execute(
                update(JOBS)
                .where(JOBS.c.id == job_id)
                .values(
                    status=JobStatus.FAILED.value,
                    error="the persona of this job no longer exists",
                    finished_at=func.now(),
                    worker_id=None,
                    heartbeat_at=None,
                )
            )
            return Skip(SkipReason.FAILED, JobStatus.FAILED.value)
        await session.execute(
            update(JOBS)
            .where(JOBS.c.id == job_id)
            .values(
                status=JobStatus.RUNNING.value,
                worker_id=worker_id,
                started_at=func.now(),
                heartbeat_at=func.now(),
            )
        )
    return Claim(
        job_id=job_id,
        owner_id=row.owner_id,
        persona_id=row.persona_id,
        params=row.params or {},
        persona=dict(persona),
    )


def _owned(job_id: uuid.UUID, worker_id: str) -> Any:
    return (
        (JOBS.c.id == job_id)
        & (JOBS.c.status == JobStatus.RUNNING.value)
        & (JOBS.c.worker_id == worker_id)
    )


async def count_attempt(sessions: Sessions, job_id: uuid.UUID, *, worker_id: str) -> int | None:
    """``attempts += 1`` (and renew the heartbeat) while this worker owns the running job.

    Returns the new count, or ``None`` when the row is no longer this run's (cancelled by the
    API, or handed to another worker by the sweep): the caller stops.
    """
    async with sessions() as session, session.begin():
        return (
            await session.execute(
                update(JOBS)
                .where(_owned(job_id, worker_id))
                .values(attempts=JOBS.c.attempts + 1, heartbeat_at=func.now())
                .returning(JOBS.c.attempts)
            )
        ).scalar_one_or_none()


async def succeed(
    sessions: Sessions,
    claimed: Claim,
    piece: Piece,
    *,
    worker_id: str,
) -> uuid.UUID | None:
    """Write the content piece and mark the job ``succeeded``, in ONE transaction.

    The insert is ``ON CONFLICT (job_id) DO NOTHING`` and the update requires the row to be
    ``running`` for this worker; if either finds nothing (a cancel, or another run finished
    first) the transaction rolls back and ``None`` is returned: nothing is written. Returns the
    new content piece's id otherwise (also stored in ``jobs.result.content_piece_id``).
    """
    piece_id = uuid.uuid4()
    async with sessions() as session, session.begin():
        inserted = (
            await session.execute(
                pg_insert(PIECES)
                .values(
                    id=piece_id,
                    owner_id=claimed.owner_id,
                    persona_id=claimed.persona_id,
                    job_id=claimed.job_id,
                    title=piece.title[:TITLE_MAX_LENGTH],
                    content=piece.content,
                    status=ContentStatus.DRAFT.value,
                    tags=[],
                    word_count=piece.word_count,
                    model=piece.model[:200],
                    prompt=piece.prompt,
                    prompt_tokens=piece.prompt_tokens,
                    completion_tokens=piece.completion_tokens,
                    total_tokens=piece.total_tokens,
                )
                .on_conflict_do_nothing(index_elements=[PIECES.c.job_id])
                .returning(PIECES.c.id)
            )
        ).scalar_one_or_none()
        if inserted is None:
            await session.rollback()
            return None
        done = (
            await session.execute(
                update(JOBS)
                .where(_owned(claimed.job_id, worker_id))
                .values(
                    status=JobStatus.SUCCEEDED.value,
                    finished_at=func.now(),
                    error=None,
                    heartbeat_at=None,
                    result={"content_piece_id": str(piece_id)},
                )
                .returning(JOBS.c.id)
            )
        ).scalar_one_or_none()
        if done is None:
            await session.rollback()
            return None
    return piece_id


async def fail(sessions: Sessions, job_id: uuid.UUID, *, worker_id: str, error: str) -> bool:
    """Mark the job ``failed`` with ``error`` (already safe and short) if this run owns it.

    Returns False when the row was no longer this run's (nothing written).
    """
    async with sessions() as session, session.begin():
        return (
            await session.execute(
                update(JOBS)
                .where(_owned(job_id, worker_id))
                .values(
                    status=JobStatus.FAILED.value,
                    error=error,
                    finished_at=func.now(),
                    heartbeat_at=None,
                )
                .returning(JOBS.c.id)
            )
        ).scalar_one_or_none() is not None


async def release(sessions: Sessions, job_id: uuid.UUID, *, worker_id: str) -> bool:
    """Give a running job back to the queue (``queued``, no worker) if this run owns it.

    Used when the worker stops mid-job (SIGTERM): arq runs the job again, on any worker.
    Returns False when the row was no longer this run's.
    """
    async with sessions() as session, session.begin():
        return (
            await session.execute(
                update(JOBS)
                .where(_owned(job_id, worker_id))
                .values(status=JobStatus.QUEUED.value, worker_id=None, heartbeat_at=None)
                .returning(JOBS.c.id)
            )
        ).scalar_one_or_none() is not None


async def heartbeat(sessions: Sessions, job_ids: Iterable[uuid.UUID], *, worker_id: str) -> int:
    """Renew ``heartbeat_at`` of the running jobs ``job_ids`` this worker owns; returns how many."""
    ids = list(job_ids)
    if not ids:
        return 0
    async with sessions() as session, session.begin():
        result = await session.execute(
            update(JOBS)
            .where(
                JOBS.c.id.in_(ids),
                JOBS.c.status == JobStatus.RUNNING.value,
                JOBS.c.worker_id == worker_id,
            )
            .values(heartbeat_at=func.now())
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]
