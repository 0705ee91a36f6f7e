"""One LLM call through the official ``openai`` SDK, with our own retry policy.

The SDK's own retries are off (``max_retries=0`` on the client, see :mod:`generator_worker.runtime`)
so that every try is counted in ``jobs.attempts`` as it happens and the policy is ours:

- retried: timeouts, connection errors, HTTP 408, 409, 429 and 5xx (the statuses the SDK itself
  retries, ``openai._base_client._should_retry``), except a 429 whose error code says the
  account's quota is spent (``insufficient_quota``), which no wait fixes;
- not retried: every other 4xx (400, 401, 403, 404, 422 ...) and malformed responses;
- the wait before try *n+1* is the server's ``Retry-After`` (``retry-after-ms``, or seconds, or an
  HTTP date; RFC 9110 §10.2.3) when it sends one, else exponential backoff with jitter
  (``base * 2**(n-1) + uniform(0, base)``, tenacity's ``wait_exponential_jitter``, the
  strategy of https://cloud.google.com/storage/docs/retry-strategy); either is capped at
  ``LLM_RETRY_MAX_SECONDS``;
- at most ``LLM_MAX_ATTEMPTS`` tries.

Failures become :class:`LLMCallError` with a short message built from fixed wording and the HTTP
status (never the server's error text, which may echo the prompt or a key).
"""

from __future__ import annotations

import asyncio
import math
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any, Final

import openai
from tenacity import AsyncRetrying, RetryCallState, stop_after_attempt, wait_exponential_jitter

from generator_worker.errors import JobFailure
from generator_worker.replies import UnusableReplyError
from personagen_shared.settings import Settings

RETRYABLE_STATUSES: Final = frozenset({408, 409, 429})
"""4xx statuses worth another try (plus every 5xx)."""

NO_RETRY_ERROR_CODES: Final = frozenset({"insufficient_quota"})
"""OpenAI error codes of a 429 that waiting does not fix."""

_SAFE_CODE = re.compile(r"^[a-z][a-z0-9_.-]{0,63}$")

AttemptCallback = Callable[[int], Awaitable[None]]
"""Called with the try number (1, 2, ...) just before each try; may raise to stop."""

Sleep = Callable[[float], Awaitable[None]]


class LLMCallError(JobFailure):
    """The LLM call failed for good; ``str(exc)`` is safe for ``jobs.error``.

    ``status`` is the HTTP status when the server answered, ``attempts`` the tries made,
    ``cause`` the SDK exception's class name. The SDK exception itself is not chained: its
    text can hold the server's error body, which may echo the prompt or a key, and a chained
    exception ends up in logs.
    """

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        attempts: int = 0,
        cause: str = "",
        server_message: str = "",
    ) -> None:
        super().__init__(message)
        self.status = status
        self.attempts = attempts
        self.cause = cause
        # The server's own error text, for decisions in code only (e.g. "response_format not
        # supported"); never part of str(exc), so never stored in jobs.error nor logged.
        self.server_message = server_message


@dataclass(frozen=True, slots=True)
class LLMReply:
    """What the model wrote and what the server reported about it.

    ``model`` is the model name the server reports (``None`` when it reports none); token
    counts are the ``usage`` report, ``None`` where absent.
    """

    text: str
    model: str | None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    finish_reason: str | None = None


def _status_of(exc: BaseException) -> int | None:
    return exc.status_code if isinstance(exc, openai.APIStatusError) else None


def _error_code(exc: BaseException) -> str | None:
    code = getattr(exc, "code", None)
    return code if isinstance(code, str) and _SAFE_CODE.match(code) else None


def is_retryable(exc: BaseException) -> bool:
    """True when another try may succeed (see the module docstring for the rules)."""
    if isinstance(exc, openai.APIConnectionError):  # APITimeoutError is a subclass
        return True
    status = _status_of(exc)
    if status is None:
        return False
    if status == 429 and _error_code(exc) in NO_RETRY_ERROR_CODES:
        return False
    return status in RETRYABLE_STATUSES or status >= 500


