"""The private PostgreSQL cluster of ``personagen up``.

Initialised once with ``initdb`` in ``<data>/postgres`` (role ``personagen``, a generated
password, SCRAM authentication, UTF-8, C locale), then started on every ``up`` as a child
``postgres`` process listening on 127.0.0.1 only (no Unix socket: its default folder belongs
to the system's server), and stopped with ``pg_ctl stop -m fast``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import secrets
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from personagen.stack.datadir import DataDir, read_or_create_secret
from personagen.stack.discovery import PgBinaries
from personagen.stack.ports import LOOPBACK
from personagen.stack.privileges import RunAs, chown_tree
from personagen.stack.procs import Child, is_alive, run_logged, spawn, stop_child

ROLE = "personagen"
DATABASE = "personagen"
MAX_CONNECTIONS = 300
"""Room for the API's pool (DATABASE_POOL_SIZE + DATABASE_MAX_OVERFLOW, 20 by default) and a
worker sized for many concurrent jobs; PostgreSQL's own default of 100 is too tight for both."""


class PostgresError(RuntimeError):
    """The private cluster can't be initialised or started; the message says why."""


def major_version(text: str) -> str:
    """``"postgres (PostgreSQL) 15.19 (Debian 15.19-0+deb12u1)"`` -> ``"15"``;
    ``"... 9.6.24"`` -> ``"9.6"`` (before PostgreSQL 10 the major version had two parts).
    Raises ValueError when ``text`` holds no version."""
    match = re.search(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?", text) or re.search(
        r"(\d+)(?:\.(\d+))?", text
    )
    if not match:
        raise ValueError(f"no PostgreSQL version in {text!r}")
    major = int(match.group(1))
    if major < 10 and match.group(2):
        return f"{major}.{match.group(2)}"
    return str(major)


def initdb_argv(binaries: PgBinaries, cluster_dir: Path, pwfile: Path) -> list[str]:
    """The ``initdb`` command line for a new private cluster (see the module docstring).

    ``--no-sync`` skips fsync of the fresh files: a crash during initialisation leaves a
    folder that the next ``up`` reports as broken, at no risk to data that doesn't exist yet.
    """
    return [
        str(binaries.tool("initdb")),
        "--pgdata",
        str(cluster_dir),
        "--username",
        ROLE,
        f"--pwfile={pwfile}",
        "--auth=scram-sha-256",
        "--encoding=UTF8",
        "--locale=C",
        "--no-sync",
        "--no-instructions",
    ]


def postgres_argv(binaries: PgBinaries, cluster_dir: Path, port: int) -> list[str]:
    """The ``postgres`` server command line: TCP on 127.0.0.1:``port`` only, no Unix socket,
    logs to stderr (which ``up`` sends to ``logs/postgres.log``)."""
    return [
        str(binaries.tool("postgres")),
        "-D",
        str(cluster_dir),
        "-p",
        str(port),
        "-c",
        f"listen_addresses={LOOPBACK}",
        "-c",
        "unix_socket_directories=",
        "-c",
        f"max_connections={MAX_CONNECTIONS}",
        "-c",
        "logging_collector=off",
    ]


def pg_ctl_stop_argv(binaries: PgBinaries, cluster_dir: Path, timeout: int = 60) -> list[str]:
    """``pg_ctl stop -m fast``: roll back open transactions, disconnect clients, checkpoint."""
    return [
        str(binaries.tool("pg_ctl")),
        "stop",
        "-D",
        str(cluster_dir),
        "-m",
        "fast",
        "-w",
        "-t",
        str(timeout),
    ]


