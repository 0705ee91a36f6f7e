"""``import_legacy``: read the source, plan, and write one user per transaction."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

import asyncpg

from personagen.legacy.errors import LegacyImportError
from personagen.legacy.report import ImportReport
from personagen.legacy.source import LegacySnapshot, read_source, redact_url
from personagen.legacy.target import (
    BeforeCommit,
    check_installation,
    check_target,
    connect_target,
    load_known,
    write_user,
)
from personagen.legacy.transform.plan import build_user, plan_import

Progress = Callable[[int, int, str], None]
"""Called after each user with ``(rows done, rows in total, legacy username)``; the first call
is ``(0, total, "")`` before anything is written."""

ERROR_MAX_LENGTH = 500


async def import_legacy(
    source: str,
    database_url: str,
    *,
    dry_run: bool = False,
    progress: Progress | None = None,
    before_commit: BeforeCommit | None = None,
) -> ImportReport:
    """Import a legacy PersonaGen05 database into the PersonaGen database at ``database_url``.

    Args:
        source: path to a Django SQLite file, or a ``postgresql://`` URL.
        database_url: the PersonaGen database (``DATABASE_URL``), migrated to head.
        dry_run: run every statement, then roll each user back: reports what would happen and
            writes nothing.
        progress: see :data:`Progress`.
        before_commit: see :data:`personagen.legacy.target.BeforeCommit` (tests use it to fail
            one user mid-way).

    Returns:
        The report. A user whose transaction failed is listed in ``report.failures`` (and the
        others are imported); ``report.ok`` is False then.

    Raises:
        LegacyImportError: the source or the target is unusable; nothing was written.
    """
    started = time.perf_counter()
    snapshot = await read_source(source)
    report = ImportReport(
        source=snapshot.location,
        backend=snapshot.backend,
        state=snapshot.state.value,
        fingerprint=snapshot.fingerprint,
        dry_run=dry_run,
        core_migrations=snapshot.core_migrations,
        warnings=list(snapshot.warnings),
    )
    try:
        conn = await connect_target(database_url)
    except Exception as exc:  # any failure to connect is the same answer for the user
        target = redact_url(database_url)
        raise LegacyImportError(f"cannot connect to the target database {target}: {exc}") from exc
    try:
        await _import_into(conn, snapshot, report, progress, before_commit)
    finally:
        await conn.close()
    report.seconds = round(time.perf_counter() - started, 3)
    return report


async def _import_into(
    conn: asyncpg.Connection,
    snapshot: LegacySnapshot,
    report: ImportReport,
    progress: Progress | None,
    before_commit: BeforeCommit | None,
) -> None:
    await check_target(conn)
    known = await load_known(
        conn,
        snapshot.fingerprint,
        (str(user["username"]) for user in snapshot.users),
        (str(user.get("email") or "").strip() for user in snapshot.users),
    )
    await check_installation(conn, snapshot, known)
    plan = plan_import(snapshot, known, report)
    total = plan.rows
    done = 0
    if progress:
        progress(done, total, "")
    now = datetime.now(UTC)
    for bucket in plan.buckets:
        rows = {
            "user": int(bucket.row is not None),
            "persona": len(bucket.personas),
            "content": len(bucket.content),
        }
        try:
            # Built per user and dropped after writing: memory holds one user's new rows.
            user_plan = build_user(plan, bucket, report, now)
            await write_user(
                conn,
                user_plan,
                snapshot.fingerprint,
                dry_run=report.dry_run,
                before_commit=before_commit,
            )
        except Exception as exc:  # one user's failure must not stop the others
            for kind, count in rows.items():
                report.counts[kind].failed += count
            report.failures.append(
                {
                    "legacy_id": bucket.legacy_id,
                    "username": bucket.username,
                    "rows": rows,
                    "error": f"{type(exc).__name__}: {exc}"[:ERROR_MAX_LENGTH],
                }
            )
        else:
            for kind, count in rows.items():
                report.counts[kind].imported += count
        done += bucket.rows
        if progress:
            progress(done, total, bucket.username)
