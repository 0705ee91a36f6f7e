"""Persona request/response bodies, generated from the trait catalogue.

``PersonaCreate`` / ``PersonaUpdate`` accept every trait (scale: a JSON integer 1..10, strings
and floats are refused; text: a NUL-free string up to the column limit) and refuse unknown
fields, so clients can never set ``id``, the owner, timestamps or ``version``.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model

from persona_api.analysis.schemas import WritingSampleText
from persona_api.validation import SafeStr, TrimmedStr
from personagen_shared.models.personas import DESCRIPTION_MAX_LENGTH, NAME_MAX_LENGTH
from personagen_shared.traits import SCALE_MAX, SCALE_MIN, TRAITS, Trait

PersonaName = Annotated[TrimmedStr, StringConstraints(min_length=1, max_length=NAME_MAX_LENGTH)]
Description = Annotated[SafeStr, StringConstraints(max_length=DESCRIPTION_MAX_LENGTH)]


def trait_input_type(trait: Trait) -> Any:
    """The validated input type of one trait (always nullable: null means unknown)."""
    if trait.is_scale:
        return Annotated[
            int | None,
            Field(
                default=None,
                ge=SCALE_MIN,
                le=SCALE_MAX,
                strict=True,
                description=trait.label + " (1..10)",
            ),
        ]
    hint = f"{trait.label}; e.g. {', '.join(trait.suggested)}" if trait.suggested else trait.label
    return Annotated[
        TrimmedStr | None,
        Field(default=None, max_length=trait.max_length, description=hint),
    ]


def trait_output_type(trait: Trait) -> Any:
    """The response type of one trait."""
    return Annotated[int | None if trait.is_scale else str | None, Field(default=None)]


class _StrictBody(BaseModel):
    model_config = ConfigDict(extra="forbid")


PersonaTraitsIn: type[BaseModel] = create_model(
    "PersonaTraitsIn",
    __base__=_StrictBody,
    **{t.name: trait_input_type(t) for t in TRAITS},
)
"""Every trait as an optional, validated input field."""


class PersonaCreate(PersonaTraitsIn):
    """``POST /v1/personas`` body: a name, optionally a description, traits, a writing sample.

    With ``writing_sample`` the persona is created at once and an analysis job fills the traits
    this request did not set; the name, description and sent traits are never overwritten.
    """

    name: PersonaName
    description: Description | None = None
    is_active: bool = True
    writing_sample: WritingSampleText | None = Field(
        default=None,
        description="English prose (50+ words) to analyse into the traits not given here.",
    )


class PersonaUpdate(PersonaTraitsIn):
    """``PATCH /v1/personas/{id}`` body: only the fields sent change; null clears a trait."""

    name: PersonaName | None = None
    description: Description | None = None
    is_active: bool | None = None


PersonaTraitsOut: type[BaseModel] = create_model(
    "PersonaTraitsOut",
    __config__=ConfigDict(from_attributes=True),
    **{t.name: trait_output_type(t) for t in TRAITS},
)


class PersonaRead(PersonaTraitsOut):
    """A persona as clients see it."""

    id: uuid.UUID
    name: str
    description: str | None
    is_active: bool
    version: int = Field(description="Grows by one on every change; the ETag.")
    created_at: datetime
    updated_at: datetime
    analysis_job_id: uuid.UUID | None = Field(
        default=None, description="The analysis job filling this persona, if any."
    )
