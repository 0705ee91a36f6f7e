"""Recovery: lost queue entries, orphaned and overdue running jobs, worker shutdown and
SIGKILL, and the health check."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
import structlog
from arq.constants import in_progress_key_prefix, job_key_prefix
from sqlalchemy import func, text, update

from generator_worker.runtime import WorkerState
from generator_worker.store import JOBS
from personagen_shared.models import Job, JobStatus
from personagen_shared.settings import Settings
from tests.worker.conftest import (
    API_KEY,
    WORKER_CWD,
    WORKER_REDIS_URL,
    Seeder,
    run_burst,
    running_worker,
    wait_until,
    worker_command,
)
from tests.worker.standin import HANG, LLMStandIn

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")

SettingsFor = Callable[..., Settings]


async def _drop_from_redis(seed: Seeder, jobs: list[Job]) -> None:
    """What a FLUSHALL or a Redis restart without persistence does to these jobs."""
    queue = os.environ["ARQ_QUEUE_NAME"]
    await seed.redis.delete(queue, *[job_key_prefix + str(job.id) for job in jobs])


async def _orphan(seed: Seeder, job: Job, *, recoveries: int = 0, overdue: bool = False) -> None:
    """Make ``job`` look like a dead worker's: running, stale heartbeat, arq in progress."""
    async with seed.sessions() as session, session.begin():
        await session.execute(
            update(JOBS)
            .where(JOBS.c.id == job.id)
            .values(
                status=JobStatus.RUNNING.value,
                worker_id="dead-host:1:deadbeef",
                started_at=func.now() - timedelta(seconds=3600 if overdue else 5),
                heartbeat_at=func.now() - timedelta(seconds=0 if overdue else 3600),
                recoveries=recoveries,
            )
        )
    await seed.redis.psetex(in_progress_key_prefix + str(job.id), 600_000, b"1")


