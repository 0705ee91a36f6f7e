"""Generation requests, job polling, listing, idempotency and cancellation (API side).

The worker is not running here: these tests check what the API records and queues. The
whole pipeline with a real worker is in tests/api/test_generation_flow.py.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
import uuid

import asyncpg
import httpx
import redis.asyncio as aioredis

from tests.conftest import TEST_REDIS_URL

PROBLEM = "application/problem+json"


async def make_persona(client: httpx.AsyncClient, auth: dict[str, str]) -> str:
    response = await client.post(
        "/v1/personas", json={"name": "Writer", "formality_level": 4}, headers=auth
    )
    assert response.status_code == 201
    return str(response.json()["id"])


async def queued_arq_ids() -> set[str]:
    client = aioredis.from_url(TEST_REDIS_URL)
    try:
        members = await client.zrange(os.environ["ARQ_QUEUE_NAME"], 0, -1)
    finally:
        await client.aclose()
    return {m.decode() for m in members}


async def job_count(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM jobs"))
    finally:
        await conn.close()


async def test_generation_is_committed_queued_and_pollable(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    persona_id = await make_persona(client, auth)
    response = await client.post(
        f"/v1/personas/{persona_id}/generations",
        json={"prompt": "  Bees in winter ", "max_tokens": 200, "temperature": 0.7},
        headers=auth,
    )
    assert response.status_code == 202
    job = response.json()
    assert response.headers["location"] == f"/v1/jobs/{job['id']}"
    assert job["status"] == "queued" and job["kind"] == "generation"
    assert job["persona_id"] == persona_id
    assert job["params"] == {"prompt": "Bees in winter", "max_tokens": 200, "temperature": 0.7}
    assert job["attempts"] == 0 and job["content_piece_id"] is None
    assert job["id"] in await queued_arq_ids(), "enqueued with the job id as arq's job id"
    redis = aioredis.from_url(TEST_REDIS_URL)
    try:
        envelope = json.loads(await redis.get(f"arq:job:{job['id']}"))
    finally:
        await redis.aclose()
    assert envelope["f"] == "run_generation"
    assert envelope["a"] == [job["id"]], "the job travels as its id, in plain JSON"
    polled = await client.get(f"/v1/jobs/{job['id']}", headers=auth)
    assert polled.status_code == 200 and polled.json() == job


async def test_generation_validation(
    client: httpx.AsyncClient, auth: dict[str, str], database_url: str
) -> None:
    persona_id = await make_persona(client, auth)
    url = f"/v1/personas/{persona_id}/generations"
    for payload in (
        {},
        {"prompt": ""},
        {"prompt": "   "},
        {"prompt": "x" * 4001},
        {"prompt": "ok", "max_tokens": 0},
        {"prompt": "ok", "max_tokens": "100"},
        {"prompt": "ok", "max_tokens": 2**40},
        {"prompt": "ok", "temperature": 3},
        {"prompt": "a\x00b"},
        {"prompt": "ok", "model": "gpt-5"},
    ):
        response = await client.post(url, json=payload, headers=auth)
        assert response.status_code == 422, payload
        assert response.headers["content-type"] == PROBLEM
    missing = await client.post(
        f"/v1/personas/{uuid.uuid4()}/generations", json={"prompt": "x"}, headers=auth
    )
    assert missing.status_code == 404
    assert await job_count(database_url) == 0


async def test_idempotency_key_returns_the_first_job(
    client: httpx.AsyncClient, auth: dict[str, str], database_url: str
) -> None:
    persona_id = await make_persona(client, auth)
    url = f"/v1/personas/{persona_id}/generations"
    headers = {**auth, "Idempotency-Key": "retry-me-1"}
    first, second = await asyncio.gather(
        client.post(url, json={"prompt": "Once"}, headers=headers),
        client.post(url, json={"prompt": "Once"}, headers=headers),
    )
    third = await client.post(url, json={"prompt": "Once"}, headers=headers)
    assert {first.status_code, second.status_code, third.status_code} == {202}
    assert first.json()["id"] == second.json()["id"] == third.json()["id"]
    assert await job_count(database_url) == 1
    different = await client.post(url, json={"prompt": "Something else"}, headers=headers)
    assert different.status_code == 409
    other_key = await client.post(
        url, json={"prompt": "Once"}, headers={**auth, "Idempotency-Key": "k2"}
    )
    assert other_key.json()["id"] != first.json()["id"]


async def test_cancel_queued_job_then_409(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    persona_id = await make_persona(client, auth)
    job = (
        await client.post(
            f"/v1/personas/{persona_id}/generations", json={"prompt": "x"}, headers=auth
        )
    ).json()
    cancelled = await client.post(f"/v1/jobs/{job['id']}/cancel", headers=auth)
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["finished_at"] is not None
    again = await client.post(f"/v1/jobs/{job['id']}/cancel", headers=auth)
    assert again.status_code == 409
    assert again.headers["content-type"] == PROBLEM


async def test_jobs_are_private(
    client: httpx.AsyncClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    persona_id = await make_persona(client, auth)
    job = (
        await client.post(
            f"/v1/personas/{persona_id}/generations", json={"prompt": "x"}, headers=auth
        )
    ).json()
    assert (await client.get(f"/v1/jobs/{job['id']}", headers=other_auth)).status_code == 404
    assert (
        await client.post(f"/v1/jobs/{job['id']}/cancel", headers=other_auth)
    ).status_code == 404
    assert (await client.get("/v1/jobs", headers=other_auth)).json()["items"] == []
    stolen = await client.post(
        f"/v1/personas/{persona_id}/generations", json={"prompt": "x"}, headers=other_auth
    )
    assert stolen.status_code == 404
    assert (await client.get(f"/v1/jobs/{job['id']}", headers=auth)).json()["status"] == "queued"


async def test_list_jobs_filters_and_pages(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    persona_id = await make_persona(client, auth)
    ids = []
    for i in range(7):
        response = await client.post(
            f"/v1/personas/{persona_id}/generations", json={"prompt": f"p{i}"}, headers=auth
        )
        ids.append(response.json()["id"])
    await client.post(f"/v1/jobs/{ids[0]}/cancel", headers=auth)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"limit": 3, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/jobs", params=params, headers=auth)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ids[::-1]
    cancelled = (await client.get("/v1/jobs", params={"status": "cancelled"}, headers=auth)).json()
    assert [item["id"] for item in cancelled["items"]] == [ids[0]]
    analysis = (await client.get("/v1/jobs", params={"kind": "analysis"}, headers=auth)).json()
    assert analysis["items"] == []
    bad = await client.get("/v1/jobs", params={"status": "exploded"}, headers=auth)
    assert bad.status_code == 422


async def test_idempotency_keys_are_per_user(
    client: httpx.AsyncClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    mine = await make_persona(client, auth)
    theirs = await make_persona(client, other_auth)
    first = await client.post(
        f"/v1/personas/{mine}/generations",
        json={"prompt": "x"},
        headers={**auth, "Idempotency-Key": "shared-key"},
    )
    second = await client.post(
        f"/v1/personas/{theirs}/generations",
        json={"prompt": "x"},
        headers={**other_auth, "Idempotency-Key": "shared-key"},
    )
    assert first.status_code == second.status_code == 202
    assert first.json()["id"] != second.json()["id"]


async def test_forged_job_and_content_cursors_are_400(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    for path in ("/v1/jobs", "/v1/content"):
        for value in ("abc", 5, None, {"dt": "2026-01-01T00:00:00"}):
            raw = json.dumps(["-created_at", value, str(uuid.uuid4())]).encode()
            cursor = base64.urlsafe_b64encode(raw).decode().rstrip("=")
            response = await client.get(path, params={"cursor": cursor}, headers=auth)
            assert response.status_code == 400, (path, value, response.text)
