"""Legacy content: ``core_contentpiece`` -> ``content_pieces``.

The owner is the author's user (the persona's owner when the author is missing). The persona
link is kept only when the persona belongs to the same user: PersonaGen05 let content point at
another user's persona, which PersonaGen's per-user isolation forbids, so that link is dropped
(reported; the legacy persona id stays in ``legacy_imports.legacy_row``); owner and link are
resolved by :func:`personagen.legacy.transform.plan.build_user`. Status, tags and the three
timestamps as they are; ``word_count`` recomputed as whitespace-separated words
(``len(text.split())``, what PersonaGen05 stored too).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, Final

from personagen.legacy.source import Row
from personagen.legacy.transform.common import (
    Recorder,
    RowPlan,
    clean_text,
    jsonable,
    parse_json,
)
from personagen_shared.models.content import TAG_MAX_LENGTH, TITLE_MAX_LENGTH, ContentStatus

CONTENT_STATUSES: Final = frozenset(status.value for status in ContentStatus)


def _tags(raw: Any, rec: Recorder) -> list[str]:
    tags, problem = parse_json(raw)
    if problem:
        rec.change("tags", "dropped", problem, tags, [])
        return []
    if tags is None:
        return []
    if not isinstance(tags, list):
        rec.change("tags", "dropped", f"a JSON {type(tags).__name__} is not a list", tags, [])
        return []
    result: list[str] = []
    for tag in tags:
        if tag is None or isinstance(tag, dict | list):
            rec.change("tags", "dropped", "not a tag", tag)
            continue
        text = clean_text(tag if isinstance(tag, str) else json.dumps(tag)).strip()
        if not text:
            rec.change("tags", "dropped", "empty tag", tag)
            continue
        if len(text) > TAG_MAX_LENGTH:
            text = text[:TAG_MAX_LENGTH].rstrip()
            rec.change("tags", "trimmed", f"cut to {TAG_MAX_LENGTH} characters", tag, text)
        elif text != tag:
            rec.change("tags", "converted", "written as trimmed text", tag, text)
        result.append(text)
    return result


def content_row(
    row: Row,
    new_id: uuid.UUID,
    owner_id: uuid.UUID,
    persona_id: uuid.UUID | None,
    rec: Recorder,
    now: datetime,
) -> RowPlan:
    """``core_contentpiece`` -> a ``content_pieces`` row."""
    raw_title = row.get("title")
    title = clean_text(str(raw_title or "")).strip()
    if len(title) > TITLE_MAX_LENGTH:
        title = title[:TITLE_MAX_LENGTH].rstrip()
        rec.change("title", "trimmed", f"cut to {TITLE_MAX_LENGTH} characters", raw_title, title)
    elif raw_title is None:
        rec.change("title", "replaced", "null in the legacy database", None, title)
    elif title != raw_title:
        rec.change("title", "converted", "white space or NUL bytes removed", raw_title, title)
    raw_content = row.get("content")
    content = clean_text(str(raw_content or ""))
    if raw_content is None:
        rec.change("content", "replaced", "null in the legacy database", None, "")
    elif content != raw_content:
        rec.change("content", "converted", "NUL bytes removed", raw_content, content)
    raw_status = row.get("status")
    status = str(raw_status or "").strip().lower()
    if status not in CONTENT_STATUSES:
        status = ContentStatus.DRAFT.value
        rec.change("status", "replaced", "not draft/published/archived", raw_status, status)
    elif status != raw_status:
        rec.change("status", "converted", "lower-cased", raw_status, status)
    word_count = len(content.split())
    if row.get("word_count") is not None and row.get("word_count") != word_count:
        rec.change("word_count", "replaced", "recomputed", row.get("word_count"), word_count)
    created_at = rec.time("created_at", row.get("created_at"), now)
    updated_at = rec.time("updated_at", row.get("updated_at"), created_at)
    published_at = rec.time("published_at", row.get("published_at"), None)
    if status == ContentStatus.PUBLISHED and published_at is None:
        rec.note("published without published_at (kept as it is)")
    if status != ContentStatus.PUBLISHED and published_at is not None:
        rec.note(f"{status} with a published_at (kept as it is)")
    return RowPlan(
        legacy_id=int(row["id"]),
        values={
            "id": new_id,
            "owner_id": owner_id,
            "persona_id": persona_id,
            "job_id": None,
            "title": title,
            "content": content,
            "status": status,
            "tags": _tags(row.get("tags"), rec),
            "word_count": word_count,
            "model": None,
            "prompt": None,
            "prompt_tokens": None,
            "completion_tokens": None,
            "total_tokens": None,
            "created_at": created_at,
            "updated_at": updated_at,
            "published_at": published_at,
        },
        legacy_row={"core_contentpiece": jsonable(row)},
    )
