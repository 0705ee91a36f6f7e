"""Benchmark of the generation pipeline (run by hand; not part of the tests).

Runs the whole pipeline on this machine: a scratch PostgreSQL database migrated to head, a
queue on Redis, the LLM stand-in (``tests/worker/standin.py``) in its own process answering
after a fixed latency, and ``personagen worker`` processes with the default settings. Rows are
written and jobs enqueued exactly as the API does (commit, then ``jobs_contract.enqueue_job``).

Scenarios (each can be skipped):

1. throughput: N queued jobs (default 200) with a fixed LLM latency (default 1 s) on one idle
   worker process; time from the first enqueue until the last row is ``succeeded``.
   Target: <= 5 s for 200 jobs at 1 s.
2. pickup latency: at idle, one job at a time; ``jobs.started_at`` minus the time just before
   ``enqueue_job``, p50 / p95 / max. Target: p50 <= 50 ms. Also the idle worker's CPU use.
3. CPU per job: M jobs (default 1000) with an instant LLM, run by ``personagen worker --burst``;
   the child's CPU time (user + sys, from ``os.wait4``'s rusage) minus that of a burst run
   with no jobs (start-up and shut-down), divided by M. Target: <= 5 ms.
4. SIGKILL recovery: K jobs (default 10) running on a worker with a slow LLM, the worker is
   SIGKILLed, a new one starts at once (as a supervisor would restart it); time from the kill
   until every job is ``succeeded``, and how many pieces exist (must be K). Target: <= 60 s.

Usage::

    uv run python bench/bench_pipeline.py                 # all scenarios, default settings
    uv run python bench/bench_pipeline.py --latency 1 --jobs 200 --skip cpu,recovery
    uv run python bench/bench_pipeline.py --env WORKER_DATABASE_POOL_SIZE=100

Needs PostgreSQL (``--postgres-url``, default ``postgresql://postgres@127.0.0.1:5432/postgres``,
a role that may create databases) and Redis (``--redis-url``, default database 13 so that test
runs, which clean database 0, leave it alone). Prints one line per result and a JSON summary.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
from arq.connections import ArqRedis, RedisSettings, create_pool

from personagen_shared.jobs_contract import ARQ_SERIALIZERS, enqueue_job
from personagen_shared.models import JobKind

ROOT = Path(__file__).resolve().parents[1]  # subprocesses run from the repo root

LOG_DIR = Path(tempfile.gettempdir()) / "personagen-bench"


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _with_db(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


class Bench:
    """Shared state of one benchmark run (database, queue, processes)."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        run = uuid.uuid4().hex[:8]
        self.db_name = f"personagen_bench_{run}"
        self.database_url = _with_db(args.postgres_url, self.db_name)
        self.queue = f"personagen:bench:{run}"
        self.redis_url = args.redis_url
        self.results: dict[str, Any] = {}
        self.processes: list[subprocess.Popen[bytes]] = []
        LOG_DIR.mkdir(exist_ok=True)
        self.log_path = LOG_DIR / f"bench-{run}.log"
        self.pg: asyncpg.Pool | None = None
        self.redis: ArqRedis | None = None
        self.owner_id = uuid.uuid4()
        self.persona_id = uuid.uuid4()

    # --- environment -----------------------------------------------------------------------

    def worker_env(self, llm_port: int) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("WORKER_", "LLM_", "OPENAI_", "ARQ_", "DATABASE_"))
        }
        env.update(
            {
                "ENVIRONMENT": "development",
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "ARQ_QUEUE_NAME": self.queue,
                "OPENAI_BASE_URL": f"http://127.0.0.1:{llm_port}/v1",
                "LOG_LEVEL": "INFO",
                "LOG_JSON": "true",
            }
        )
        for item in self.args.env:
            key, _, value = item.partition("=")
            env[key] = value
        return env

    def spawn(
        self, command: list[str], env: dict[str, str] | None = None
    ) -> subprocess.Popen[bytes]:
        with self.log_path.open("ab") as log:
            process = subprocess.Popen(
                command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        self.processes.append(process)
        return process

    def start_llm(self, latency: float) -> int:
        port = free_port()
        self.spawn(
            [
                sys.executable,
                "-m",
                "tests.worker.standin",
                "--port",
                str(port),
                "--latency",
                str(latency),
            ]
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", port)) == 0:
                    return port
            time.sleep(0.05)
        raise RuntimeError("the LLM stand-in did not start")

    def worker_command(self, *extra: str) -> list[str]:
        return [sys.executable, "-m", "personagen.cli", "worker", *extra]

    async def start_worker(self, env: dict[str, str]) -> subprocess.Popen[bytes]:
        """A worker process, returned once it polls (its health-check key exists)."""
        assert self.redis is not None
        key = f"{self.queue}:health-check:{socket.gethostname()}"
        await self.redis.delete(key)
        process = self.spawn(self.worker_command(), env)
        deadline = time.monotonic() + 60
        while not await self.redis.exists(key):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the worker did not start; see {self.log_path}")
            await asyncio.sleep(0.02)
        return process

    def stop(self, process: subprocess.Popen[bytes]) -> None:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    async def setup(self) -> None:
        conn = await asyncpg.connect(self.args.postgres_url)
        try:
            await conn.execute(f'CREATE DATABASE "{self.db_name}"')
        finally:
            await conn.close()
        await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "personagen.cli", "migrate"],
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": self.database_url},
            check=True,
            capture_output=True,
        )
        self.pg = await asyncpg.create_pool(self.database_url, min_size=1, max_size=4)
        self.redis = await create_pool(RedisSettings.from_dsn(self.redis_url), **ARQ_SERIALIZERS)
        await self.pg.execute(
            "INSERT INTO users (id, username, email, password_hash) VALUES ($1, $2, $3, 'x')",
            self.owner_id,
            f"bench_{self.owner_id.hex[:8]}",
            f"{self.owner_id.hex[:8]}@bench",
        )
        await self.pg.execute(
            "INSERT INTO personas (id, owner_id, name, description, formality_level, tone, "
            "humor_sarcasm_usage, extraversion, age) "
            "VALUES ($1, $2, 'Bench', 'A benchmark persona.', 7, 'conversational', 4, 6, '30-40')",
            self.persona_id,
            self.owner_id,
        )

    async def teardown(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        if self.redis is not None:
            keys = [self.queue]
            keys += [key async for key in self.redis.scan_iter(match=f"{self.queue}:*")]
            await self.redis.delete(*keys)
            await self.redis.aclose()
        if self.pg is not None:
            await self.pg.close()
        conn = await asyncpg.connect(self.args.postgres_url)
        try:
            await conn.execute(f'DROP DATABASE IF EXISTS "{self.db_name}" WITH (FORCE)')
        finally:
            await conn.close()

    # --- jobs ------------------------------------------------------------------------------

    async def insert_jobs(self, count: int) -> list[uuid.UUID]:
        """Commit ``count`` queued generation jobs (not yet enqueued)."""
        assert self.pg is not None
        ids = [uuid.uuid4() for _ in range(count)]
        params = json.dumps(
            {"prompt": "a short note about benchmarks", "max_tokens": None, "temperature": None}
        )
        await self.pg.executemany(
            "INSERT INTO jobs (id, owner_id, kind, status, persona_id, params) "
            "VALUES ($1, $2, 'generation', 'queued', $3, $4::jsonb)",
            [(job_id, self.owner_id, self.persona_id, params) for job_id in ids],
        )
        return ids

    async def enqueue(self, ids: list[uuid.UUID]) -> None:
        assert self.redis is not None
        await asyncio.gather(
            *(enqueue_job(self.redis, i, JobKind.GENERATION, queue_name=self.queue) for i in ids)
        )

    async def count(self, ids: list[uuid.UUID], status: str) -> int:
        assert self.pg is not None
        return int(
            await self.pg.fetchval(
                "SELECT count(*) FROM jobs WHERE id = ANY($1) AND status = $2", ids, status
            )
        )

    async def wait_status(
        self, ids: list[uuid.UUID], status: str, limit: float, poll: float = 0.01
    ) -> float:
        """Seconds until every job in ``ids`` has ``status`` (raises after ``limit``)."""
        start = time.perf_counter()
        while await self.count(ids, status) < len(ids):
            if time.perf_counter() - start > limit:
                raise RuntimeError(f"jobs not {status} after {limit} s; see {self.log_path}")
            await asyncio.sleep(poll)
        return time.perf_counter() - start

    def report(self, key: str, value: Any, line: str) -> None:
        self.results[key] = value
        print(line, flush=True)


def _proc_cpu_seconds(pid: int) -> float:
    """user + system CPU seconds of a live process (Linux ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def throughput(bench: Bench) -> None:
    args = bench.args
    port = bench.start_llm(args.latency)
    worker = await bench.start_worker(bench.worker_env(port))
    try:
        ids = await bench.insert_jobs(args.jobs)
        start = time.perf_counter()
        await bench.enqueue(ids)
        enqueued = time.perf_counter() - start
        await bench.wait_status(ids, "succeeded", limit=600)
        total = time.perf_counter() - start
        assert bench.pg is not None
        makespan = await bench.pg.fetchval(
            "SELECT extract(epoch FROM max(finished_at) - min(started_at)) FROM jobs "
            "WHERE id = ANY($1)",
            ids,
        )
    finally:
        bench.stop(worker)
    bench.report(
        "throughput",
        {
            "jobs": args.jobs,
            "latency_s": args.latency,
            "total_s": round(total, 3),
            "enqueue_s": round(enqueued, 3),
            "first_start_to_last_finish_s": round(float(makespan), 3),
        },
        f"throughput: {args.jobs} jobs at {args.latency:g} s LLM latency: {total:.2f} s from first "
        f"enqueue to all succeeded (enqueueing took {enqueued:.2f} s; first start to last finish "
        f"{float(makespan):.2f} s)",
    )


async def pickup(bench: Bench) -> None:
    args = bench.args
    port = bench.start_llm(0.0)
    worker = await bench.start_worker(bench.worker_env(port))
    assert bench.pg is not None and bench.redis is not None
    latencies: list[float] = []
    try:
        await asyncio.sleep(1.0)
        cpu_before, wall_before = _proc_cpu_seconds(worker.pid), time.monotonic()
        await asyncio.sleep(args.idle_seconds)
        idle_cpu = (_proc_cpu_seconds(worker.pid) - cpu_before) / (time.monotonic() - wall_before)
        for _ in range(args.samples):
            (job_id,) = await bench.insert_jobs(1)
            await asyncio.sleep(0.1 + (time.perf_counter() % 0.05))  # idle, random poll phase
            before = time.time()
            await bench.enqueue([job_id])
            await bench.wait_status([job_id], "succeeded", limit=30, poll=0.005)
            started = await bench.pg.fetchval("SELECT started_at FROM jobs WHERE id=$1", job_id)
            latencies.append((started.timestamp() - before) * 1000)
    finally:
        bench.stop(worker)
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    bench.report(
        "pickup_ms",
        {
            "samples": len(latencies),
            "p50": round(p50, 1),
            "p95": round(p95, 1),
            "max": round(latencies[-1], 1),
            "idle_worker_cpu_percent": round(idle_cpu * 100, 1),
        },
        f"pickup at idle: enqueue -> started_at p50 {p50:.1f} ms, p95 {p95:.1f} ms, "
        f"max {latencies[-1]:.1f} ms over {len(latencies)} jobs; idle worker CPU "
        f"{idle_cpu * 100:.1f} % of one core",
    )


def _burst_cpu(bench: Bench, env: dict[str, str]) -> tuple[float, float]:
    """CPU seconds (user + sys) and wall seconds of one ``personagen worker --burst`` run."""
    start = time.perf_counter()
    with bench.log_path.open("ab") as log:
        process = subprocess.Popen(
            bench.worker_command("--burst"), cwd=ROOT, env=env, stdout=log, stderr=log
        )
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise RuntimeError(f"burst worker exited {process.returncode}; see {bench.log_path}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - start


async def cpu(bench: Bench) -> None:
    args = bench.args
    port = bench.start_llm(0.0)
    env = bench.worker_env(port)
    baselines = [(await asyncio.to_thread(_burst_cpu, bench, env))[0] for _ in range(3)]
    baseline = statistics.median(baselines)
    ids = await bench.insert_jobs(args.cpu_jobs)
    await bench.enqueue(ids)
    used, wall = await asyncio.to_thread(_burst_cpu, bench, env)
    done = await bench.count(ids, "succeeded")
    per_job_ms = (used - baseline) / args.cpu_jobs * 1000
    bench.report(
        "cpu_per_job_ms",
        {
            "jobs": args.cpu_jobs,
            "succeeded": done,
            "per_job_ms": round(per_job_ms, 3),
            "burst_cpu_s": round(used, 3),
            "empty_burst_cpu_s": round(baseline, 3),
            "burst_wall_s": round(wall, 3),
        },
        f"cpu per job (instant LLM): {per_job_ms:.2f} ms ({used:.2f} s CPU for {args.cpu_jobs} "
        f"jobs in {wall:.2f} s, minus {baseline:.2f} s for an empty burst run; "
        f"{done} succeeded)",
    )


async def recovery(bench: Bench) -> None:
    args = bench.args
    assert bench.pg is not None
    port = bench.start_llm(args.recovery_latency)
    env = bench.worker_env(port)
    first = await bench.start_worker(env)
    ids = await bench.insert_jobs(args.recovery_jobs)
    await bench.enqueue(ids)
    await bench.wait_status(ids, "running", limit=30)
    await asyncio.sleep(0.5)  # mid-call
    first.send_signal(signal.SIGKILL)
    killed, killed_wall = time.perf_counter(), time.time()
    first.wait()
    second = await bench.start_worker(env)
    started = time.perf_counter() - killed
    try:
        await bench.wait_status(ids, "succeeded", limit=300, poll=0.05)
        recovered = time.perf_counter() - killed
    finally:
        bench.stop(second)
    pieces = await bench.pg.fetchval(
        "SELECT count(*) FROM content_pieces WHERE job_id = ANY($1)", ids
    )
    restarted = await bench.pg.fetchval(
        "SELECT extract(epoch FROM max(started_at)) FROM jobs WHERE id = ANY($1)", ids
    )
    recoveries = await bench.pg.fetchval("SELECT sum(recoveries) FROM jobs WHERE id = ANY($1)", ids)
    requeue_after = float(restarted) - killed_wall
    bench.report(
        "sigkill_recovery_s",
        {
            "jobs": len(ids),
            "kill_to_all_succeeded_s": round(recovered, 2),
            "kill_to_new_worker_ready_s": round(started, 2),
            "kill_to_last_restart_s": round(requeue_after, 2),
            "llm_latency_s": args.recovery_latency,
            "pieces": int(pieces),
            "recoveries": int(recoveries),
        },
        f"SIGKILL recovery: {len(ids)} running jobs all succeeded {recovered:.1f} s after the kill "
        f"(new worker ready after {started:.1f} s, last job restarted after {requeue_after:.1f} s, "
        f"LLM latency {args.recovery_latency:g} s); {pieces} pieces, {recoveries} recoveries",
    )


@contextmanager
def _timer(name: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    print(f"  ({name} took {time.perf_counter() - start:.1f} s)", flush=True)


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--postgres-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/13")
    parser.add_argument("--latency", type=float, default=1.0, help="LLM latency, throughput (s)")
    parser.add_argument("--jobs", type=int, default=200, help="jobs of the throughput run")
    parser.add_argument("--samples", type=int, default=50, help="jobs of the pickup run")
    parser.add_argument("--idle-seconds", type=float, default=5.0, help="idle CPU window (s)")
    parser.add_argument("--cpu-jobs", type=int, default=1000, help="jobs of the CPU run")
    parser.add_argument("--recovery-jobs", type=int, default=10)
    parser.add_argument("--recovery-latency", type=float, default=3.0)
    parser.add_argument("--skip", default="", help="comma list: throughput,pickup,cpu,recovery")
    parser.add_argument("--env", action="append", default=[], help="KEY=VALUE for the workers")
    args = parser.parse_args()
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    bench = Bench(args)
    print(f"bench: database {bench.db_name}, queue {bench.queue}, logs {bench.log_path}")
    await bench.setup()
    try:
        for name, scenario in (
            ("throughput", throughput),
            ("pickup", pickup),
            ("cpu", cpu),
            ("recovery", recovery),
        ):
            if name not in skip:
                with _timer(name):
                    await scenario(bench)
    finally:
        await bench.teardown()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    bench.results["bench_process_cpu_s"] = round(usage.ru_utime + usage.ru_stime, 2)
    print(json.dumps(bench.results, indent=2))


if __name__ == "__main__":
    asyncio.run(main())
