"""``content_pieces``: what a generation job wrote (or a user or importer saved)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, Index, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlmodel import Field, SQLModel

from personagen_shared.models.base import (
    created_at_field,
    optional_timestamp,
    updated_at_field,
    uuid_pk,
)

TITLE_MAX_LENGTH = 300
TAG_MAX_LENGTH = 50


class ContentStatus(StrEnum):
    """Editorial state of a content piece."""

    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class ContentPiece(SQLModel, table=True):
    """A piece of writing. ``job_id`` is UNIQUE: one job writes at most one piece.

    ``persona_id`` is nulled when the persona is deleted; the content stays. Token counts are
    the LLM's ``usage`` report, null where the server gives none.
    """

    __tablename__ = "content_pieces"
    __table_args__ = (
        CheckConstraint("status IN ('draft', 'published', 'archived')", name="status"),
        Index("ix_content_pieces_owner_created", "owner_id", "created_at", "id"),
    )

    id: uuid.UUID = uuid_pk()
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", nullable=False)
    persona_id: uuid.UUID | None = Field(
        default=None, foreign_key="personas.id", ondelete="SET NULL", nullable=True, index=True
    )
    job_id: uuid.UUID | None = Field(
        default=None, foreign_key="jobs.id", ondelete="SET NULL", nullable=True, unique=True
    )
    title: str = Field(sa_type=String(TITLE_MAX_LENGTH), nullable=False)
    content: str = Field(sa_type=Text, nullable=False)
    status: str = Field(
        default=ContentStatus.DRAFT.value,
        sa_type=String(20),
        nullable=False,
        sa_column_kwargs={"server_default": ContentStatus.DRAFT.value},
    )
    tags: list[str] = Field(
        default_factory=list,
        sa_type=ARRAY(String(TAG_MAX_LENGTH)),
        nullable=False,
        sa_column_kwargs={"server_default": "{}"},
    )
    word_count: int = Field(default=0, nullable=False, sa_column_kwargs={"server_default": "0"})
    model: str | None = Field(default=None, sa_type=String(200), nullable=True)
    prompt: str | None = Field(default=None, sa_type=Text, nullable=True)
    prompt_tokens: int | None = Field(default=None, nullable=True)
    completion_tokens: int | None = Field(default=None, nullable=True)
    total_tokens: int | None = Field(default=None, nullable=True)
    created_at: datetime = created_at_field()
    updated_at: datetime = updated_at_field()
    published_at: datetime | None = optional_timestamp()
