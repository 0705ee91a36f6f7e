"""PersonaGen's own parts in ``personagen up``: the migrations, the API and the worker, each
``python -m personagen.cli <command>`` in the stack's environment (DATABASE_URL, REDIS_URL,
the LLM settings and SECRET_KEY of the parts started before them)."""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING

from personagen.stack.ports import LOOPBACK
from personagen.stack.procs import Child, run_logged, spawn, tail
from personagen.stack.services.common import StartupError, indent

if TYPE_CHECKING:
    from personagen.stack.runner import Stack


def migrate(stack: Stack, env: Mapping[str, str]) -> None:
    """``personagen migrate`` (alembic upgrade head) against the stack's database."""
    log = stack.data.log("migrate")
    stack.console.step("migrate", f"alembic upgrade head (log: {log})")
    status = run_logged(
        [sys.executable, "-m", "personagen.cli", "migrate"],
        log_path=log,
        title="migrate",
        env=env,
        cwd=stack.options.cwd,
        timeout=300,
        tick=stack.ticker("migrate", "migrating"),
    )
    if status != 0:
        raise StartupError(
            f"migrations failed (exit status {status}); end of {log}:\n{indent(tail(log))}"
        )


def start_api(stack: Stack, env: Mapping[str, str], port: int) -> tuple[str, Child]:
    """Start the API on 127.0.0.1:``port``; returns ``(its URL, child)`` (not waited for)."""
    api_url = f"http://{LOOPBACK}:{port}"
    stack.console.step("api", f"starting on {api_url} (log: {stack.data.log('api')})")
    api = stack.add(
        spawn(
            "api",
            [
                sys.executable,
                "-m",
                "personagen.cli",
                "api",
                "--host",
                LOOPBACK,
                "--port",
                str(port),
            ],
            log_path=stack.data.log("api"),
            env=env,
            cwd=stack.options.cwd,
        )
    )
    return api_url, api


def start_worker(stack: Stack, env: Mapping[str, str]) -> Child:
    """Start the worker (it has no readiness check of its own)."""
    stack.console.step("worker", f"starting (log: {stack.data.log('worker')})")
    return stack.add(
        spawn(
            "worker",
            [sys.executable, "-m", "personagen.cli", "worker"],
            log_path=stack.data.log("worker"),
            env=env,
            cwd=stack.options.cwd,
        )
    )
