"""Shared column helpers and the metadata naming convention used by Alembic."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import DateTime, MetaData, Table, func
from sqlmodel import Field, SQLModel

# Deterministic constraint names, so that migrations can drop what they create and
# autogenerate compares like with like.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata: MetaData = SQLModel.metadata


def utcnow() -> datetime:
    """Timezone-aware now (UTC)."""
    return datetime.now(UTC)


def uuid_pk() -> uuid.UUID:
    """A UUID primary key field (generated in Python so that it is known before the INSERT)."""
    return Field(default_factory=uuid.uuid4, primary_key=True)


def created_at_field() -> datetime:
    """``created_at timestamptz NOT NULL DEFAULT now()``."""
    return Field(
        default_factory=utcnow,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
    )


def updated_at_field() -> datetime:
    """``updated_at``: set by the application on every change (``clock_timestamp()``)."""
    return Field(
        default_factory=utcnow,
        sa_type=DateTime(timezone=True),
        sa_column_kwargs={"server_default": func.now(), "nullable": False},
    )


def optional_timestamp() -> datetime | None:
    """A nullable ``timestamptz``."""
    return Field(default=None, sa_type=DateTime(timezone=True), nullable=True)


def table_of(model: type[SQLModel]) -> Table:
    """The Core ``Table`` of a table model (for statements built with SQLAlchemy Core).

    ``Model.__table__`` exists at run time but SQLModel does not declare it for type checkers;
    the metadata lookup is typed and fails loudly for a model that is not a table.
    """
    return metadata.tables[str(model.__tablename__)]
