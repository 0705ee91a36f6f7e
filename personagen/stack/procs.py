"""Child processes of ``personagen up``: start, watch, stop, and read their logs.

Each part runs in its own session and process group (``start_new_session``), so that

- Ctrl-C in the terminal reaches ``up`` alone, which then stops the parts in order
  (worker and API before the database they use), and
- stopping a part signals its whole group: PostgreSQL's backends, anything a server forked.

On Linux each child also gets a parent-death signal (``prctl(PR_SET_PDEATHSIG)``): if ``up``
itself is killed with SIGKILL and can't clean up, the kernel still stops every part.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from personagen.stack.privileges import RunAs

PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _death_signal_setter(signum: int) -> Callable[[], None] | None:
    """A ``preexec_fn`` asking the kernel to send ``signum`` to the child when ``up`` dies.

    Runs in the child after Popen's ``user=``/``group=`` switch (CPython calls
    ``preexec_fn`` last), so the setting survives the credential change that would
    otherwise clear it. None off Linux.
    """
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)

    def setter() -> None:
        libc.prctl(PR_SET_PDEATHSIG, signum, 0, 0, 0)

    return setter


@dataclass
class Child:
    """One running part: its name (``postgres``, ``redis``, ``llm``, ``api``, ``worker``),
    process, log file and the signal that asks it to stop gracefully."""

    name: str
    popen: subprocess.Popen[bytes]
    log_path: Path
    stop_signal: int = signal.SIGTERM
    _log: IO[bytes] | None = field(default=None, repr=False)

    @property
    def pid(self) -> int:
        """Process id of the part's main process (also its process group id)."""
        return self.popen.pid

    def exit_code(self) -> int | None:
        """None while running, else the exit status (negative: killed by that signal)."""
        return self.popen.poll()

    def close_log(self) -> None:
        """Close ``up``'s copy of the log file handle."""
        if self._log is not None:
            self._log.close()
            self._log = None


def open_log(path: Path, title: str) -> IO[bytes]:
    """Open ``path`` for appending and write a header line naming what starts and when."""
    handle = path.open("ab", buffering=0)
    stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    handle.write(f"\n==== {stamp} personagen up: {title} ====\n".encode())
    return handle


def spawn(
    name: str,
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str],
    cwd: Path | None = None,
    run_as: RunAs | None = None,
    stop_signal: int = signal.SIGTERM,
    death_signal: int = signal.SIGTERM,
) -> Child:
    """Start one part in its own process group, stdout and stderr appended to ``log_path``.

    ``run_as`` switches the child to an unprivileged account (see
    :mod:`personagen.stack.privileges`). ``death_signal`` is sent by the kernel if ``up`` dies
    first. Raises ``OSError`` when the program can't be executed.
    """
    log = open_log(log_path, f"starting {name}: {' '.join(argv)}")
    kwargs: dict[str, Any] = run_as.popen_kwargs() if run_as else {}
    try:
        popen = subprocess.Popen(  # noqa: S603 - argv built by up from discovered programs
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_death_signal_setter(death_signal),
            **kwargs,
        )
    except BaseException:
        log.close()
        raise
    return Child(name=name, popen=popen, log_path=log_path, stop_signal=stop_signal, _log=log)


def run_logged(
    argv: Sequence[str],
    *,
    log_path: Path,
    title: str,
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
    run_as: RunAs | None = None,
    timeout: float = 600,
    tick: Callable[[float], None] | None = None,
) -> int:
    """Run a one-shot command (initdb, migrations, an install) to completion, output appended
    to ``log_path``; return its exit status.

    ``tick(elapsed_seconds)`` is called about every 0.2 s while it runs (progress messages,
    and the place where a pending Ctrl-C is raised: the command's group is then killed before
    the exception propagates). Raises ``TimeoutError`` after ``timeout`` seconds (killed).
    """
    child = spawn(
        title,
        argv,
        log_path=log_path,
        env=env if env is not None else os.environ,
        cwd=cwd,
        run_as=run_as,
    )
    started = time.monotonic()
    try:
        while child.exit_code() is None:
            elapsed = time.monotonic() - started
            if elapsed > timeout:
                raise TimeoutError(f"{title} did not finish within {timeout:.0f} s")
            if tick:
                tick(elapsed)
            time.sleep(0.2)
        return int(child.exit_code() or 0)
    finally:
        if child.exit_code() is None:
            stop_child(child, timeout=5)
        child.close_log()