async def test_redis_flushed_while_queued_the_sweep_requeues(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    persona = await seed.persona(await seed.user())
    jobs = [await seed.job(persona, f"topic {n}") for n in range(5)]
    await _drop_from_redis(seed, jobs)
    with structlog.testing.capture_logs() as events:
        async with running_worker(settings_for(standin)):
            for job in jobs:
                await seed.wait_for(job.id, lambda j: j.status == JobStatus.SUCCEEDED)
    requeued = {e["job_id"] for e in events if e["event"] == "sweep.requeued"}
    assert requeued == {str(job.id) for job in jobs}
    for job in jobs:
        assert len(await seed.pieces(job.id)) == 1


async def test_job_committed_but_never_enqueued_is_picked_up(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    """The API crashed (or Redis was down) between its commit and its enqueue."""
    job = await seed.job(await seed.persona(await seed.user()), enqueue=False)
    async with running_worker(settings_for(standin)):
        await seed.wait_for(job.id, lambda j: j.status == JobStatus.SUCCEEDED)
    assert len(await seed.pieces(job.id)) == 1


async def test_orphaned_running_job_is_recovered(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    job = await seed.job(await seed.persona(await seed.user()))
    await _orphan(seed, job)
    async with running_worker(settings_for(standin)):
        done = await seed.wait_for(job.id, lambda j: j.status == JobStatus.SUCCEEDED)
    assert done.recoveries == 1
    assert done.worker_id != "dead-host:1:deadbeef"
    assert len(await seed.pieces(job.id)) == 1


async def test_overdue_running_job_is_recovered_even_with_a_heartbeat(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    job = await seed.job(await seed.persona(await seed.user()))
    await _orphan(seed, job, overdue=True)
    async with running_worker(settings_for(standin, worker_job_timeout_seconds=1)):
        done = await seed.wait_for(job.id, lambda j: j.status == JobStatus.SUCCEEDED)
    assert done.recoveries == 1


async def test_job_that_keeps_losing_its_worker_fails(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    job = await seed.job(await seed.persona(await seed.user()))
    await _orphan(seed, job, recoveries=3)
    async with running_worker(settings_for(standin, worker_max_recoveries=3)):
        done = await seed.wait_for(job.id, lambda j: j.status == JobStatus.FAILED)
    assert done.error == (
        "the job was interrupted 4 times (its worker stopped or stalled); giving up"
    )
    assert standin.requests == []
    assert not await seed.redis.exists(job_key_prefix + str(job.id))


async def test_concurrent_sweeps_recover_each_orphan_once(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    persona = await seed.persona(await seed.user())
    jobs = [await seed.job(persona, f"t{n}") for n in range(10)]
    for job in jobs:
        await _orphan(seed, job)
    settings = settings_for(standin)
    states = [WorkerState.create(settings, seed.redis) for _ in range(3)]
    try:
        reports = await asyncio.gather(*(state.sweep() for state in states))
    finally:
        for state in states:
            await state.close()
    assert sum(report.recovered for report in reports) == 10
    for job in jobs:
        row = await seed.get_job(job.id)
        assert (row.status, row.recoveries, row.worker_id) == (JobStatus.QUEUED, 1, None)
        assert not await seed.redis.exists(in_progress_key_prefix + str(job.id))
    await run_burst(settings)
    for job in jobs:
        assert len(await seed.pieces(job.id)) == 1


async def test_worker_shutdown_mid_job_requeues_it(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    standin.push(HANG)
    job = await seed.job(await seed.persona(await seed.user()))
    settings = settings_for(standin)
    async with running_worker(settings):
        await wait_until(lambda: standin.in_flight == 1)
    stopped = await seed.get_job(job.id)
    assert (stopped.status, stopped.worker_id, stopped.recoveries) == (JobStatus.QUEUED, None, 0)
    await run_burst(settings)
    done = await seed.get_job(job.id)
    assert (done.status, done.attempts) == (JobStatus.SUCCEEDED, 2)
    assert len(await seed.pieces(job.id)) == 1


def _worker_env(standin: LLMStandIn, **extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        {
            "REDIS_URL": WORKER_REDIS_URL,
            "OPENAI_BASE_URL": standin.base_url,  # type: ignore[attr-defined]
            "OPENAI_API_KEY": API_KEY,
            "LLM_TIMEOUT_SECONDS": "60",
            "WORKER_HEARTBEAT_TTL_SECONDS": "5",
            "WORKER_SWEEP_INTERVAL_SECONDS": "1",
            "WORKER_POLL_DELAY_SECONDS": "0.02",
            "LOG_LEVEL": "INFO",
            "LOG_JSON": "true",
            **extra,
        }
    )
    return env


def _start_worker(env: dict[str, str], log_path: Path) -> subprocess.Popen[bytes]:
    with log_path.open("ab") as log:
        return subprocess.Popen(
            worker_command(), cwd=WORKER_CWD, env=env, stdout=log, stderr=subprocess.STDOUT
        )


async def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    await wait_until(lambda: process.poll() is not None)


async def test_sigkilled_worker_job_completes_on_a_new_worker(
    seed: Seeder, standin: LLMStandIn, tmp_path: Path
) -> None:
    standin.push(HANG)  # the first try hangs until its worker dies
    job = await seed.job(await seed.persona(await seed.user()))
    env = _worker_env(standin)
    logs = tmp_path / "workers.log"
    first = _start_worker(env, logs)
    second = None
    try:
        await wait_until(lambda: standin.in_flight == 1, limit_seconds=60)
        running = await seed.get_job(job.id)
        assert running.status == JobStatus.RUNNING
        first.send_signal(signal.SIGKILL)
        await wait_until(lambda: first.poll() is not None)
        second = _start_worker(env, logs)
        done = await seed.wait_for(
            job.id, lambda j: j.status == JobStatus.SUCCEEDED, limit_seconds=60
        )
    finally:
        first.kill()
        if second is not None:
            await _stop(second)
    assert done.recoveries == 1
    assert done.worker_id != running.worker_id
    assert done.attempts == 2
    assert len(await seed.pieces(job.id)) == 1
    text = logs.read_text()
    assert '"event": "sweep.requeued"' in text
    assert '"event": "generation.completed"' in text
    assert API_KEY not in text


async def test_health_check(seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor) -> None:
    env = _worker_env(standin)

    def check() -> int:
        return subprocess.run(
            [*worker_command(), "--check"], cwd=WORKER_CWD, env=env, capture_output=True
        ).returncode

    async with running_worker(settings_for(standin)):
        assert await asyncio.to_thread(check) == 0
    assert await asyncio.to_thread(check) == 1


async def test_database_connections_dropped_between_jobs(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    """After PostgreSQL drops every connection (a restart), the next job goes straight
    through: the worker's pool does not ping, so its first statement on a dead connection
    is retried once on a fresh one."""
    persona = await seed.persona(await seed.user())
    first = await seed.job(persona)
    with structlog.testing.capture_logs() as events:
        async with running_worker(settings_for(standin)):
            await seed.wait_for(first.id, lambda j: j.status == JobStatus.SUCCEEDED)
            async with seed.sessions() as session, session.begin():
                killed = await session.scalar(
                    text(
                        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                        "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                    )
                )
            assert killed >= 1
            second = await seed.job(persona)
            done = await seed.wait_for(second.id, lambda j: j.status == JobStatus.SUCCEEDED)
    assert done.attempts == 1
    assert not [e for e in events if e["event"] in ("generation.crashed", "sweep.requeued")]
