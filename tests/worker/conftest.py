"""Fixtures of the worker tests: an LLM stand-in over HTTP, rows made directly in PostgreSQL,
jobs enqueued through the jobs contract, and real arq workers (in-process or a subprocess)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest
from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import (
    abort_jobs_ss,
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from arq.worker import Worker
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from generator_worker.main import make_worker
from personagen_shared.db import make_engine, make_sessionmaker
from personagen_shared.jobs_contract import ARQ_SERIALIZERS, deserialize_job, enqueue_job
from personagen_shared.models import ContentPiece, Job, JobKind, Persona, User
from personagen_shared.settings import Settings, load_settings
from tests.conftest import ROOT, RUN_ID, TEST_REDIS_URL, LiveServer
from tests.worker.standin import LLMStandIn

WORKER_REDIS_URL = urlunsplit(
    urlsplit(TEST_REDIS_URL)._replace(path=f"/{1 + int(RUN_ID, 16) % 15}")
)
"""Redis database of the worker tests: not database 0, whose ``arq:*`` keys every test run's
clean-up (tests/conftest.py) deletes, which would pull jobs from under a concurrent run's
workers. Keys here are removed per job id (see :func:`_clean_worker_keys`)."""

API_KEY = "sk-test-SECRET-do-not-leak-0123456789"
"""The OpenAI key the tests configure: it must appear in no job error and no log line."""

FORMAL_TRAITS: dict[str, Any] = {"formality_level": 9, "tone": "formal", "contraction_usage": 1}


@pytest.fixture
async def standin() -> AsyncIterator[LLMStandIn]:
    """A fresh LLM stand-in served on a free port for one test."""
    server_app = LLMStandIn()
    server = LiveServer(server_app.app)
    await server.start()
    server_app.base_url = f"{server.base_url}/v1"  # type: ignore[attr-defined]
    try:
        yield server_app
    finally:
        server_app.release()
        await server.stop()


@pytest.fixture
def settings_for(database_url: str) -> Callable[..., Settings]:
    """``settings_for(standin, **overrides)``: test settings pointing at ``standin``.

    Fast defaults: no retry waits, a 1 s sweep, a 5 s heartbeat TTL (long enough that a busy
    machine never makes a live worker look dead), 10 ms polling.
    """

    def make(standin: LLMStandIn | None = None, **overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "redis_url": WORKER_REDIS_URL,
            "openai_api_key": API_KEY,
            "llm_model": "configured-model",
            "llm_timeout_seconds": 5.0,
            "llm_max_attempts": 3,
            "llm_retry_base_seconds": 0.0,
            "llm_retry_max_seconds": 0.2,
            "worker_poll_delay_seconds": 0.01,
            "worker_sweep_interval_seconds": 1,
            "worker_heartbeat_ttl_seconds": 5.0,
            "worker_max_jobs": 20,
        }
        if standin is not None:
            values["openai_base_url"] = standin.base_url  # type: ignore[attr-defined]
        values.update(overrides)
        return load_settings(**values)

    return make


@pytest.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on the test database for the test's own reads and writes."""
    settings = load_settings()
    db = make_engine(settings, pool_size=2)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions on :func:`engine`."""
    return make_sessionmaker(engine)


@pytest.fixture
async def arq_redis(database_url: str) -> AsyncIterator[ArqRedis]:
    """An arq Redis pool like the API's (on :data:`WORKER_REDIS_URL`)."""
    pool = await create_pool(RedisSettings.from_dsn(WORKER_REDIS_URL), **ARQ_SERIALIZERS)
    try:
        yield pool
    finally:
        await pool.aclose()


