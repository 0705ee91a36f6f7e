"""Benchmark: persona listing and name search at 100,000 personas, over real HTTP.

Creates a throwaway database, migrates it, registers a user through the API, bulk-loads
``--personas`` personas for that user (plus as many for another user, so the owner filter
matters) with COPY, then times through the running API (``personagen api`` in a subprocess):

- the default listing (``-created_at``, first page of 20) and a page deep in the keyset;
- ``order_by=name`` first page;
- ``q=`` substring search on name/description (trigram index), for a rare and a common term;
- a filtered listing (``formality_level__gte=8``).

Prints median and p95 latency per query over ``--runs`` requests, and the query plans
(EXPLAIN ANALYZE) of the default listing and the search so the index use is visible.
Run by hand: ``uv run python bench/bench_personas.py [--personas 100000]``. Needs PostgreSQL
and Redis (``TEST_POSTGRES_URL`` / ``TEST_REDIS_URL`` as for the tests).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
WORDS = [
    "bee",
    "garden",
    "legal",
    "noir",
    "haiku",
    "blogger",
    "rally",
    "memoir",
    "travel",
    "gamer",
    "poet",
    "coder",
    "chef",
    "teacher",
    "nurse",
    "pilot",
    "farmer",
    "sailor",
    "critic",
    "barista",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _db_url(name: str) -> str:
    return urlunsplit(urlsplit(ADMIN_URL)._replace(path="/" + name))


async def _load(url: str, owner: uuid.UUID, count: int, seed: int) -> None:
    rng = random.Random(seed)
    start = datetime.now(UTC) - timedelta(days=365)
    rows = []
    for i in range(count):
        name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS)} {i}"
        rows.append(
            (
                uuid.uuid4(),
                owner,
                name,
                f"A {rng.choice(WORDS)} who writes about {rng.choice(WORDS)}s",
                rng.randint(1, 10),
                start + timedelta(seconds=i * 300 + rng.randint(0, 299)),
            )
        )
    conn = await asyncpg.connect(url)
    try:
        await conn.copy_records_to_table(
            "personas",
            records=[(*r, r[5]) for r in rows],
            columns=[
                "id",
                "owner_id",
                "name",
                "description",
                "formality_level",
                "created_at",
                "updated_at",
            ],
        )
        await conn.execute("ANALYZE personas")
    finally:
        await conn.close()


async def _plans(url: str, owner: uuid.UUID) -> None:
    conn = await asyncpg.connect(url)
    try:
        for title, sql in (
            (
                "default listing",
                "SELECT * FROM personas WHERE owner_id = $1 "
                "ORDER BY created_at DESC, id DESC LIMIT 21",
            ),
            (
                "search q",
                "SELECT * FROM personas WHERE owner_id = $1 AND (name ILIKE '%chef coder%' "
                "OR description ILIKE '%chef coder%') ORDER BY created_at DESC, id DESC LIMIT 21",
            ),
        ):
            plan = await conn.fetch("EXPLAIN ANALYZE " + sql, owner)
            print(f"\n-- plan: {title}")
            for row in plan:
                print("   ", row[0])
    finally:
        await conn.close()


def _time(client: httpx.Client, path: str, params: dict[str, object], runs: int) -> list[float]:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path, params=params)
        samples.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personas", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50)
    args = parser.parse_args()

    name = f"personagen_bench_{uuid.uuid4().hex[:8]}"
    url = _db_url(name)

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(ADMIN_URL)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "ENVIRONMENT": "development",
        "ARQ_QUEUE_NAME": f"personagen:bench:{name}",
        "LOG_LEVEL": "WARNING",
    }
    api = None
    try:
        subprocess.run(
            [sys.executable, "-m", "personagen.cli", "migrate"],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
        api = subprocess.Popen(
            [sys.executable, "-m", "personagen.cli", "api", "--port", str(port)],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(300):
                try:
                    client.get("/healthz")
                    break
                except httpx.TransportError:
                    time.sleep(0.1)
            users = []
            for username in ("bench_owner", "bench_other"):
                client.post(
                    "/v1/auth/register",
                    json={
                        "username": username,
                        "email": f"{username}@example.com",
                        "password": "bench-password-1",
                    },
                ).raise_for_status()
                token = client.post(
                    "/v1/auth/token", data={"username": username, "password": "bench-password-1"}
                ).json()["access_token"]
                me = client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"}).json()
                users.append((uuid.UUID(me["id"]), token))
            loaded = time.perf_counter()
            asyncio.run(_load(url, users[0][0], args.personas, 1))
            asyncio.run(_load(url, users[1][0], args.personas, 2))
            print(
                f"loaded {2 * args.personas} personas ({args.personas} per user) in "
                f"{time.perf_counter() - loaded:.1f} s"
            )
            client.headers["Authorization"] = f"Bearer {users[0][1]}"
            page = client.get("/v1/personas", params={"limit": 100}).json()
            for _ in range(50):  # walk 5,000 rows in to get a deep cursor
                page = client.get(
                    "/v1/personas", params={"limit": 100, "cursor": page["next_cursor"]}
                ).json()
            deep = page["next_cursor"]
            cases = {
                "default listing, first page": {},
                "default listing, page 5,001+": {"cursor": deep},
                "order_by=name, first page": {"order_by": "name"},
                "q=rare ('chef coder')": {"q": "chef coder"},
                "q=common ('bee')": {"q": "bee"},
                "formality_level__gte=8": {"formality_level__gte": 8},
            }
            print(f"\n{'query':34} {'median ms':>10} {'p95 ms':>8}   ({args.runs} requests each)")
            for label, params in cases.items():
                _time(client, "/v1/personas", params, 3)  # warm
                samples = sorted(_time(client, "/v1/personas", params, args.runs))
                p95 = samples[int(0.95 * (len(samples) - 1))]
                print(f"{label:34} {statistics.median(samples):10.1f} {p95:8.1f}")
        asyncio.run(_plans(url, users[0][0]))
    finally:
        if api is not None:
            api.terminate()
            api.wait(timeout=30)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()
