"""``jobs``: one row per generation or analysis request; PostgreSQL is its source of truth.

Redis (arq) only carries the queue: arq's own results expire, so clients read status here.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from personagen_shared.models.base import created_at_field, optional_timestamp, uuid_pk

ERROR_MAX_LENGTH = 500
WORKER_ID_MAX_LENGTH = 200


class JobKind(StrEnum):
    """What a job does."""

    GENERATION = "generation"
    ANALYSIS = "analysis"


class JobStatus(StrEnum):
    """Lifecycle: ``queued -> running -> succeeded | failed | cancelled``."""

    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        """True once the job can no longer change."""
        return self in FINAL_STATUSES


FINAL_STATUSES = frozenset({JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED})


def _in(column: str, values: type[StrEnum]) -> str:
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Job(SQLModel, table=True):
    """A queued unit of work.

    ``params`` holds the request (generation: ``prompt``, ``max_tokens``, ``temperature``;
    analysis: the sample id and options), ``result`` what the worker produced beyond a content
    piece (analysis: metrics, traits, warnings). ``error`` is a short message safe to show
    (never an API key, a prompt or a stack trace). ``attempts`` counts LLM calls tried.
    ``started_at`` is when the current (latest) run started. ``worker_id`` and ``heartbeat_at``
    name the worker running the job and when it last renewed its claim; ``recoveries`` counts
    how often the worker's sweep re-queued the job because that worker died or stalled.
    """

    __tablename__ = "jobs"
    __table_args__ = (
        CheckConstraint(_in("kind", JobKind), name="kind"),
        CheckConstraint(_in("status", JobStatus), name="status"),
        UniqueConstraint("owner_id", "idempotency_key"),
        Index("ix_jobs_owner_created", "owner_id", "created_at", "id"),
        # The worker's sweep looks only at unfinished jobs.
        Index(
            "ix_jobs_unfinished",
            "status",
            "created_at",
            postgresql_where=text("status IN ('queued', 'running')"),
        ),
    )

    id: uuid.UUID = uuid_pk()
    owner_id: uuid.UUID = Field(foreign_key="users.id", ondelete="CASCADE", nullable=False)
    kind: str = Field(sa_type=String(20), nullable=False)
    status: str = Field(
        default=JobStatus.QUEUED.value,
        sa_type=String(20),
        nullable=False,
        sa_column_kwargs={"server_default": JobStatus.QUEUED.value},
    )
    persona_id: uuid.UUID | None = Field(
        default=None, foreign_key="personas.id", ondelete="SET NULL", nullable=True, index=True
    )
    params: dict[str, Any] = Field(default_factory=dict, sa_type=JSONB, nullable=False)
    result: dict[str, Any] | None = Field(default=None, sa_type=JSONB, nullable=True)
    attempts: int = Field(default=0, nullable=False, sa_column_kwargs={"server_default": "0"})
    error: str | None = Field(default=None, sa_type=String(ERROR_MAX_LENGTH), nullable=True)
    idempotency_key: str | None = Field(default=None, sa_type=String(255), nullable=True)
    created_at: datetime = created_at_field()
    started_at: datetime | None = optional_timestamp()
    finished_at: datetime | None = optional_timestamp()
    # Worker bookkeeping (the generator worker's recovery of jobs lost with their worker):
    # who runs the job now, when it last said it is alive, and how often the sweep re-queued
    # it after its worker died or stalled.
    worker_id: str | None = Field(default=None, sa_type=String(WORKER_ID_MAX_LENGTH), nullable=True)
    heartbeat_at: datetime | None = optional_timestamp()
    recoveries: int = Field(default=0, nullable=False, sa_column_kwargs={"server_default": "0"})
