"""The data folder: single-instance lock, stale pid files, secrets, the run state."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from personagen.stack.datadir import (
    AlreadyRunningError,
    DataDir,
    UpLock,
    clear_state,
    read_or_create_secret,
    read_state,
    write_state,
)


@pytest.fixture
def data(tmp_path: Path) -> DataDir:
    folder = DataDir(tmp_path / ".personagen")
    folder.prepare()
    return folder


def test_prepare_makes_the_layout(data: DataDir) -> None:
    assert data.logs.is_dir()
    assert data.redis_dir.is_dir()
    assert data.log("api") == data.root / "logs" / "api.log"
    data.prepare()  # idempotent


def test_lock_writes_our_pid_and_release_removes_it(data: DataDir) -> None:
    lock = UpLock(data)
    assert lock.acquire() is None
    assert data.lock_file.read_text().strip() == str(os.getpid())
    lock.release()
    assert not data.lock_file.exists()
    lock.release()  # idempotent


def test_second_start_is_refused_with_the_running_pid(data: DataDir) -> None:
    first = UpLock(data)
    first.acquire()
    try:
        with pytest.raises(AlreadyRunningError) as caught:
            UpLock(data).acquire()
        assert caught.value.pid == os.getpid()
        message = str(caught.value)
        assert "already running" in message
        assert f"kill -INT {os.getpid()}" in message
        assert "--data-dir" in message
    finally:
        first.release()
    # Once released, the next start goes ahead.
    again = UpLock(data)
    assert again.acquire() is None
    again.release()


def test_stale_pid_file_is_reported_and_replaced(data: DataDir) -> None:
    data.lock_file.write_text("4194000\n")  # nobody holds the lock: a dead `up` left it
    lock = UpLock(data)
    assert lock.acquire() == 4194000
    assert data.lock_file.read_text().strip() == str(os.getpid())
    lock.release()


def test_garbage_in_the_pid_file_is_not_a_pid(data: DataDir) -> None:
    data.lock_file.write_text("not a pid")
    lock = UpLock(data)
    assert lock.acquire() is None
    lock.release()


def test_secret_is_made_once_and_private(data: DataDir) -> None:
    first = read_or_create_secret(data.secret_key_file)
    assert len(first) >= 32
    assert stat.S_IMODE(data.secret_key_file.stat().st_mode) == 0o600
    assert read_or_create_secret(data.secret_key_file) == first


def test_secret_with_custom_generator(data: DataDir) -> None:
    assert read_or_create_secret(data.pg_password_file, lambda: "abc123") == "abc123"
    assert read_or_create_secret(data.pg_password_file, lambda: "other") == "abc123"


def test_empty_secret_file_is_refilled(data: DataDir) -> None:
    data.secret_key_file.write_text("\n")
    assert read_or_create_secret(data.secret_key_file)


def test_state_round_trip_and_clear(data: DataDir) -> None:
    write_state(data, {"postgres": (100, 5000), "api": (200, 6000)})
    assert read_state(data) == {"postgres": (100, 5000), "api": (200, 6000)}
    assert list(read_state(data)) == ["postgres", "api"]  # start order is kept
    clear_state(data)
    assert read_state(data) == {}
    clear_state(data)  # idempotent


@pytest.mark.parametrize("content", ["{not json", "[1, 2]", '{"api": "x"}', '{"api": [1]}'])
def test_unreadable_state_is_empty(data: DataDir, content: str) -> None:
    data.state_file.write_text(content)
    assert read_state(data) == {}


def test_allow_traversal_adds_search_bits_only(data: DataDir) -> None:
    data.root.chmod(0o700)
    data.allow_traversal()
    assert stat.S_IMODE(data.root.stat().st_mode) == 0o711
