"""The worker's reads and writes of ``jobs``, ``personas`` and ``content_pieces``.

Every status change is a conditional UPDATE that names the state it expects
(``WHERE status = 'running' AND worker_id = :me``), so the worker never overwrites what the API
or another worker decided meanwhile: a job cancelled by the API stays cancelled, and a job the
sweep handed to another worker is no longer this run's to finish.

Cost matters (the worker's CPU per job is a target, ``bench/bench_pipeline.py``): statements
are SQLAlchemy Core built once at import with bound parameters, and every step of a job is ONE
statement run in autocommit (no BEGIN/COMMIT round trips): the claim is an UPDATE in a CTE
joined to the persona, the success write an INSERT selecting from an UPDATE in a CTE (a single
statement is a single transaction). A job costs three statements; no connection is held
across the LLM call.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any, Final, TypeVar

from sqlalchemy import Interval, and_, bindparam, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from personagen_shared.models import ContentPiece, Job, JobStatus, Persona, WritingSample
from personagen_shared.models.base import table_of
from personagen_shared.models.content import TITLE_MAX_LENGTH, ContentStatus
from personagen_shared.traits import TRAITS

JOBS = table_of(Job)
PIECES = table_of(ContentPiece)
PERSONAS = table_of(Persona)

RUNNING: Final = JobStatus.RUNNING.value
UNFINISHED: Final = (JobStatus.QUEUED.value, RUNNING)
MODEL_MAX_LENGTH: Final = 200
PERSONA_GONE: Final = "the persona of this job no longer exists"

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Database:
    """The worker's engine (transactions: the sweep) and an autocommit view of the same pool
    (single statements: every step of a job)."""

    engine: AsyncEngine
    autocommit: AsyncEngine

    @classmethod
    def of(cls, engine: AsyncEngine) -> Database:
        """Wrap ``engine``; the autocommit view shares its pool."""
        return cls(engine, engine.execution_options(isolation_level="AUTOCOMMIT"))


async def _with_reconnect(db_call: Callable[[], Awaitable[T]]) -> T:
    """Run ``db_call``, once more if its connection turned out dead.

    The worker's pool does not ping on checkout (that would cost a round trip per statement);
    after a PostgreSQL restart the first statement on a stale connection fails with a
    disconnect, SQLAlchemy invalidates the pool, and this second try gets a fresh connection.
    """
    try:
        return await db_call()
    except DBAPIError as exc:
        if not exc.connection_invalidated:
            raise
    return await db_call()


class SkipReason(StrEnum):
    """Why a run did not start the job."""

    MISSING = "missing"  # no such row (deleted with its owner)
    FINISHED = "finished"  # succeeded, failed or cancelled already
    BUSY = "busy"  # running on another live worker, or already in this process
    FAILED = "failed"  # failed at claim time: its persona was deleted


@dataclass(frozen=True, slots=True)
class Claim:
    """A job this run now owns (``status='running'``, ``worker_id`` = this worker).

    ``persona`` maps the persona's ``name``, ``description`` and trait columns to values
    (empty for a job without a persona, e.g. a standalone analysis); ``params`` is the job's
    request.
    """

    job_id: uuid.UUID
    owner_id: uuid.UUID
    persona_id: uuid.UUID | None
    params: Mapping[str, Any]
    persona: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Skip:
    """The run does nothing: ``reason`` says why, ``status`` is the row's status if known."""

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


# --- statements (built once) --------------------------------------------------------------

_owned = and_(
    JOBS.c.id == bindparam("job_id"),
    JOBS.c.status == RUNNING,
    JOBS.c.worker_id == bindparam("me"),
)

_claimable = or_(
    JOBS.c.status == JobStatus.QUEUED.value,
    and_(
        JOBS.c.status == RUNNING,
        or_(
            JOBS.c.worker_id.is_(None),
            JOBS.c.worker_id == bindparam("me"),
            JOBS.c.heartbeat_at.is_(None),
            JOBS.c.heartbeat_at <= func.now() - bindparam("ttl", type_=Interval()),
        ),
    ),
)

