"""Content piece routes: read, list with filters, edit, publish, delete, ownership."""

from __future__ import annotations

import uuid

import asyncpg
import httpx

PROBLEM = "application/problem+json"


async def insert_piece(
    database_url: str, owner_id: str, persona_id: str | None, **fields: object
) -> str:
    piece_id = str(uuid.uuid4())
    values = {
        "title": "A title",
        "content": "one two three",
        "status": "draft",
        "word_count": 3,
        **fields,
    }
    conn = await asyncpg.connect(database_url)
    try:
        await conn.execute(
            "INSERT INTO content_pieces "
            "(id, owner_id, persona_id, title, content, status, word_count) "
            "VALUES ($1, $2, $3, $4, $5, $6, $7)",
            uuid.UUID(piece_id),
            uuid.UUID(owner_id),
            uuid.UUID(persona_id) if persona_id else None,
            values["title"],
            values["content"],
            values["status"],
            values["word_count"],
        )
    finally:
        await conn.close()
    return piece_id


async def me(client: httpx.AsyncClient, auth: dict[str, str]) -> str:
    return str((await client.get("/v1/users/me", headers=auth)).json()["id"])


async def test_read_edit_publish_delete(
    client: httpx.AsyncClient, auth: dict[str, str], database_url: str
) -> None:
    persona = (await client.post("/v1/personas", json={"name": "P"}, headers=auth)).json()
    piece_id = await insert_piece(database_url, await me(client, auth), persona["id"])
    url = f"/v1/content/{piece_id}"
    piece = (await client.get(url, headers=auth)).json()
    assert (
        piece["title"] == "A title" and piece["status"] == "draft" and piece["published_at"] is None
    )

    edited = await client.patch(
        url, json={"content": "Now it has five words.", "tags": [" bees ", "winter"]}, headers=auth
    )
    assert edited.status_code == 200
    body = edited.json()
    assert body["word_count"] == 5 and body["tags"] == ["bees", "winter"]
    assert body["updated_at"] > piece["updated_at"]

    published = (await client.patch(url, json={"status": "published"}, headers=auth)).json()
    assert published["published_at"] is not None
    archived = (await client.patch(url, json={"status": "archived"}, headers=auth)).json()
    republished = (await client.patch(url, json={"status": "published"}, headers=auth)).json()
    assert archived["published_at"] == published["published_at"] == republished["published_at"]

    for payload in (
        {"status": "viral"},
        {"title": ""},
        {"title": None},
        {"tags": ["x" * 51]},
        {"word_count": 1},
        {"content": "\x00"},
    ):
        response = await client.patch(url, json=payload, headers=auth)
        assert response.status_code == 422, payload
        assert response.headers["content-type"] == PROBLEM

    assert (await client.delete(url, headers=auth)).status_code == 204
    assert (await client.get(url, headers=auth)).status_code == 404


async def test_deleting_the_persona_keeps_the_content(
    client: httpx.AsyncClient, auth: dict[str, str], database_url: str
) -> None:
    persona = (await client.post("/v1/personas", json={"name": "P"}, headers=auth)).json()
    piece_id = await insert_piece(database_url, await me(client, auth), persona["id"])
    assert (await client.delete(f"/v1/personas/{persona['id']}", headers=auth)).status_code == 204
    piece = (await client.get(f"/v1/content/{piece_id}", headers=auth)).json()
    assert piece["persona_id"] is None and piece["content"] == "one two three"


async def test_list_filters_and_isolation(
    client: httpx.AsyncClient, auth: dict[str, str], other_auth: dict[str, str], database_url: str
) -> None:
    owner = await me(client, auth)
    a = (await client.post("/v1/personas", json={"name": "A"}, headers=auth)).json()["id"]
    b = (await client.post("/v1/personas", json={"name": "B"}, headers=auth)).json()["id"]
    ids = [await insert_piece(database_url, owner, a) for _ in range(3)]
    ids.append(await insert_piece(database_url, owner, b, status="published"))
    everything = (await client.get("/v1/content", params={"limit": 2}, headers=auth)).json()
    assert len(everything["items"]) == 2 and everything["next_cursor"]
    rest = (
        await client.get(
            "/v1/content", params={"limit": 2, "cursor": everything["next_cursor"]}, headers=auth
        )
    ).json()
    assert {i["id"] for i in everything["items"] + rest["items"]} == set(ids)
    by_persona = (await client.get("/v1/content", params={"persona_id": a}, headers=auth)).json()
    assert {i["id"] for i in by_persona["items"]} == set(ids[:3])
    published = (
        await client.get("/v1/content", params={"status": "published"}, headers=auth)
    ).json()
    assert [i["id"] for i in published["items"]] == [ids[3]]

    assert (await client.get("/v1/content", headers=other_auth)).json()["items"] == []
    for method, kwargs in (("GET", {}), ("PATCH", {"json": {"title": "mine now"}}), ("DELETE", {})):
        response = await client.request(
            method, f"/v1/content/{ids[0]}", headers=other_auth, **kwargs
        )
        assert response.status_code == 404, method
    assert (await client.get(f"/v1/content/{ids[0]}", headers=auth)).json()["title"] == "A title"
