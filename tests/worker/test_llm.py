"""The LLM call and its retry policy: unit tests of the policy, then the real SDK against the
HTTP stand-in (no database needed)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import httpx
import httpx2
import openai
import pytest
from tenacity import RetryCallState

from generator_worker.llm import (
    LLMCallError,
    LLMReply,
    RetryPolicy,
    describe_failure,
    generate,
    is_retryable,
    retry_after_seconds,
)
from generator_worker.replies import UnusableReplyError
from generator_worker.runtime import make_llm_client
from personagen_shared.settings import Settings, load_settings
from tests.conftest import LiveServer, free_port
from tests.worker.conftest import API_KEY, wait_until
from tests.worker.standin import GATE, HANG, Action, LLMStandIn, ok, status

REQUEST = httpx.Request("POST", "http://llm.test/v1/chat/completions")


def status_error(code: int, headers: dict[str, str] | None = None, body: Any = None) -> Exception:
    """The SDK's exception for an HTTP ``code`` answer, as the SDK builds it."""
    response = httpx.Response(code, headers=headers or {}, request=REQUEST)
    classes = {
        400: openai.BadRequestError,
        401: openai.AuthenticationError,
        403: openai.PermissionDeniedError,
        404: openai.NotFoundError,
        409: openai.ConflictError,
        422: openai.UnprocessableEntityError,
        429: openai.RateLimitError,
    }
    cls = classes.get(code, openai.InternalServerError if code >= 500 else openai.APIStatusError)
    return cls(f"Error code: {code} - echo {API_KEY}", response=response, body=body)


# --- the policy, unit by unit -------------------------------------------------------------


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (openai.APITimeoutError(request=REQUEST), True),
        (openai.APIConnectionError(request=REQUEST), True),
        (status_error(500), True),
        (status_error(502), True),
        (status_error(503), True),
        (status_error(429), True),
        (status_error(408), True),
        (status_error(409), True),
        (status_error(429, body={"code": "insufficient_quota"}), False),
        (status_error(400), False),
        (status_error(401), False),
        (status_error(403), False),
        (status_error(404), False),
        (status_error(422), False),
        (openai.APIResponseValidationError(httpx.Response(200, request=REQUEST), None), False),
        (ValueError("not an LLM error"), False),
    ],
)
def test_what_is_retried(exc: Exception, expected: bool) -> None:
    assert is_retryable(exc) is expected


NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({}, None),
        ({"retry-after": "3"}, 3.0),
        ({"retry-after": "1.5"}, 1.5),
        ({"retry-after": "-4"}, 0.0),
        ({"retry-after-ms": "250"}, 0.25),
        ({"retry-after-ms": "250", "retry-after": "9"}, 0.25),
        ({"retry-after-ms": "soon", "retry-after": "9"}, 9.0),
        ({"retry-after": format_datetime(NOW + timedelta(seconds=10), usegmt=True)}, 10.0),
        ({"retry-after": format_datetime(NOW - timedelta(seconds=10), usegmt=True)}, 0.0),
        ({"retry-after": "tomorrow-ish"}, None),
        ({"retry-after": "nan"}, None),
    ],
)
def test_retry_after_header(headers: dict[str, str], expected: float | None) -> None:
    assert retry_after_seconds(status_error(429, headers), now=NOW) == expected


def test_retry_after_without_a_response() -> None:
    assert retry_after_seconds(openai.APITimeoutError(request=REQUEST)) is None


def _state(attempt: int, exc: BaseException) -> RetryCallState:
    state = RetryCallState(retry_object=None, fn=None, args=(), kwargs={})  # type: ignore[arg-type]
    state.attempt_number = attempt
    state.set_exception((type(exc), exc, None))
    return state


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    policy = RetryPolicy(max_attempts=10, base_seconds=1.0, max_seconds=30.0)
    for attempt in range(1, 8):
        wait = policy.wait_seconds(_state(attempt, status_error(500)))
        floor = min(2.0 ** (attempt - 1), 30.0)
        assert floor <= wait <= min(floor + 1.0, 30.0)