_claimed = (
    update(JOBS)
    .where(JOBS.c.id == bindparam("job_id"), _claimable)
    .values(
        status=RUNNING,
        worker_id=bindparam("me"),
        started_at=func.now(),
        heartbeat_at=func.now(),
    )
    .returning(
        JOBS.c.owner_id.label("job_owner_id"),
        JOBS.c.persona_id.label("job_persona_id"),
        JOBS.c.params.label("job_params"),
    )
    .cte("claimed")
)

PROMPT_COLUMNS: Final = ("name", "description", *(trait.name for trait in TRAITS))
"""The persona columns the prompt is built from."""

CLAIM: Final = select(
    _claimed,
    PERSONAS.c.id.label("persona_row_id"),
    *(PERSONAS.c[name] for name in PROMPT_COLUMNS),
).select_from(_claimed.outerjoin(PERSONAS, PERSONAS.c.id == _claimed.c.job_persona_id))
"""Take the job if it is claimable and read its persona, in one statement."""

STATUS: Final = select(JOBS.c.status, JOBS.c.worker_id).where(JOBS.c.id == bindparam("job_id"))

COUNT_ATTEMPT: Final = (
    update(JOBS)
    .where(_owned)
    .values(attempts=JOBS.c.attempts + 1, heartbeat_at=func.now())
    .returning(JOBS.c.attempts)
)

_succeeded = (
    update(JOBS)
    .where(_owned)
    .values(
        status=JobStatus.SUCCEEDED.value,
        finished_at=func.now(),
        error=None,
        heartbeat_at=None,
    )
    .returning(JOBS.c.id.label("succeeded_id"))
    .cte("succeeded")
)

_PIECE_PARAMS: Final = (
    "id",
    "owner_id",
    "persona_id",
    "title",
    "content",
    "word_count",
    "model",
    "prompt",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
)

SUCCEED: Final = (
    pg_insert(PIECES)
    .from_select(
        [*_PIECE_PARAMS, "job_id", "status", "tags", "created_at", "updated_at"],
        select(
            *(bindparam(f"p_{name}", type_=PIECES.c[name].type) for name in _PIECE_PARAMS),
            _succeeded.c.succeeded_id,
            literal(ContentStatus.DRAFT.value, type_=PIECES.c.status.type),
            literal([], type_=PIECES.c.tags.type),
            func.now(),
            func.now(),
        ).select_from(_succeeded),
    )
    .add_cte(_succeeded)
    .on_conflict_do_nothing(index_elements=[PIECES.c.job_id])
    .returning(PIECES.c.id)
)
"""Mark the job succeeded and insert its piece, in one statement (one transaction): the
INSERT selects from the UPDATE's result, so no piece is written unless the job was this
worker's running job, and the UPDATE's row lock orders it against a concurrent cancel."""

FAIL: Final = (
    update(JOBS)
    .where(_owned)
    .values(
        status=JobStatus.FAILED.value,
        error=bindparam("error"),
        finished_at=func.now(),
        heartbeat_at=None,
    )
    .returning(JOBS.c.id)
)

RELEASE: Final = (
    update(JOBS)
    .where(_owned)
    .values(status=JobStatus.QUEUED.value, worker_id=None, heartbeat_at=None)
    .returning(JOBS.c.id)
)

HEARTBEAT: Final = (
    update(JOBS)
    .where(
        JOBS.c.id.in_(bindparam("job_ids", expanding=True)),
        JOBS.c.status == RUNNING,
        JOBS.c.worker_id == bindparam("me"),
    )
    .values(heartbeat_at=func.now())
)


# --- operations ---------------------------------------------------------------------------


async def _scalar(db: Database, statement: Any, params: dict[str, Any]) -> Any:
    async def call() -> Any:
        async with db.autocommit.connect() as conn:
            return (await conn.execute(statement, params)).scalar_one_or_none()

    return await _with_reconnect(call)


