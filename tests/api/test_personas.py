"""Persona CRUD, validation of hostile input, ownership, ETags, filters and keyset pagination."""

from __future__ import annotations

import asyncio
import base64
import json
import uuid

import asyncpg
import httpx
import pytest

from personagen_shared.traits import SCALE_TRAITS, TEXT_TRAITS, TRAITS

PROBLEM = "application/problem+json"


async def create(client: httpx.AsyncClient, auth: dict[str, str], **fields: object) -> dict:
    response = await client.post("/v1/personas", json={"name": "Persona", **fields}, headers=auth)
    assert response.status_code == 201, response.text
    return response.json()


async def persona_count(database_url: str) -> int:
    conn = await asyncpg.connect(database_url)
    try:
        return int(await conn.fetchval("SELECT count(*) FROM personas"))
    finally:
        await conn.close()


async def test_create_read_update_delete(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    response = await client.post(
        "/v1/personas",
        json={
            "name": "  Legal drafter ",
            "description": "Contracts",
            "formality_level": 9,
            "tone": "formal",
        },
        headers=auth,
    )
    assert response.status_code == 201
    body = response.json()
    assert response.headers["location"] == f"/v1/personas/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["name"] == "Legal drafter"
    assert body["formality_level"] == 9 and body["tone"] == "formal"
    assert body["humor_sarcasm_usage"] is None
    assert body["version"] == 1
    assert set(TRAITS_NAMES) <= set(body)

    got = await client.get(response.headers["location"], headers=auth)
    assert got.status_code == 200 and got.json() == body
    assert got.headers["etag"] == '"1"'

    patched = await client.patch(
        f"/v1/personas/{body['id']}", json={"humor_sarcasm_usage": 2, "tone": None}, headers=auth
    )
    assert patched.status_code == 200
    after = patched.json()
    assert after["humor_sarcasm_usage"] == 2
    assert after["tone"] is None
    assert after["formality_level"] == 9, "fields not sent stay as they were"
    assert after["name"] == "Legal drafter" and after["description"] == "Contracts"
    assert after["version"] == 2 and patched.headers["etag"] == '"2"'
    assert after["updated_at"] > body["updated_at"]
    assert after["created_at"] == body["created_at"]

    deleted = await client.delete(f"/v1/personas/{body['id']}", headers=auth)
    assert deleted.status_code == 204 and deleted.content == b""
    gone = await client.get(f"/v1/personas/{body['id']}", headers=auth)
    assert gone.status_code == 404
    assert gone.headers["content-type"] == PROBLEM


TRAITS_NAMES = [t.name for t in TRAITS]


async def test_every_trait_round_trips(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    fields: dict[str, object] = {t.name: (i % 10) + 1 for i, t in enumerate(SCALE_TRAITS)}
    fields |= {t.name: f"value {t.name}"[: t.max_length] for t in TEXT_TRAITS}
    body = await create(client, auth, **fields)
    for name, value in fields.items():
        assert body[name] == value, name


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"formality_level": 42}, "body.formality_level"),
        ({"formality_level": 0}, "body.formality_level"),
        ({"formality_level": "8"}, "body.formality_level"),
        ({"formality_level": 7.5}, "body.formality_level"),
        ({"formality_level": True}, "body.formality_level"),
        ({"formality_level": 2**31}, "body.formality_level"),
        ({"formality_level": 10**30}, "body.formality_level"),
        ({"tone": "x" * 101}, "body.tone"),
        ({"tone": 5}, "body.tone"),
        ({"tone": "for\x00mal"}, "body.tone"),
        ({"name": "a\x00b"}, "body.name"),
        ({"name": ""}, "body.name"),
        ({"name": "   "}, "body.name"),
        ({"name": "n" * 101}, "body.name"),
        ({"name": None}, "body.name"),
        ({"id": str(uuid.uuid4())}, "body.id"),
        ({"owner_id": str(uuid.uuid4())}, "body.owner_id"),
        ({"version": 7}, "body.version"),
        ({"created_at": "2020-01-01T00:00:00Z"}, "body.created_at"),
        ({"not_a_trait": 1}, "body.not_a_trait"),
    ],
)
async def test_invalid_create_is_422_and_writes_nothing(
    client: httpx.AsyncClient, auth: dict[str, str], database_url: str, payload: dict, field: str
) -> None:
    response = await client.post("/v1/personas", json={"name": "Valid", **payload}, headers=auth)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    problem = response.json()
    assert problem["status"] == 422 and problem["title"] == "Unprocessable Content"
    assert problem["type"] == "/problems/validation-error"
    assert field in [error["field"] for error in problem["errors"]]
    assert await persona_count(database_url) == 0


