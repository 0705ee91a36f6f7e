"""The generation pipeline end to end: rows in PostgreSQL, the queue in Redis, a real arq worker
and the LLM stand-in over HTTP."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import pytest
import structlog
from sqlalchemy import text

from generator_worker.prompts import build_prompt
from generator_worker.runtime import PROMPT_LOGGERS
from personagen_shared.models import Job, JobStatus
from personagen_shared.settings import Settings
from tests.worker.conftest import API_KEY, Seeder, run_burst, running_worker, wait_until
from tests.worker.standin import GATE, HANG, Action, LLMStandIn, ok, status

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")

SettingsFor = Callable[..., Settings]


def _finished(job: Job) -> bool:
    return JobStatus(job.status).is_final


async def test_happy_path_writes_one_piece(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    reply = "**Title:** Tidy Desks\n\nA tidy desk is a tidy mind. Truly."
    standin.push(ok(reply))
    user = await seed.user()
    persona = await seed.persona(user, formality_level=9, tone="formal")
    job = await seed.job(persona, "the joy of tidy desks", max_tokens=300, temperature=0.7)

    await run_burst(settings_for(standin))

    done = await seed.get_job(job.id)
    assert done.status == JobStatus.SUCCEEDED
    assert done.attempts == 1
    assert done.error is None
    assert done.started_at is not None and done.finished_at is not None
    assert done.worker_id is not None and done.heartbeat_at is None
    (piece,) = await seed.pieces(job.id)
    assert done.result is None  # the piece links back through content_pieces.job_id
    assert (piece.title, piece.content) == ("Tidy Desks", "A tidy desk is a tidy mind. Truly.")
    assert piece.word_count == 8
    assert piece.status == "draft"
    assert (piece.owner_id, piece.persona_id) == (user.id, persona.id)
    assert piece.model == "standin-model-v1"
    assert piece.prompt == build_prompt(persona.model_dump(), "the joy of tidy desks")
    assert "- formality: very high (9/10)" in piece.prompt
    assert piece.completion_tokens == len(reply.split())  # the stand-in counts words
    assert piece.total_tokens == piece.prompt_tokens + len(reply.split())  # type: ignore[operator]
    (request,) = standin.requests
    assert request.body["messages"][0]["content"] == piece.prompt
    assert (request.body["max_tokens"], request.body["temperature"]) == (300, 0.7)
    assert request.body["model"] == "configured-model"


async def test_model_defaults_to_the_configured_one(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    standin.push(ok("Title: T\n\nBody.", model=None, usage=False))
    persona = await seed.persona(await seed.user())
    job = await seed.job(persona)
    await run_burst(settings_for(standin))
    (piece,) = await seed.pieces(job.id)
    assert piece.model == "configured-model"
    assert (piece.prompt_tokens, piece.completion_tokens, piece.total_tokens) == (None,) * 3


async def test_500_twice_then_success(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    standin.push(status(500), status(500), ok())
    job = await seed.job(await seed.persona(await seed.user()))
    await run_burst(settings_for(standin))
    done = await seed.get_job(job.id)
    assert (done.status, done.attempts, done.error) == (JobStatus.SUCCEEDED, 3, None)
    assert len(await seed.pieces(job.id)) == 1
    assert len(standin.requests) == 3


async def test_attempts_are_visible_while_retrying(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    standin.push(status(503), Action("hang"))
    job = await seed.job(await seed.persona(await seed.user()))
    async with running_worker(settings_for(standin)):
        running = await seed.wait_for(job.id, lambda j: j.attempts == 2)
        assert running.status == JobStatus.RUNNING
        standin.release()
        await seed.wait_for(job.id, _finished)


async def test_always_failing_llm_fails_the_job(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    standin.default = status(500)
    job = await seed.job(await seed.persona(await seed.user()), "SECRET-TOPIC-words")
    await run_burst(settings_for(standin, llm_max_attempts=4))
    done = await seed.get_job(job.id)
    assert done.status == JobStatus.FAILED
    assert done.attempts == 4
    assert done.error == "the LLM server failed (HTTP 500, 4 attempts)"
    assert done.finished_at is not None
    assert await seed.pieces(job.id) == []


@pytest.mark.parametrize("code", [400, 401, 404])
async def test_hopeless_4xx_fails_at_once(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor, code: int
) -> None:
    standin.default = status(code)
    job = await seed.job(await seed.persona(await seed.user()))
    await run_burst(settings_for(standin))
    done = await seed.get_job(job.id)
    assert (done.status, done.attempts) == (JobStatus.FAILED, 1)
    assert f"HTTP {code}" in (done.error or "")
    assert len(standin.requests) == 1


async def test_hanging_llm_times_out(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    standin.default = HANG
    job = await seed.job(await seed.persona(await seed.user()))
    await run_burst(settings_for(standin, llm_timeout_seconds=0.3, llm_max_attempts=2))
    done = await seed.get_job(job.id)
    assert done.status == JobStatus.FAILED
    assert done.error == "the LLM did not answer within 0.3 s (2 attempts)"
    assert done.attempts == 2
    assert await seed.pieces(job.id) == []


async def test_job_deadline_stops_a_slow_run(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    standin.default = HANG
    job = await seed.job(await seed.persona(await seed.user()))
    await run_burst(settings_for(standin, llm_timeout_seconds=30.0, worker_job_timeout_seconds=1))
    done = await seed.get_job(job.id)
    assert done.status == JobStatus.FAILED
    assert done.error == "the job took longer than 1 s and was stopped"


@pytest.mark.parametrize(
    ("action", "error"),
    [
        (Action("empty"), "the LLM returned an empty reply"),
        (Action("garbage"), "the LLM server sent a malformed response"),
        (ok("Title: Only a title"), "the LLM reply has a title but no body"),
    ],
)
async def test_unusable_reply_fails_the_job(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor, action: Action, error: str
) -> None:
    standin.push(action)
    job = await seed.job(await seed.persona(await seed.user()))
    await run_burst(settings_for(standin))
    done = await seed.get_job(job.id)
    assert (done.status, done.error, done.attempts) == (JobStatus.FAILED, error, 1)
    assert await seed.pieces(job.id) == []


async def test_same_job_run_twice_writes_one_piece(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    job = await seed.job(await seed.persona(await seed.user()))
    settings = settings_for(standin)
    await run_burst(settings)
    first = await seed.get_job(job.id)
    assert first.status == JobStatus.SUCCEEDED
    # arq keeps no result, so the same id can be queued again (a retried request, a sweep):
    assert await seed.enqueue(job.id) is True
    await run_burst(settings)
    again = await seed.get_job(job.id)
    assert (again.status, again.attempts, again.finished_at) == (
        JobStatus.SUCCEEDED,
        1,
        first.finished_at,
    )
    assert len(await seed.pieces(job.id)) == 1
    assert len(standin.requests) == 1


async def test_two_workers_racing_for_one_job_write_one_piece(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    """Two live workers each get the job (as after a wrong recovery): one piece, one LLM call."""
    standin.latency = 0.3
    job = await seed.job(await seed.persona(await seed.user()), enqueue=False)
    settings = settings_for(standin)
    from generator_worker.main import make_worker
    from generator_worker.runtime import shutdown, startup
    from generator_worker.tasks import run_generation

    contexts = []
    for _ in range(2):
        worker = make_worker(settings, handle_signals=False)
        ctx = {**worker.ctx, "redis": seed.redis}
        await startup(ctx)
        contexts.append(ctx)
    try:
        outcomes = await asyncio.gather(*(run_generation(ctx, str(job.id)) for ctx in contexts))
    finally:
        for ctx in contexts:
            await shutdown(ctx)
    assert sorted(outcomes) == ["busy", "succeeded"]
    assert len(await seed.pieces(job.id)) == 1
    assert len(standin.requests) == 1


async def test_cancel_before_the_run(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    job = await seed.job(await seed.persona(await seed.user()))
    assert await seed.cancel(job.id) is True
    await run_burst(settings_for(standin))
    done = await seed.get_job(job.id)
    assert (done.status, done.attempts, done.started_at) == (JobStatus.CANCELLED, 0, None)
    assert standin.requests == []
    assert await seed.pieces(job.id) == []


async def test_cancel_during_the_run_aborts_it(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    standin.default = HANG
    job = await seed.job(await seed.persona(await seed.user()))
    async with running_worker(settings_for(standin)) as worker:
        await wait_until(lambda: standin.in_flight == 1)
        assert await seed.cancel(job.id) is True
        # arq's abort cancels the task; the hanging HTTP request is dropped with it.
        await wait_until(lambda: worker.jobs_failed == 1 and standin.in_flight == 0)
    done = await seed.get_job(job.id)
    assert done.status == JobStatus.CANCELLED
    assert await seed.pieces(job.id) == []


async def test_cancel_during_the_run_without_abort_writes_nothing(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    """If the abort never reaches the worker, the success write still refuses: the LLM answers
    after the row was cancelled, and no piece is written."""
    standin.default = GATE
    job = await seed.job(await seed.persona(await seed.user()))
    with structlog.testing.capture_logs() as events:
        async with running_worker(settings_for(standin)) as worker:
            await wait_until(lambda: standin.in_flight == 1)
            async with seed.sessions() as session, session.begin():
                await session.execute(
                    text("UPDATE jobs SET status='cancelled', finished_at=now() WHERE id=:id"),
                    {"id": job.id},
                )
            standin.release()  # the LLM now answers normally
            await wait_until(lambda: worker.jobs_complete == 1)
    done = await seed.get_job(job.id)
    assert (done.status, done.attempts) == (JobStatus.CANCELLED, 1)
    assert await seed.pieces(job.id) == []
    assert [e.get("during") for e in events if e["event"] == "generation.cancelled"] == ["commit"]


async def test_finished_job_cannot_be_cancelled_by_the_worker_path(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    job = await seed.job(await seed.persona(await seed.user()))
    await run_burst(settings_for(standin))
    assert await seed.cancel(job.id) is False
    assert (await seed.get_job(job.id)).status == JobStatus.SUCCEEDED


async def test_deleted_persona_fails_the_job(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    persona = await seed.persona(await seed.user())
    job = await seed.job(persona)
    async with seed.sessions() as session, session.begin():
        await session.execute(text("DELETE FROM personas WHERE id=:id"), {"id": persona.id})
    await run_burst(settings_for(standin))
    done = await seed.get_job(job.id)
    assert (done.status, done.error) == (
        JobStatus.FAILED,
        "the persona of this job no longer exists",
    )
    assert standin.requests == []


async def test_many_jobs_run_concurrently(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor
) -> None:
    """All ``max_jobs`` LLM calls are in flight at once: every call waits at the gate until
    the stand-in holds 20 of them."""
    standin.default = GATE
    persona = await seed.persona(await seed.user())
    jobs = [await seed.job(persona, f"topic {n}") for n in range(20)]
    async with running_worker(settings_for(standin, worker_max_jobs=20)):
        await wait_until(lambda: standin.in_flight == 20)
        standin.release()
        for job in jobs:
            await seed.wait_for(job.id, lambda j: j.status == JobStatus.SUCCEEDED)


async def test_no_secret_in_job_error_or_logs(
    seed: Seeder,
    standin: LLMStandIn,
    settings_for: SettingsFor,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    echo = {"error": {"message": f"Incorrect API key provided: {API_KEY} for TOPIC-XYZ"}}
    standin.push(status(401, body=echo))
    standin.push(status(500, body=echo), status(500, body=echo), status(500, body=echo))
    persona = await seed.persona(await seed.user())
    first = await seed.job(persona, "TOPIC-XYZ one")
    second = await seed.job(persona, "TOPIC-XYZ two")
    caplog.set_level("DEBUG")
    with structlog.testing.capture_logs() as events:
        await run_burst(settings_for(standin, worker_max_jobs=1))
    errors = [(await seed.get_job(j.id)).error or "" for j in (first, second)]
    assert all(errors)
    logged = "\n".join(
        [repr(event) for event in events]
        + [record.getMessage() for record in caplog.records]
        + [str(record.exc_info) for record in caplog.records]
        + list(capfd.readouterr())
    )
    assert any(event["event"] == "generation.failed" for event in events)
    for written in [*errors, logged]:
        assert API_KEY not in written
    for error in errors:
        assert "TOPIC-XYZ" not in error


async def test_nul_in_the_reply_is_dropped_and_no_prompt_reaches_the_logs(
    seed: Seeder,
    standin: LLMStandIn,
    settings_for: SettingsFor,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture[str],
) -> None:
    """PostgreSQL text cannot hold NUL: the worker drops it instead of failing the write (which
    used to log the statement's parameters, the prompt among them)."""
    standin.push(ok("Title: Zero\x00 Day\n\nBody with a NUL \x00 here."))
    persona = await seed.persona(await seed.user(), name="PERSONA-NAME-SECRETIVE")
    job = await seed.job(persona, "TOPIC-NUL")
    caplog.set_level("DEBUG")
    with structlog.testing.capture_logs() as events:
        await run_burst(settings_for(standin))
    done = await seed.get_job(job.id)
    assert done.status == JobStatus.SUCCEEDED, done.error
    (piece,) = await seed.pieces(job.id)
    assert (piece.title, piece.content) == ("Zero Day", "Body with a NUL  here.")
    logged = "\n".join(
        [repr(event) for event in events]
        + [record.getMessage() for record in caplog.records]
        + list(capfd.readouterr())
    )
    assert "PERSONA-NAME-SECRETIVE" not in logged
    assert "TOPIC-NUL" not in logged


async def test_sdk_debug_logging_never_carries_the_prompt(
    seed: Seeder, standin: LLMStandIn, settings_for: SettingsFor, caplog: pytest.LogCaptureFixture
) -> None:
    """Versions of the openai SDK log their request options (the messages) at DEBUG: a worker
    keeps the SDK and HTTP loggers at WARNING even when everything else logs at DEBUG."""
    for name in PROMPT_LOGGERS:
        logging.getLogger(name).setLevel(logging.NOTSET)
    caplog.set_level("DEBUG")
    job = await seed.job(await seed.persona(await seed.user()), "TOPIC-DEBUG-PROMPT")
    await run_burst(settings_for(standin, log_level="DEBUG"))
    assert (await seed.get_job(job.id)).status == JobStatus.SUCCEEDED
    for name in PROMPT_LOGGERS:
        assert logging.getLogger(name).getEffectiveLevel() == logging.WARNING, name
    assert "TOPIC-DEBUG-PROMPT" not in caplog.text