async def claim(
    db: Database,
    job_id: uuid.UUID,
    *,
    worker_id: str,
    heartbeat_ttl_seconds: float,
    local_jobs: Collection[uuid.UUID] = (),
    require_persona: bool = True,
) -> Claim | Skip:
    """Take ``job_id`` for this worker and read its persona, or say why not.

    Claimable: a ``queued`` row, or a ``running`` one whose worker is gone (no heartbeat for
    ``heartbeat_ttl_seconds``) or is this worker, unless this process already runs it
    (``local_jobs``: arq may hand a job to a second task after an in-progress key was lost).
    The claim sets ``running``, ``worker_id``, ``started_at`` and ``heartbeat_at`` in one
    UPDATE, so a concurrent cancel either comes first (and the claim finds nothing) or waits
    for it. With ``require_persona`` (generation), a job whose persona was deleted fails here;
    without it (analysis), the claim carries no persona.
    """
    if job_id in local_jobs:
        return Skip(SkipReason.BUSY, RUNNING)
    params = {"job_id": job_id, "me": worker_id, "ttl": timedelta(seconds=heartbeat_ttl_seconds)}

    async def call() -> Any:
        async with db.autocommit.connect() as conn:
            row = (await conn.execute(CLAIM, params)).mappings().one_or_none()
            if row is None:
                return (await conn.execute(STATUS, params)).one_or_none()
            return row

    found = await _with_reconnect(call)
    if found is None:
        return Skip(SkipReason.MISSING)
    if not isinstance(found, Mapping):  # the row's status: it was not claimable
        if found.status in UNFINISHED:
            return Skip(SkipReason.BUSY, found.status)
        return Skip(SkipReason.FINISHED, found.status)
    has_persona = found["persona_row_id"] is not None
    if not has_persona and require_persona:
        await fail(db, job_id, worker_id=worker_id, error=PERSONA_GONE)
        return Skip(SkipReason.FAILED, JobStatus.FAILED.value)
    return Claim(
        job_id=job_id,
        owner_id=found["job_owner_id"],
        persona_id=found["job_persona_id"] if has_persona else None,
        params=found["job_params"] or {},
        persona={name: found[name] for name in PROMPT_COLUMNS} if has_persona else {},
    )


async def count_attempt(db: Database, job_id: uuid.UUID, *, worker_id: str) -> int | None:
    """``attempts += 1`` (and renew the heartbeat) while this worker owns the running job.

    Returns the new count, or ``None`` when the row is no longer this run's (cancelled by the
    API, or handed to another worker by the sweep): the caller stops.
    """
    return await _scalar(db, COUNT_ATTEMPT, {"job_id": job_id, "me": worker_id})


async def succeed(
    db: Database, claimed: Claim, piece: Piece, *, worker_id: str
) -> uuid.UUID | None:
    """Mark the job ``succeeded`` and write its content piece, atomically (:data:`SUCCEED`).

    Returns the piece's id, or ``None`` when nothing was written: the row was no longer this
    worker's running job (cancelled, or handed to another worker), so neither the status nor
    a piece changed. A second piece for a job is impossible (``job_id`` is UNIQUE and the
    insert is ``ON CONFLICT (job_id) DO NOTHING``); a job that already has one is never
    ``running`` again (nothing moves a finished job back), so the UPDATE cannot match then.
    """
    if claimed.persona_id is None:  # pragma: no cover  # generation claims require one
        raise ValueError("a content piece needs the job's persona")
    piece_id = uuid.uuid4()
    params = {
        "job_id": claimed.job_id,
        "me": worker_id,
        "p_id": piece_id,
        "p_owner_id": claimed.owner_id,
        "p_persona_id": claimed.persona_id,
        "p_title": piece.title[:TITLE_MAX_LENGTH],
        "p_content": piece.content,
        "p_word_count": piece.word_count,
        "p_model": piece.model[:MODEL_MAX_LENGTH],
        "p_prompt": piece.prompt,
        "p_prompt_tokens": piece.prompt_tokens,
        "p_completion_tokens": piece.completion_tokens,
        "p_total_tokens": piece.total_tokens,
    }
    written = await _scalar(db, SUCCEED, params)
    return piece_id if written is not None else None


async def fail(db: Database, job_id: uuid.UUID, *, worker_id: str, error: str) -> bool:
    """Mark the job ``failed`` with ``error`` (already safe and short) if this run owns it.

    Returns False when the row was no longer this run's (nothing written).
    """
    params = {"job_id": job_id, "me": worker_id, "error": error}
    return await _scalar(db, FAIL, params) is not None


