"""`personagen up` as a user meets it: configuration, starting twice, a taken port, parts that
fail at start or crash later. Runs the real command as a subprocess; the full stack with the
local model is in tests/e2e/test_up.py."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from personagen.stack.datadir import DataDir, UpLock, read_state
from personagen.stack.procs import descendants, is_alive
from personagen.stack.runner import read_config
from personagen.stack.services.common import mask_url
from tests.stack.fakes import stub

ROOT = Path(__file__).resolve().parents[2]
UNSET = ("DATABASE_URL", "REDIS_URL", "OPENAI_BASE_URL", "OPENAI_API_KEY", "LLM_MODEL")


def up_env(**overrides: str) -> dict[str, str]:
    """The test's environment without the stack settings the test suite sets, plus ``overrides``."""
    env = {k: v for k, v in os.environ.items() if k not in UNSET}
    env.update(overrides)
    return env


def run_up(
    cwd: Path, env: dict[str, str], *args: str, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "personagen.cli", "up", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def test_read_config_env_overrides_dotenv(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        "DATABASE_URL=postgresql://from-dotenv/db\nREDIS_URL=redis://from-dotenv\n"
        "UNRELATED=1\nOPENAI_BASE_URL=\n"
    )
    config = read_config(tmp_path, {"REDIS_URL": "redis://from-env", "LLM_MODEL": ""})
    assert config == {
        "DATABASE_URL": "postgresql://from-dotenv/db",
        "REDIS_URL": "redis://from-env",
    }


def test_read_config_without_dotenv(tmp_path: Path) -> None:
    assert read_config(tmp_path, {"PATH": "/bin"}) == {}


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("postgresql://u:s3cret@h:5432/db", "postgresql://u:***@h:5432/db"),
        ("redis://127.0.0.1:6379/0", "redis://127.0.0.1:6379/0"),
        ("redis://:pw@host/0", "redis://:***@host/0"),
    ],
)
def test_mask_url_hides_passwords(url: str, shown: str) -> None:
    assert mask_url(url) == shown


def test_starting_twice_is_refused(tmp_path: Path) -> None:
    data = DataDir(tmp_path / ".personagen")
    data.prepare()
    holder = UpLock(data)
    holder.acquire()
    try:
        result = run_up(tmp_path, up_env(), timeout=60)
    finally:
        holder.release()
    assert result.returncode == 3
    assert f"already running with the data folder {data.root} (pid {os.getpid()})" in (
        result.stdout
    )


def test_explicit_port_already_taken(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run_up(tmp_path, up_env(), "--port", str(port), timeout=60)
    assert result.returncode == 1
    assert f"API port 127.0.0.1:{port} is already in use by another program" in result.stdout
    # Nothing was left behind: the lock is released and no part is recorded as running.
    assert not (tmp_path / ".personagen" / "up.pid").exists()
    assert read_state(DataDir(tmp_path / ".personagen")) == {}


def test_part_failing_at_start_is_named_with_its_log(tmp_path: Path) -> None:
    broken = stub(tmp_path / "bin" / "redis-server", "echo 'FATAL: cannot open the config'; exit 1")
    env = up_env(
        PERSONAGEN_REDIS_SERVER=str(broken),
        DATABASE_URL="postgresql://nobody@127.0.0.1:9/none",  # never reached
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",
    )
    result = run_up(tmp_path, env, "--data-dir", str(tmp_path / "data"), timeout=60)
    assert result.returncode == 1, result.stdout
    assert "redis-server exited with status 1" in result.stdout
    assert "FATAL: cannot open the config" in result.stdout
    assert str(tmp_path / "data" / "logs" / "redis.log") in result.stdout


@pytest.fixture
def stack_with_test_database(
    database_url: str, tmp_path: Path
) -> Iterator[tuple[subprocess.Popen[str], Path]]:
    """`personagen up` on the suite's PostgreSQL database, a private Redis, no LLM calls."""
    env = up_env(
        DATABASE_URL=database_url,
        OPENAI_BASE_URL="http://127.0.0.1:9/v1",  # never called: no job is queued
        LLM_MODEL="unused",
    )
    data = tmp_path / "data"
    proc = subprocess.Popen(
        [sys.executable, "-m", "personagen.cli", "up", "--data-dir", str(data)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield proc, data
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            proc.wait(60)


def read_until(proc: subprocess.Popen[str], marker: str, timeout: float = 120) -> str:
    """Output of ``proc`` up to the line containing ``marker``; fails if it exits first."""
    assert proc.stdout is not None
    seen: list[str] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            pytest.fail(f"exited ({proc.wait()}) before {marker!r}:\n{''.join(seen)}")
        seen.append(line)
        if marker in line:
            return "".join(seen)
    pytest.fail(f"no {marker!r} within {timeout} s:\n{''.join(seen)}")


def test_a_crashed_part_stops_everything_with_a_clear_message(
    stack_with_test_database: tuple[subprocess.Popen[str], Path],
) -> None:
    proc, data = stack_with_test_database
    banner = read_until(proc, "Press Ctrl-C to stop everything.")
    assert "private redis-server on 127.0.0.1:" in banner
    assert "DATABASE_URL postgresql://" in banner
    parts = descendants(proc.pid)
    redis_pid = read_state(DataDir(data))["redis"][0]
    os.kill(redis_pid, signal.SIGKILL)
    out, _ = proc.communicate(timeout=90)
    assert proc.returncode == 1
    assert f"the Redis server (pid {redis_pid}) stopped unexpectedly (exit status -9)" in out
    assert f"End of {data / 'logs' / 'redis.log'}" in out
    assert "all parts stopped" in out
    survivors = [pid for pid in parts if is_alive(pid)]
    assert survivors == []
