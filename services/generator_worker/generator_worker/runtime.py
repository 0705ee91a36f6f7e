"""What one worker process holds for its lifetime, made at arq startup and closed at shutdown.

- one database engine (a bounded pool, see :func:`database_pool_size`) and its sessionmaker;
- one ``openai.AsyncOpenAI`` client over one HTTP client (aiohttp-backed) whose connection pool
  admits ``WORKER_MAX_JOBS`` concurrent calls (a slow LLM must not leave jobs waiting for a
  socket), with the SDK's own retries off (:mod:`generator_worker.llm` retries);
- a worker id, and two background tasks: the heartbeat of the jobs this process runs and the
  recovery sweep (:mod:`generator_worker.recovery`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import os
import socket
import uuid
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Final

import httpx2
import openai
import structlog
from arq.connections import ArqRedis
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from generator_worker import recovery, store
from generator_worker.llm import RetryPolicy
from personagen_shared.db import make_sessionmaker
from personagen_shared.models import JobKind
from personagen_shared.settings import Settings, StructuredOutputMode

log = structlog.get_logger("generator_worker.runtime")

LOCAL_API_KEY: Final = "not-needed"
"""Sent when ``OPENAI_API_KEY`` is empty: local OpenAI-compatible servers ignore the key, but
the SDK refuses to build a client without one."""

HEARTBEATS_PER_TTL: Final = 3
"""Heartbeats sent per ``WORKER_HEARTBEAT_TTL_SECONDS``: two can be lost before the sweep
takes a live worker's job for an orphan."""

CONNECT_TIMEOUT_SECONDS: Final = 10.0
"""Connecting to the LLM server takes at most this (and at most ``LLM_TIMEOUT_SECONDS``)."""


def make_worker_engine(settings: Settings) -> AsyncEngine:
    """The worker's engine: like :func:`personagen_shared.db.make_engine` but without
    ``pool_pre_ping``.

    With asyncpg a pre-ping costs BEGIN, a ping and ROLLBACK (three round trips) on every
    checkout, i.e. on every statement of a job; the worker instead retries a statement once
    when its connection turns out dead (:func:`generator_worker.store._with_reconnect`).
    """
    return create_async_engine(
        settings.async_database_url,
        pool_size=database_pool_size(settings),
        max_overflow=settings.database_max_overflow,
        pool_pre_ping=False,
        pool_recycle=1800,
        hide_parameters=True,  # parameters hold prompts and replies: never in errors or logs
    )


def database_pool_size(settings: Settings) -> int:
    """Connections per worker process: ``WORKER_DATABASE_POOL_SIZE``, else ``max_jobs / 4``
    clamped to 5..25.

    A job holds a connection only for its few short statements (claim, one per LLM try,
    the success transaction), never across the LLM call, so a quarter of ``max_jobs`` keeps
    checkouts from waiting (``bench/bench_pipeline.py`` measures 100 concurrent jobs) while
    one worker stays far below PostgreSQL's default ``max_connections`` of 100.
    """
    if settings.worker_database_pool_size is not None:
        return settings.worker_database_pool_size
    return max(5, min(25, math.ceil(settings.worker_max_jobs / 4)))


def make_worker_id() -> str:
    """``host:pid:random``: unique per process, readable in ``jobs.worker_id`` and logs."""
    return f"{socket.gethostname()[:120]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def make_llm_client(settings: Settings) -> tuple[openai.AsyncOpenAI, httpx2.AsyncClient]:
    """The process's one LLM client and the HTTP client under it (close both at shutdown).

    The HTTP client is the SDK's aiohttp-backed one (``openai.DefaultAioHttpClient``, the
    ``openai[aiohttp]`` extra: an ``httpx2.AsyncClient`` whose transport is aiohttp). Its pool
    admits ``WORKER_MAX_JOBS`` connections so that every running job can have its call in
    flight. Why not a plain ``httpx.AsyncClient``: CPU per call, measured against the stand-in
    at 20-100 concurrent calls on this project's 2-core machine (``/proc`` CPU time per call):
    legacy ``httpx`` 2.0-2.4 ms (the SDK converts every request for it), the SDK's ``httpx2``
    1.5-2.3 ms, aiohttp 0.9 ms; the worker's whole budget is 5 ms per job.
    """
    timeout = settings.llm_timeout_seconds
    http = openai.DefaultAioHttpClient(
        limits=httpx2.Limits(
            max_connections=settings.worker_max_jobs,
            max_keepalive_connections=settings.worker_max_jobs,
        ),
        timeout=httpx2.Timeout(timeout, connect=min(CONNECT_TIMEOUT_SECONDS, timeout)),
    )
    client = openai.AsyncOpenAI(
        base_url=str(settings.openai_base_url) if settings.openai_base_url else None,
        api_key=settings.openai_api_key.get_secret_value() or LOCAL_API_KEY,
        max_retries=0,
        timeout=timeout,
        http_client=http,
    )
    return client, http


