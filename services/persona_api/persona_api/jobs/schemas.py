"""Job request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from persona_api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from persona_api.validation import TrimmedStr
from personagen_shared.models import JobKind, JobStatus

PROMPT_MAX_LENGTH = 4000
MAX_TOKENS_LIMIT = 8192


class GenerationRequest(BaseModel):
    """``POST /v1/personas/{persona_id}/generations`` body."""

    model_config = ConfigDict(extra="forbid")

    prompt: Annotated[TrimmedStr, StringConstraints(min_length=1, max_length=PROMPT_MAX_LENGTH)] = (
        Field(description="What to write about, e.g. 'a blog post on keeping bees'.")
    )
    max_tokens: Annotated[int, Field(ge=1, le=MAX_TOKENS_LIMIT, strict=True)] | None = Field(
        default=None, description="Upper bound on the reply's length in tokens."
    )
    temperature: Annotated[float, Field(ge=0, le=2)] | None = Field(
        default=None, description="Sampling temperature (OpenAI semantics, 0..2)."
    )


class JobRead(BaseModel):
    """A job as clients see it; poll ``GET /v1/jobs/{id}`` until ``status`` is final."""

    id: uuid.UUID
    kind: Literal["generation", "analysis"]
    status: Literal["queued", "running", "succeeded", "failed", "cancelled"]
    persona_id: uuid.UUID | None
    params: dict[str, Any] = Field(description="The request parameters.")
    attempts: int = Field(description="LLM calls tried so far.")
    error: str | None = Field(description="Why the job failed, when it did.")
    result: dict[str, Any] | None = Field(
        default=None, description="Analysis jobs: metrics, traits and warnings once succeeded."
    )
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    content_piece_id: uuid.UUID | None = Field(
        default=None, description="The content piece the job wrote, once succeeded."
    )
    content_url: str | None = None


class JobListParams(BaseModel):
    """Query of ``GET /v1/jobs``."""

    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    cursor: Annotated[str | None, Field(max_length=2048)] = None
    status: JobStatus | None = None
    kind: JobKind | None = None