def server_env() -> dict[str, str]:
    """A small environment for PostgreSQL's programs: none of ``up``'s settings (the
    database password, SECRET_KEY) leak into the server's environment."""
    return {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LC_ALL": "C", "LANG": "C"}


@dataclass
class PrivateCluster:
    """The cluster in ``data.cluster_dir`` run by ``binaries`` (as ``run_as`` when root)."""

    binaries: PgBinaries
    data: DataDir
    run_as: RunAs | None

    @property
    def cluster_dir(self) -> Path:
        """PGDATA."""
        return self.data.cluster_dir

    def binary_major(self) -> str:
        """Major version of the found binaries (``postgres --version``)."""
        out = subprocess.run(  # noqa: S603 - a discovered postgres binary
            [str(self.binaries.tool("postgres")), "--version"],
            capture_output=True,
            text=True,
            check=True,
            env=server_env(),
        ).stdout
        return major_version(out)

    def cluster_major(self) -> str | None:
        """Major version that made the cluster (its ``PG_VERSION`` file), None if none yet."""
        try:
            return (self.cluster_dir / "PG_VERSION").read_text().strip()
        except FileNotFoundError:
            return None

    def password(self) -> str:
        """The ``personagen`` role's password (generated once, kept in the data folder).
        Hex only, so it needs no escaping inside a URL."""
        return read_or_create_secret(self.data.pg_password_file, lambda: secrets.token_hex(24))

    def database_url(self, port: int) -> str:
        """``DATABASE_URL`` of the private cluster on ``port``."""
        return f"postgresql://{ROLE}:{self.password()}@{LOOPBACK}:{port}/{DATABASE}"

    def initialise(self, tick: Callable[[float], None] | None = None) -> None:
        """Run ``initdb`` into a fresh cluster folder (as ``run_as`` when root).

        Raises :class:`PostgresError` with the tail of ``logs/postgres.log`` when it fails.
        A half-made folder from a failed attempt is left for inspection and reported.
        """
        if self.cluster_dir.exists() and any(self.cluster_dir.iterdir()):
            raise PostgresError(
                f"{self.cluster_dir} exists but holds no initialised cluster (no PG_VERSION): "
                "a previous initialisation was interrupted; remove that folder to start afresh"
            )
        self.cluster_dir.mkdir(mode=0o700, exist_ok=True)
        pwfile = self.data.root / "postgres.initpw"
        fd = os.open(pwfile, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(self.password() + "\n")
        try:
            if self.run_as:
                chown_tree(self.cluster_dir, self.run_as)
                os.chown(pwfile, self.run_as.uid, self.run_as.gid)
            status = run_logged(
                initdb_argv(self.binaries, self.cluster_dir, pwfile),
                log_path=self.data.log("postgres"),
                title="initdb",
                env=server_env(),
                cwd=self.data.root,
                run_as=self.run_as,
                timeout=300,
                tick=tick,
            )
        finally:
            pwfile.unlink(missing_ok=True)
        if status != 0:
            raise PostgresError(f"initdb failed (exit status {status})")

    def leftover_postmaster(self) -> int | None:
        """Pid of a server still running on this cluster (from ``postmaster.pid``), e.g. left
        by an ``up`` that was killed; None when there is none or the file is stale."""
        try:
            first = (self.cluster_dir / "postmaster.pid").read_text().splitlines()[0]
        except (OSError, IndexError):
            return None
        if not first.strip().isdigit():
            return None
        pid = int(first.strip())
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return None
        return pid if is_alive(pid) and b"postgres" in cmdline else None

    def stop_leftover(self) -> bool:
        """Stop a server left running on this cluster; True when there was one."""
        if self.leftover_postmaster() is None:
            return False
        subprocess.run(  # noqa: S603 - discovered pg_ctl
            pg_ctl_stop_argv(self.binaries, self.cluster_dir),
            env=server_env(),
            cwd=self.data.root,
            capture_output=True,
            check=False,
            **(self.run_as.popen_kwargs() if self.run_as else {}),
        )
        return True

    def start(self, port: int) -> Child:
        """Start the server on ``port`` (returns at once; see :meth:`wait_ready`)."""
        return spawn(
            "postgres",
            postgres_argv(self.binaries, self.cluster_dir, port),
            log_path=self.data.log("postgres"),
            env=server_env(),
            cwd=self.data.root,
            run_as=self.run_as,
            # SIGINT is PostgreSQL's "fast" shutdown, also if up dies without cleaning up.
            stop_signal=signal.SIGINT,
            death_signal=signal.SIGINT,
        )

    def wait_ready(
        self, child: Child, port: int, timeout: float, tick: Callable[[float], None]
    ) -> None:
        """Wait until the server accepts connections, then create the ``personagen``
        database if missing and check that the ``pg_trgm`` extension (migration 0001) is
        available. Raises :class:`PostgresError` if the server exits, does not answer within
        ``timeout`` seconds, or lacks ``pg_trgm``."""
        started = time.monotonic()
        last_error: BaseException | None = None
        while True:
            tick(time.monotonic() - started)
            if child.exit_code() is not None:
                raise PostgresError(f"postgres exited with status {child.exit_code()}")
            try:
                asyncio.run(self._prepare_database(port))
                return
            except PostgresError:
                raise
            except (TimeoutError, OSError) as exc:
                last_error = exc
            except Exception as exc:  # asyncpg's "starting up" / "cannot connect now"
                if "starting up" not in str(exc) and "cannot connect now" not in str(exc):
                    raise PostgresError(f"PostgreSQL refused the connection: {exc}") from exc
                last_error = exc
            if time.monotonic() - started > timeout:
                raise PostgresError(
                    f"PostgreSQL did not accept connections within {timeout:.0f} s "
                    f"(last error: {last_error!r})"
                )
            time.sleep(0.2)

    async def _prepare_database(self, port: int) -> None:
        import asyncpg

        conn = await asyncpg.connect(
            host=LOOPBACK,
            port=port,
            user=ROLE,
            password=self.password(),
            database="postgres",
            timeout=5,
        )
        try:
            exists = await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", DATABASE)
            if not exists:
                await conn.execute(f'CREATE DATABASE "{DATABASE}"')
            trgm = await conn.fetchval(
                "SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'"
            )
        finally:
            await conn.close()
        if not trgm:
            raise PostgresError(
                f"the PostgreSQL in {self.binaries.bin_dir} lacks the contrib extension "
                "pg_trgm that the schema needs; install its contrib package (Debian/Ubuntu: "
                "apt-get install postgresql-contrib) or point PERSONAGEN_PG_BIN elsewhere"
            )

    def stop(self, child: Child) -> int | None:
        """Stop the server with ``pg_ctl stop -m fast``; if that fails or hangs, signal its
        process group (SIGINT, then SIGKILL). Returns the server's exit status."""
        if child.exit_code() is None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                subprocess.run(  # noqa: S603 - discovered pg_ctl
                    pg_ctl_stop_argv(self.binaries, self.cluster_dir, timeout=30),
                    env=server_env(),
                    cwd=self.data.root,
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                    check=False,
                    timeout=40,
                    **(self.run_as.popen_kwargs() if self.run_as else {}),
                )
        return stop_child(child, timeout=10)
