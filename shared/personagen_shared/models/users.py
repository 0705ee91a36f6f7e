"""``users``: accounts that own personas, jobs and content pieces."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, text
from sqlmodel import Field, SQLModel

from personagen_shared.models.base import created_at_field, uuid_pk


class User(SQLModel, table=True):
    """An account. ``username`` and ``email`` are unique ignoring case.

    ``password_hash`` is a pwdlib (argon2) hash, or a Django ``pbkdf2_sha256$…`` hash for
    users imported from legacy PersonaGen until their first login rehashes it.
    """

    __tablename__ = "users"
    __table_args__ = (
        Index("uq_users_username_lower", text("lower(username)"), unique=True),
        Index("uq_users_email_lower", text("lower(email)"), unique=True),
    )

    id: uuid.UUID = uuid_pk()
    username: str = Field(sa_type=String(150), nullable=False)
    email: str = Field(sa_type=String(254), nullable=False)
    password_hash: str = Field(sa_type=String(255), nullable=False)
    is_active: bool = Field(
        default=True, nullable=False, sa_column_kwargs={"server_default": "true"}
    )
    created_at: datetime = created_at_field()
