"""Auth request and response bodies."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from persona_api.validation import SafeStr

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 256

Username = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=150, pattern=r"^[\w.@+-]+$"),
]


class UserRegister(BaseModel):
    """``POST /v1/auth/register`` body."""

    model_config = ConfigDict(extra="forbid")

    username: Username = Field(
        description="3-150 letters, digits and `. @ + - _`; unique ignoring case."
    )
    email: EmailStr = Field(description="Unique ignoring case.")
    password: Annotated[
        SafeStr, Field(min_length=MIN_PASSWORD_LENGTH, max_length=MAX_PASSWORD_LENGTH)
    ]


class Token(BaseModel):
    """OAuth2 bearer token response."""

    access_token: str
    token_type: str = "bearer"
    expires_in: int = Field(description="Seconds until the token expires.")
