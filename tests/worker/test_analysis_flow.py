"""Writing-sample analysis end to end: the API measures and queues, the worker asks the LLM
stand-in (over HTTP) for the judged traits, merges, and fills the persona."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from personagen_shared.settings import Settings
from tests.conftest import REFERENCE, TEST_REDIS_URL
from tests.worker.conftest import running_worker
from tests.worker.standin import LLMStandIn, ok, status

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")

LEGAL = (REFERENCE / "writing-samples" / "dev-legal-apache-license.txt").read_text(encoding="utf-8")

JUDGED: dict[str, Any] = {
    "name": "The Apache Software Foundation",
    "tone": "formal, precise",
    "extraversion": 3,
    "conscientiousness": "9",
    "agreeableness": 7.5,
    "emotional_stability": 42,
    "openness_to_experience": "high",
    "core_values": ["clarity", "fairness"],
    "age": "40s",
    "favourite_colour": "blue",
}


async def _final(client: httpx.AsyncClient, auth: dict[str, str], job_id: str) -> dict:
    for _ in range(1500):
        job = (await client.get(f"/v1/jobs/{job_id}", headers=auth)).json()
        if job["status"] in ("succeeded", "failed", "cancelled"):
            return job
        await asyncio.sleep(0.02)
    pytest.fail(f"job never finished: {job}")


RunJob = Callable[[str], Awaitable[dict]]


@pytest.fixture
def run_job(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    settings_for: Callable[..., Settings],
) -> RunJob:
    """``await run_job(job_id)``: a real worker (on the API's queue, LLM = the stand-in) runs
    until the job is final; returns the job as the API reports it."""
    settings = settings_for(standin, redis_url=TEST_REDIS_URL)

    async def run(job_id: str) -> dict:
        async with running_worker(settings):
            return await _final(client, auth, job_id)

    return run


async def test_persona_from_a_sample_is_filled_and_keeps_the_users_values(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    run_job: RunJob,
) -> None:
    standin.push(ok(json.dumps(JUDGED)))
    created = await client.post(
        "/v1/personas",
        json={
            "name": "My name",
            "description": "Mine.",
            "extraversion": 8,
            "writing_sample": LEGAL,
        },
        headers=auth,
    )
    assert created.status_code == 201, created.text
    persona = created.json()
    job = await run_job(persona["analysis_job_id"])
    assert job["status"] == "succeeded", job
    result = job["result"]
    traits = result["traits"]
    assert traits["formality_level"]["source"] == "measured"
    assert traits["conscientiousness"] == {"value": 9, "source": "llm"}
    assert traits["agreeableness"] == {"value": 8, "source": "llm"}, "7.5 rounds half up"
    assert "emotional_stability" not in traits and "openness_to_experience" not in traits
    assert traits["core_values"]["value"] == "clarity, fairness"
    assert traits["age"]["value"] == "40s"
    assert result["metrics"]["word_count"]["value"] > 900
    warned = {(w["trait"], w["action"]) for w in result["warnings"]}
    assert {
        ("emotional_stability", "dropped"),
        ("openness_to_experience", "dropped"),
        ("agreeableness", "rounded"),
        ("name", "ignored"),
        ("favourite_colour", "ignored"),
    } <= warned

    after = (await client.get(f"/v1/personas/{persona['id']}", headers=auth)).json()
    assert after["name"] == "My name" and after["description"] == "Mine."
    assert after["extraversion"] == 8, "a trait the user sent is never overwritten"
    assert after["conscientiousness"] == 9 and after["tone"] == "formal, precise"
    assert after["formality_level"] == traits["formality_level"]["value"]
    assert after["emotional_stability"] is None
    assert after["version"] == persona["version"] + 1

    (request,) = standin.requests
    assert request.body["response_format"]["type"] == "json_schema"
    schema = request.body["response_format"]["json_schema"]["schema"]
    assert "extraversion" in schema["properties"]
    assert "formality_level" not in schema["properties"], "measured traits are not asked for"


async def test_json_wrapped_in_prose_and_fallback_to_json_object(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    run_job: RunJob,
) -> None:
    standin.push(
        status(400, body={"error": {"message": "response_format json_schema is not supported"}}),
        ok(
            "Sure! Here is the analysis:\n```json\n"
            + json.dumps({"extraversion": 2})
            + "\n```\nHope it helps."
        ),
    )
    response = await client.post("/v1/analyses", json={"writing_sample": LEGAL}, headers=auth)
    assert response.status_code == 202
    job = await run_job(response.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["result"]["traits"]["extraversion"] == {"value": 2, "source": "llm"}
    assert job["result"]["output_mode"] == "json_object"
    modes = [r.body.get("response_format", {}).get("type") for r in standin.requests]
    assert modes == ["json_schema", "json_object"]
    assert job["attempts"] == 2


async def test_not_json_gets_one_repair_round_then_fails_clearly(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    run_job: RunJob,
) -> None:
    standin.push(ok("I think this author is rather formal."), ok("Still no JSON, sorry."))
    persona = (await client.post("/v1/personas", json={"name": "Keep me"}, headers=auth)).json()
    response = await client.post(
        f"/v1/personas/{persona['id']}/analyses", json={"writing_sample": LEGAL}, headers=auth
    )
    job = await run_job(response.json()["id"])
    assert job["status"] == "failed"
    assert "not a JSON object" in job["error"] and "repair" in job["error"]
    assert len(standin.requests) == 2
    assert "not valid JSON" in json.dumps(standin.requests[1].body["messages"]) or len(
        standin.requests[1].body["messages"]
    ) > len(standin.requests[0].body["messages"])
    after = (await client.get(f"/v1/personas/{persona['id']}", headers=auth)).json()
    assert after["formality_level"] is None, "a failed analysis writes nothing"
    assert after["name"] == "Keep me"


async def test_repair_round_succeeds(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    run_job: RunJob,
) -> None:
    standin.push(ok("Formal, I'd say."), ok('{"extraversion": 4, "tone": "dry"}'))
    response = await client.post("/v1/analyses", json={"writing_sample": LEGAL}, headers=auth)
    job = await run_job(response.json()["id"])
    assert job["status"] == "succeeded", job
    assert job["result"]["repaired"] is True
    assert job["result"]["traits"]["tone"] == {"value": "dry", "source": "llm"}


async def test_reanalysis_fills_nulls_unless_overwrite(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    run_job: RunJob,
) -> None:
    persona = (
        await client.post(
            "/v1/personas", json={"name": "P", "tone": "sunny", "formality_level": 2}, headers=auth
        )
    ).json()
    url = f"/v1/personas/{persona['id']}/analyses"
    standin.push(ok('{"tone": "stern", "extraversion": 5}'))
    first = (await client.post(url, json={"writing_sample": LEGAL}, headers=auth)).json()
    assert (await run_job(first["id"]))["status"] == "succeeded"
    filled = (await client.get(f"/v1/personas/{persona['id']}", headers=auth)).json()
    assert filled["tone"] == "sunny" and filled["formality_level"] == 2, "fill only null traits"
    assert filled["extraversion"] == 5

    standin.push(ok('{"tone": "stern", "extraversion": 6}'))
    second = (
        await client.post(url, json={"writing_sample": LEGAL, "overwrite": True}, headers=auth)
    ).json()
    assert (await run_job(second["id"]))["status"] == "succeeded"
    replaced = (await client.get(f"/v1/personas/{persona['id']}", headers=auth)).json()
    assert replaced["tone"] == "stern" and replaced["extraversion"] == 6
    assert replaced["formality_level"] >= 7, "measured formality of the legal text"
    assert replaced["name"] == "P"


async def test_a_500_that_names_the_format_falls_back_without_retries(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    run_job: RunJob,
) -> None:
    refusal = {"error": {"message": "Input should be 'text' or 'json_object' (got 'json_schema')"}}
    standin.push(status(500, body=refusal), ok('{"extraversion": 3}'))
    response = await client.post("/v1/analyses", json={"writing_sample": LEGAL}, headers=auth)
    job = await run_job(response.json()["id"])
    assert job["status"] == "succeeded", job
    modes = [r.body.get("response_format", {}).get("type") for r in standin.requests]
    assert modes == ["json_schema", "json_object"], "no retry of the refused format"
    assert "json_schema" not in json.dumps(job["error"])


async def test_a_refused_format_is_not_asked_again_by_the_same_worker(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    settings_for: Callable[..., Settings],
) -> None:
    refusal = {"error": {"message": "response_format json_schema is not supported"}}
    standin.push(status(400, body=refusal), ok('{"extraversion": 3}'), ok('{"extraversion": 4}'))
    ids = [
        (await client.post("/v1/analyses", json={"writing_sample": LEGAL}, headers=auth)).json()[
            "id"
        ]
        for _ in range(2)
    ]
    settings = settings_for(standin, redis_url=TEST_REDIS_URL, worker_max_jobs=1)
    async with running_worker(settings):
        jobs = [await _final(client, auth, job_id) for job_id in ids]
    assert [job["status"] for job in jobs] == ["succeeded", "succeeded"]
    modes = [r.body.get("response_format", {}).get("type") for r in standin.requests]
    assert modes == ["json_schema", "json_object", "json_object"]
