"""ASGI middleware: request body size limit, request id binding and one access-log line."""

from __future__ import annotations

import contextlib
import time

import structlog
from asgi_correlation_id import correlation_id
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from persona_api.errors import problem_response

log = structlog.get_logger("persona_api.http")


class BodySizeLimitMiddleware:
    """Answer 413 (problem+json) for bodies over ``max_bytes``.

    Checks ``Content-Length`` first and, for chunked bodies, counts bytes as they arrive, so
    a 10 MB upload is refused without being buffered.
    """

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        detail = f"The request body exceeds the limit of {self.max_bytes} bytes."
        for name, value in scope["headers"]:
            if name == b"content-length":
                try:
                    too_large = int(value) > self.max_bytes
                except ValueError:
                    too_large = False
                if too_large:
                    await problem_response(413, detail, slug="payload-too-large")(
                        scope, receive, send
                    )
                    return
        received = 0
        response_started = False
        rejected = False

        async def limited_receive() -> Message:
            nonlocal received, rejected
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes and not rejected:
                    rejected = True
                    # Answer now: the framework may turn the exception below into its own
                    # 400, which tracking_send then drops.
                    if not response_started:
                        await problem_response(413, detail, slug="payload-too-large")(
                            scope, receive, send
                        )
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if rejected:
                return
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        with contextlib.suppress(_BodyTooLarge):  # already answered 413
            await self.app(scope, limited_receive, tracking_send)


class _BodyTooLarge(Exception):
    pass


class RequestLoggingMiddleware:
    """Bind ``request_id`` for every log line of a request and log ``http.request`` once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=correlation_id.get())
        started = time.perf_counter()
        status = 500

        async def capture(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            log.info(
                "http.request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 2),
            )