def signal_group(pgid: int, signum: int) -> bool:
    """Send ``signum`` to process group ``pgid``; False when the group no longer exists."""
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - a reused id of someone else's group
        return False
    return True


def stop_child(child: Child, timeout: float = 10.0) -> int | None:
    """Stop a part: its stop signal to its group, SIGKILL to the group after ``timeout``
    seconds, then SIGKILL to whatever of the group is left (children that outlived their
    parent). Returns the exit status of the main process."""
    if child.exit_code() is None:
        signal_group(child.pid, child.stop_signal)
        try:
            child.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            signal_group(child.pid, signal.SIGKILL)
            child.popen.wait(timeout=10)
    # The group id stays reserved while any member lives, so this can't hit a stranger.
    signal_group(child.pid, signal.SIGKILL)
    child.close_log()
    return child.exit_code()


def tail(path: Path, lines: int = 20, max_bytes: int = 16_384) -> str:
    """The last ``lines`` lines of a log file (reading at most ``max_bytes`` from its end)."""
    try:
        with path.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            handle.seek(max(0, size - max_bytes))
            data = handle.read()
    except OSError:
        return ""
    text = data.decode("utf-8", errors="replace")
    return "\n".join(text.splitlines()[-lines:])


# --- /proc helpers (Linux): leftovers of a killed run, and what tests check -----------------


def _stat_fields(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) is in parentheses and may itself contain spaces or ")".
    head, _, rest = raw.rpartition(")")
    if not head:
        return None
    return rest.split()


def start_ticks(pid: int) -> int | None:
    """Start time of ``pid`` in clock ticks since boot (``/proc/<pid>/stat`` field 22,
    proc(5)), or None when there is no such process."""
    fields = _stat_fields(pid)
    # After the command name: state is field 3, so field 22 is index 22 - 3 = 19.
    return int(fields[19]) if fields and len(fields) > 19 else None


def is_alive(pid: int) -> bool:
    """True when ``pid`` exists and is not a zombie (a zombie has ended; it only waits for
    its parent, possibly an init that reaps late, to collect its status)."""
    fields = _stat_fields(pid)
    return fields is not None and bool(fields) and fields[0] != "Z"


def group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes whose process group is ``pgid`` (``/proc`` scan)."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        # Field 5 (pgrp) is index 5 - 3 = 2.
        if fields and len(fields) > 2 and fields[0] != "Z" and int(fields[2]) == pgid:
            members.append(int(entry.name))
    return members


def descendants(pid: int) -> list[int]:
    """All live descendants of ``pid`` (children, grandchildren, ...), from a ``/proc`` scan."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        fields = _stat_fields(int(entry.name))
        if fields and len(fields) > 1 and fields[0] != "Z":
            # Field 4 (ppid) is index 4 - 3 = 1.
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def stop_leftover_group(
    pgid: int, ticks: int, signum: int = signal.SIGTERM, timeout: float = 10.0
) -> bool:
    """Stop a process group left by a previous ``up`` that was killed before cleaning up.

    Acts only if the group's leader still runs with the recorded start time ``ticks`` (so
    a reused pid of an unrelated program is left alone): ``signum`` to the group, SIGKILL
    after ``timeout`` seconds. Returns True when something was stopped.
    """
    if start_ticks(pgid) != ticks or not is_alive(pgid):
        return False
    signal_group(pgid, signum)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and group_members(pgid):
        time.sleep(0.1)
    if group_members(pgid):
        signal_group(pgid, signal.SIGKILL)
    return True


def listening_inodes(port: int) -> set[int]:
    """Socket inodes of TCP servers listening on ``port`` (IPv4 and IPv6), from
    ``/proc/net/tcp`` and ``/proc/net/tcp6`` (proc(5): hex ``local_address:port``, state
    ``0A`` = LISTEN, inode in column 10)."""
    inodes: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            cols = line.split()
            if len(cols) > 9 and cols[3] == "0A" and int(cols[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(int(cols[9]))
    return inodes


def serves_port(pid: int, port: int) -> bool:
    """True when process ``pid`` or a member of its process group holds the listening
    socket on ``port``: tells our server from another program that answers on the same port
    (e.g. a second stack that took it first). True when ``/proc`` can't tell (not Linux)."""
    if not Path("/proc/net/tcp").exists():
        return True
    inodes = listening_inodes(port)
    for member in {pid, *group_members(pid)}:
        try:
            fds = list(Path(f"/proc/{member}/fd").iterdir())
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and int(target[8:-1]) in inodes:
                return True
    return False
