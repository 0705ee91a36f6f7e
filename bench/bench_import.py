"""Benchmark ``personagen import-legacy``: 10,000 legacy personas with their content.

Run by hand: ``uv run python bench/bench_import.py [--personas 10000] [--users 100]
[--content-per-persona 1] [--cli]``. Needs PostgreSQL (``BENCH_POSTGRES_URL``, default
``postgresql://postgres@127.0.0.1:5432/postgres``; the role must be allowed to create databases).

1. Generates a PersonaGen05 SQLite database in the JSON state (the schema of
   ``core.0001_initial``, as in ``reference/legacy/pg05_legacy_dev.sqlite3``): ``--users``
   users with authors, ``--personas`` personas spread over them, each with a full analysis
   document (74 prompt keys + ``name``; about 1 in 20 values messy: numeric strings,
   out-of-range numbers, "N/A", floats), and ``--content-per-persona`` content pieces each.
2. Creates a scratch PersonaGen database, migrates it (``alembic upgrade head``), and times
   the import (in-process ``import_legacy``, or ``personagen import-legacy`` as a subprocess
   with ``--cli``), then a second, idempotent run that must import nothing.
3. Prints rows, seconds and rates; drops the scratch database (``--keep`` keeps it).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sqlite3
import subprocess
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from personagen.legacy import import_legacy
from personagen_shared.traits import TRAITS

ROOT = Path(__file__).resolve().parents[1]  # subprocesses run from the repo root

POSTGRES_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
SEED = 20241205

# Django's schema for PersonaGen05 core.0001_initial (SQLite), plus the auth/migrations tables.
SCHEMA = """
CREATE TABLE "django_migrations" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  "app" varchar(255) NOT NULL, "name" varchar(255) NOT NULL, "applied" datetime NOT NULL);
CREATE TABLE "auth_user" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  "password" varchar(128) NOT NULL, "last_login" datetime NULL, "is_superuser" bool NOT NULL,
  "username" varchar(150) NOT NULL UNIQUE, "last_name" varchar(150) NOT NULL,
  "email" varchar(254) NOT NULL, "is_staff" bool NOT NULL, "is_active" bool NOT NULL,
  "date_joined" datetime NOT NULL, "first_name" varchar(150) NOT NULL);
CREATE TABLE "core_author" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT, "bio" text NULL,
  "created_at" datetime NULL,
  "user_id" integer NOT NULL UNIQUE REFERENCES "auth_user" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE "core_persona" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  "name" varchar(100) NULL, "description" text NULL,
  "data" text NULL CHECK ((JSON_VALID("data") OR "data" IS NULL)), "is_active" bool NULL,
  "created_at" datetime NULL, "updated_at" datetime NULL,
  "author_id" bigint NULL REFERENCES "core_author" ("id") DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE "core_contentpiece" ("id" integer NOT NULL PRIMARY KEY AUTOINCREMENT,
  "title" varchar(200) NULL, "content" text NULL, "status" varchar(10) NULL,
  "tags" text NULL CHECK ((JSON_VALID("tags") OR "tags" IS NULL)), "word_count" integer NULL,
  "created_at" datetime NULL, "updated_at" datetime NULL, "published_at" datetime NULL,
  "author_id" bigint NULL REFERENCES "core_author" ("id") DEFERRABLE INITIALLY DEFERRED,
  "persona_id" bigint NULL REFERENCES "core_persona" ("id") DEFERRABLE INITIALLY DEFERRED);
