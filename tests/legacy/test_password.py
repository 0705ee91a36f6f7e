"""A legacy password logs in through the API, and its Django hash is then replaced."""

from __future__ import annotations

import httpx
import pytest

from personagen.legacy import import_legacy
from tests.legacy._support import JSON_DB, fetch


async def _hash(database_url: str, username: str) -> str:
    rows = await fetch(
        database_url, "SELECT password_hash FROM users WHERE username = $1", username
    )
    return str(rows[0]["password_hash"])


@pytest.mark.parametrize("username", ["alice_writer", "chloé_m"])
async def test_legacy_password_logs_in_and_is_rehashed(
    database_url: str, client: httpx.AsyncClient, username: str
) -> None:
    await import_legacy(str(JSON_DB), database_url)
    assert (await _hash(database_url, username)).startswith("pbkdf2_sha256$870000$")
    wrong = await client.post(
        "/v1/auth/token", data={"username": username, "password": "pw-wrong-legacy"}
    )
    assert wrong.status_code == 401
    assert (await _hash(database_url, username)).startswith("pbkdf2_sha256$")

    token = await client.post(
        "/v1/auth/token", data={"username": username, "password": f"pw-{username}-legacy"}
    )

    assert token.status_code == 200, token.text
    rehashed = await _hash(database_url, username)
    assert rehashed.startswith("$argon2")
    me = await client.get(
        "/v1/users/me", headers={"Authorization": f"Bearer {token.json()['access_token']}"}
    )
    assert me.status_code == 200
    assert me.json()["username"] == username
    # The same password still works against the new hash, which stays as it is.
    again = await client.post(
        "/v1/auth/token", data={"username": username, "password": f"pw-{username}-legacy"}
    )
    assert again.status_code == 200
    assert await _hash(database_url, username) == rehashed
