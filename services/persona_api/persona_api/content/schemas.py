"""Content piece request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from persona_api.pagination import DEFAULT_LIMIT, MAX_LIMIT
from persona_api.validation import SafeStr, TrimmedStr
from personagen_shared.models import ContentStatus
from personagen_shared.models.content import TAG_MAX_LENGTH, TITLE_MAX_LENGTH

CONTENT_MAX_LENGTH = 200_000
MAX_TAGS = 50

Tag = Annotated[TrimmedStr, StringConstraints(min_length=1, max_length=TAG_MAX_LENGTH)]


class ContentRead(BaseModel):
    """A content piece as clients see it."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    persona_id: uuid.UUID | None = Field(description="Null once the persona was deleted.")
    job_id: uuid.UUID | None
    title: str
    content: str
    status: Literal["draft", "published", "archived"]
    tags: list[str]
    word_count: int
    model: str | None = Field(description="The LLM that wrote it.")
    prompt: str | None = Field(description="The prompt the LLM was given.")
    prompt_tokens: int | None
    completion_tokens: int | None
    total_tokens: int | None
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None = Field(description="Set when first published.")


class ContentUpdate(BaseModel):
    """``PATCH /v1/content/{id}`` body: only the fields sent change."""

    model_config = ConfigDict(extra="forbid")

    title: (
        Annotated[TrimmedStr, StringConstraints(min_length=1, max_length=TITLE_MAX_LENGTH)] | None
    ) = None
    content: Annotated[SafeStr, StringConstraints(max_length=CONTENT_MAX_LENGTH)] | None = None
    status: ContentStatus | None = None
    tags: Annotated[list[Tag], Field(max_length=MAX_TAGS)] | None = None


class ContentListParams(BaseModel):
    """Query of ``GET /v1/content``."""

    model_config = ConfigDict(extra="forbid")

    limit: Annotated[int, Field(ge=1, le=MAX_LIMIT)] = DEFAULT_LIMIT
    cursor: Annotated[str | None, Field(max_length=2048)] = None
    persona_id: uuid.UUID | None = None
    status: ContentStatus | None = None
