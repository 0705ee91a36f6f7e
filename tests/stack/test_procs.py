"""Child processes: own process groups, stop with escalation, parent-death signal, logs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from personagen.stack.procs import (
    descendants,
    group_members,
    is_alive,
    listening_inodes,
    run_logged,
    serves_port,
    spawn,
    start_ticks,
    stop_child,
    stop_leftover_group,
    tail,
)

ROOT = Path(__file__).resolve().parents[2]


def wait_until(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    """Poll ``condition`` until true or ``timeout`` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return bool(condition())


def test_child_gets_its_own_group_and_log(tmp_path: Path) -> None:
    log = tmp_path / "part.log"
    child = spawn("part", ["sh", "-c", "echo hello; echo oops >&2"], log_path=log, env=os.environ)
    assert child.popen.wait(10) == 0
    child.close_log()
    text = log.read_text()
    assert "personagen up: starting part: sh -c" in text
    assert "hello" in text
    assert "oops" in text


def test_stop_ends_the_whole_group(tmp_path: Path) -> None:
    child = spawn(
        "part",
        ["sh", "-c", "sleep 300 & sleep 300 & wait"],
        log_path=tmp_path / "part.log",
        env=os.environ,
    )
    assert wait_until(lambda: len(group_members(child.pid)) == 3)
    assert os.getpgid(child.pid) == child.pid != os.getpgid(0)
    members = group_members(child.pid)
    status = stop_child(child, timeout=5)
    assert status is not None
    assert wait_until(lambda: not any(is_alive(pid) for pid in members))


def test_stop_escalates_to_sigkill(tmp_path: Path) -> None:
    child = spawn(
        "stubborn",
        [
            sys.executable,
            "-c",
            "import signal, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
            "print('ready', flush=True); time.sleep(300)",
        ],
        log_path=tmp_path / "stubborn.log",
        env=os.environ,
    )
    # The header line quotes the command (and its "ready"): wait for the printed line itself.
    assert wait_until(lambda: tail(tmp_path / "stubborn.log", 1) == "ready")
    started = time.monotonic()
    status = stop_child(child, timeout=0.5)
    assert status == -signal.SIGKILL
    assert time.monotonic() - started < 10
    assert group_members(child.pid) == []


def test_stop_signal_is_configurable(tmp_path: Path) -> None:
    child = spawn(
        "int",
        ["sh", "-c", "trap 'echo got-int; exit 0' INT; echo ready; while :; do sleep 0.1; done"],
        log_path=tmp_path / "int.log",
        env=os.environ,
        stop_signal=signal.SIGINT,
    )
    assert wait_until(lambda: tail(tmp_path / "int.log", 1) == "ready")
    assert stop_child(child, timeout=5) == 0
    assert "got-int" in (tmp_path / "int.log").read_text()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux")
def test_children_die_with_up_even_when_it_is_killed(tmp_path: Path) -> None:
    # An "up" stand-in starts a part, then gets SIGKILL and cannot clean up.
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "from personagen.stack.procs import spawn\n"
        "c = spawn('part', ['sleep', '300'], log_path=Path(sys.argv[1]), env=os.environ)\n"
        "print(c.pid, flush=True)\n"
        "time.sleep(300)\n"
    )
    parent = subprocess.Popen(
        [sys.executable, "-c", code, str(tmp_path / "part.log")],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert parent.stdout is not None
    part = int(parent.stdout.readline())
    assert is_alive(part)
    parent.kill()
    parent.wait(10)
    assert wait_until(lambda: not is_alive(part))


def test_run_logged_returns_status_and_logs(tmp_path: Path) -> None:
    log = tmp_path / "once.log"
    assert run_logged(["sh", "-c", "echo made it; exit 3"], log_path=log, title="once") == 3
    assert "made it" in log.read_text()


def test_run_logged_tick_can_abort_and_the_command_is_stopped(tmp_path: Path) -> None:
    class Abort(Exception):
        pass

    def tick(elapsed: float) -> None:
        if elapsed > 0.3:
            raise Abort

    log = tmp_path / "long.log"
    with pytest.raises(Abort):
        run_logged(["sh", "-c", "echo $$; sleep 300"], log_path=log, title="long", tick=tick)
    pid = int(log.read_text().strip().splitlines()[-1])
    assert wait_until(lambda: not is_alive(pid))


def test_run_logged_timeout(tmp_path: Path) -> None:
    with pytest.raises(TimeoutError, match="did not finish"):
        run_logged(["sleep", "300"], log_path=tmp_path / "t.log", title="sleepy", timeout=0.3)


def test_tail_reads_the_last_lines(tmp_path: Path) -> None:
    log = tmp_path / "big.log"
    log.write_text("".join(f"line {i}\n" for i in range(1000)))
    assert tail(log, lines=3) == "line 997\nline 998\nline 999"
    assert tail(tmp_path / "missing.log") == ""


def test_leftover_group_of_a_dead_run_is_stopped(tmp_path: Path) -> None:
    child = spawn("old", ["sleep", "300"], log_path=tmp_path / "old.log", env=os.environ)
    ticks = start_ticks(child.pid)
    assert ticks is not None
    # A recorded start time that doesn't match means the pid was reused: leave it alone.
    assert stop_leftover_group(child.pid, ticks + 1) is False
    assert is_alive(child.pid)
    assert stop_leftover_group(child.pid, ticks) is True
    child.popen.wait(10)
    assert child.exit_code() == -signal.SIGTERM


def test_leftover_that_is_gone_is_ignored() -> None:
    proc = subprocess.Popen(["true"])
    proc.wait()
    assert stop_leftover_group(proc.pid, 1) is False


def test_descendants_include_grandchildren(tmp_path: Path) -> None:
    child = spawn(
        "tree", ["sh", "-c", "sleep 300 & wait"], log_path=tmp_path / "t.log", env=os.environ
    )
    try:
        assert wait_until(lambda: len(descendants(child.pid)) == 1)
        assert child.pid in descendants(os.getpid())
    finally:
        stop_child(child, timeout=5)


def test_serves_port_tells_our_server_from_another(tmp_path: Path) -> None:
    code = (
        "import socket, time\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen()\n"
        "print(s.getsockname()[1], flush=True); time.sleep(300)\n"
    )
    server = spawn("srv", [sys.executable, "-c", code], log_path=tmp_path / "s.log", env=os.environ)
    other = spawn("other", ["sleep", "300"], log_path=tmp_path / "o.log", env=os.environ)
    try:
        assert wait_until(lambda: tail(tmp_path / "s.log", 1).strip().isdigit())
        port = int(tail(tmp_path / "s.log", 1))
        assert listening_inodes(port)
        assert serves_port(server.pid, port) is True
        assert serves_port(other.pid, port) is False
    finally:
        stop_child(server, timeout=5)
        stop_child(other, timeout=5)


def test_listening_inodes_ignore_connected_sockets() -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = int(server.getsockname()[1])
        with socket.create_connection(("127.0.0.1", port)):
            assert len(listening_inodes(port)) == 1
