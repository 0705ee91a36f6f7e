"""Redis for ``personagen up``: ``REDIS_URL`` when configured, otherwise a private
``redis-server`` on 127.0.0.1 with persistence off (no RDB snapshots, no AOF): the queue is
rebuilt from PostgreSQL, the source of truth for jobs, by the worker's sweep after a restart.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from personagen.stack import discovery
from personagen.stack.discovery import Executable
from personagen.stack.ports import LOOPBACK, free_port
from personagen.stack.procs import Child, spawn
from personagen.stack.services.common import ServiceError, mask_url

if TYPE_CHECKING:
    from personagen.stack.runner import Stack


def redis_argv(exe: Executable, port: int, workdir: Path) -> list[str]:
    """``redis-server`` on 127.0.0.1:``port`` with persistence off, logging to stdout."""
    return [
        str(exe.path),
        "--port",
        str(port),
        "--bind",
        LOOPBACK,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--daemonize",
        "no",
        "--logfile",
        "",
    ]


def wait_redis(child: Child, url: str, timeout: float, tick: Callable[[float], None]) -> None:
    """Wait until ``url`` answers PING. Raises :class:`ServiceError` if the server exits or
    does not answer within ``timeout`` seconds."""
    import redis

    started = time.monotonic()
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        while True:
            tick(time.monotonic() - started)
            if child.exit_code() is not None:
                raise ServiceError(f"redis-server exited with status {child.exit_code()}")
            try:
                if client.ping():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() - started > timeout:
                raise ServiceError(f"redis-server did not answer within {timeout:.0f} s")
            time.sleep(0.1)
    finally:
        client.close()


def start_redis(
    stack: Stack, config: Mapping[str, str], avoid: set[int]
) -> tuple[str, Child | None]:
    """REDIS_URL if configured; otherwise start a private redis-server.
    Returns ``(redis_url, child or None)``."""
    if config.get("REDIS_URL"):
        url = config["REDIS_URL"]
        stack.console.step("redis", f"using REDIS_URL {mask_url(url)}")
        stack.banner["Queue"] = f"REDIS_URL {mask_url(url)}"
        return url, None
    exe = discovery.find_redis_server(
        explicit=config.get(discovery.REDIS_SERVER_ENV),
        skip_dirs=[Path(sys.executable).parent],
    )
    port = free_port(avoid=avoid)
    avoid.add(port)
    stack.console.step(
        "redis",
        f"starting {exe.path} ({exe.source}) on {LOOPBACK}:{port}, persistence off "
        f"(log: {stack.data.log('redis')})",
    )
    child = stack.add(
        spawn(
            "redis",
            redis_argv(exe, port, stack.data.redis_dir),
            log_path=stack.data.log("redis"),
            env=os.environ,
            cwd=stack.data.redis_dir,
        )
    )
    stack.banner["Queue"] = f"private redis-server on {LOOPBACK}:{port} ({exe.source})"
    return f"redis://{LOOPBACK}:{port}/0", child
