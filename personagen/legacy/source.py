"""Read a legacy PersonaGen05 (Django) database into plain rows, and tell which state it is in.

A source is a path to a Django SQLite file (opened read-only with the stdlib ``sqlite3``) or a
``postgresql://`` URL (read with ``asyncpg``). Either way the result is a
:class:`LegacySnapshot`: the rows of ``auth_user``, ``core_author``, ``core_persona`` and
``core_contentpiece`` as dicts of the values the driver returned (SQLite: text timestamps,
0/1 booleans, JSON as text; PostgreSQL: aware datetimes, booleans, JSON as text), the applied
``core`` migrations, the state, and the installation's fingerprint.

States (PersonaGen05 history, see ``reference/legacy/README.md``):

- ``json``: ``core_persona.data`` holds the traits (commit bba4367, ``core.0001_initial``);
- ``flat``: one column per trait, ``data`` gone (HEAD migrations ``core.0002``-``0004``);
- ``mixed``: both ``data`` and trait columns (``0002``, perhaps ``0003``, but not ``0004``).

The state is read from the columns of ``core_persona``; ``django_migrations`` is recorded and
only used for warnings (a database copied without it still imports).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from personagen.legacy.errors import LegacyImportError
from personagen_shared.traits import TRAITS_BY_NAME

REQUIRED_TABLES: Final = ("auth_user", "core_author", "core_persona")
CONTENT_TABLE: Final = "core_contentpiece"
PERSONA_BASE_COLUMNS: Final = frozenset(
    {"id", "name", "description", "data", "is_active", "created_at", "updated_at", "author_id"}
)
"""``core_persona`` columns of ``core.0001_initial`` other than traits."""

NAME_OVERWRITING_MIGRATION: Final = "0003_migrate_json_data"
"""PersonaGen05 HEAD's data migration that copied ``data['name']`` over the ``name`` column."""

SQLITE_HEADER: Final = b"SQLite format 3\x00"
POSTGRES_SCHEMES: Final = ("postgresql://", "postgres://", "postgresql+asyncpg://")
CONNECT_TIMEOUT_SECONDS: Final = 10.0

Row = dict[str, Any]


class State(StrEnum):
    """Where the legacy database is in PersonaGen05's history."""

    JSON = "json"
    FLAT = "flat"
    MIXED = "mixed"


@dataclass(slots=True)
class LegacySnapshot:
    """Everything the importer needs from one legacy database, read in one go.

    Attributes:
        location: the path, or the URL without its password (safe to print).
        backend: ``"sqlite"`` or ``"postgresql"``.
        state: see :class:`State`.
        fingerprint: 64 hex characters identifying the installation (see :func:`fingerprint`).
        core_migrations: names of the applied ``core`` migrations, in order.
        persona_columns: the columns of ``core_persona``.
        users, authors, personas, content: the rows, ordered by ``id``.
        warnings: things about the source a person should know (not errors).
    """

    location: str
    backend: str
    state: State
    fingerprint: str
    core_migrations: list[str]
    persona_columns: tuple[str, ...]
    users: list[Row]
    authors: list[Row]
    personas: list[Row]
    content: list[Row]
    warnings: list[str] = field(default_factory=list)

    @property
    def names_overwritten(self) -> bool:
        """True when ``core.0003_migrate_json_data`` ran: ``name`` may be the LLM's guess."""
        return NAME_OVERWRITING_MIGRATION in self.core_migrations


def is_postgres_url(source: str) -> bool:
    """True when ``source`` is a PostgreSQL URL rather than a file path."""
    return source.startswith(POSTGRES_SCHEMES)


