"""One error hierarchy, one error shape: RFC 9457 ``application/problem+json``.

Every error the API answers has ``type``, ``title``, ``status`` and ``detail``; validation
errors add ``errors``: a list of ``{"field": "body.formality_level", "message": ..., "type": ...}``.
``type`` is a relative URI ``/problems/<slug>`` (RFC 9457 §3.1.1 allows relative references).

Errors raised by pure code outside the API (the stylometry's :class:`SampleRejected`) are
mapped here onto a :class:`ProblemError` and rendered by the same handler.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from personagen_shared.stylometry import (
    SampleNotEnglish,
    SampleNotText,
    SampleRejected,
    SampleTooLong,
    SampleTooShort,
)

PROBLEM_JSON = "application/problem+json"
# RFC 9110 renamed these two; Python 3.11's HTTPStatus still has the RFC 7231 phrases.
_RFC9110_TITLES = {413: "Content Too Large", 422: "Unprocessable Content"}


def status_title(status: int) -> str:
    """The RFC 9110 reason phrase of ``status``."""
    return _RFC9110_TITLES.get(status) or HTTPStatus(status).phrase


log = structlog.get_logger(__name__)


class FieldError(BaseModel):
    """One invalid input field."""

    field: str = Field(description="Dotted location, e.g. `body.formality_level` or `query.limit`.")
    message: str
    type: str = Field(description="Machine-readable error code, e.g. `less_than_equal`.")


class Problem(BaseModel):
    """RFC 9457 problem details, the body of every error response."""

    type: str = Field(examples=["/problems/validation-error"])
    title: str = Field(examples=["Unprocessable Content"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["formality_level: Input should be less than or equal to 10"])
    instance: str | None = None
    errors: list[FieldError] | None = None


class ProblemError(Exception):
    """Base of every error the API raises on purpose; rendered as problem+json.

    Subclasses fix ``status`` and ``slug``; ``detail`` says what went wrong in words a client
    developer understands, and never holds secrets or stack traces.
    """

    status: int = 500
    slug: str = "internal-error"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[FieldError] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors) if errors else None
        self.headers = dict(headers or {})

    @property
    def title(self) -> str:
        """The HTTP reason phrase of ``status``."""
        return status_title(self.status)


class BadRequest(ProblemError):
    """400: the request is malformed (e.g. a body that is not JSON, a broken cursor)."""

    status, slug = 400, "bad-request"


class Unauthorized(ProblemError):
    """401: missing, expired or forged credentials."""

    status, slug = 401, "unauthorized"

    def __init__(self, detail: str = "Not authenticated") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class NotFound(ProblemError):
    """404: no such resource for this user (another user's rows are 404 too, never 403)."""

    status, slug = 404, "not-found"


class Conflict(ProblemError):
    """409: the request conflicts with the resource's state (duplicates, finished jobs)."""

    status, slug = 409, "conflict"


class PreconditionFailed(ProblemError):
    """412: ``If-Match`` names a version that is no longer current."""

    status, slug = 412, "precondition-failed"


class PayloadTooLarge(ProblemError):
    """413: the body (or a writing sample) exceeds the configured limit."""

    status, slug = 413, "payload-too-large"


class UnsupportedMediaType(ProblemError):
    """415: the body is not in the content type the route accepts."""

    status, slug = 415, "unsupported-media-type"


class UnprocessableContent(ProblemError):
    """422: well-formed but invalid input."""

    status, slug = 422, "validation-error"


class ServiceUnavailable(ProblemError):
    """503: a dependency (PostgreSQL, Redis) is unreachable."""

    status, slug = 503, "service-unavailable"


SAMPLE_REJECTION_STATUS: Final[dict[type[SampleRejected], int]] = {
    SampleTooLong: 413,
    SampleTooShort: 422,
    SampleNotText: 422,
    SampleNotEnglish: 422,
}
"""HTTP status of each writing-sample rejection (any other :class:`SampleRejected`: 422)."""


class SampleProblem(ProblemError):
    """A writing sample the stylometry refused, as the API answers it (413 or 422).

    Keeps the rejection's ``slug`` (problem ``type`` ``/problems/sample-...``) and ``detail``.
    """

    def __init__(self, rejection: SampleRejected) -> None:
        super().__init__(rejection.detail)
        self.slug = rejection.slug
        self.status = next(
            (
                SAMPLE_REJECTION_STATUS[cls]
                for cls in type(rejection).__mro__
                if cls in SAMPLE_REJECTION_STATUS
            ),
            422,
        )


def problem_response(
    status: int,
    detail: str,
    *,
    slug: str | None = None,
    errors: Sequence[FieldError] | None = None,
    headers: Mapping[str, str] | None = None,
    instance: str | None = None,
) -> JSONResponse:
    """Build the problem+json response (the only place the error shape is made)."""
    body = Problem(
        type=f"/problems/{slug}" if slug else "about:blank",
        title=status_title(status),
        status=status,
        detail=detail,
        instance=instance,
        errors=list(errors) if errors else None,
    )
    return JSONResponse(
        body.model_dump(exclude_none=True),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=dict(headers or {}),
    )


def _field_errors(exc: RequestValidationError) -> list[FieldError]:
    errors = []
    for error in exc.errors():
        loc = [str(part) for part in error.get("loc", ())]
        errors.append(
            FieldError(
                field=".".join(loc),
                message=str(error.get("msg", "")),
                type=str(error.get("type", "")),
            )
        )
    return errors


async def _handle_problem(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)
    return problem_response(
        exc.status,
        exc.detail,
        slug=exc.slug,
        errors=exc.errors,
        headers=exc.headers,
        instance=request.url.path,
    )


async def _handle_sample_rejected(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, SampleRejected)
    return await _handle_problem(request, SampleProblem(exc))


async def _handle_validation(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = _field_errors(exc)
    if any(error.type == "json_invalid" for error in errors):
        return problem_response(
            400,
            "The request body is not valid JSON.",
            slug="malformed-json",
            errors=[e for e in errors if e.type == "json_invalid"],
            instance=request.url.path,
        )
    summary = "; ".join(f"{e.field.removeprefix('body.')}: {e.message}" for e in errors[:5])
    return problem_response(
        422,
        summary or "Invalid input.",
        slug="validation-error",
        errors=errors,
        instance=request.url.path,
    )


async def _handle_http(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"No route {request.method} {request.url.path}."
    return problem_response(
        exc.status_code,
        detail,
        headers=exc.headers,
        instance=request.url.path,
    )


async def _handle_unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The log keeps the traceback; the client gets no internals.
    log.exception("http.unhandled_error", path=request.url.path)
    return problem_response(
        500,
        "An unexpected error occurred; it has been logged.",
        slug="internal-error",
        instance=request.url.path,
    )


def install_error_handlers(app: FastAPI) -> None:
    """Map every error to problem+json (ours, sample rejections, validation, HTTP, the rest)."""
    app.add_exception_handler(ProblemError, _handle_problem)
    app.add_exception_handler(SampleRejected, _handle_sample_rejected)
    app.add_exception_handler(RequestValidationError, _handle_validation)
    app.add_exception_handler(StarletteHTTPException, _handle_http)
    app.add_exception_handler(Exception, _handle_unexpected)


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses=`` entries documenting problem+json errors for ``statuses``."""
    return {
        status: {
            "model": Problem,
            "description": status_title(status),
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for status in statuses
    }