def retry_after_seconds(exc: BaseException, *, now: datetime | None = None) -> float | None:
    """The wait the server asked for in ``exc``'s response, in seconds (>= 0), or ``None``.

    Reads ``retry-after-ms`` (OpenAI's extension) first, then ``Retry-After`` as delay-seconds
    or as an HTTP date (RFC 9110 §10.2.3). Unparsable or non-finite values count as absent.
    """
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw_ms = headers.get("retry-after-ms")
    if raw_ms is not None:
        try:
            value = float(raw_ms) / 1000
        except ValueError:
            value = math.nan
        if math.isfinite(value):
            return max(value, 0.0)
    raw = headers.get("retry-after")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        value = (when - (now or datetime.now(UTC))).total_seconds()
    return max(value, 0.0) if math.isfinite(value) else None


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How often and how long to retry an LLM call.

    ``max_attempts`` tries in all (>= 1); waits of ``base_seconds * 2**(n-1)`` plus up to
    ``base_seconds`` of jitter, or the server's ``Retry-After``, capped at ``max_seconds``.
    """

    max_attempts: int
    base_seconds: float
    max_seconds: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """``LLM_MAX_ATTEMPTS``, ``LLM_RETRY_BASE_SECONDS``, ``LLM_RETRY_MAX_SECONDS``."""
        return cls(
            max_attempts=settings.llm_max_attempts,
            base_seconds=settings.llm_retry_base_seconds,
            max_seconds=settings.llm_retry_max_seconds,
        )

    def wait_seconds(self, retry_state: RetryCallState) -> float:
        """Seconds to wait after the failed try described by ``retry_state``."""
        exc = retry_state.outcome.exception() if retry_state.outcome else None
        hinted = retry_after_seconds(exc) if exc is not None else None
        if hinted is not None:
            return min(hinted, self.max_seconds)
        backoff = wait_exponential_jitter(
            multiplier=self.base_seconds, max=self.max_seconds, jitter=self.base_seconds
        )
        return backoff(retry_state)

    def retrying(
        self,
        *,
        sleep: Sleep = asyncio.sleep,
        give_up: Callable[[BaseException], bool] | None = None,
    ) -> AsyncRetrying:
        """A tenacity ``AsyncRetrying`` for one call (re-raises the last error when done).

        ``give_up(exc)`` true stops at once on an otherwise retryable error (e.g. a server that
        answers a refused ``response_format`` with a 500).
        """

        def retry(state: RetryCallState) -> bool:
            if not (state.outcome and state.outcome.failed):
                return False
            exc = state.outcome.exception()
            if exc is None or (give_up is not None and give_up(exc)):
                return False
            return is_retryable(exc)

        return AsyncRetrying(
            stop=stop_after_attempt(self.max_attempts),
            wait=self.wait_seconds,
            retry=retry,
            sleep=sleep,
            reraise=True,
        )


def _could_not_connect(exc: BaseException) -> bool:
    """True when an SDK timeout was really a failed connect (refused, unreachable, DNS).

    The aiohttp transport reports every connect error as a connect *timeout*; its cause chain
    still holds the operating system's error (an ``OSError`` that is no ``TimeoutError``).
    """
    seen: set[int] = set()
    cause: BaseException | None = exc.__cause__ or exc.__context__
    while cause is not None and id(cause) not in seen:
        seen.add(id(cause))
        if isinstance(cause, OSError) and not isinstance(cause, TimeoutError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def describe_failure(
    exc: BaseException, *, attempts: int, timeout_seconds: float, model: str
) -> str:
    """A short message for ``jobs.error`` describing why the call failed (fixed wording, the
    HTTP status, a checked error code and the configured model name; never server text)."""
    tries = f"{attempts} attempt{'s' if attempts != 1 else ''}"
    model_name = model[:100]
    if isinstance(exc, openai.APITimeoutError) and not _could_not_connect(exc):
        return f"the LLM did not answer within {timeout_seconds:g} s ({tries})"
    if isinstance(exc, openai.APIConnectionError):
        return f"could not connect to the LLM server ({tries})"
    status = _status_of(exc)
    code = _error_code(exc)
    if status is None:
        return "the LLM server sent a malformed response"
    if status == 429 and code in NO_RETRY_ERROR_CODES:
        return f"the LLM account has no quota left (HTTP 429 {code})"
    if status == 429:
        return f"the LLM server kept rate-limiting the request (HTTP 429, {tries})"
    if status >= 500:
        return f"the LLM server failed (HTTP {status}, {tries})"
    if status == 401:
        return "the LLM server rejected the API key (HTTP 401): check OPENAI_API_KEY"
    if status == 403:
        return "the LLM server refused access (HTTP 403): check OPENAI_API_KEY and LLM_MODEL"
    if status == 404:
        return (
            f"the LLM server does not know the model {model_name!r} or the endpoint "
            "(HTTP 404): check LLM_MODEL and OPENAI_BASE_URL"
        )
    detail = f" {code}" if code else ""
    return f"the LLM server rejected the request (HTTP {status}{detail})"


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def reply_from_completion(completion: Any) -> LLMReply:
    """The text, model and token usage of a chat completion.

    Raises :class:`UnusableReplyError` when the response has no message text (a malformed or
    empty answer; the SDK does not validate responses, so any shape can arrive here).
    """
    try:
        choice = completion.choices[0]
        text = choice.message.content
    except (AttributeError, IndexError, KeyError, TypeError):
        raise UnusableReplyError("the LLM server sent a malformed response") from None
    if not isinstance(text, str):
        raise UnusableReplyError("the LLM returned an empty reply")
    # PostgreSQL text and jsonb cannot hold NUL; a model can emit one.
    text = text.replace("\x00", "")
    if not text.strip():
        raise UnusableReplyError("the LLM returned an empty reply")
    usage = getattr(completion, "usage", None)
    model = getattr(completion, "model", None)
    finish_reason = getattr(choice, "finish_reason", None)
    return LLMReply(
        text=text,
        model=model if isinstance(model, str) and model.strip() else None,
        prompt_tokens=_int_or_none(getattr(usage, "prompt_tokens", None)),
        completion_tokens=_int_or_none(getattr(usage, "completion_tokens", None)),
        total_tokens=_int_or_none(getattr(usage, "total_tokens", None)),
        finish_reason=finish_reason if isinstance(finish_reason, str) else None,
    )


async def chat(
    client: openai.AsyncOpenAI,
    *,
    model: str,
    messages: list[dict[str, str]],
    policy: RetryPolicy,
    on_attempt: AttemptCallback,
    timeout_seconds: float,
    response_format: dict[str, Any] | None = None,
    max_tokens: int | None = None,
    temperature: float | None = None,
    sleep: Sleep = asyncio.sleep,
    give_up: Callable[[BaseException], bool] | None = None,
) -> LLMReply:
    """Send ``messages`` (OpenAI chat messages) and return the reply, retrying per ``policy``.

    ``response_format`` is passed through when given (structured output for the analysis);
    ``give_up`` stops retrying errors it recognises (see :meth:`RetryPolicy.retrying`).
    ``on_attempt(n)`` runs before try ``n`` (the worker counts it in ``jobs.attempts``; it
    raises to stop, e.g. when the job was cancelled, and that exception propagates as is).
    Raises :class:`LLMCallError` when the call fails for good and :class:`UnusableReplyError`
    when the server answers without usable text.
    """
    options: dict[str, Any] = {}
    if max_tokens is not None:
        options["max_tokens"] = max_tokens
    if temperature is not None:
        options["temperature"] = temperature
    if response_format is not None:
        options["response_format"] = response_format
    attempts = 0
    try:
        async for attempt in policy.retrying(sleep=sleep, give_up=give_up):
            with attempt:
                attempts = attempt.retry_state.attempt_number
                await on_attempt(attempts)
                completion = await client.chat.completions.create(
                    model=model,
                    messages=messages,  # type: ignore[arg-type]  # plain role/content dicts
                    timeout=timeout_seconds,
                    **options,
                )
    except openai.OpenAIError as exc:
        message = describe_failure(
            exc, attempts=attempts, timeout_seconds=timeout_seconds, model=model
        )
        raise LLMCallError(
            message,
            status=_status_of(exc),
            attempts=attempts,
            cause=type(exc).__name__,
            server_message=server_message(exc),
        ) from None
    return reply_from_completion(completion)


def server_message(exc: BaseException) -> str:
    """The error text an LLM server sent with ``exc`` ("" when none): for code to inspect,
    never to store or log (it may echo the prompt)."""
    return str(getattr(exc, "message", "") or "") if isinstance(exc, openai.APIStatusError) else ""


async def generate(
    client: openai.AsyncOpenAI,
    *,
    model: str,
    prompt: str,
    policy: RetryPolicy,
    on_attempt: AttemptCallback,
    timeout_seconds: float,
    max_tokens: int | None = None,
    temperature: float | None = None,
    sleep: Sleep = asyncio.sleep,
) -> LLMReply:
    """Send ``prompt`` as one user message (see :func:`chat` for the rest)."""
    return await chat(
        client,
        model=model,
        messages=[{"role": "user", "content": prompt}],
        policy=policy,
        on_attempt=on_attempt,
        timeout_seconds=timeout_seconds,
        max_tokens=max_tokens,
        temperature=temperature,
        sleep=sleep,
    )
