"""An OpenAI-compatible LLM stand-in served over real HTTP, programmable per request.

``POST /v1/chat/completions`` answers with the next :class:`Action` of its script (then its
default): a completion, an HTTP error with headers, a hang until released or the client goes
away, a gate (a completion once released), a non-JSON body, an empty message, a response
without choices. Every request's JSON body and ``Authorization`` header are recorded. Used by
the worker tests and ``bench/bench_pipeline.py`` (which runs it in its own process, see
``python -m tests.worker.standin --help``).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
from collections import deque
from dataclasses import dataclass, field
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

ActionKind = Literal["ok", "status", "hang", "gate", "garbage", "empty", "no_choices"]

DEFAULT_TEXT = "Title: A Stand-in Title\n\nThe stand-in wrote this body. It has two sentences."


@dataclass(frozen=True)
class Action:
    """One scripted answer. ``delay`` seconds pass before it (``hang`` waits until released)."""

    kind: ActionKind = "ok"
    text: str = DEFAULT_TEXT
    status: int = 500
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] | None = None
    delay: float = 0.0
    model: str | None = "standin-model-v1"
    usage: bool = True


OK = Action()


def ok(text: str = DEFAULT_TEXT, **kwargs: Any) -> Action:
    """A completion whose message is ``text``."""
    return Action("ok", text=text, **kwargs)


def status(code: int, headers: dict[str, str] | None = None, **kwargs: Any) -> Action:
    """An OpenAI-style error response with HTTP ``code``."""
    return Action("status", status=code, headers=headers or {}, **kwargs)


HANG = Action("hang")
"""Hang until :meth:`LLMStandIn.release` (then answer 504) or the client goes away."""

GATE = Action("gate")
"""Wait until :meth:`LLMStandIn.release`, then answer a normal completion."""


@dataclass
class Recorded:
    """One request the stand-in received."""

    body: dict[str, Any]
    authorization: str | None


class LLMStandIn:
    """The programmable server. ``default`` answers when the script is empty."""

    def __init__(self, default: Action = OK, *, latency: float = 0.0) -> None:
        self.default = default
        self.latency = latency
        self.script: deque[Action] = deque()
        self.requests: list[Recorded] = []
        self.in_flight = 0
        self._release = asyncio.Event()
        self._ids = itertools.count(1)
        self.app = Starlette(routes=[Route("/v1/chat/completions", self._chat, methods=["POST"])])

    def push(self, *actions: Action) -> None:
        """Append answers to the script (consumed one per request, in order)."""
        self.script.extend(actions)

    def release(self) -> None:
        """End every hanging request (they answer 504) and all future hangs."""
        self._release.set()

    async def _hang(self, request: Request) -> None:
        while not self._release.is_set():
            if await request.is_disconnected():
                return
            try:
                await asyncio.wait_for(self._release.wait(), 0.1)
            except TimeoutError:
                continue

    async def _chat(self, request: Request) -> Response:
        body = await request.json()
        self.requests.append(Recorded(body, request.headers.get("authorization")))
        action = self.script.popleft() if self.script else self.default
        self.in_flight += 1
        try:
            delay = action.delay or self.latency
            if delay:
                await asyncio.sleep(delay)
            return await self._answer(action, body, request)
        finally:
            self.in_flight -= 1

    async def _answer(self, action: Action, body: dict[str, Any], request: Request) -> Response:
        if action.kind in ("hang", "gate"):
            await self._hang(request)
            if action.kind == "hang":
                return JSONResponse({"error": {"message": "released"}}, status_code=504)
        if action.kind == "status":
            error = action.body or {
                "error": {"message": "stand-in error", "type": "server_error", "code": None}
            }
            return JSONResponse(error, status_code=action.status, headers=action.headers)
        if action.kind == "garbage":
            return Response("<html><body>Bad gateway</body></html>", media_type="text/html")
        if action.kind == "no_choices":
            return JSONResponse({"id": "x", "object": "chat.completion", "choices": []})
        text = "" if action.kind == "empty" else action.text
        completion: dict[str, Any] = {
            "id": f"chatcmpl-{next(self._ids)}",
            "object": "chat.completion",
            "created": 0,
            "model": action.model,
            "choices": [
                {
                    "index": 0,
                    "message": {"role": "assistant", "content": text},
                    "finish_reason": "stop",
                }
            ],
        }
        if action.usage:
            prompt_words = len(str(body.get("messages", "")).split())
            completion["usage"] = {
                "prompt_tokens": prompt_words,
                "completion_tokens": len(text.split()),
                "total_tokens": prompt_words + len(text.split()),
            }
        return JSONResponse(completion)


def main() -> None:  # pragma: no cover - run by bench/bench_pipeline.py
    """Serve a stand-in answering every request after ``--latency`` seconds."""
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency", type=float, default=0.0)
    args = parser.parse_args()
    standin = LLMStandIn(latency=args.latency)
    uvicorn.run(standin.app, host="127.0.0.1", port=args.port, log_level="warning", backlog=4096)


if __name__ == "__main__":  # pragma: no cover
    main()
