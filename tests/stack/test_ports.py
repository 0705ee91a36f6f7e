"""Free-port choice: kernel-chosen ports, taken ports, explicit and preferred ports."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from personagen.stack.ports import PortInUseError, choose_port, free_port, port_is_free


@pytest.fixture
def listening() -> Iterator[int]:
    """A port held by a listening server for the duration of the test."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        yield int(server.getsockname()[1])


def test_free_port_can_be_bound() -> None:
    port = free_port()
    assert 1024 <= port <= 65535
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))


def test_free_port_skips_ports_handed_out_already() -> None:
    handed: set[int] = set()
    for _ in range(20):
        port = free_port(avoid=handed)
        assert port not in handed
        handed.add(port)
    assert len(handed) == 20


def test_port_is_free_sees_a_listening_server(listening: int) -> None:
    assert port_is_free(listening) is False


def test_port_is_free_after_the_server_closed() -> None:
    with socket.socket() as server:
        # Like uvicorn, PostgreSQL and Redis: then its TIME_WAIT leftovers don't block a restart.
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = int(server.getsockname()[1])
        # The server closes first, so its side of the connection stays in TIME_WAIT.
        with socket.create_connection(("127.0.0.1", port)):
            conn, _ = server.accept()
            conn.close()
    assert port_is_free(port) is True


def test_explicit_port_taken_is_a_clear_error(listening: int) -> None:
    with pytest.raises(PortInUseError) as caught:
        choose_port(listening, preferred=8000, what="API port")
    assert caught.value.port == listening
    assert f"API port 127.0.0.1:{listening} is already in use" in str(caught.value)


def test_explicit_port_handed_to_another_part_counts_as_taken() -> None:
    port = free_port()
    with pytest.raises(PortInUseError):
        choose_port(port, avoid={port})


def test_explicit_free_port_is_used() -> None:
    port = free_port()
    assert choose_port(port, preferred=8000) == (port, None)


def test_preferred_port_taken_falls_back_with_a_note(listening: int) -> None:
    port, note = choose_port(None, preferred=listening, what="API port")
    assert port != listening
    assert port_is_free(port)
    assert note == f"API port {listening} is taken by another program; using {port} instead"


def test_preferred_free_port_is_used_silently() -> None:
    preferred = free_port()
    assert choose_port(None, preferred=preferred) == (preferred, None)


def test_no_preference_gives_any_free_port() -> None:
    port, note = choose_port(None)
    assert note is None
    assert port_is_free(port)
