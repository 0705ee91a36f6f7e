"""Running PostgreSQL as an unprivileged user when ``personagen up`` runs as root.

PostgreSQL's ``initdb``, ``pg_ctl`` and ``postgres`` refuse to run as root ("cannot be run
as root"). As root, ``up`` runs them as an existing unprivileged account instead and makes
that account the owner of the cluster's folder only; it creates no user and changes nothing
outside the data folder. The switch is done by :class:`subprocess.Popen` itself
(``user=``/``group=``/``extra_groups=[]``, Python >= 3.9), so no ``sudo``/``setpriv`` is needed.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PG_USER_ENV = "PERSONAGEN_PG_USER"
"""Environment variable naming the account PostgreSQL runs as when ``up`` runs as root."""

DEFAULT_SERVER_ACCOUNTS = ("postgres", "nobody")
"""Accounts tried in order: Debian's PostgreSQL account if the system has one, else nobody."""


class PrivilegeError(RuntimeError):
    """No usable unprivileged account, or it can't reach the files it needs."""


@dataclass(frozen=True)
class RunAs:
    """An account a child process is switched to before it executes.

    ``uid``/``gid`` are numeric ids; ``name`` is for messages. The child gets no
    supplementary groups (root's groups must not leak into the server).
    """

    uid: int
    gid: int
    name: str

    def popen_kwargs(self) -> dict[str, Any]:
        """Keyword arguments for :class:`subprocess.Popen` that run the child as this account."""
        return {"user": self.uid, "group": self.gid, "extra_groups": []}

    def command_line(self, argv: Sequence[str]) -> list[str]:
        """The same switch as a shell command (``setpriv`` from util-linux), for messages
        telling the user how to run a PostgreSQL program by hand on this cluster."""
        return [
            "setpriv",
            f"--reuid={self.uid}",
            f"--regid={self.gid}",
            "--clear-groups",
            "--",
            *argv,
        ]


def _account(name: str) -> RunAs | None:
    try:
        entry = pwd.getpwnam(name)
    except KeyError:
        return None
    return RunAs(uid=entry.pw_uid, gid=entry.pw_gid, name=entry.pw_name)


def _account_by_uid(uid: int) -> RunAs:
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        # A folder owned by a uid with no passwd entry (e.g. copied from another machine):
        # still usable, numeric ids are all the kernel needs.
        return RunAs(uid=uid, gid=uid, name=str(uid))
    return RunAs(uid=entry.pw_uid, gid=entry.pw_gid, name=entry.pw_name)


def server_account(
    *,
    euid: int,
    cluster_dir: Path,
    requested: str | None = None,
    candidates: Iterable[str] = DEFAULT_SERVER_ACCOUNTS,
) -> RunAs | None:
    """The account PostgreSQL must run as, or None to run it as the current user.

    - not root (``euid != 0``): None.
    - root with an existing cluster owned by a non-root uid: that owner (the data stays
      readable by the server across restarts, whatever the defaults are now).
    - root with ``requested`` (``$PERSONAGEN_PG_USER``): that account; PrivilegeError if it
      does not exist or is root.
    - root otherwise: the first existing account among ``candidates``.

    Raises :class:`PrivilegeError` when no candidate exists (``up`` never creates accounts).
    """
    if euid != 0:
        return None
    if cluster_dir.exists():
        owner = cluster_dir.stat().st_uid
        if owner != 0:
            return _account_by_uid(owner)
    if requested:
        account = _account(requested)
        if account is None:
            raise PrivilegeError(f"{PG_USER_ENV} names {requested!r}, which is not an account")
        if account.uid == 0:
            raise PrivilegeError(f"{PG_USER_ENV} must name an unprivileged account, not root")
        return account
    names = list(candidates)
    for name in names:
        account = _account(name)
        if account is not None and account.uid != 0:
            return account
    raise PrivilegeError(
        "PostgreSQL refuses to run as root and none of the accounts "
        f"{', '.join(names)} exists to run it; run `personagen up` as a normal user, "
        f"set {PG_USER_ENV} to an existing unprivileged account, or set DATABASE_URL"
    )


def _group_ids(account: RunAs) -> set[int]:
    gids = {account.gid}
    try:
        name = pwd.getpwuid(account.uid).pw_name
    except KeyError:
        return gids
    gids.update(g.gr_gid for g in grp.getgrall() if name in g.gr_mem)
    return gids


def can_search(mode: int, owner: int, group: int, account: RunAs, gids: set[int]) -> bool:
    """Whether ``account`` may traverse a directory with this ``mode``/``owner``/``group``.

    POSIX permission classes: the owner bits apply to the owner, else the group bits to a
    member of the group, else the "other" bits; the search (x) bit is what traversal needs.
    """
    if owner == account.uid:
        return bool(mode & stat.S_IXUSR)
    if group in gids:
        return bool(mode & stat.S_IXGRP)
    return bool(mode & stat.S_IXOTH)


def first_unreachable(path: Path, account: RunAs) -> Path | None:
    """The first existing folder on the way to ``path`` (itself included if it is a folder)
    that ``account`` can't traverse, or None when the whole way is open to it."""
    gids = _group_ids(account)
    path = path.resolve()
    chain = [*reversed(path.parents), path]
    for folder in chain:
        try:
            info = folder.stat()
        except FileNotFoundError:
            break
        if not stat.S_ISDIR(info.st_mode):
            continue
        if not can_search(info.st_mode, info.st_uid, info.st_gid, account, gids):
            return folder
    return None


def check_reachable(paths: Iterable[tuple[str, Path]], account: RunAs) -> None:
    """Raise :class:`PrivilegeError` naming the first of ``paths`` (``(what, path)`` pairs)
    that ``account`` can't reach, with the folder that blocks it and what to do."""
    for what, path in paths:
        blocked = first_unreachable(path, account)
        if blocked is not None:
            mode = stat.S_IMODE(blocked.stat().st_mode)
            raise PrivilegeError(
                f"PostgreSQL can't run as root, so it runs as the account {account.name!r}; "
                f"that account can't reach the {what} {path}: {blocked} is private "
                f"(mode {mode:04o}). Run `personagen up` as a normal user, or use a "
                "location that account can reach (e.g. --data-dir /srv/personagen or under "
                "/tmp); `up` does not change permissions outside its data folder"  # noqa: S108
            )


def chown_tree(path: Path, account: RunAs) -> None:
    """Give ``path`` and everything under it to ``account`` (used on the cluster's folder only)."""
    os.chown(path, account.uid, account.gid)
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            os.chown(os.path.join(root, name), account.uid, account.gid, follow_symlinks=False)