"""

# PersonaGen05's analysis prompt has every catalogue trait but emotion_level.
PROMPT_TRAITS = [trait for trait in TRAITS if trait.name != "emotion_level"]
WORDS = [
    "the",
    "persona",
    "writes",
    "about",
    "rain",
    "deploys",
    "coffee",
    "lighthouses",
    "grandmothers",
    "contracts",
    "poems",
    "with",
    "care",
    "and",
    "a",
    "dry",
    "sense",
    "of",
    "humour",
    "while",
    "the",
    "build",
    "is",
    "green",
    "again",
    "tonight",
]


def _when(rng: random.Random, start: datetime) -> str:
    return (start + timedelta(seconds=rng.randrange(0, 60 * 86400))).strftime("%Y-%m-%d %H:%M:%S")


def _scale(rng: random.Random) -> object:
    value = min(10, max(1, round(rng.gauss(5.5, 2))))
    roll = rng.random()
    if roll < 0.02:
        return str(value)  # "8"
    if roll < 0.03:
        return rng.choice([0, 11, 42])  # out of range
    if roll < 0.035:
        return "N/A"
    if roll < 0.04:
        return value + 0.5  # a fraction: rounded half up
    return value


def generate(path: Path, *, users: int, personas: int, content_per_persona: int) -> None:
    """Write a JSON-state PersonaGen05 SQLite database at ``path`` (see the module doc)."""
    rng = random.Random(SEED)
    start = datetime(2024, 10, 1, tzinfo=UTC)
    conn = sqlite3.connect(path)
    conn.executescript(SCHEMA)
    conn.execute(
        "INSERT INTO django_migrations (app, name, applied) VALUES "
        "('contenttypes', '0001_initial', '2024-10-01 08:00:00'), "
        "('core', '0001_initial', '2024-10-01 08:00:00')"
    )
    conn.executemany(
        "INSERT INTO auth_user (id, password, is_superuser, username, last_name, email, is_staff, "
        "is_active, date_joined, first_name) VALUES (?, ?, 0, ?, '', ?, 0, 1, ?, '')",
        [
            (
                i,
                f"pbkdf2_sha256$870000$salt{i}$" + "A" * 43 + "=",
                f"bench_user_{i}",
                f"bench_user_{i}@example.com",
                _when(rng, start),
            )
            for i in range(1, users + 1)
        ],
    )
    conn.executemany(
        "INSERT INTO core_author (id, bio, created_at, user_id) VALUES (?, ?, ?, ?)",
        [(i, f"Writer number {i}.", _when(rng, start), i) for i in range(1, users + 1)],
    )
    persona_rows = []
    for i in range(1, personas + 1):
        data: dict[str, object] = {"name": rng.choice(["Unknown", "The Author", f"Writer {i}"])}
        for trait in PROMPT_TRAITS:
            data[trait.name] = _scale(rng) if trait.is_scale else rng.choice(["varied", "warm"])
        created = _when(rng, start)
        persona_rows.append(
            (i, f"Persona {i}", None, json.dumps(data), 1, created, created, rng.randint(1, users))
        )
    conn.executemany(
        "INSERT INTO core_persona (id, name, description, data, is_active, created_at, "
        "updated_at, author_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        persona_rows,
    )
    content_rows = []
    for i in range(1, personas * content_per_persona + 1):
        persona = persona_rows[(i - 1) % personas]
        body = " ".join(rng.choice(WORDS) for _ in range(rng.randint(80, 400)))
        status = rng.choice(["draft", "draft", "published", "archived"])
        created = _when(rng, start)
        content_rows.append(
            (
                i,
                f"Piece {i}",
                body,
                status,
                json.dumps(rng.sample(["blog", "draft", "poetry", "tech", "memoir"], 2)),
                len(body.split()),
                created,
                created,
                created if status == "published" else None,
                persona[7],
                persona[0],
            )
        )
    conn.executemany(
        "INSERT INTO core_contentpiece (id, title, content, status, tags, word_count, "
        "created_at, updated_at, published_at, author_id, persona_id) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        content_rows,
    )
    conn.commit()
    conn.close()


def _with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path="/" + name))


async def _admin(sql: str) -> None:
    conn = await asyncpg.connect(POSTGRES_URL)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _migrate(url: str) -> None:
    subprocess.run(
        ["uv", "run", "--quiet", "personagen", "migrate"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        capture_output=True,
    )


def _timed_cli(source: Path, url: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        ["uv", "run", "--quiet", "personagen", "import-legacy", str(source)],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--personas", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--content-per-persona", type=int, default=1)
    parser.add_argument("--cli", action="store_true", help="time the CLI as a subprocess")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "legacy_bench.sqlite3"
        started = time.perf_counter()
        generate(
            source,
            users=args.users,
            personas=args.personas,
            content_per_persona=args.content_per_persona,
        )
        print(
            f"generated {args.users} users, {args.personas} personas, "
            f"{args.personas * args.content_per_persona} content pieces "
            f"({source.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - started:.1f} s"
        )
        name = f"personagen_bench_import_{uuid.uuid4().hex[:8]}"
        url = _with_database(POSTGRES_URL, name)
        await _admin(f'CREATE DATABASE "{name}"')
        try:
            _migrate(url)
            if args.cli:
                seconds = _timed_cli(source, url)
                how = "personagen import-legacy (subprocess, incl. ~2 s uv/interpreter start)"
                conn = await asyncpg.connect(url)
                personas = await conn.fetchval("SELECT count(*) FROM personas")
                content = await conn.fetchval("SELECT count(*) FROM content_pieces")
                users = await conn.fetchval("SELECT count(*) FROM users")
                await conn.close()
            else:
                cpu = time.process_time()
                report = await import_legacy(str(source), url)
                cpu = time.process_time() - cpu
                assert report.ok, report.failures
                seconds = report.seconds
                how = "import_legacy (in-process, read + normalise + write)"
                personas = report.counts["persona"].imported
                content = report.counts["content"].imported
                users = report.counts["user"].imported
            rows = users + personas + content
            print(f"{how}: {seconds:.2f} s")
            if not args.cli:
                print(f"  importer process CPU: {cpu:.2f} s (the rest is PostgreSQL and waiting)")
            print(
                f"  {users} users, {personas} personas, {content} content pieces: "
                f"{personas / seconds:,.0f} personas/s, {rows / seconds:,.0f} rows/s"
            )
            again = await import_legacy(str(source), url)
            assert all(again.counts[k].imported == 0 for k in ("user", "persona", "content"))
            print(f"second (idempotent) run: {again.seconds:.2f} s, imported nothing")
        finally:
            if args.keep:
                print(f"kept {url}")
            else:
                await _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    asyncio.run(main())
