"""Entry point of the generator worker: arq settings from the shared settings, and the runner.

``personagen worker [--burst] [--check]`` calls :func:`run_worker`. Nothing here reads the
environment at import time: :func:`worker_settings` builds the arq settings class from
:func:`personagen_shared.settings.get_settings` (or the settings it is given) when called.

Tuning (defaults from ``personagen_shared.settings``):

- ``max_jobs`` = ``WORKER_MAX_JOBS`` (100; arq's own default of 10 would leave a worker idle
  behind a slow LLM: 200 jobs of 1 s need at least 2 s at 100 at a time, 20 s at 10);
- ``poll_delay`` = ``WORKER_POLL_DELAY_SECONDS`` (0.02 s; arq's 0.5 s would put a quarter of a
  second of latency on every job at idle);
- ``job_timeout`` = ``WORKER_JOB_TIMEOUT_SECONDS`` + 30 s: the task's own deadline fires first
  and records the failure;
- ``allow_abort_jobs`` so that the API's cancel stops a running job; ``keep_result`` = 0
  because clients read PostgreSQL, never arq's results;
- ``max_tries`` = ``WORKER_MAX_RECOVERIES`` + 3: arq re-runs a job after a shutdown, but the
  sweep (which also resets arq's counter when it re-enqueues) is what bounds re-runs;
- the health-check key is per host (``<queue>:health-check:<hostname>``), so that
  ``--check`` in a pod or container reports on the worker beside it, not on any worker.
"""

from __future__ import annotations

import asyncio
import logging
import socket
from typing import Any, Final

from arq.connections import RedisSettings
from arq.typing import WorkerCoroutine
from arq.worker import Worker, check_health, create_worker, func

from generator_worker.analysis.task import run_analysis
from generator_worker.runtime import shutdown, startup
from generator_worker.tasks import ARQ_TIMEOUT_GRACE_SECONDS, run_generation
from personagen_shared.jobs_contract import ARQ_SERIALIZERS, TASK_FOR_KIND
from personagen_shared.models import JobKind
from personagen_shared.settings import Settings, get_settings

PER_JOB_LOGGERS: Final = ("arq.worker", "httpx2")
"""Libraries that log a line per job or request at INFO (arq's start/finish lines, httpx2's
"HTTP Request"): the worker's own ``generation.*`` events say the same with the job id, so
these are raised to WARNING unless ``LOG_LEVEL=DEBUG`` (each line is CPU on the job's path)."""


TASKS: Final[dict[JobKind, WorkerCoroutine]] = {
    JobKind.GENERATION: run_generation,
    JobKind.ANALYSIS: run_analysis,
}
"""The arq task of each job kind this worker runs (named by ``jobs_contract.TASK_FOR_KIND``);
the recovery sweep looks after jobs of these kinds only."""

HEALTH_CHECK_INTERVAL_SECONDS: Final = 15
"""How often a worker renews its health-check key (which lives this long plus 1 s)."""


def health_check_key(settings: Settings) -> str:
    """Redis key of this host's worker health check."""
    return f"{settings.arq_queue_name}:health-check:{socket.gethostname()}"


def worker_settings(settings: Settings | None = None, **overrides: Any) -> type:
    """An arq ``WorkerSettings`` class for ``settings`` (default: the process settings).

    ``overrides`` replace any arq ``Worker`` argument (tests pass ``burst``, ``poll_delay``,
    ``handle_signals`` ...). ``ctx["settings"]`` carries ``settings`` to the startup hook.
    """
    settings = settings or get_settings()
    timeout = settings.worker_job_timeout_seconds + ARQ_TIMEOUT_GRACE_SECONDS
    attributes: dict[str, Any] = {
        "functions": [
            func(task, name=TASK_FOR_KIND[kind], timeout=timeout) for kind, task in TASKS.items()
        ],
        "queue_name": settings.arq_queue_name,
        "redis_settings": RedisSettings.from_dsn(settings.redis_url),
        "on_startup": startup,
        "on_shutdown": shutdown,
        "ctx": {"settings": settings, "kinds": frozenset(kind.value for kind in TASKS)},
        "max_jobs": settings.worker_max_jobs,
        "job_timeout": timeout,
        "poll_delay": settings.worker_poll_delay_seconds,
        "keep_result": 0,
        "allow_abort_jobs": True,
        "max_tries": settings.worker_max_recoveries + 3,
        "health_check_interval": HEALTH_CHECK_INTERVAL_SECONDS,
        "health_check_key": health_check_key(settings),
        **ARQ_SERIALIZERS,
        **overrides,
    }
    return type("WorkerSettings", (), attributes)


def make_worker(settings: Settings | None = None, **overrides: Any) -> Worker:
    """An arq ``Worker`` for ``settings`` (see :func:`worker_settings`), not yet started."""
    return create_worker(worker_settings(settings, **overrides))


def run_worker(burst: bool = False, check: bool = False) -> int:
    """Run the worker until stopped (or, with ``burst``, until the queue is empty).

    With ``check``, run arq's health check instead and return 0 when this host's worker
    renewed its key within the last ``HEALTH_CHECK_INTERVAL_SECONDS`` + 1 s, else 1 (for
    container probes). Returns the process exit code.
    """
    settings = get_settings()
    from personagen_shared.logging import configure_logging

    configure_logging(settings.log_level, json=settings.log_json)
    if settings.log_level != "DEBUG":
        for name in PER_JOB_LOGGERS:
            logging.getLogger(name).setLevel(logging.WARNING)
    if check:
        return check_health(worker_settings(settings))
    # arq's Worker binds the current event loop at construction; give it a fresh one.
    asyncio.set_event_loop(asyncio.new_event_loop())
    worker = make_worker(settings, burst=burst)
    worker.run()
    return 0
