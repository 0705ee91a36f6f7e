"""The sweep: nothing a client was told is ``queued`` or ``running`` stays that way forever.

PostgreSQL is the source of truth and Redis only carries the queue, so the two can disagree:

- **lost queue entries**: Redis was flushed or restarted (or evicted keys) while jobs were
  queued. The sweep finds ``queued`` rows older than a short grace period whose arq entry
  (``arq:job:<id>`` plus its member in the queue's sorted set) is gone and enqueues them
  again, with the same arq job id, through :func:`personagen_shared.jobs_contract.enqueue_job`.
- **orphans**: a worker died (SIGKILL, OOM, lost node) mid-job. Every worker renews
  ``jobs.heartbeat_at`` of the jobs it runs every third of ``WORKER_HEARTBEAT_TTL_SECONDS``; a
  ``running`` row whose heartbeat is older than the TTL, or that started longer than the job
  timeout (+ grace) ago, is re-queued: ``status='queued'``, no worker, ``recoveries + 1``, and
  arq's ``in-progress`` and retry keys for it are deleted so that any worker picks it up at
  once (arq alone would wait for its in-progress key to expire, job timeout + 10 s). After
  ``WORKER_MAX_RECOVERIES`` re-queues the job fails instead (a job that kills its worker must
  not kill them all in turn).

Several workers sweep concurrently without fighting: orphans are taken with ``FOR UPDATE SKIP
LOCKED`` (each row is handled by one sweeper), and re-enqueueing a lost entry is idempotent
(arq refuses a second entry with the same job id). A run that finds its job re-queued under it
stops writing (every write of a run requires ``worker_id`` = its worker), and the success
transaction guarantees at most one content piece per job whatever runs twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Final

import structlog
from arq.connections import ArqRedis
from arq.constants import (
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.utils import timestamp_ms
from sqlalchemy import func, or_, select, tuple_, update

from generator_worker.store import JOBS, Database
from personagen_shared.jobs_contract import enqueue_job
from personagen_shared.models import JobStatus
from personagen_shared.settings import Settings

log = structlog.get_logger("generator_worker.recovery")

BATCH_SIZE: Final = 500
"""Rows per sweep query (bounds one transaction's locks and one Redis pipeline)."""

QUEUED_GRACE_SECONDS: Final = 5.0
"""A queued row younger than this is left alone: the API commits the row and then enqueues it,
so a very young row may not have reached Redis yet. Capped at the sweep interval."""

OVERDUE_GRACE_SECONDS: Final = 30.0
"""A run gets this long beyond ``WORKER_JOB_TIMEOUT_SECONDS`` (its own deadline) before the
sweep treats a live worker's job as stuck."""


@dataclass(slots=True)
class SweepReport:
    """What one sweep did: ``requeued`` lost queue entries, ``recovered`` orphans re-queued,
    ``failed`` orphans failed after too many recoveries."""

    requeued: int = 0
    recovered: int = 0
    failed: int = 0


async def ensure_enqueued(
    redis: ArqRedis, job_id: uuid.UUID, kind: str, *, queue_name: str
) -> bool:
    """Make sure arq holds a runnable entry for ``job_id``; True when something was (re)written.

    - job key and queue member present: nothing to do;
    - job key present, member missing: the member is added back (score now);
    - job key missing: arq's stale retry and result keys are deleted (so the job neither counts
      earlier tries against arq's ``max_tries`` nor is refused as already done) and the job is
      enqueued afresh with its own id.
    """
    key = str(job_id)
    async with redis.pipeline(transaction=False) as pipe:
        pipe.exists(job_key_prefix + key)
        pipe.zscore(queue_name, key)
        has_job, score = await pipe.execute()
    if has_job and score is not None:
        return False
    if has_job:
        await redis.zadd(queue_name, {key: timestamp_ms()}, nx=True)
        return True
    await redis.delete(retry_key_prefix + key, result_key_prefix + key)
    return await enqueue_job(redis, job_id, kind, queue_name=queue_name)


async def requeue_lost(
    db: Database,
    redis: ArqRedis,
    *,
    settings: Settings,
    kinds: frozenset[str],
) -> int:
    """Re-enqueue ``queued`` jobs of ``kinds`` whose arq entry is gone; returns how many.

    Reads every queued row older than the grace period in keyset batches (no locks: enqueueing
    is idempotent). A row whose arq ``in-progress`` key exists is being started right now.
    """
    grace = timedelta(seconds=min(QUEUED_GRACE_SECONDS, settings.worker_sweep_interval_seconds))
    queue = settings.arq_queue_name
    cursor: tuple[datetime, uuid.UUID] | None = None
    requeued = 0
    while True:
        query = (
            select(JOBS.c.id, JOBS.c.kind, JOBS.c.created_at)
            .where(
                JOBS.c.status == JobStatus.QUEUED.value,
                JOBS.c.kind.in_(sorted(kinds)),
                JOBS.c.created_at < func.now() - grace,
            )
            .order_by(JOBS.c.created_at, JOBS.c.id)
            .limit(BATCH_SIZE)
        )
        if cursor is not None:
            query = query.where(tuple_(JOBS.c.created_at, JOBS.c.id) > cursor)
        async with db.autocommit.connect() as conn:
            rows = (await conn.execute(query)).all()
        if not rows:
            return requeued
        async with redis.pipeline(transaction=False) as pipe:
            for row in rows:
                pipe.exists(job_key_prefix + str(row.id))
                pipe.zscore(queue, str(row.id))
                pipe.exists(in_progress_key_prefix + str(row.id))
            found = await pipe.execute()
        for index, row in enumerate(rows):
            has_job, score, in_progress = found[3 * index : 3 * index + 3]
            if in_progress or (has_job and score is not None):
                continue
            if await ensure_enqueued(redis, row.id, row.kind, queue_name=queue):
                requeued += 1
                log.warning("sweep.requeued", job_id=str(row.id), reason="queue entry lost")
        if len(rows) < BATCH_SIZE:
            return requeued
        cursor = (rows[-1].created_at, rows[-1].id)


async def recover_orphans(
    db: Database,
    redis: ArqRedis,
    *,
    settings: Settings,
    kinds: frozenset[str],
) -> tuple[int, int]:
    """Re-queue (or, after too many recoveries, fail) ``running`` jobs whose worker is gone
    or that overran the job timeout; returns ``(recovered, failed)``.

    The rows are locked ``FOR UPDATE SKIP LOCKED`` and the Redis clean-up happens before the
    commit: if Redis fails, the transaction rolls back and the next sweep tries again.
    """
    ttl = timedelta(seconds=settings.worker_heartbeat_ttl_seconds)
    overdue = timedelta(seconds=settings.worker_job_timeout_seconds + OVERDUE_GRACE_SECONDS)
    queue = settings.arq_queue_name
    recovered = failed = 0
    async with db.engine.begin() as conn:
        rows = (
            await conn.execute(
                select(
                    JOBS.c.id,
                    JOBS.c.kind,
                    JOBS.c.worker_id,
                    JOBS.c.recoveries,
                    (JOBS.c.started_at < func.now() - overdue).label("overdue"),
                )
                .where(
                    JOBS.c.status == JobStatus.RUNNING.value,
                    JOBS.c.kind.in_(sorted(kinds)),
                    or_(
                        JOBS.c.heartbeat_at.is_(None),
                        JOBS.c.heartbeat_at < func.now() - ttl,
                        JOBS.c.started_at < func.now() - overdue,
                    ),
                )
                .order_by(JOBS.c.created_at)
                .limit(BATCH_SIZE)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            key = str(row.id)
            reason = "job overran its timeout" if row.overdue else "worker stopped"
            if row.recoveries >= settings.worker_max_recoveries:
                await conn.execute(
                    update(JOBS)
                    .where(JOBS.c.id == row.id)
                    .values(
                        status=JobStatus.FAILED.value,
                        error=(
                            f"the job was interrupted {row.recoveries + 1} times "
                            "(its worker stopped or stalled); giving up"
                        ),
                        finished_at=func.now(),
                        heartbeat_at=None,
                    )
                )
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.delete(
                        job_key_prefix + key, in_progress_key_prefix + key, retry_key_prefix + key
                    )
                    pipe.zrem(queue, key)
                    await pipe.execute()
                failed += 1
                log.error("sweep.failed", job_id=key, reason=reason, recoveries=row.recoveries)
                continue
            await conn.execute(
                update(JOBS)
                .where(JOBS.c.id == row.id)
                .values(
                    status=JobStatus.QUEUED.value,
                    worker_id=None,
                    heartbeat_at=None,
                    recoveries=JOBS.c.recoveries + 1,
                )
            )
            await redis.delete(in_progress_key_prefix + key, retry_key_prefix + key)
            await ensure_enqueued(redis, row.id, row.kind, queue_name=queue)
            recovered += 1
            log.warning(
                "sweep.requeued",
                job_id=key,
                reason=reason,
                dead_worker=row.worker_id,
                recoveries=row.recoveries + 1,
            )
    return recovered, failed


async def sweep_once(
    db: Database,
    redis: ArqRedis,
    *,
    settings: Settings,
    kinds: frozenset[str],
) -> SweepReport:
    """One full sweep: orphans first (they are the oldest promises), then lost queue entries."""
    recovered, failed = await recover_orphans(db, redis, settings=settings, kinds=kinds)
    requeued = await requeue_lost(db, redis, settings=settings, kinds=kinds)
    return SweepReport(requeued=requeued, recovered=recovered, failed=failed)
