"""Database engine and session factory (SQLAlchemy asyncio over asyncpg).

Engines are made by the API's lifespan and the worker's startup, never at import time.
Sessions use ``expire_on_commit=False`` so that rows stay readable after a commit without a
second round trip (and without implicit lazy I/O, which async sessions cannot do).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from personagen_shared.settings import Settings, to_async_url


def make_engine(settings: Settings, *, pool_size: int | None = None) -> AsyncEngine:
    """An engine for ``settings.database_url`` with a bounded pool.

    ``pool_size`` overrides ``DATABASE_POOL_SIZE`` (the worker sizes its pool to ``max_jobs``).
    ``pool_pre_ping`` makes a restarted PostgreSQL cost one failed checkout, not a failed request.
    """
    return create_async_engine(
        to_async_url(settings.database_url),
        pool_size=pool_size or settings.database_pool_size,
        max_overflow=settings.database_max_overflow,
        pool_pre_ping=True,
        pool_recycle=1800,
        # Statement parameters hold password hashes, writing samples and prompts: keep them
        # out of error messages (and so out of logs).
        hide_parameters=True,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Session factory bound to ``engine`` (no expiry on commit, no autoflush surprises)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
