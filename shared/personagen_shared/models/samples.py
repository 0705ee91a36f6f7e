"""``writing_samples``: texts analysed into personas, kept for re-analysis and comparison."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import Index, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from personagen_shared.models.base import created_at_field, uuid_pk


class WritingSample(SQLModel, table=True):
    """A writing sample and what was measured in it.

    ``metrics`` maps metric name -> ``{"value", "unit", "description"}``; ``measured_traits``
    the traits those metrics imply (trait -> value). ``persona_id`` is null for a standalone
    analysis and nulled when the persona is deleted.
    """

    __tablename__ = "writing_samples"
    __table_args__ = (Index("ix_writing_samples_persona_created", "persona_id", "created_at"),)

    id: uuid.UUID = uuid_pk()
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", nullable=False)
    persona_id: uuid.UUID | None = Field(
        default=None, foreign_key="personas.id", ondelete="SET NULL", nullable=True
    )
    text: str = Field(sa_type=Text, nullable=False)
    word_count: int = Field(nullable=False)
    metrics: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    measured_traits: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    created_at: datetime = created_at_field()
