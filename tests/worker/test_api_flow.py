"""The worker against the real API over HTTP: the API records and enqueues, the worker runs,
the API reports. Checks the contract between the two (``personagen_shared.jobs_contract``,
the status transitions, the cancel with arq's abort)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest

from personagen_shared.settings import Settings
from tests.conftest import TEST_REDIS_URL
from tests.worker.conftest import running_worker, wait_until
from tests.worker.standin import HANG, LLMStandIn, ok

pytestmark = pytest.mark.filterwarnings("ignore:Call to deprecated close:DeprecationWarning")


async def _job(client: httpx.AsyncClient, auth: dict[str, str], job_id: str) -> dict:
    response = await client.get(f"/v1/jobs/{job_id}", headers=auth)
    assert response.status_code == 200, response.text
    return response.json()


async def _until(client: httpx.AsyncClient, auth: dict[str, str], job_id: str, status: str) -> dict:
    for _ in range(1500):
        job = await _job(client, auth, job_id)
        if job["status"] == status:
            return job
        await asyncio.sleep(0.02)
    pytest.fail(f"job never became {status}: {job}")


async def test_generation_end_to_end_through_the_api(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    settings_for: Callable[..., Settings],
) -> None:
    standin.push(ok("Title: Winter Bees\n\nThe hive hums through the frost. Bees keep warm."))
    persona = await client.post(
        "/v1/personas",
        json={"name": "Apiarist", "formality_level": 3, "tone": "warm"},
        headers=auth,
    )
    assert persona.status_code == 201, persona.text
    persona_id = persona.json()["id"]
    created = await client.post(
        f"/v1/personas/{persona_id}/generations",
        json={"prompt": "bees in winter", "max_tokens": 200},
        headers=auth,
    )
    assert created.status_code == 202, created.text
    job_id = created.json()["id"]

    # The API enqueues on the run's queue in Redis database 0; the worker reads the same.
    async with running_worker(settings_for(standin, redis_url=TEST_REDIS_URL)):
        job = await _until(client, auth, job_id, "succeeded")

    assert job["attempts"] == 1 and job["error"] is None
    assert job["started_at"] and job["finished_at"]
    content = await client.get(job["content_url"], headers=auth)
    assert content.status_code == 200, content.text
    piece = content.json()
    assert piece["id"] == job["content_piece_id"]
    assert piece["title"] == "Winter Bees"
    assert piece["content"] == "The hive hums through the frost. Bees keep warm."
    assert piece["status"] == "draft"
    assert piece["word_count"] == 9
    (request,) = standin.requests
    assert "Topic: bees in winter" in request.body["messages"][0]["content"]
    assert "- formality: low (3/10)" in request.body["messages"][0]["content"]
    assert request.body["max_tokens"] == 200


async def test_cancel_through_the_api_stops_a_running_job(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    standin: LLMStandIn,
    settings_for: Callable[..., Settings],
) -> None:
    standin.default = HANG
    persona = await client.post("/v1/personas", json={"name": "Slow"}, headers=auth)
    persona_id = persona.json()["id"]
    created = await client.post(
        f"/v1/personas/{persona_id}/generations", json={"prompt": "anything"}, headers=auth
    )
    job_id = created.json()["id"]
    async with running_worker(settings_for(standin, redis_url=TEST_REDIS_URL)) as worker:
        await _until(client, auth, job_id, "running")
        await wait_until(lambda: standin.in_flight == 1)
        cancelled = await client.post(f"/v1/jobs/{job_id}/cancel", headers=auth)
        assert cancelled.status_code == 200, cancelled.text
        # arq's abort reaches the worker: the task is cancelled and the LLM request dropped.
        await wait_until(lambda: worker.jobs_failed == 1 and standin.in_flight == 0)
    job = await _job(client, auth, job_id)
    assert job["status"] == "cancelled"
    assert job["content_piece_id"] is None
    listed = await client.get("/v1/content", headers=auth)
    assert listed.status_code == 200 and listed.json()["items"] == []