async def test_malformed_bodies(
    client: httpx.AsyncClient, auth: dict[str, str], database_url: str
) -> None:
    malformed = await client.post(
        "/v1/personas",
        content=b'{"name": "x",',
        headers={**auth, "Content-Type": "application/json"},
    )
    assert malformed.status_code == 400
    assert malformed.json()["type"] == "/problems/malformed-json"
    wrong_type = await client.post(
        "/v1/personas", content=b'{"name": "x"}', headers={**auth, "Content-Type": "text/plain"}
    )
    assert wrong_type.status_code == 415
    not_object = await client.post("/v1/personas", json=["name", "x"], headers=auth)
    assert not_object.status_code == 422
    huge = await client.post(
        "/v1/personas",
        content=b'{"name": "' + b"x" * (10 * 1024 * 1024) + b'"}',
        headers={**auth, "Content-Type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.headers["content-type"] == PROBLEM

    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"name": "'
        for _ in range(12):
            yield b"y" * (1024 * 1024)
        yield b'"}'

    chunked = await client.post(
        "/v1/personas", content=chunks(), headers={**auth, "Content-Type": "application/json"}
    )
    assert chunked.status_code == 413
    assert await persona_count(database_url) == 0


async def test_bad_path_and_query_values(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    assert (await client.get("/v1/personas/not-a-uuid", headers=auth)).status_code == 422
    for query in (
        {"limit": 0},
        {"limit": 101},
        {"limit": "ten"},
        {"order_by": "password_hash"},
        {"formality_level__gte": 11},
        {"formality_level__gt": 3},
        {"q": "a\x00b"},
    ):
        response = await client.get("/v1/personas", params=query, headers=auth)
        assert response.status_code == 422, (query, response.text)
        assert response.headers["content-type"] == PROBLEM
    broken_cursor = await client.get("/v1/personas", params={"cursor": "%%%"}, headers=auth)
    assert broken_cursor.status_code == 400


async def test_patch_validation_and_nulls(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    persona = await create(client, auth, formality_level=5)
    url = f"/v1/personas/{persona['id']}"
    for payload in (
        {"formality_level": 11},
        {"name": None},
        {"is_active": None},
        {"version": 9},
        {"id": "x"},
    ):
        response = await client.patch(url, json=payload, headers=auth)
        assert response.status_code == 422, payload
    unchanged = (await client.get(url, headers=auth)).json()
    assert unchanged["version"] == 1 and unchanged["formality_level"] == 5
    empty = await client.patch(url, json={}, headers=auth)
    assert empty.status_code == 200 and empty.json()["version"] == 1


async def test_other_users_persona_is_404_on_every_route(
    client: httpx.AsyncClient, auth: dict[str, str], other_auth: dict[str, str]
) -> None:
    mine = await create(client, auth, name="Mine", formality_level=3)
    url = f"/v1/personas/{mine['id']}"
    for method, kwargs in (
        ("GET", {}),
        ("PATCH", {"json": {"formality_level": 9}}),
        ("DELETE", {}),
    ):
        response = await client.request(method, url, headers=other_auth, **kwargs)
        assert response.status_code == 404, method
        assert "Mine" not in response.text
    listing = await client.get("/v1/personas", headers=other_auth)
    assert listing.json() == {"items": [], "next_cursor": None}
    still = await client.get(url, headers=auth)
    assert still.json()["formality_level"] == 3 and still.json()["version"] == 1


async def test_etag_if_match_and_if_none_match(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    persona = await create(client, auth)
    url = f"/v1/personas/{persona['id']}"
    ok = await client.patch(url, json={"tone": "dry"}, headers={**auth, "If-Match": '"1"'})
    assert ok.status_code == 200 and ok.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"tone": "wet"}, headers={**auth, "If-Match": '"1"'})
    assert stale.status_code == 412
    assert stale.headers["content-type"] == PROBLEM
    weak = await client.patch(url, json={"tone": "wet"}, headers={**auth, "If-Match": 'W/"2"'})
    assert weak.status_code == 412
    star = await client.patch(url, json={"tone": "calm"}, headers={**auth, "If-Match": "*"})
    assert star.status_code == 200 and star.json()["version"] == 3
    assert (await client.get(url, headers={**auth, "If-None-Match": '"3"'})).status_code == 304
    assert (await client.get(url, headers={**auth, "If-None-Match": '"2"'})).status_code == 200
    stale_delete = await client.delete(url, headers={**auth, "If-Match": '"2"'})
    assert stale_delete.status_code == 412
    assert (await client.get(url, headers=auth)).json()["tone"] == "calm"
    assert (await client.delete(url, headers={**auth, "If-Match": '"3"'})).status_code == 204
    missing = await client.patch(url, json={"tone": "x"}, headers={**auth, "If-Match": '"3"'})
    assert missing.status_code == 404


async def test_concurrent_conditional_updates_one_wins(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    persona = await create(client, auth)
    url = f"/v1/personas/{persona['id']}"
    results = await asyncio.gather(
        *(
            client.patch(url, json={"formality_level": level}, headers={**auth, "If-Match": '"1"'})
            for level in range(1, 9)
        )
    )
    codes = sorted(r.status_code for r in results)
    assert codes.count(200) == 1 and codes.count(412) == 7
    assert (await client.get(url, headers=auth)).json()["version"] == 2


async def test_filters_and_search(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    await create(client, auth, name="Formal Fiona", formality_level=9, tone="formal")
    await create(
        client,
        auth,
        name="Casual Carl",
        formality_level=2,
        tone="casual",
        description="Loves 100% puns",
    )
    await create(
        client, auth, name="Middle Mo", formality_level=5, description="a formal-ish blogger"
    )
    await create(client, auth, name="Unknown Una")

    async def names(**params: object) -> list[str]:
        response = await client.get(
            "/v1/personas", params={"order_by": "name", **params}, headers=auth
        )
        assert response.status_code == 200, response.text
        return [item["name"] for item in response.json()["items"]]

    assert await names(formality_level__gte=5) == ["Formal Fiona", "Middle Mo"]
    assert await names(formality_level__lte=5) == ["Casual Carl", "Middle Mo"]
    assert await names(formality_level__gte=3, formality_level__lte=6) == ["Middle Mo"]
    assert await names(tone="formal") == ["Formal Fiona"]
    assert await names(q="FORMAL") == ["Formal Fiona", "Middle Mo"]
    assert await names(q="100%") == ["Casual Carl"]
    assert await names(q="_") == []
    assert await names(order_by="-formality_level") == [
        "Formal Fiona",
        "Middle Mo",
        "Casual Carl",
        "Unknown Una",
    ]
    assert await names(order_by="formality_level") == [
        "Casual Carl",
        "Middle Mo",
        "Formal Fiona",
        "Unknown Una",
    ]


async def _page_through(
    client: httpx.AsyncClient, auth: dict[str, str], **params: object
) -> list[str]:
    seen: list[str] = []
    cursor = None
    while True:
        query = {**params, **({"cursor": cursor} if cursor else {})}
        page = (await client.get("/v1/personas", params=query, headers=auth)).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return seen


@pytest.mark.parametrize(
    "order_by",
    [
        "-created_at",
        "created_at",
        "name",
        "-name",
        "-updated_at",
        "formality_level",
        "-formality_level",
        "tone",
    ],
)
async def test_keyset_pagination_covers_every_row_once(
    client: httpx.AsyncClient, auth: dict[str, str], order_by: str
) -> None:
    created = []
    for i in range(23):
        fields: dict[str, object] = {"name": f"P{i % 5}"}
        if i % 3:
            fields["formality_level"] = i % 4 + 1
            fields["tone"] = f"t{i % 2}"
        created.append((await create(client, auth, **fields))["id"])
    seen = await _page_through(client, auth, limit=4, order_by=order_by)
    assert sorted(seen) == sorted(created)
    assert len(seen) == len(set(seen))
    first_page = (
        await client.get("/v1/personas", params={"limit": 4, "order_by": order_by}, headers=auth)
    ).json()
    with_other_sort = await client.get(
        "/v1/personas",
        params={
            "cursor": first_page["next_cursor"],
            "order_by": "-name" if order_by != "-name" else "name",
        },
        headers=auth,
    )
    assert with_other_sort.status_code == 400


async def test_pagination_under_concurrent_inserts(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    existing = [(await create(client, auth, name=f"Old {i}"))["id"] for i in range(15)]
    seen: list[str] = []
    cursor = None
    inserted = []
    while True:
        page = (
            await client.get(
                "/v1/personas",
                params={"limit": 4, **({"cursor": cursor} if cursor else {})},
                headers=auth,
            )
        ).json()
        seen += [item["id"] for item in page["items"]]
        # Another client inserts between every page request.
        inserted += [
            r["id"]
            for r in await asyncio.gather(*(create(client, auth, name="New") for _ in range(2)))
        ]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)), "no duplicates"
    assert set(existing) <= set(seen), "no gaps among rows that existed when paging began"
    newest_first = (await client.get("/v1/personas", params={"limit": 1}, headers=auth)).json()[
        "items"
    ][0]["id"]
    assert newest_first in inserted


async def test_default_listing_is_newest_first(
    client: httpx.AsyncClient, auth: dict[str, str]
) -> None:
    ids = [(await create(client, auth, name=f"N{i}"))["id"] for i in range(3)]
    page = (await client.get("/v1/personas", headers=auth)).json()
    assert [item["id"] for item in page["items"]] == ids[::-1]
    assert page["next_cursor"] is None


def forge_cursor(order_by: str, value: object) -> str:
    raw = json.dumps([order_by, value, str(uuid.uuid4())]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    ("order_by", "value"),
    [
        ("-created_at", "abc"),
        ("-created_at", 5),
        ("-created_at", None),
        ("-created_at", {"dt": "2026-01-01T00:00:00"}),
        ("name", {"dt": "2026-01-01T00:00:00+00:00"}),
        ("name", 1.5),
        ("name", None),
        ("formality_level", "x"),
        ("formality_level", 1e30),
        ("formality_level", 10**12),
        ("formality_level", True),
        ("tone", 3),
    ],
)
async def test_forged_cursors_are_400_not_500(
    client: httpx.AsyncClient, auth: dict[str, str], order_by: str, value: object
) -> None:
    await create(client, auth)
    response = await client.get(
        "/v1/personas",
        params={"order_by": order_by, "cursor": forge_cursor(order_by, value)},
        headers=auth,
    )
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM


async def test_hostile_if_match_and_text(client: httpx.AsyncClient, auth: dict[str, str]) -> None:
    persona = await create(client, auth)
    url = f"/v1/personas/{persona['id']}"
    for tag in ('"99999999999999999999"', '"\u00b2"', '"-1"', '"1.0"', "garbage"):
        headers = {**auth, "If-Match": tag.encode("latin-1")}  # "²" is the byte 0xb2
        assert (await client.patch(url, json={"tone": "x"}, headers=headers)).status_code == 412
        assert (await client.delete(url, headers=headers)).status_code == 412
    for payload in ({"description": "\ud800"}, {"name": "a\udfffb"}, {"tone": "\ud83d"}):
        body = json.dumps(payload).encode()  # keeps the lone surrogate as a \\u escape
        response = await client.post(
            "/v1/personas", content=body, headers={**auth, "Content-Type": "application/json"}
        )
        assert response.status_code == 422, (payload, response.text)
    assert (await client.get(url, headers=auth)).json()["version"] == 1


@pytest.mark.parametrize("order_by", ["-created_at", "name", "-formality_level", "tone"])
async def test_pages_come_in_sort_order(
    client: httpx.AsyncClient, auth: dict[str, str], order_by: str
) -> None:
    for i in range(11):
        fields: dict[str, object] = {"name": f"N{i % 4}"}
        if i % 3:
            fields |= {"formality_level": i % 5 + 1, "tone": f"t{i % 3}"}
        await create(client, auth, **fields)
    whole = await client.get(
        "/v1/personas", params={"order_by": order_by, "limit": 100}, headers=auth
    )
    expected = [item["id"] for item in whole.json()["items"]]
    assert await _page_through(client, auth, limit=3, order_by=order_by) == expected
    column = order_by.lstrip("-")
    values = [item[column] for item in whole.json()["items"]]
    present = [v for v in values if v is not None]
    assert values == present + [None] * (len(values) - len(present)), "nulls last"
    assert present == sorted(present, reverse=order_by.startswith("-"))
