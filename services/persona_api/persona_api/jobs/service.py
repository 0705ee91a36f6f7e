"""Job logic: create (commit, then enqueue), read, list and cancel, scoped to the owner."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import structlog
from arq.connections import ArqRedis
from arq.jobs import Job as ArqJob
from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import func
from sqlmodel import col

from persona_api.errors import Conflict, NotFound
from persona_api.jobs.schemas import JobRead
from persona_api.pagination import SortKey, page, paginate
from personagen_shared.jobs_contract import deserialize_job, enqueue_job
from personagen_shared.models import ContentPiece, Job, JobKind, JobStatus, User

log = structlog.get_logger(__name__)
LIST_SORT = SortKey("-created_at", col(Job.created_at), col(Job.id), datetime)
"""Jobs are listed newest first."""


def to_read(job: Job, content_piece_id: uuid.UUID | None) -> JobRead:
    """The response body of a job and its content piece id (if any)."""
    return JobRead(
        id=job.id,
        kind=job.kind,
        status=job.status,
        persona_id=job.persona_id,
        params=job.params,
        attempts=job.attempts,
        error=job.error,
        result=job.result,
        created_at=job.created_at,
        started_at=job.started_at,
        finished_at=job.finished_at,
        content_piece_id=content_piece_id,
        content_url=f"/v1/content/{content_piece_id}" if content_piece_id else None,
    )


async def queue_job(arq: ArqRedis, job: Job, *, queue_name: str) -> None:
    """Enqueue a committed job; a Redis failure is logged, not raised.

    The row stays ``queued`` and the worker's sweep enqueues it later, so the client's 202
    stays true even when Redis is briefly away.
    """
    try:
        await enqueue_job(arq, job.id, job.kind, queue_name=queue_name)
    except Exception as exc:
        log.warning("job.enqueue_failed", job_id=str(job.id), error=type(exc).__name__)


async def create_job(
    session: AsyncSession,
    owner: User,
    *,
    kind: JobKind,
    persona_id: uuid.UUID | None,
    params: dict[str, Any],
    idempotency_key: str | None,
) -> tuple[Job, bool]:
    """Insert a queued job (committed); returns ``(job, created)``.

    With an ``idempotency_key`` already used by this owner, returns the first job and
    ``created=False`` instead of making a second one.

    Raises:
        Conflict: the key was used for a different request.
    """
    if idempotency_key is not None:
        existing = await _by_idempotency_key(session, owner, idempotency_key)
        if existing is not None:
            return _same_request(existing, kind, persona_id, params), False
    values = {
        "id": uuid.uuid4(),
        "owner_id": owner.id,
        "kind": kind.value,
        "persona_id": persona_id,
        "params": params,
        "idempotency_key": idempotency_key,
    }
    # ON CONFLICT instead of catching IntegrityError: a concurrent request with the same key
    # makes this insert a no-op rather than an aborted transaction.
    job: Job | None = await session.scalar(
        pg_insert(Job)
        .values(values)
        .on_conflict_do_nothing(index_elements=["owner_id", "idempotency_key"])
        .returning(Job)
    )
    await session.commit()
    if job is not None:
        return job, True
    assert idempotency_key is not None  # only a key can conflict
    existing = await _by_idempotency_key(session, owner, idempotency_key)
    assert existing is not None
    return _same_request(existing, kind, persona_id, params), False


async def _by_idempotency_key(session: AsyncSession, owner: User, key: str) -> Job | None:
    return await session.scalar(
        select(Job).where(col(Job.owner_id) == owner.id, col(Job.idempotency_key) == key)
    )


def _same_request(
    job: Job, kind: JobKind, persona_id: uuid.UUID | None, params: dict[str, Any]
) -> Job:
    if job.kind != kind.value or job.persona_id != persona_id or job.params != params:
        raise Conflict("This Idempotency-Key was already used for a different request.")
    return job


async def get_job(session: AsyncSession, owner: User, job_id: uuid.UUID) -> JobRead:
    """One of the owner's jobs with its content piece id. Raises :class:`NotFound`."""
    row = (
        await session.execute(
            select(Job, col(ContentPiece.id))
            .outerjoin(ContentPiece, col(ContentPiece.job_id) == col(Job.id))
            .where(col(Job.id) == job_id, col(Job.owner_id) == owner.id)
        )
    ).first()
    if row is None:
        raise NotFound(f"Job {job_id} not found.")
    return to_read(row[0], row[1])


async def list_jobs(
    session: AsyncSession,
    owner: User,
    *,
    limit: int,
    cursor: str | None,
    status: JobStatus | None,
    kind: JobKind | None,
) -> tuple[list[JobRead], str | None]:
    """A keyset page of the owner's jobs, newest first (one query, no N+1)."""
    stmt = (
        select(Job, col(ContentPiece.id))
        .outerjoin(ContentPiece, col(ContentPiece.job_id) == col(Job.id))
        .where(col(Job.owner_id) == owner.id)
    )
    if status is not None:
        stmt = stmt.where(col(Job.status) == status.value)
    if kind is not None:
        stmt = stmt.where(col(Job.kind) == kind.value)
    stmt = paginate(stmt, LIST_SORT, cursor=cursor, limit=limit)
    rows, next_cursor = page(
        (await session.execute(stmt)).all(),
        LIST_SORT,
        limit,
        lambda row: (row[0].created_at, row[0].id),
    )
    return [to_read(job, piece_id) for job, piece_id in rows], next_cursor


async def cancel_job(
    session: AsyncSession, arq: ArqRedis, owner: User, job_id: uuid.UUID, *, queue_name: str
) -> JobRead:
    """Cancel a queued or running job.

    A queued job never runs (the worker skips rows that are not queued); a running one is
    aborted through arq and its result is discarded (the worker's final update is conditional
    on ``running``).

    Raises:
        NotFound: no such job for this owner.
        Conflict: the job has already finished.
    """
    cancelled: uuid.UUID | None = await session.scalar(
        update(Job)
        .where(
            col(Job.id) == job_id,
            col(Job.owner_id) == owner.id,
            col(Job.status).in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]),
        )
        .values(status=JobStatus.CANCELLED.value, finished_at=func.now())
        .returning(col(Job.id))
    )
    await session.commit()
    current = await get_job(session, owner, job_id)  # 404 for missing / another user's
    if cancelled is None:
        raise Conflict(f"Job {job_id} has already finished ({current.status}).")
    try:
        await ArqJob(str(job_id), arq, _queue_name=queue_name, _deserializer=deserialize_job).abort(
            timeout=0
        )
    except Exception as exc:  # best effort: the row is the truth; the worker checks it
        log.info("job.abort_signal_failed", job_id=str(job_id), error=type(exc).__name__)
    log.info("job.cancelled", job_id=str(job_id))
    return current
