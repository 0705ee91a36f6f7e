"""Local TCP ports for the parts of the stack.

Every part listens on the loopback interface only (``127.0.0.1``): ``personagen up`` is a
one-machine development stack and nothing in it is meant to be reachable from the network.
"""

from __future__ import annotations

import errno
import socket

LOOPBACK = "127.0.0.1"


class PortInUseError(RuntimeError):
    """A port that was asked for explicitly is already taken by another program."""

    def __init__(self, port: int, host: str = LOOPBACK, what: str = "port") -> None:
        self.port = port
        self.host = host
        super().__init__(
            f"{what} {host}:{port} is already in use by another program; "
            "stop that program or choose another port"
        )


def port_is_free(port: int, host: str = LOOPBACK) -> bool:
    """True when a TCP server could bind ``host:port`` right now.

    Binds with ``SO_REUSEADDR``, as uvicorn, PostgreSQL and Redis do: on Linux a port with a
    listening server still reads as taken, while one with only TIME_WAIT leftovers of closed
    connections (which those servers can bind) reads as free. Raises ``OSError`` for errors
    other than "address in use" (e.g. a host that is not an address of this machine).
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


def free_port(host: str = LOOPBACK, *, avoid: set[int] | None = None) -> int:
    """A TCP port on ``host`` that no program holds right now, chosen by the kernel.

    The kernel picks from its ephemeral range (``/proc/sys/net/ipv4/ip_local_port_range``).
    ``avoid`` lists ports already handed to other parts of this stack that have not bound
    them yet, so two parts never get the same port. The port is free when returned; a program
    started later could still take it first, which the caller notices when its server fails
    to start (its log says "address already in use").
    """
    avoid = avoid or set()
    for _ in range(100):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind((host, 0))
            port = int(sock.getsockname()[1])
        if port not in avoid:
            return port
    raise RuntimeError("could not find a free TCP port")  # pragma: no cover - kernel exhausted


def choose_port(
    requested: int | None,
    *,
    preferred: int | None = None,
    host: str = LOOPBACK,
    avoid: set[int] | None = None,
    what: str = "port",
) -> tuple[int, str | None]:
    """Pick the port for one part of the stack.

    - ``requested`` (an explicit ``--port``): used if free, else :class:`PortInUseError`.
    - otherwise ``preferred`` (e.g. 8000 for the API, easy to remember) if free,
    - otherwise a free port from :func:`free_port`.

    Returns ``(port, note)`` where ``note`` is a sentence for the user when the preferred port
    was taken and another was chosen, else None.
    """
    avoid = avoid or set()
    if requested is not None:
        if requested in avoid or not port_is_free(requested, host):
            raise PortInUseError(requested, host, what)
        return requested, None
    if preferred is not None:
        if preferred not in avoid and port_is_free(preferred, host):
            return preferred, None
        port = free_port(host, avoid=avoid)
        return port, f"{what} {preferred} is taken by another program; using {port} instead"
    return free_port(host, avoid=avoid), None
