"""Probes, request ids, structured logs, OpenAPI docs and the CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import httpx
import pytest

from persona_api.main import create_app
from personagen_shared.settings import load_settings
from tests.conftest import ROOT, LiveServer, free_port


async def test_healthz_and_readyz(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok", "checks": {}}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"] == {"database": "ok", "redis": "ok"}


async def test_readyz_is_503_when_redis_is_unreachable(database_url: str) -> None:
    settings = load_settings(redis_url=f"redis://127.0.0.1:{free_port()}/0")
    server = LiveServer(create_app(settings))
    # arq's pool connects lazily enough for the app to start without Redis.
    try:
        await server.start()
    except Exception:
        pytest.fail("the API must start (and report not ready) while Redis is down")
    try:
        async with httpx.AsyncClient(base_url=server.base_url) as http:
            response = await http.get("/readyz")
            assert (await http.get("/healthz")).status_code == 200
    finally:
        await server.stop()
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    assert "redis" in response.json()["detail"]


async def test_request_id_is_echoed_or_made(client: httpx.AsyncClient) -> None:
    given = await client.get(
        "/healthz", headers={"X-Request-ID": "3f1c2a9e8d7b4c5a9e1f2a3b4c5d6e7f"}
    )
    assert given.headers["x-request-id"] == "3f1c2a9e8d7b4c5a9e1f2a3b4c5d6e7f"
    made = await client.get("/healthz")
    assert len(made.headers["x-request-id"]) >= 16
    error = await client.get("/v1/users/me")
    assert error.headers["x-request-id"]


async def test_openapi_documents_every_route_and_error(client: httpx.AsyncClient) -> None:
    spec = (await client.get("/openapi.json")).json()
    assert "Problem" in spec["components"]["schemas"]
    assert (
        spec["components"]["securitySchemes"]["OAuth2PasswordBearer"]["flows"]["password"][
            "tokenUrl"
        ]
        == "/v1/auth/token"
    )
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            assert operation.get("summary"), (method, path)
            if path.startswith("/v1") and path != "/v1/auth/token":
                errors = [code for code in operation["responses"] if code.startswith("4")]
                assert errors, f"{method} {path} documents no error response"
    docs = await client.get("/docs")
    assert docs.status_code == 200 and "swagger-ui" in docs.text


def _env(**extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DATABASE_", "REDIS_", "SECRET_", "ENVIRONMENT"))
    }
    env.update(extra)
    return env


def test_cli_help_lists_commands() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "personagen.cli", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    for command in ("api", "worker", "migrate"):
        assert command in result.stdout


def test_cli_fails_fast_on_missing_settings(tmp_path: object) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "personagen.cli", "api"],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=str(tmp_path),
        timeout=60,
    )
    assert result.returncode == 2
    assert "DATABASE_URL: is required but not set" in result.stderr


def test_cli_migrates_and_serves_with_json_logs(database_url: str, tmp_path: object) -> None:
    env = _env(
        DATABASE_URL=database_url,
        REDIS_URL=os.environ["REDIS_URL"],
        ENVIRONMENT="production",
        SECRET_KEY="s" * 40,
        LOG_JSON="true",
        LOG_LEVEL="INFO",
    )
    migrated = subprocess.run(
        [sys.executable, "-m", "personagen.cli", "migrate"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=120,
    )
    assert migrated.returncode == 0, migrated.stderr
    port = free_port()
    log_path = tmp_path / "api.log"  # type: ignore[operator]
    with open(log_path, "w") as log_file:
        process = subprocess.Popen(
            [sys.executable, "-m", "personagen.cli", "api", "--port", str(port)],
            env=env,
            cwd=str(tmp_path),
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    response = httpx.get(
                        f"http://127.0.0.1:{port}/readyz",
                        headers={"X-Request-ID": "abcdef0123456789abcdef0123456789"},
                    )
                    break
                except httpx.TransportError:
                    assert process.poll() is None, log_path.read_text()
                    assert time.monotonic() < deadline, "the API did not start"
                    time.sleep(0.2)
            assert response.status_code == 200
        finally:
            process.terminate()
            process.wait(timeout=30)
    lines = [json.loads(line) for line in log_path.read_text().splitlines() if line.startswith("{")]
    requests = [line for line in lines if line.get("event") == "http.request"]
    assert requests, log_path.read_text()
    assert requests[0]["request_id"] == "abcdef0123456789abcdef0123456789"
    assert requests[0]["status"] == 200 and requests[0]["path"] == "/readyz"
    assert "s" * 40 not in log_path.read_text()