def test_retry_after_wins_over_backoff_and_is_capped() -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=1.0, max_seconds=30.0)
    assert policy.wait_seconds(_state(1, status_error(429, {"retry-after": "7"}))) == 7.0
    assert policy.wait_seconds(_state(3, status_error(503, {"retry-after": "0"}))) == 0.0
    assert policy.wait_seconds(_state(1, status_error(429, {"retry-after": "3600"}))) == 30.0


async def _run_policy(
    policy: RetryPolicy, outcomes: list[Exception | str]
) -> tuple[list[float], int, Any]:
    """Drive ``policy`` over a call whose n-th try raises or returns ``outcomes[n]``."""
    sleeps: list[float] = []
    calls = 0

    async def sleep(seconds: float) -> None:
        sleeps.append(seconds)

    async def call() -> str:
        nonlocal calls
        outcome = outcomes[calls]
        calls += 1
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    result: Any = None
    try:
        async for attempt in policy.retrying(sleep=sleep):
            with attempt:
                result = await call()
    except Exception as exc:
        result = exc
    return sleeps, calls, result


async def test_policy_retries_server_errors_then_succeeds() -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=0.5, max_seconds=30.0)
    sleeps, calls, result = await _run_policy(policy, [status_error(500), status_error(502), "ok"])
    assert (calls, result) == (3, "ok")
    assert len(sleeps) == 2
    assert 0.5 <= sleeps[0] <= 1.0
    assert 1.0 <= sleeps[1] <= 1.5


async def test_policy_stops_at_max_attempts() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=0.0, max_seconds=0.0)
    errors = [status_error(503) for _ in range(5)]
    sleeps, calls, result = await _run_policy(policy, list(errors))
    assert calls == 3
    assert result is errors[2]
    assert sleeps == [0.0, 0.0]


@pytest.mark.parametrize("code", [400, 401, 403, 404, 422])
async def test_policy_fails_at_once_on_hopeless_4xx(code: int) -> None:
    policy = RetryPolicy(max_attempts=4, base_seconds=1.0, max_seconds=30.0)
    error = status_error(code)
    sleeps, calls, result = await _run_policy(policy, [error, "never reached"])
    assert (calls, result, sleeps) == (1, error, [])


async def test_policy_waits_what_retry_after_says() -> None:
    policy = RetryPolicy(max_attempts=3, base_seconds=5.0, max_seconds=30.0)
    sleeps, calls, result = await _run_policy(
        policy, [status_error(429, {"retry-after": "2"}), "ok"]
    )
    assert (sleeps, calls, result) == ([2.0], 2, "ok")


@pytest.mark.parametrize(
    ("exc", "expected"),
    [
        (
            openai.APITimeoutError(request=REQUEST),
            "the LLM did not answer within 2.5 s (3 attempts)",
        ),
        (
            openai.APIConnectionError(request=REQUEST),
            "could not connect to the LLM server (3 attempts)",
        ),
        (status_error(503), "the LLM server failed (HTTP 503, 3 attempts)"),
        (status_error(429), "the LLM server kept rate-limiting the request (HTTP 429, 3 attempts)"),
        (
            status_error(429, body={"code": "insufficient_quota"}),
            "the LLM account has no quota left (HTTP 429 insufficient_quota)",
        ),
        (status_error(401), "the LLM server rejected the API key (HTTP 401): check OPENAI_API_KEY"),
        (
            status_error(404),
            "the LLM server does not know the model 'm-1' or the endpoint (HTTP 404): "
            "check LLM_MODEL and OPENAI_BASE_URL",
        ),
        (
            status_error(400, body={"code": "context_length_exceeded"}),
            "the LLM server rejected the request (HTTP 400 context_length_exceeded)",
        ),
        (
            status_error(400, body={"code": f"Bad {API_KEY}"}),
            "the LLM server rejected the request (HTTP 400)",
        ),
        (
            openai.APIResponseValidationError(httpx.Response(200, request=REQUEST), None),
            "the LLM server sent a malformed response",
        ),
    ],
)
def test_failure_messages_are_fixed_and_safe(exc: Exception, expected: str) -> None:
    message = describe_failure(exc, attempts=3, timeout_seconds=2.5, model="m-1")
    assert message == expected
    assert API_KEY not in message
    assert "echo" not in message


