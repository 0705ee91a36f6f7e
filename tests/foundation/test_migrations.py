"""Migrations are reversible and match the models exactly."""

from __future__ import annotations

import asyncio

import asyncpg
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.ext.asyncio import create_async_engine

from personagen_shared.models import metadata
from personagen_shared.settings import to_async_url
from tests.conftest import migrate


async def _tables(url: str) -> set[str]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
        return {row["tablename"] for row in rows}
    finally:
        await conn.close()


async def _diff(url: str) -> list[object]:
    engine = create_async_engine(to_async_url(url))
    try:
        async with engine.connect() as conn:
            return await conn.run_sync(
                lambda sync: compare_metadata(
                    MigrationContext.configure(
                        sync, opts={"compare_type": True, "compare_server_default": True}
                    ),
                    metadata,
                )
            )
    finally:
        await engine.dispose()


def test_upgrade_downgrade_upgrade_and_no_drift(scratch_database: str) -> None:
    url = scratch_database
    migrate(url)
    assert {"users", "personas", "jobs", "content_pieces"} <= asyncio.run(_tables(url))
    migrate(url, "base", down=True)
    assert asyncio.run(_tables(url)) == {"alembic_version"}
    migrate(url)
    diff = asyncio.run(_diff(url))
    assert diff == [], f"models and migrations differ: {diff}"
