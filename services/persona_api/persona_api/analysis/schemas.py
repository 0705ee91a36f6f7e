"""Analysis request and response bodies."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from persona_api.jobs.schemas import JobRead
from persona_api.validation import SafeStr

# Characters, a coarse guard before counting words (ANALYSIS_MAX_WORDS is the real limit).
SAMPLE_MAX_LENGTH = 400_000

WritingSampleText = Annotated[SafeStr, StringConstraints(max_length=SAMPLE_MAX_LENGTH)]


class AnalysisRequest(BaseModel):
    """``POST /v1/analyses`` body."""

    model_config = ConfigDict(extra="forbid")

    writing_sample: WritingSampleText = Field(
        description="English prose of 50 to ANALYSIS_MAX_WORDS (default 20,000) words."
    )


class PersonaAnalysisRequest(AnalysisRequest):
    """``POST /v1/personas/{persona_id}/analyses`` body."""

    overwrite: bool = Field(
        default=False,
        description="Replace traits that already have a value (default: fill only null traits).",
    )


class AnalysisJobRead(JobRead):
    """An analysis job and what was measured at once (the LLM judgement comes in ``result``)."""

    writing_sample_id: uuid.UUID
    metrics: dict[str, Any] = Field(
        description="Measured metrics: name -> {value, unit, description}."
    )
    measured_traits: dict[str, Any] = Field(description="Traits implied by the metrics.")
