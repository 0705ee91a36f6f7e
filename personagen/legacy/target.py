"""The PersonaGen side: what a source already brought in, and one user per transaction.

Writes use SQLAlchemy Core ``insert(table)`` with a list of rows, which the asyncpg driver runs
as one prepared statement over all rows (``executemany``): a user with 10,000 personas costs a
handful of round trips, not 10,000.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import insert, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from personagen.legacy.errors import LegacyImportError
from personagen.legacy.transform import Known, UserPlan
from personagen_shared.models import ContentPiece, LegacyImport, Persona, User
from personagen_shared.models.legacy import LegacyKind
from personagen_shared.settings import to_async_url

USERS = User.__table__  # type: ignore[attr-defined]
PERSONAS = Persona.__table__  # type: ignore[attr-defined]
CONTENT = ContentPiece.__table__  # type: ignore[attr-defined]
IMPORTS = LegacyImport.__table__  # type: ignore[attr-defined]

BeforeCommit = Callable[[int], None]
"""Called with the legacy user id inside that user's transaction, after all of the user's rows
are written and just before the commit. Raising from it rolls that user back (and only it)."""


def make_target_engine(database_url: str) -> AsyncEngine:
    """An engine for ``DATABASE_URL`` holding one connection (the import is sequential)."""
    return create_async_engine(to_async_url(database_url), poolclass=NullPool)


async def check_target(conn: AsyncConnection) -> None:
    """Fail early when the target lacks the importer's table (not migrated to 0004).

    Raises:
        LegacyImportError: ``legacy_imports`` does not exist.
    """
    found = await conn.scalar(text("SELECT to_regclass('legacy_imports') IS NOT NULL"))
    if not found:
        raise LegacyImportError(
            "the target database is not migrated (no legacy_imports table): "
            "run `personagen migrate` first"
        )


async def load_known(
    conn: AsyncConnection, source: str, usernames: Iterable[str], emails: Iterable[str]
) -> Known:
    """Read what earlier runs imported from ``source`` and which names/emails are taken.

    ``usernames``/``emails`` are the legacy ones; only target users holding one of them (and not
    imported from this source) are returned as taken.
    """
    known = Known()
    rows = await conn.execute(
        text(
            "SELECT li.kind, li.legacy_id, li.new_id, "
            "(u.id IS NOT NULL OR p.id IS NOT NULL) AS live "
            "FROM legacy_imports li "
            "LEFT JOIN users u ON li.kind = 'user' AND u.id = li.new_id "
            "LEFT JOIN personas p ON li.kind = 'persona' AND p.id = li.new_id "
            "WHERE li.source = :source"
        ),
        {"source": source},
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
    taken = await conn.execute(
        text(
            "SELECT lower(u.username), lower(u.email) FROM users u "
            "WHERE (lower(u.username) = ANY(:names) OR lower(u.email) = ANY(:emails)) "
            "AND NOT EXISTS (SELECT 1 FROM legacy_imports li WHERE li.source = :source "
            "AND li.kind = 'user' AND li.new_id = u.id)"
        ),
        {
            "names": sorted({name.lower() for name in usernames}),
            "emails": sorted({email.lower() for email in emails if email}),
            "source": source,
        },
    )
    for username, email in taken:
        known.taken_usernames.add(username)
        known.taken_emails.add(email)
    return known


def _imports(plan: UserPlan, source: str) -> list[dict[str, Any]]:
    def row(kind: LegacyKind, legacy_id: int, new_id: uuid.UUID, legacy_row: Any) -> dict[str, Any]:
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


async def write_user(
    conn: AsyncConnection,
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
    async with conn.begin() as transaction:
        if plan.user is not None:
            await conn.execute(insert(USERS), [plan.user.values])
        if plan.personas:
            await conn.execute(insert(PERSONAS), [p.values for p in plan.personas])
        if plan.content:
            await conn.execute(insert(CONTENT), [c.values for c in plan.content])
        await conn.execute(insert(IMPORTS), _imports(plan, source))
        if before_commit is not None:
            before_commit(plan.legacy_id)
        if dry_run:
            await transaction.rollback()
