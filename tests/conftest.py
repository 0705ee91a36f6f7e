"""Test infrastructure: a throwaway PostgreSQL database and Redis queue per run, real HTTP.

Needs a PostgreSQL server (``TEST_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/postgres``; the role must be allowed to create
databases) and a Redis server (``TEST_REDIS_URL``, default ``redis://127.0.0.1:6379/0``).
When either is unreachable the run stops at once and says which, rather than skipping.

Each run creates ``personagen_test_<random>``, migrates it to head with Alembic, and drops it
at the end; each test starts from empty tables (truncated after every test) and its own arq
queue name, so runs on one machine never see each other's data.
"""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis
import uvicorn

from personagen_shared.logging import configure_logging

# First call wins (see configure_logging): loggers stay uncached so capture_logs works in
# every test, whatever ran before it.
configure_logging("WARNING", json=False, cache_loggers=False)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT.parent / "shared" / "reference"
TEST_POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TEST_SECRET_KEY = "test-secret-key-" + "x" * 32
RUN_ID = uuid.uuid4().hex[:10]


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


async def _check_services() -> None:
    try:
        conn = await asyncpg.connect(TEST_POSTGRES_URL, timeout=5)
        await conn.close()
    except Exception as exc:
        pytest.exit(
            f"PostgreSQL is needed at {TEST_POSTGRES_URL} (set TEST_POSTGRES_URL): {exc!r}",
            returncode=3,
        )
    client = aioredis.from_url(TEST_REDIS_URL, socket_connect_timeout=5)
    try:
        await client.ping()
    except Exception as exc:
        pytest.exit(
            f"Redis is needed at {TEST_REDIS_URL} (set TEST_REDIS_URL): {exc!r}", returncode=3
        )
    finally:
        await client.aclose()


async def _create_database(name: str) -> None:
    conn = await asyncpg.connect(TEST_POSTGRES_URL)
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()


async def _drop_database(name: str) -> None:
    conn = await asyncpg.connect(TEST_POSTGRES_URL)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def migrate(database_url: str, revision: str = "head", *, down: bool = False) -> None:
    """Run Alembic on ``database_url`` (in a thread: env.py runs its own event loop)."""
    from alembic import command
    from alembic.config import Config

    def _run() -> None:
        cfg = Config(str(ROOT / "alembic.ini"))
        cfg.set_main_option("sqlalchemy.url", database_url)
        if down:
            command.downgrade(cfg, revision)
        else:
            command.upgrade(cfg, revision)

    import threading

    errors: list[BaseException] = []

    def _target() -> None:
        try:
            _run()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=_target)
    thread.start()
    thread.join()
    if errors:
        raise errors[0]


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    """URL of this run's freshly migrated database; sets the service environment."""
    asyncio.run(_check_services())
    name = f"personagen_test_{RUN_ID}"
    asyncio.run(_create_database(name))
    url = _with_database(TEST_POSTGRES_URL, name)
    os.environ.update(
        {
            "DATABASE_URL": url,
            "REDIS_URL": TEST_REDIS_URL,
            "ENVIRONMENT": "test",
            "SECRET_KEY": TEST_SECRET_KEY,
            "ARQ_QUEUE_NAME": f"personagen:test:{RUN_ID}",
            "LOG_JSON": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    from personagen_shared.settings import get_settings

    get_settings.cache_clear()
    try:
        migrate(url)
        yield url
    finally:
        asyncio.run(_drop_database(name))


@pytest.fixture
def scratch_database() -> Iterator[str]:
    """URL of a new, empty PostgreSQL database (not migrated), dropped after the test."""
    name = f"personagen_scratch_{uuid.uuid4().hex[:10]}"
    asyncio.run(_create_database(name))
    try:
        yield _with_database(TEST_POSTGRES_URL, name)
    finally:
        asyncio.run(_drop_database(name))


@pytest.fixture(autouse=True)
async def _clean_state(request: pytest.FixtureRequest) -> AsyncIterator[None]:
    """After each test that used the database: empty every table and this run's Redis keys."""
    yield
    if "database_url" not in request.fixturenames:
        return
    url = request.getfixturevalue("database_url")
    conn = await asyncpg.connect(url)
    try:
        job_ids = [str(row["id"]) for row in await conn.fetch("SELECT id FROM jobs")]
        tables = await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename <> 'alembic_version'"
        )
        if tables:
            names = ", ".join(f'"{row["tablename"]}"' for row in tables)
            await conn.execute(f"TRUNCATE {names} CASCADE")
    finally:
        await conn.close()
    # Only this run's keys: the queue, and arq's keys of the jobs this test made (job ids are
    # UUIDs), so that concurrent runs on the same Redis never lose each other's jobs.
    client = aioredis.from_url(TEST_REDIS_URL)
    try:
        queue = os.environ["ARQ_QUEUE_NAME"]
        keys = [key async for key in client.scan_iter(match=f"{queue}*")]
        for prefix in ("arq:job:", "arq:in-progress:", "arq:result:", "arq:retry:"):
            keys += [prefix + job_id for job_id in job_ids]
        if keys:
            await client.delete(*keys)
        if job_ids:
            await client.zrem("arq:abort", *job_ids)
    finally:
        await client.aclose()


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """A uvicorn server for an ASGI app, run as a task in the test event loop."""

    def __init__(self, app: object) -> None:
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_config=None, lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self.server.serve())
        for _ in range(500):
            if self.server.started:
                return
            if self._task.done():
                self._task.result()
            await asyncio.sleep(0.01)
        raise RuntimeError("server did not start")

    async def stop(self) -> None:
        self.server.should_exit = True
        if self._task:
            await self._task


@pytest.fixture(scope="session")
async def api_server(database_url: str) -> AsyncIterator[LiveServer]:
    """The persona API served over real HTTP on a free port for the whole run."""
    from persona_api.main import create_app

    server = LiveServer(create_app())
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def client(api_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client for the API (no auth)."""
    async with httpx.AsyncClient(base_url=api_server.base_url, timeout=30) as http:
        yield http


async def register(
    http: httpx.AsyncClient, username: str | None = None, password: str = "correct-horse-9"
) -> dict[str, str]:
    """Register a user and return bearer ``Authorization`` headers for it."""
    username = username or f"user_{uuid.uuid4().hex[:8]}"
    response = await http.post(
        "/v1/auth/register",
        json={"username": username, "email": f"{username}@example.com", "password": password},
    )
    assert response.status_code == 201, response.text
    token = await http.post("/v1/auth/token", data={"username": username, "password": password})
    assert token.status_code == 200, token.text
    return {"Authorization": f"Bearer {token.json()['access_token']}"}


@pytest.fixture
async def auth(client: httpx.AsyncClient) -> dict[str, str]:
    """Bearer headers of a fresh user."""
    return await register(client)


@pytest.fixture
async def other_auth(client: httpx.AsyncClient) -> dict[str, str]:
    """Bearer headers of a second, unrelated user (for isolation tests)."""
    return await register(client)
