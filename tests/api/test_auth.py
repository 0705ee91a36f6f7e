"""Registration, tokens, /v1/users/me and authentication failures."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import jwt

from tests.conftest import TEST_SECRET_KEY, register

PROBLEM = "application/problem+json"


async def test_register_returns_user_without_hash(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register",
        json={"username": "ada", "email": "Ada@Example.com", "password": "long-enough-1"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["username"] == "ada"
    assert body["email"] == "ada@example.com"
    assert body["is_active"] is True
    assert "password" not in response.text and "hash" not in response.text


async def test_duplicate_username_or_email_is_409(client: httpx.AsyncClient) -> None:
    base = {"username": "grace", "email": "grace@example.com", "password": "long-enough-1"}
    assert (await client.post("/v1/auth/register", json=base)).status_code == 201
    same_name = await client.post(
        "/v1/auth/register", json={**base, "username": "GRACE", "email": "other@example.com"}
    )
    assert same_name.status_code == 409
    assert same_name.headers["content-type"] == PROBLEM
    assert "username" in same_name.json()["detail"]
    same_email = await client.post(
        "/v1/auth/register", json={**base, "username": "grace2", "email": "GRACE@example.com"}
    )
    assert same_email.status_code == 409
    assert "email" in same_email.json()["detail"]


async def test_weak_password_is_422_naming_the_field(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register",
        json={"username": "weak", "email": "weak@example.com", "password": "short"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    assert [e["field"] for e in response.json()["errors"]] == ["body.password"]


async def test_token_and_me(client: httpx.AsyncClient) -> None:
    headers = await register(client, "linus", password="penguins-123")
    token = await client.post(
        "/v1/auth/token", data={"username": "linus", "password": "penguins-123"}
    )
    body = token.json()
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 3600
    me = await client.get("/v1/users/me", headers=headers)
    assert me.status_code == 200
    assert me.json()["username"] == "linus"


async def test_wrong_credentials_are_401(client: httpx.AsyncClient) -> None:
    await register(client, "margaret", password="apollo-1969")
    wrong = await client.post(
        "/v1/auth/token", data={"username": "margaret", "password": "nope-nope"}
    )
    assert wrong.status_code == 401
    assert wrong.headers["www-authenticate"] == "Bearer"
    unknown = await client.post(
        "/v1/auth/token", data={"username": "nobody", "password": "whatever1"}
    )
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == wrong.json()["detail"]


async def test_missing_expired_and_forged_tokens_are_401(client: httpx.AsyncClient) -> None:
    headers = await register(client, "barbara")
    user_id = (await client.get("/v1/users/me", headers=headers)).json()["id"]
    now = datetime.now(UTC)
    expired = jwt.encode(
        {
            "sub": user_id,
            "iat": now - timedelta(hours=2),
            "exp": now - timedelta(hours=1),
            "typ": "access",
        },
        TEST_SECRET_KEY,
        algorithm="HS256",
    )
    forged = jwt.encode(
        {"sub": user_id, "iat": now, "exp": now + timedelta(hours=1), "typ": "access"},
        "not-the-server-key-" * 3,
        algorithm="HS256",
    )
    none_alg = jwt.encode(
        {"sub": user_id, "iat": now, "exp": now + timedelta(hours=1)}, None, algorithm="none"
    )
    cases = {
        "missing": {},
        "garbage": {"Authorization": "Bearer not.a.jwt"},
        "expired": {"Authorization": f"Bearer {expired}"},
        "forged": {"Authorization": f"Bearer {forged}"},
        "alg-none": {"Authorization": f"Bearer {none_alg}"},
    }
    for name, case_headers in cases.items():
        response = await client.get("/v1/users/me", headers=case_headers)
        assert response.status_code == 401, name
        assert response.headers["content-type"] == PROBLEM, name
    expired_response = await client.get("/v1/users/me", headers=cases["expired"])
    assert "expired" in expired_response.json()["detail"]


async def test_every_v1_route_needs_a_token(client: httpx.AsyncClient, api_server) -> None:  # type: ignore[no-untyped-def]
    spec = (await client.get("/openapi.json")).json()
    public = {"/v1/auth/register", "/v1/auth/token"}
    checked = 0
    for path, operations in spec["paths"].items():
        if not path.startswith("/v1") or path in public:
            continue
        concrete = (
            path.replace("{persona_id}", "00000000-0000-0000-0000-000000000000")
            .replace("{job_id}", "00000000-0000-0000-0000-000000000000")
            .replace("{content_id}", "00000000-0000-0000-0000-000000000000")
        )
        for method in operations:
            response = await client.request(method.upper(), concrete)
            assert response.status_code == 401, (method, path, response.status_code)
            checked += 1
    assert checked >= 6


async def test_hostile_credentials_are_401_or_422_never_500(client: httpx.AsyncClient) -> None:
    await register(client, "robin", password="robin-password-1")
    for form in (
        {"username": "rob\x00in", "password": "robin-password-1"},
        {"username": "robin", "password": "robin-\x00password"},
        {"username": "rob\udfffin", "password": "x"},
        {"username": "robin", "password": "pw-\ud800"},
    ):
        body = "&".join(f"{k}={v}" for k, v in form.items()).encode("utf-8", "surrogatepass")
        response = await client.post(
            "/v1/auth/token",
            content=body,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert response.status_code == 401, (form, response.text)
    surrogate = b'{"username": "sur", "email": "sur@example.com", "password": "pass\\ud800word"}'
    response = await client.post(
        "/v1/auth/register", content=surrogate, headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 422
