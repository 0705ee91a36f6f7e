"""Analysis requests through the API: measured metrics at once, limits, personas from samples.

The LLM half (the worker's ``run_analysis``) is covered in tests/api/test_analysis_flow.py.
"""

from __future__ import annotations

import asyncio
import os

import asyncpg
import httpx
import pytest
import redis.asyncio as aioredis

from tests.conftest import REFERENCE, TEST_REDIS_URL

PROBLEM = "application/problem+json"
SAMPLES = REFERENCE / "writing-samples"
LEGAL = (SAMPLES / "dev-legal-apache-license.txt").read_text(encoding="utf-8")
QUIPS = (SAMPLES / "dev-quips-fortunes-computers.txt").read_text(encoding="utf-8")


async def counts(database_url: str) -> tuple[int, int, int]:
    conn = await asyncpg.connect(database_url)
    try:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM personas) p, (SELECT count(*) FROM jobs) j, "
            "(SELECT count(*) FROM writing_samples) s"
        )
        return int(row["p"]), int(row["j"]), int(row["s"])
    finally:
        await conn.close()


async def test_analysis_answers_202_with_metrics_and_queues_a_job(
    client: httpx.AsyncClient, auth: dict[str, str], database_url: str
) -> None:
    response = await client.post("/v1/analyses", json={"writing_sample": LEGAL}, headers=auth)
    assert response.status_code == 202, response.text
    body = response.json()
    assert response.headers["location"] == f"/v1/jobs/{body['id']}"
    assert body["kind"] == "analysis" and body["status"] == "queued"
    assert body["metrics"]["word_count"]["value"] > 900
    assert body["metrics"]["word_count"]["unit"]
    assert body["measured_traits"]["contraction_usage"] <= 2
    assert body["measured_traits"]["formality_level"] >= 7
    assert body["params"]["writing_sample_id"] == body["writing_sample_id"]
    redis = aioredis.from_url(TEST_REDIS_URL)
    try:
        assert await redis.zscore(os.environ["ARQ_QUEUE_NAME"], body["id"]) is not None
    finally:
        await redis.aclose()
    assert await counts(database_url) == (0, 1, 1)
    job = (await client.get(f"/v1/jobs/{body['id']}", headers=auth)).json()
    assert job["kind"] == "analysis"


@pytest.mark.parametrize(
    ("sample", "status", "words_in_detail"),
    [
        ("Too short to tell anything about a writer's style at all.", 422, "50"),
        ("word " * 20_001, 413, "20000"),
        ("Le chat est assis sur le tapis et il regarde la fenêtre. " * 10, 422, "English"),
        ("!!! ??? ... ;;; --- " * 30, 422, None),
        ("\ufffd\ufffd\x01\x02 binary " * 40, 422, None),
    ],
)
async def test_unusable_samples_are_refused_clearly(
    client: httpx.AsyncClient,
    auth: dict[str, str],
    database_url: str,
    sample: str,
    status: int,
    words_in_detail: str | None,
) -> None:
    for url, payload in (
        ("/v1/analyses", {"writing_sample": sample}),
        ("/v1/personas", {"name": "From a sample", "writing_sample": sample}),
    ):
        response = await client.post(url, json=payload, headers=auth)
        assert response.status_code == status, (url, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"].startswith("/problems/sample-")
        detail = response.json()["detail"]
        if words_in_detail:
            assert words_in_detail in detail.replace(",", "")
    assert await counts(database_url) == (0, 0, 0), "nothing half-written"


async def test_persona_from_a_sample_keeps_what_the_user_sent(
    client: httpx.AsyncClient, auth: dict[str, str], database_url: str
) -> None:
    response = await client.post(
        "/v1/personas",
        json={
            "name": "My Quipster",
            "description": "mine",
            "formality_level": 9,
            "writing_sample": QUIPS,
        },
        headers=auth,
    )
    assert response.status_code == 201, response.text
    persona = response.json()
    assert persona["name"] == "My Quipster" and persona["formality_level"] == 9
    assert "writing_sample" not in persona
    job = (await client.get(f"/v1/jobs/{persona['analysis_job_id']}", headers=auth)).json()
    assert job["kind"] == "analysis" and job["persona_id"] == persona["id"]
    assert job["params"]["keep"] == ["formality_level"]
    assert job["params"]["overwrite"] is False
    assert await counts(database_url) == (1, 1, 1)


async def test_reanalysis_of_a_persona(
    client: httpx.AsyncClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    persona = (await client.post("/v1/personas", json={"name": "P"}, headers=auth)).json()
    url = f"/v1/personas/{persona['id']}/analyses"
    response = await client.post(
        url, json={"writing_sample": LEGAL, "overwrite": True}, headers=auth
    )
    assert response.status_code == 202
    assert response.json()["params"]["overwrite"] is True
    after = (await client.get(f"/v1/personas/{persona['id']}", headers=auth)).json()
    assert after["analysis_job_id"] == response.json()["id"]
    assert after["version"] == 2
    stolen = await client.post(url, json={"writing_sample": LEGAL}, headers=other_auth)
    assert stolen.status_code == 404
    assert (
        await client.get(f"/v1/jobs/{response.json()['id']}", headers=other_auth)
    ).status_code == 404
    bad = await client.post(
        url, json={"writing_sample": LEGAL, "overwrite": "yes please"}, headers=auth
    )
    assert bad.status_code == 422


async def test_concurrent_reanalyses_and_edits_never_lose_a_version(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    persona = (await client.post("/v1/personas", json={"name": "Busy"}, headers=auth)).json()
    url = f"/v1/personas/{persona['id']}"
    results = await asyncio.gather(
        *(
            client.post(f"{url}/analyses", json={"writing_sample": LEGAL}, headers=auth)
            for _ in range(5)
        ),
        *(
            client.patch(url, json={"formality_level": level}, headers=auth)
            for level in range(1, 6)
        ),
    )
    assert [r.status_code for r in results] == [202] * 5 + [200] * 5
    after = (await client.get(url, headers=auth)).json()
    assert after["version"] == 1 + 10, "every change bumps the version once"
    assert after["updated_at"] > persona["updated_at"]
    assert after["analysis_job_id"] in {r.json()["id"] for r in results[:5]}