async def release(db: Database, job_id: uuid.UUID, *, worker_id: str) -> bool:
    """Give a running job back to the queue (``queued``, no worker) if this run owns it.

    Used when the worker stops mid-job (SIGTERM): arq runs the job again, on any worker.
    Returns False when the row was no longer this run's.
    """
    return await _scalar(db, RELEASE, {"job_id": job_id, "me": worker_id}) is not None


async def heartbeat(db: Database, job_ids: Collection[uuid.UUID], *, worker_id: str) -> int:
    """Renew ``heartbeat_at`` of the running jobs ``job_ids`` this worker owns; returns how many."""
    if not job_ids:
        return 0

    async def call() -> int:
        async with db.autocommit.connect() as conn:
            result = await conn.execute(HEARTBEAT, {"job_ids": list(job_ids), "me": worker_id})
            return int(result.rowcount)

    return await _with_reconnect(call)


# --- analysis ------------------------------------------------------------------------------

SAMPLES = table_of(WritingSample)

SAMPLE: Final = select(SAMPLES.c.text, SAMPLES.c.metrics, SAMPLES.c.measured_traits).where(
    SAMPLES.c.id == bindparam("sample_id"), SAMPLES.c.owner_id == bindparam("owner_id")
)

ANALYSIS_SUCCEEDED: Final = (
    update(JOBS)
    .where(_owned)
    .values(
        status=JobStatus.SUCCEEDED.value,
        result=bindparam("result", type_=JOBS.c.result.type),
        finished_at=func.now(),
        error=None,
        heartbeat_at=None,
    )
    .returning(JOBS.c.id)
)


@dataclass(frozen=True, slots=True)
class Sample:
    """A writing sample as the API stored it: the text and what it measured."""

    text: str
    metrics: Mapping[str, Any]
    measured_traits: Mapping[str, Any]


async def load_sample(db: Database, sample_id: uuid.UUID, *, owner_id: uuid.UUID) -> Sample | None:
    """The owner's writing sample ``sample_id``, or None when it is gone."""

    async def call() -> Any:
        async with db.autocommit.connect() as conn:
            params = {"sample_id": sample_id, "owner_id": owner_id}
            return (await conn.execute(SAMPLE, params)).one_or_none()

    row = await _with_reconnect(call)
    if row is None:
        return None
    return Sample(row.text, row.metrics or {}, row.measured_traits or {})


def _persona_fill(
    values: Mapping[str, Any], *, overwrite: bool, keep: Collection[str]
) -> dict[str, Any]:
    """SET clauses writing analysed ``values`` into persona columns.

    Traits in ``keep`` (set by the user) are never written; without ``overwrite`` a column
    that has a value keeps it (``COALESCE``), decided in the same UPDATE so that a user's edit
    made while the job ran is never lost.
    """
    clauses: dict[str, Any] = {}
    for name, value in values.items():
        if name in keep or name not in PERSONAS.c:
            continue
        column = PERSONAS.c[name]
        bound = literal(value, type_=column.type)
        clauses[name] = bound if overwrite else func.coalesce(column, bound)
    return clauses


async def succeed_analysis(
    db: Database,
    claimed: Claim,
    result: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    overwrite: bool,
    keep: Collection[str],
    worker_id: str,
) -> bool:
    """Mark the analysis job ``succeeded`` with ``result`` and fill its persona, atomically.

    The persona's traits get ``values`` (see :func:`_persona_fill`); its name and description
    are never touched; its ``version`` grows by one. Returns False (nothing written) when the
    job was no longer this worker's running job, e.g. cancelled meanwhile.
    """

    async def call() -> bool:
        async with db.engine.begin() as conn:
            done = await conn.execute(
                ANALYSIS_SUCCEEDED,
                {"job_id": claimed.job_id, "me": worker_id, "result": dict(result)},
            )
            if done.scalar_one_or_none() is None:
                await conn.rollback()
                return False
            clauses = _persona_fill(values, overwrite=overwrite, keep=keep)
            if claimed.persona_id is not None and clauses:
                await conn.execute(
                    update(PERSONAS)
                    .where(
                        PERSONAS.c.id == claimed.persona_id,
                        PERSONAS.c.owner_id == claimed.owner_id,
                    )
                    .values(
                        **clauses,
                        version=PERSONAS.c.version + 1,
                        updated_at=func.clock_timestamp(),
                    )
                )
            return True

    return await _with_reconnect(call)