@dataclass
class WorkerState:
    """Everything a task needs, kept in arq's ``ctx["state"]``.

    ``db`` is what the generation path uses (Core statements, see :mod:`generator_worker.store`);
    ``sessions`` is an ORM sessionmaker on the same pool for tasks that want one.
    ``running`` holds the ids of the jobs this process runs now (their heartbeats are renewed);
    ``kinds`` the job kinds this worker has tasks for (the sweep touches only those).
    ``refused_output_modes`` the structured-output modes the LLM server refused (analysis).
    """

    settings: Settings
    redis: ArqRedis
    engine: AsyncEngine
    db: store.Database
    sessions: async_sessionmaker[AsyncSession]
    llm: openai.AsyncOpenAI
    http: httpx2.AsyncClient
    worker_id: str = field(default_factory=make_worker_id)
    kinds: frozenset[str] = frozenset({JobKind.GENERATION.value})
    running: set[uuid.UUID] = field(default_factory=set)
    refused_output_modes: set[StructuredOutputMode] = field(default_factory=set)
    _background: list[asyncio.Task[None]] = field(default_factory=list)

    @cached_property
    def policy(self) -> RetryPolicy:
        """The LLM retry policy from the settings."""
        return RetryPolicy.from_settings(self.settings)

    @property
    def secrets(self) -> tuple[str, ...]:
        """Values that must never reach a job's error or the logs."""
        return (self.settings.openai_api_key.get_secret_value(),)

    @classmethod
    def create(
        cls,
        settings: Settings,
        redis: ArqRedis,
        kinds: frozenset[str] = frozenset({JobKind.GENERATION.value}),
    ) -> WorkerState:
        """Make the engine, the sessionmaker and the LLM client (no I/O yet)."""
        engine = make_worker_engine(settings)
        llm, http = make_llm_client(settings)
        return cls(
            settings=settings,
            redis=redis,
            engine=engine,
            db=store.Database.of(engine),
            sessions=make_sessionmaker(engine),
            llm=llm,
            http=http,
            kinds=kinds,
        )

    def start_background(self) -> None:
        """Start the heartbeat and the sweep (both stop at :meth:`close`)."""
        self._background = [
            asyncio.create_task(self._heartbeat_loop(), name="worker-heartbeat"),
            asyncio.create_task(self._sweep_loop(), name="worker-sweep"),
        ]

    async def sweep(self) -> recovery.SweepReport:
        """Run one recovery sweep now."""
        return await recovery.sweep_once(
            self.db, self.redis, settings=self.settings, kinds=self.kinds
        )

    async def _heartbeat_loop(self) -> None:
        interval = self.settings.worker_heartbeat_ttl_seconds / HEARTBEATS_PER_TTL
        while True:
            await asyncio.sleep(interval)
            try:
                await store.heartbeat(self.db, set(self.running), worker_id=self.worker_id)
            except Exception as exc:  # keep beating: the database may come back
                log.warning("worker.heartbeat_failed", error_type=type(exc).__name__)

    async def _sweep_loop(self) -> None:
        while True:
            try:
                report = await self.sweep()
            except Exception:  # a sweep that fails is retried at the next interval
                log.exception("sweep.error")
            else:
                if report.requeued or report.recovered or report.failed:
                    log.info(
                        "sweep.completed",
                        requeued=report.requeued,
                        recovered=report.recovered,
                        failed=report.failed,
                    )
            await asyncio.sleep(self.settings.worker_sweep_interval_seconds)

    async def close(self) -> None:
        """Stop the background tasks, then close the LLM client and the database pool."""
        for task in self._background:
            task.cancel()
        for task in self._background:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        await self.llm.close()
        await self.http.aclose()
        await self.engine.dispose()


PROMPT_LOGGERS: Final = ("openai", "httpx", "httpx2", "aiohttp")
"""Libraries whose DEBUG lines carry request bodies (the SDK logs its "Request options",
messages included): kept at WARNING whatever ``LOG_LEVEL`` says, so prompts never reach logs."""


async def startup(ctx: dict[str, Any]) -> None:
    """arq ``on_startup``: build the :class:`WorkerState` from ``ctx["settings"]`` (and
    ``ctx["kinds"]``, the job kinds the worker has tasks for)."""
    settings: Settings = ctx["settings"]
    for name in PROMPT_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    kinds = ctx.get("kinds", frozenset({JobKind.GENERATION.value}))
    state = WorkerState.create(settings, ctx["redis"], kinds)
    ctx["state"] = state
    state.start_background()
    log.info(
        "worker.started",
        worker_id=state.worker_id,
        queue=settings.arq_queue_name,
        max_jobs=settings.worker_max_jobs,
        database_pool_size=database_pool_size(settings),
        llm_model=settings.llm_model,
    )


async def shutdown(ctx: dict[str, Any]) -> None:
    """arq ``on_shutdown``: close what :func:`startup` made."""
    state: WorkerState | None = ctx.pop("state", None)
    if state is not None:
        await state.close()
        log.info("worker.stopped", worker_id=state.worker_id)
