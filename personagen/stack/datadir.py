"""The data folder of ``personagen up`` (default ``./.personagen``): layout, lock, secrets.

Layout::

    .personagen/
      up.pid            pid of the running `up`, locked with flock(2) while it runs
      run.json          process groups of the running parts (to clean up after a crash)
      secret_key        SECRET_KEY, generated once (mode 0600)
      postgres.password the private cluster's password, generated once (mode 0600)
      postgres/         the PostgreSQL cluster (owned by the server's account)
      redis/            redis-server's working folder (nothing is persisted)
      logs/             one log per part: postgres.log redis.log llm.log migrate.log api.log
                        worker.log install.log
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import secrets
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA_DIR = ".personagen"


class AlreadyRunningError(RuntimeError):
    """Another ``personagen up`` holds this data folder's lock."""

    def __init__(self, data_dir: Path, pid: int | None) -> None:
        self.pid = pid
        who = f"pid {pid}" if pid else "another process"
        hint = f" (stop it with Ctrl-C in its terminal or `kill -INT {pid}`)" if pid else ""
        super().__init__(
            f"personagen up is already running with the data folder {data_dir} ({who}){hint}; "
            "to run a second stack at the same time, give it its own --data-dir"
        )


@dataclass(frozen=True)
class DataDir:
    """Paths inside one data folder (nothing is created until :meth:`prepare`)."""

    root: Path

    @property
    def lock_file(self) -> Path:
        """``up.pid``: the pid of the running ``up``; its flock is the real lock."""
        return self.root / "up.pid"

    @property
    def state_file(self) -> Path:
        """``run.json``: process groups of the parts now running (see :func:`write_state`)."""
        return self.root / "run.json"

    @property
    def secret_key_file(self) -> Path:
        """``secret_key``: the SECRET_KEY given to the API and worker."""
        return self.root / "secret_key"

    @property
    def pg_password_file(self) -> Path:
        """``postgres.password``: password of the private cluster's ``personagen`` role."""
        return self.root / "postgres.password"

    @property
    def cluster_dir(self) -> Path:
        """``postgres/``: the PostgreSQL cluster (PGDATA)."""
        return self.root / "postgres"

    @property
    def redis_dir(self) -> Path:
        """``redis/``: redis-server's working folder."""
        return self.root / "redis"

    @property
    def logs(self) -> Path:
        """``logs/``: one log file per part."""
        return self.root / "logs"

    def log(self, part: str) -> Path:
        """Log file of one part, e.g. ``logs/api.log``."""
        return self.logs / f"{part}.log"

    def prepare(self) -> None:
        """Create the folder and its ``logs``/``redis`` subfolders (idempotent)."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(exist_ok=True)
        self.redis_dir.mkdir(exist_ok=True)

    def allow_traversal(self) -> None:
        """Let other accounts traverse (not list) the data folder, so that PostgreSQL running
        as an unprivileged account (when ``up`` runs as root) reaches its cluster folder.
        Secrets inside stay mode 0600; only the folder itself is changed."""
        mode = stat.S_IMODE(self.root.stat().st_mode)
        if not mode & stat.S_IXOTH:
            self.root.chmod(mode | stat.S_IXOTH | stat.S_IXGRP)


def read_or_create_secret(path: Path, generate: Callable[[], str] | None = None) -> str:
    """The secret stored in ``path``; created once, mode 0600, when missing or empty, by
    ``generate`` (default: :func:`secrets.token_urlsafe` of 48 random bytes, 64 characters)."""
    try:
        value = path.read_text().strip()
    except FileNotFoundError:
        value = ""
    if value:
        return value
    value = generate() if generate else secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(value + "\n")
    return value


class UpLock:
    """The data folder's single-instance lock: ``up.pid`` held with ``flock(LOCK_EX)``.

    The kernel drops the lock when the process dies, however it dies, so a pid file left by
    a killed ``up`` is recognised as stale (unlocked) rather than blocking the next start.
    """

    def __init__(self, data_dir: DataDir) -> None:
        self.data_dir = data_dir
        self.path = data_dir.lock_file
        self._fd: int | None = None

    def acquire(self) -> int | None:
        """Take the lock and write our pid.

        Returns the pid found in a stale pid file (a previous ``up`` that did not stop
        cleanly), else None. Raises :class:`AlreadyRunningError` when a live ``up`` holds it.
        """
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError as exc:
                os.close(fd)
                if exc.errno in (errno.EAGAIN, errno.EACCES):
                    raise AlreadyRunningError(self.data_dir.root, _read_pid(self.path)) from None
                raise
            # The holder may have removed the file between our open and our lock: then we
            # hold a lock on a deleted file and must retry on the new one.
            try:
                same = os.fstat(fd).st_ino == os.stat(self.path).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)
        stale = _read_fd_pid(fd)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        self._fd = fd
        return stale if stale != os.getpid() else None

    def release(self) -> None:
        """Remove the pid file and drop the lock (idempotent)."""
        if self._fd is None:
            return
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()
        os.close(self._fd)
        self._fd = None


def _read_fd_pid(fd: int) -> int | None:
    text = os.pread(fd, 64, 0).decode(errors="replace").strip()
    return int(text) if text.isdigit() else None


def _read_pid(path: Path) -> int | None:
    try:
        text = path.read_text().strip()
    except OSError:
        return None
    return int(text) if text.isdigit() else None


def write_state(data_dir: DataDir, groups: dict[str, tuple[int, int]]) -> None:
    """Record the running parts as ``{name: [pgid, start_ticks]}`` in ``run.json``.

    ``start_ticks`` is the leader's start time from ``/proc/<pid>/stat`` (see
    :func:`personagen.stack.procs.start_ticks`), so a later run can tell a leftover process
    from an unrelated one that reused the pid.
    """
    tmp = data_dir.state_file.with_suffix(".tmp")
    tmp.write_text(json.dumps({name: list(v) for name, v in groups.items()}))
    tmp.replace(data_dir.state_file)


def read_state(data_dir: DataDir) -> dict[str, tuple[int, int]]:
    """The groups recorded by :func:`write_state` (empty when absent or unreadable)."""
    try:
        raw = json.loads(data_dir.state_file.read_text())
    except (OSError, ValueError):
        return {}
    result: dict[str, tuple[int, int]] = {}
    if isinstance(raw, dict):
        for name, value in raw.items():
            if (
                isinstance(value, list)
                and len(value) == 2
                and all(isinstance(v, int) for v in value)
            ):
                result[str(name)] = (value[0], value[1])
    return result


def clear_state(data_dir: DataDir) -> None:
    """Forget the running parts (after a clean stop)."""
    with contextlib.suppress(FileNotFoundError):
        data_dir.state_file.unlink()