def redact_url(url: str) -> str:
    """``url`` without its password (``postgresql://user:***@host/db``), for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{netloc[-1]}"))


def detect_state(persona_columns: tuple[str, ...]) -> State:
    """The state implied by the columns of ``core_persona``.

    Raises:
        LegacyImportError: neither a ``data`` column nor any trait column is present.
    """
    has_data = "data" in persona_columns
    has_traits = any(column in TRAITS_BY_NAME for column in persona_columns)
    if has_data and has_traits:
        return State.MIXED
    if has_data:
        return State.JSON
    if has_traits:
        return State.FLAT
    raise LegacyImportError(
        "core_persona has neither a `data` column nor trait columns: "
        "not a PersonaGen05 persona table"
    )


def utc_text(value: Any) -> str | None:
    """A timestamp (driver value) as ISO text in UTC, so SQLite and PostgreSQL copies agree.

    Naive values (Django's SQLite storage with ``USE_TZ``) are UTC; text that is not ISO 8601
    is returned unchanged, other values as ``str``.
    """
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value.astimezone(UTC).isoformat()
    return str(value)


def fingerprint(
    first_migration: Mapping[str, Any] | None, first_user: Mapping[str, Any] | None
) -> str:
    """Identify a legacy installation across copies, backups and its own later migrations.

    The basis is the first ``django_migrations`` row (app, name, applied time in UTC): Django
    writes it once, when ``migrate`` first creates the database, and nothing edits it later. It
    survives copying the file, dumping it into PostgreSQL, PersonaGen05's own migrations and
    any edit of the data (deleting the first user included), so importing a copy with rows
    added since maps the old rows to the same legacy ids and imports only the new ones. Two
    installations created separately differ in its applied time (microseconds, as Django
    stores it). ``first_user`` (id, username, date_joined) is used only when there is no
    ``django_migrations`` row to go on; such a fingerprint changes when that user is deleted,
    which :func:`personagen.legacy.target.check_installation` then catches.

    Returns:
        The SHA-256 of that basis as 64 hex characters.
    """
    basis: dict[str, Any]
    if first_migration is not None:
        basis = {
            "migration": [
                first_migration["app"],
                first_migration["name"],
                utc_text(first_migration["applied"]),
            ]
        }
    else:
        basis = {
            "migration": None,
            "user": None
            if first_user is None
            else [
                int(first_user["id"]),
                first_user["username"],
                utc_text(first_user["date_joined"]),
            ],
        }
    return hashlib.sha256(json.dumps(basis, sort_keys=True).encode()).hexdigest()


def _check_tables(tables: set[str], location: str) -> None:
    missing = [name for name in REQUIRED_TABLES if name not in tables]
    if missing:
        raise LegacyImportError(
            f"{location} has no PersonaGen tables (missing: {', '.join(missing)}); "
            "expected a PersonaGen / PersonaGen05 Django database"
        )


def _finish(
    *,
    location: str,
    backend: str,
    tables: set[str],
    persona_columns: tuple[str, ...],
    migrations: list[Row],
    users: list[Row],
    authors: list[Row],
    personas: list[Row],
    content: list[Row],
) -> LegacySnapshot:
    state = detect_state(persona_columns)
    core = [str(row["name"]) for row in migrations if row["app"] == "core"]
    warnings: list[str] = []
    if not migrations:
        warnings.append(
            "no django_migrations rows: the state was read from the columns alone, and the "
            "installation is recognised by its first user (deleting that user in the legacy "
            "app makes a later import of this database stop with an error)"
        )
    if CONTENT_TABLE not in tables:
        warnings.append(f"no {CONTENT_TABLE} table: no content pieces to import")
    if state is State.JSON and any(name.startswith(("0003", "0004")) for name in core):
        warnings.append(
            "django_migrations records core.0003/0004 but core_persona still has `data`: "
            "the traits are read from `data`"
        )
    if NAME_OVERWRITING_MIGRATION in core:
        warnings.append(
            f"core.{NAME_OVERWRITING_MIGRATION} was applied: it copied the LLM's guessed name "
            "(data['name']) over every analysed persona's own name, and the original names are "
            "not in this database. Names are imported as stored; those that look like "
            "placeholders are listed in the notes. If you kept a copy from before that "
            "migration, import it first: it is the same installation, so this database then "
            "adds only the rows created since."
        )
    return LegacySnapshot(
        location=location,
        backend=backend,
        state=state,
        fingerprint=fingerprint(migrations[0] if migrations else None, users[0] if users else None),
        core_migrations=core,
        persona_columns=persona_columns,
        users=users,
        authors=authors,
        personas=personas,
        content=content,
        warnings=warnings,
    )


def read_sqlite(path: Path) -> LegacySnapshot:
    """Read a Django SQLite database file, opened read-only (the file is never changed).

    Raises:
        LegacyImportError: the file is missing, unreadable, not SQLite, or lacks the tables.
    """
    location = str(path)
    if not path.exists():
        raise LegacyImportError(f"{location}: no such file")
    if not path.is_file():
        raise LegacyImportError(f"{location}: not a file")
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise LegacyImportError(f"{location}: cannot read: {exc.strerror or exc}") from exc
    if header and header != SQLITE_HEADER:
        raise LegacyImportError(f"{location} is not an SQLite database (wrong file header)")
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise LegacyImportError(f"{location}: cannot open as SQLite: {exc}") from exc
    conn.row_factory = sqlite3.Row
    try:

        def rows(sql: str) -> list[Row]:
            return [dict(row) for row in conn.execute(sql)]

        tables = {row["name"] for row in rows("SELECT name FROM sqlite_master WHERE type='table'")}
        _check_tables(tables, location)
        persona_columns = tuple(
            row["name"] for row in rows("SELECT name FROM pragma_table_info('core_persona')")
        )
        return _finish(
            location=location,
            backend="sqlite",
            tables=tables,
            persona_columns=persona_columns,
            migrations=rows("SELECT id, app, name, applied FROM django_migrations ORDER BY id")
            if "django_migrations" in tables
            else [],
            users=rows("SELECT * FROM auth_user ORDER BY id"),
            authors=rows("SELECT * FROM core_author ORDER BY id"),
            personas=rows("SELECT * FROM core_persona ORDER BY id"),
            content=rows(f"SELECT * FROM {CONTENT_TABLE} ORDER BY id")  # noqa: S608  # constant
            if CONTENT_TABLE in tables
            else [],
        )
    except sqlite3.DatabaseError as exc:
        raise LegacyImportError(f"{location} is not a readable SQLite database: {exc}") from exc
    finally:
        conn.close()


async def read_postgres(url: str) -> LegacySnapshot:
    """Read a Django PersonaGen database on PostgreSQL, in one read-only transaction.

    Tables are looked up in the connection's ``search_path`` (Django's default: ``public``).

    Raises:
        LegacyImportError: the server is unreachable, refuses the login, the database does not
            exist, or it lacks the tables.
    """
    location = redact_url(url)
    dsn = url.replace("postgresql+asyncpg://", "postgresql://", 1)
    try:
        conn = await asyncpg.connect(dsn, timeout=CONNECT_TIMEOUT_SECONDS)
    except Exception as exc:  # any failure to connect is the same answer for the user
        raise LegacyImportError(f"cannot connect to {location}: {exc}") from exc
    try:
        async with conn.transaction(readonly=True, isolation="repeatable_read"):

            async def rows(sql: str, *args: Any) -> list[Row]:
                return [dict(record) for record in await conn.fetch(sql, *args)]

            tables = {
                row["table_name"]
                for row in await rows(
                    "SELECT table_name FROM information_schema.tables "
                    "WHERE table_schema = ANY(current_schemas(false))"
                )
            }
            _check_tables(tables, location)
            persona_columns = tuple(
                row["column_name"]
                for row in await rows(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = 'core_persona' "
                    "AND table_schema = ANY(current_schemas(false)) ORDER BY ordinal_position"
                )
            )
            migrations = (
                await rows("SELECT id, app, name, applied FROM django_migrations ORDER BY id")
                if "django_migrations" in tables
                else []
            )
            return _finish(
                location=location,
                backend="postgresql",
                tables=tables,
                persona_columns=persona_columns,
                migrations=migrations,
                users=await rows("SELECT * FROM auth_user ORDER BY id"),
                authors=await rows("SELECT * FROM core_author ORDER BY id"),
                personas=await rows("SELECT * FROM core_persona ORDER BY id"),
                content=await rows(f"SELECT * FROM {CONTENT_TABLE} ORDER BY id")  # noqa: S608  # constant
                if CONTENT_TABLE in tables
                else [],
            )
    except asyncpg.PostgresError as exc:
        raise LegacyImportError(f"cannot read {location}: {exc}") from exc
    finally:
        await conn.close()


async def read_source(source: str) -> LegacySnapshot:
    """Read ``source``: a ``postgresql://`` URL, else a path to an SQLite file.

    Raises:
        LegacyImportError: see :func:`read_sqlite` and :func:`read_postgres`; also for a URL
            of another scheme.
    """
    if is_postgres_url(source):
        return await read_postgres(source)
    if "://" in source:
        scheme = source.split("://", 1)[0]
        raise LegacyImportError(
            f"unsupported source {scheme}://…: give a path to a Django SQLite file "
            "or a postgresql:// URL"
        )
    return read_sqlite(Path(source))
