"""The contract between the API (producer) and the worker (consumer) of queued jobs.

A job travels as its id only (plain JSON, never a pickled object): the row in ``jobs`` holds
the parameters and is the source of truth for status. The arq job id is the row's id, so that
enqueueing the same job twice (a retried request, the worker's sweep) never runs it twice
while it is queued.

What each side may do to a row (the worker, ``generator_worker``, keeps to it):

- the API inserts the row ``queued``, COMMITS, then calls :func:`enqueue_job`; a failed
  enqueue leaves the row ``queued`` and the worker's sweep enqueues it (it also re-enqueues
  rows whose Redis entry was lost);
- cancel is ``UPDATE ... SET status='cancelled' WHERE status IN ('queued','running')``, then a
  best-effort ``arq.jobs.Job(id, redis, _queue_name=...).abort()``; the worker runs with
  ``allow_abort_jobs`` and changes a row only with ``WHERE status='running' AND worker_id=<its
  id>``, so a cancel is never overwritten;
- the worker moves ``queued -> running -> succeeded | failed`` (and back to ``queued`` when it
  stops mid-job or recovers a dead worker's job); ``succeeded`` and the content piece are
  written in one statement, at most one piece per job (``content_pieces.job_id`` is UNIQUE);
- arq keeps no results (``keep_result=0``): clients read the row, never arq.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Final

from arq.connections import ArqRedis

from personagen_shared.models.jobs import JobKind


def serialize_job(data: dict[str, Any]) -> bytes:
    """arq's job envelope (function name, args, tries, times) as JSON instead of pickle.

    Arguments are ids (strings), so JSON loses nothing and a queue entry can be read by any
    tool; anything else (an exception in a result) is written as its text.
    """
    return json.dumps(data, separators=(",", ":"), default=str).encode()


def deserialize_job(raw: bytes) -> dict[str, Any]:
    """Inverse of :func:`serialize_job`."""
    data: dict[str, Any] = json.loads(raw)
    return data


ARQ_SERIALIZERS: Final = {"job_serializer": serialize_job, "job_deserializer": deserialize_job}
"""Keyword arguments for every arq pool and worker of the project (both sides must agree)."""

GENERATION_TASK: Final = "run_generation"
"""arq function name of a generation job: ``run_generation(ctx, job_id: str)``."""

ANALYSIS_TASK: Final = "run_analysis"
"""arq function name of an analysis job: ``run_analysis(ctx, job_id: str)``."""

TASK_FOR_KIND: Final[dict[JobKind, str]] = {
    JobKind.GENERATION: GENERATION_TASK,
    JobKind.ANALYSIS: ANALYSIS_TASK,
}


async def enqueue_job(
    redis: ArqRedis, job_id: uuid.UUID, kind: JobKind | str, *, queue_name: str
) -> bool:
    """Queue the committed job ``job_id`` for the worker.

    Returns True when queued, False when arq already holds a job with this id (queued, running,
    or its result not yet expired): the job is on its way and nothing more is needed.
    Raises redis errors as they come; the caller decides (the row stays ``queued`` and the
    worker's sweep re-queues it).
    """
    task = TASK_FOR_KIND[JobKind(kind)]
    job = await redis.enqueue_job(task, str(job_id), _job_id=str(job_id), _queue_name=queue_name)
    return job is not None