class Seeder:
    """Creates users, personas and jobs directly in PostgreSQL, as the API would."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], redis: ArqRedis) -> None:
        self.sessions = sessions
        self.redis = redis
        self.job_ids: list[uuid.UUID] = []

    async def user(self) -> User:
        """A new user."""
        name = f"u_{uuid.uuid4().hex[:10]}"
        user = User(username=name, email=f"{name}@example.com", password_hash="not-a-hash")
        async with self.sessions() as session, session.begin():
            session.add(user)
        return user

    async def persona(self, owner: User, name: str = "Ada", **traits: Any) -> Persona:
        """A persona of ``owner`` with ``traits`` (default: a formal writer)."""
        persona = Persona(
            owner_id=owner.id, name=name, description="Writes briefs.", **(traits or FORMAL_TRAITS)
        )
        async with self.sessions() as session, session.begin():
            session.add(persona)
        return persona

    async def job(
        self,
        persona: Persona,
        prompt: str = "the joy of tidy desks",
        *,
        enqueue: bool = True,
        **params: Any,
    ) -> Job:
        """A committed ``queued`` generation job, then enqueued through the jobs contract."""
        job = Job(
            owner_id=persona.owner_id,
            persona_id=persona.id,
            kind=JobKind.GENERATION.value,
            params={"prompt": prompt, "max_tokens": None, "temperature": None, **params},
        )
        async with self.sessions() as session, session.begin():
            session.add(job)
        self.job_ids.append(job.id)
        if enqueue:
            await self.enqueue(job.id)
        return job

    async def enqueue(self, job_id: uuid.UUID) -> bool:
        """Enqueue ``job_id`` on this run's queue, exactly as the API does."""
        return await enqueue_job(
            self.redis, job_id, JobKind.GENERATION, queue_name=os.environ["ARQ_QUEUE_NAME"]
        )

    async def get_job(self, job_id: uuid.UUID) -> Job:
        """The job row as stored now."""
        async with self.sessions() as session:
            return (await session.execute(select(Job).where(Job.id == job_id))).scalar_one()

    async def pieces(self, job_id: uuid.UUID) -> list[ContentPiece]:
        """Content pieces written for ``job_id``."""
        async with self.sessions() as session:
            rows = await session.execute(select(ContentPiece).where(ContentPiece.job_id == job_id))
            return list(rows.scalars())

    async def cancel(self, job_id: uuid.UUID) -> bool:
        """The API's cancel: the conditional UPDATE, then a best-effort arq abort."""
        from arq.jobs import Job as ArqJob
        from sqlalchemy import text

        async with self.sessions() as session, session.begin():
            result = await session.execute(
                text(
                    "UPDATE jobs SET status='cancelled', finished_at=now() "
                    "WHERE id=:id AND status IN ('queued','running')"
                ),
                {"id": job_id},
            )
        with contextlib.suppress(Exception):
            await ArqJob(
                str(job_id),
                self.redis,
                _queue_name=os.environ["ARQ_QUEUE_NAME"],
                _deserializer=deserialize_job,
            ).abort(timeout=0)
        return bool(result.rowcount)  # type: ignore[attr-defined]

    async def wait_for(
        self,
        job_id: uuid.UUID,
        predicate: Callable[[Job], bool],
        *,
        limit_seconds: float = 60.0,
    ) -> Job:
        """Poll the row until ``predicate`` holds (fails the test after ``limit_seconds``,
        a bound against hanging, not a speed assertion)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit_seconds
        while True:
            job = await self.get_job(job_id)
            if predicate(job):
                return job
            if loop.time() > deadline:
                pytest.fail(f"job {job_id} never reached the expected state: {job!r}")
            await asyncio.sleep(0.05)


@pytest.fixture
async def seed(
    sessions: async_sessionmaker[AsyncSession], arq_redis: ArqRedis
) -> AsyncIterator[Seeder]:
    """A :class:`Seeder` on the test database and queue; its Redis keys go at teardown."""
    seeder = Seeder(sessions, arq_redis)
    try:
        yield seeder
    finally:
        await _clean_worker_keys(arq_redis, seeder.job_ids)


async def _clean_worker_keys(redis: ArqRedis, job_ids: list[uuid.UUID]) -> None:
    queue = os.environ["ARQ_QUEUE_NAME"]
    keys = [queue, *[key async for key in redis.scan_iter(match=f"{queue}:*")]]
    for job_id in job_ids:
        keys += [
            prefix + str(job_id)
            for prefix in (
                job_key_prefix,
                in_progress_key_prefix,
                retry_key_prefix,
                result_key_prefix,
            )
        ]
    await redis.delete(*keys)
    if job_ids:
        await redis.zrem(abort_jobs_ss, *[str(job_id) for job_id in job_ids])


async def run_burst(settings: Settings, **overrides: Any) -> Worker:
    """Run an in-process arq worker in burst mode until the queue is empty; return it."""
    worker = make_worker(settings, burst=True, handle_signals=False, **overrides)
    try:
        await worker.async_run()
    finally:
        await worker.close()
    return worker


@contextlib.asynccontextmanager
async def running_worker(settings: Settings, **overrides: Any) -> AsyncIterator[Worker]:
    """An in-process arq worker running (not burst) for the body of the ``async with``."""
    worker = make_worker(settings, handle_signals=False, **overrides)
    task = asyncio.create_task(worker.async_run())
    try:
        yield worker
    finally:
        # A job whose row is already final may still be in arq's own bookkeeping (finish_job);
        # closing now would cancel it mid-write. Give running tasks a moment, then close.
        pending = [t for t in worker.tasks.values() if not t.done()]
        if pending:
            await asyncio.wait(pending, timeout=2)
        with contextlib.suppress(asyncio.CancelledError):
            await worker.close()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def wait_until(
    check: Callable[[], Awaitable[bool] | bool], *, limit_seconds: float = 30.0
) -> None:
    """Poll ``check`` every 20 ms until true (fails after ``limit_seconds``: no hang)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit_seconds
    while True:
        result = check()
        if not isinstance(result, bool):
            result = await result
        if result:
            return
        if loop.time() > deadline:
            pytest.fail("condition never became true")
        await asyncio.sleep(0.02)


def worker_command() -> list[str]:
    """The worker as a real process (``personagen worker``), with this interpreter."""
    return [sys.executable, "-m", "personagen.cli", "worker"]


WORKER_CWD = ROOT