# --- the real SDK against the HTTP stand-in -----------------------------------------------


def _settings(base_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": "postgresql://unused@127.0.0.1/unused",
        "redis_url": "redis://127.0.0.1:6379/0",
        "environment": "test",
        "openai_base_url": base_url,
        "openai_api_key": API_KEY,
        "llm_timeout_seconds": 5.0,
        "worker_max_jobs": 10,
    }
    values.update(overrides)
    return load_settings(**values)


@pytest.fixture
async def llm_server() -> AsyncIterator[LLMStandIn]:
    standin = LLMStandIn()
    server = LiveServer(standin.app)
    await server.start()
    standin.base_url = f"{server.base_url}/v1"  # type: ignore[attr-defined]
    try:
        yield standin
    finally:
        standin.release()
        await server.stop()


async def _call(
    base_url: str,
    *,
    attempts: list[int] | None = None,
    sleeps: list[float] | None = None,
    max_attempts: int = 3,
    **overrides: Any,
) -> LLMReply:
    settings = _settings(base_url, **overrides)
    client, http = make_llm_client(settings)
    seen = attempts if attempts is not None else []
    waited = sleeps if sleeps is not None else []

    async def on_attempt(n: int) -> None:
        seen.append(n)

    async def sleep(seconds: float) -> None:
        waited.append(seconds)

    try:
        return await generate(
            client,
            model="configured-model",
            prompt="PROMPT-TEXT about rain",
            policy=RetryPolicy(max_attempts=max_attempts, base_seconds=0.0, max_seconds=30.0),
            on_attempt=on_attempt,
            timeout_seconds=settings.llm_timeout_seconds,
            max_tokens=123,
            temperature=0.4,
            sleep=sleep,
        )
    finally:
        await client.close()
        await http.aclose()


async def test_sdk_call_sends_one_user_message_and_reads_usage(llm_server: LLMStandIn) -> None:
    llm_server.push(ok("Title: T\n\nBody words here."))
    reply = await _call(llm_server.base_url)  # type: ignore[attr-defined]
    assert reply.text == "Title: T\n\nBody words here."
    assert reply.model == "standin-model-v1"
    assert reply.completion_tokens == 5
    assert reply.total_tokens == reply.prompt_tokens + 5  # type: ignore[operator]
    (request,) = llm_server.requests
    assert request.body["messages"] == [{"role": "user", "content": "PROMPT-TEXT about rain"}]
    assert request.body["model"] == "configured-model"
    assert (request.body["max_tokens"], request.body["temperature"]) == (123, 0.4)
    assert request.authorization == f"Bearer {API_KEY}"


async def test_sdk_call_without_model_or_usage(llm_server: LLMStandIn) -> None:
    llm_server.push(ok("text", model=None, usage=False))
    reply = await _call(llm_server.base_url)  # type: ignore[attr-defined]
    assert (reply.model, reply.prompt_tokens, reply.total_tokens) == (None, None, None)


async def test_sdk_call_retries_500_twice_then_succeeds(llm_server: LLMStandIn) -> None:
    llm_server.push(status(500), status(503))
    attempts: list[int] = []
    reply = await _call(llm_server.base_url, attempts=attempts)  # type: ignore[attr-defined]
    assert attempts == [1, 2, 3]
    assert len(llm_server.requests) == 3
    assert reply.text.startswith("Title:")


async def test_sdk_call_honours_retry_after(llm_server: LLMStandIn) -> None:
    llm_server.push(status(429, {"retry-after": "2"}), status(429, {"retry-after-ms": "1500"}))
    sleeps: list[float] = []
    await _call(llm_server.base_url, sleeps=sleeps)  # type: ignore[attr-defined]
    assert sleeps == [2.0, 1.5]


@pytest.mark.parametrize("code", [400, 401, 403, 404, 422])
async def test_sdk_call_fails_at_once_on_hopeless_4xx(llm_server: LLMStandIn, code: int) -> None:
    llm_server.push(status(code, body={"error": {"message": f"bad key {API_KEY}", "code": None}}))
    attempts: list[int] = []
    with pytest.raises(LLMCallError) as caught:
        await _call(llm_server.base_url, attempts=attempts)  # type: ignore[attr-defined]
    assert attempts == [1]
    assert caught.value.status == code
    assert f"HTTP {code}" in str(caught.value)
    assert API_KEY not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


