"""What the service modules of ``personagen up`` share: their errors, URLs with the password
masked for messages, and waiting for an HTTP part to answer."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit, urlunsplit

from personagen.stack.procs import Child, serves_port


class ServiceError(RuntimeError):
    """A part could not be started or did not become ready; the message says why."""


class StartupError(RuntimeError):
    """A part could not be set up; the message says what and what to do."""


def mask_url(url: str) -> str:
    """``scheme://user:secret@host/db`` -> ``scheme://user:***@host/db`` (for messages)."""
    parts = urlsplit(url)
    if parts.password:
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
        return urlunsplit(parts._replace(netloc=netloc))
    return url


def indent(text: str) -> str:
    """``text`` (e.g. the end of a log) indented by four spaces, or ``(empty)``."""
    return "\n".join(f"    {line}" for line in text.splitlines()) or "    (empty)"


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
