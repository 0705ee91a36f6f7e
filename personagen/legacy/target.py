"""The PersonaGen side: what a source already brought in, and one user per transaction.

Rows are written with PostgreSQL ``COPY`` (asyncpg ``copy_records_to_table``), one ``COPY`` per
table per user, inside that user's transaction: a user with 10,000 personas costs four round
trips, and COPY is about twice as fast as a pipelined ``executemany`` of the same rows. The
column lists come from the shared table models, so a column added to a model is written (or
fails loudly) without a second list to keep in step.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import asyncpg
from sqlalchemy import Table

from personagen.legacy.errors import LegacyImportError
from personagen.legacy.source import LegacySnapshot, utc_text
from personagen.legacy.transform.plan import Known, UserPlan
from personagen_shared.models import ContentPiece, LegacyImport, Persona, User
from personagen_shared.models.base import table_of
from personagen_shared.models.legacy import LegacyKind

USERS: Table = table_of(User)
PERSONAS: Table = table_of(Persona)
CONTENT: Table = table_of(ContentPiece)
IMPORTS: Table = table_of(LegacyImport)
# Columns the database fills itself (server default) and the importer never sets.
SERVER_FILLED = frozenset({"imported_at"})

BeforeCommit = Callable[[int], None]
"""Called with the legacy user id inside that user's transaction, after all of the user's rows
are written and just before the commit. Raising from it rolls that user back (and only it)."""


def plain_url(database_url: str) -> str:
    """``DATABASE_URL`` in the form asyncpg takes (``postgresql+asyncpg://`` -> ``postgresql://``)."""
    return database_url.replace("postgresql+asyncpg://", "postgresql://", 1)


async def connect_target(database_url: str) -> asyncpg.Connection:
    """One connection to the PersonaGen database (the import is sequential).

    Raises:
        Exception: whatever asyncpg raises when the server cannot be reached or refuses.
    """
    return await asyncpg.connect(plain_url(database_url), timeout=10)


async def check_target(conn: asyncpg.Connection) -> None:
    """Fail early when the target lacks the importer's table (not migrated to 0004).

    Raises:
        LegacyImportError: ``legacy_imports`` does not exist.
    """
    if not await conn.fetchval("SELECT to_regclass('legacy_imports') IS NOT NULL"):
        raise LegacyImportError(
            "the target database is not migrated (no legacy_imports table): "
            "run `personagen migrate` first"
        )


async def load_known(
    conn: asyncpg.Connection, source: str, usernames: Iterable[str], emails: Iterable[str]
) -> Known:
    """Read what earlier runs imported from ``source`` and which names/emails are taken.

    ``usernames``/``emails`` are the legacy ones; target users holding one of them (ignoring
    case) are returned as taken, including users imported from this very source: a new legacy
    user ``ALICE`` clashes with an ``alice`` imported by an earlier run just as with anyone
    else (Django's usernames are case-sensitive, PersonaGen's unique index is not). Legacy
    users already imported never meet this check (see ``plan_import``).
    """
    known = Known()
    rows = await conn.fetch(
        "SELECT li.kind, li.legacy_id, li.new_id, "
        "(u.id IS NOT NULL OR p.id IS NOT NULL) AS live "
        "FROM legacy_imports li "
        "LEFT JOIN users u ON li.kind = 'user' AND u.id = li.new_id "
        "LEFT JOIN personas p ON li.kind = 'persona' AND p.id = li.new_id "
        "WHERE li.source = $1",
        source,
    )
    by_kind = {
        LegacyKind.USER.value: (known.users, known.live_users),
        LegacyKind.PERSONA.value: (known.personas, known.live_personas),
        LegacyKind.CONTENT.value: (known.content, None),
    }
    for kind, legacy_id, new_id, live in rows:
        mapping, live_ids = by_kind[kind]
        mapping[int(legacy_id)] = new_id
        if live and live_ids is not None:
            live_ids.add(new_id)
    taken = await conn.fetch(
        "SELECT lower(u.username) AS username, lower(u.email) AS email FROM users u "
        "WHERE lower(u.username) = ANY($1::text[]) OR lower(u.email) = ANY($2::text[])",
        sorted({name.lower() for name in usernames}),
        sorted({email.lower() for email in emails if email}),
    )
    for row in taken:
        known.taken_usernames.add(row["username"])
        known.taken_emails.add(row["email"])
    return known


async def check_installation(
    conn: asyncpg.Connection, snapshot: LegacySnapshot, known: Known
) -> None:
    """Refuse a source whose fingerprint is new here but whose users were imported before.

    When nothing was imported under ``snapshot.fingerprint`` yet, look for target users that
    an earlier run imported under another fingerprint from a legacy user with the same id,
    username and ``date_joined`` (UTC) as one of ``snapshot.users``. Such a match means this is
    the same installation whose fingerprint changed (e.g. it has no ``django_migrations`` rows
    and its first user was deleted): importing would skip each of those users as "taken" and
    never bring in their new rows while reporting success, so stop instead.

    Raises:
        LegacyImportError: at least one such user exists; the message names them and the other
            fingerprint. Nothing has been written.
    """
    if known.users or known.personas or known.content or not snapshot.users:
        return
    legacy = {
        int(user["id"]): (str(user["username"]).lower(), utc_text(user.get("date_joined")))
        for user in snapshot.users
    }
    rows = await conn.fetch(
        "SELECT li.source, li.legacy_id, li.legacy_row->'auth_user'->>'username' AS username, "
        "li.legacy_row->'auth_user'->>'date_joined' AS date_joined FROM legacy_imports li "
        "JOIN users u ON u.id = li.new_id "
        "WHERE li.kind = 'user' AND li.source <> $1 AND li.legacy_id = ANY($2::bigint[]) "
        "ORDER BY li.legacy_id",
        snapshot.fingerprint,
        sorted(legacy),
    )
    matches = [
        row
        for row in rows
        if row["username"] is not None
        and legacy[int(row["legacy_id"])]
        == (str(row["username"]).lower(), utc_text(row["date_joined"]))
    ]
    if not matches:
        return
    sources = sorted({str(row["source"]) for row in matches})
    names = ", ".join(f"{row['username']} (legacy id {row['legacy_id']})" for row in matches)
    raise LegacyImportError(
        f"{snapshot.location} looks like the same legacy installation as one imported before "
        f"under fingerprint {', '.join(sources)}, but its fingerprint is now "
        f"{snapshot.fingerprint}: users {names} were already imported from it. "
        "Importing would skip them and their new rows, so nothing was written. The fingerprint "
        "changes when the database has no django_migrations rows and its lowest-id user was "
        "deleted; import a copy that still has django_migrations (or that user)."
    )


def _imports(plan: UserPlan, source: str) -> list[dict[str, Any]]:
    def row(kind: LegacyKind, legacy_id: int, new_id: Any, legacy_row: Any) -> dict[str, Any]:
        return {
            "source": source,
            "kind": kind.value,
            "legacy_id": legacy_id,
            "new_id": new_id,
            "legacy_row": legacy_row,
        }

    rows = []
    if plan.user is not None:
        rows.append(row(LegacyKind.USER, plan.legacy_id, plan.new_id, plan.user.legacy_row))
    rows += [row(LegacyKind.PERSONA, p.legacy_id, p.values["id"], None) for p in plan.personas]
    rows += [
        row(LegacyKind.CONTENT, c.legacy_id, c.values["id"], c.legacy_row) for c in plan.content
    ]
    return rows


async def _copy(conn: asyncpg.Connection, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """COPY ``rows`` (dicts keyed by column name) into ``table``; JSONB values as JSON text."""
    if not rows:
        return
    columns = [column for column in table.columns if column.name not in SERVER_FILLED]
    json_columns = {c.name for c in columns if c.type.__class__.__name__ == "JSONB"}
    names = [column.name for column in columns]
    records = [
        tuple(
            (None if row[name] is None else json.dumps(row[name], ensure_ascii=False))
            if name in json_columns
            else row[name]
            for name in names
        )
        for row in rows
    ]
    await conn.copy_records_to_table(table.name, records=records, columns=names)


async def write_user(
    conn: asyncpg.Connection,
    plan: UserPlan,
    source: str,
    *,
    dry_run: bool,
    before_commit: BeforeCommit | None = None,
) -> None:
    """Write one user's rows and their ``legacy_imports`` entries in one transaction.

    With ``dry_run`` the same statements run and the transaction is rolled back, so a dry run
    meets the same constraints a real run would and writes nothing.

    Raises:
        Exception: whatever the database (or ``before_commit``) raised; the transaction is
            rolled back first.
    """
    transaction = conn.transaction()
    await transaction.start()
    try:
        if plan.user is not None:
            await _copy(conn, USERS, [plan.user.values])
        await _copy(conn, PERSONAS, [p.values for p in plan.personas])
        await _copy(conn, CONTENT, [c.values for c in plan.content])
        await _copy(conn, IMPORTS, _imports(plan, source))
        if before_commit is not None:
            before_commit(plan.legacy_id)
    except BaseException:
        await transaction.rollback()
        raise
    if dry_run:
        await transaction.rollback()
    else:
        await transaction.commit()