async def test_sdk_call_gives_up_after_max_attempts(llm_server: LLMStandIn) -> None:
    llm_server.default = status(502)
    with pytest.raises(LLMCallError, match=r"HTTP 502, 3 attempts"):
        await _call(llm_server.base_url)  # type: ignore[attr-defined]
    assert len(llm_server.requests) == 3


async def test_sdk_call_times_out_and_retries(llm_server: LLMStandIn) -> None:
    llm_server.default = HANG
    attempts: list[int] = []
    with pytest.raises(LLMCallError, match=r"did not answer within 0.3 s \(2 attempts\)"):
        await _call(
            llm_server.base_url,  # type: ignore[attr-defined]
            attempts=attempts,
            max_attempts=2,
            llm_timeout_seconds=0.3,
        )
    assert attempts == [1, 2]


async def test_sdk_call_connection_refused() -> None:
    with pytest.raises(LLMCallError, match=r"could not connect to the LLM server \(2 attempts\)"):
        await _call(f"http://127.0.0.1:{free_port()}/v1", max_attempts=2)


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (Action("garbage"), "malformed response"),
        (Action("empty"), "empty reply"),
        (Action("no_choices"), "malformed response"),
        (ok("   \n  "), "empty reply"),
    ],
)
async def test_sdk_call_unusable_answers(
    llm_server: LLMStandIn, action: Action, message: str
) -> None:
    llm_server.push(action)
    attempts: list[int] = []
    with pytest.raises((UnusableReplyError, LLMCallError), match=message):
        await _call(llm_server.base_url, attempts=attempts)  # type: ignore[attr-defined]
    assert attempts == [1]


async def test_attempt_callback_can_stop_the_call(llm_server: LLMStandIn) -> None:
    class Stop(Exception):
        pass

    settings = _settings(llm_server.base_url)  # type: ignore[attr-defined]
    client, http = make_llm_client(settings)

    async def on_attempt(n: int) -> None:
        raise Stop

    try:
        with pytest.raises(Stop):
            await generate(
                client,
                model="m",
                prompt="p",
                policy=RetryPolicy(3, 0.0, 0.0),
                on_attempt=on_attempt,
                timeout_seconds=1.0,
            )
    finally:
        await client.close()
        await http.aclose()
    assert llm_server.requests == []


async def test_client_pool_admits_max_jobs_concurrent_calls(llm_server: LLMStandIn) -> None:
    """The HTTP pool lets ``max_jobs`` calls be in flight at once (httpx's default is 100
    connections; arq's max_jobs may be more, and a smaller pool would queue calls)."""
    llm_server.default = GATE
    settings = _settings(llm_server.base_url, worker_max_jobs=30)  # type: ignore[attr-defined]
    client, http = make_llm_client(settings)

    async def one() -> None:
        await client.chat.completions.create(model="m", messages=[{"role": "user", "content": "p"}])

    calls = asyncio.gather(*(one() for _ in range(30)))
    try:
        await wait_until(lambda: llm_server.in_flight == 30)
        llm_server.release()
        await calls
    finally:
        llm_server.release()
        await client.close()
        await http.aclose()


def test_connect_error_reported_as_timeout_reads_as_a_connect_failure() -> None:
    """The aiohttp transport turns a refused connection into a connect *timeout*."""
    exc = openai.APITimeoutError(request=REQUEST)
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as refused:
            raise httpx2.ConnectTimeout("cannot connect") from refused
    except httpx2.ConnectTimeout as mapped:
        exc.__cause__ = mapped
    message = describe_failure(exc, attempts=2, timeout_seconds=5, model="m")
    assert message == "could not connect to the LLM server (2 attempts)"
    exc.__cause__ = TimeoutError()
    message = describe_failure(exc, attempts=2, timeout_seconds=5, model="m")
    assert message == "the LLM did not answer within 5 s (2 attempts)"
