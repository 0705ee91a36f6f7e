"""Turn legacy rows into PersonaGen rows (pure functions: no I/O).

Mapping decisions (each change is reported; the legacy row itself is kept, see below):

- users: ``auth_user`` -> ``users``. Username, email, ``is_active`` and ``date_joined``
  (-> ``created_at``) as they are; the Django password hash verbatim (the API verifies
  ``pbkdf2_sha256$…`` and rehashes it with argon2 on the first login). A blank email, which
  Django allows, becomes ``user-<legacy id>.<fingerprint[:8]>@legacy.invalid`` (RFC 2606
  ``.invalid``; unique per installation). First and last name, ``core_author.bio`` and the
  other ``auth_user`` columns (never the password) go to ``legacy_imports.legacy_row``.
- personas: ``core_persona`` -> ``personas``, owner = the author's user. ``name`` is the
  ``name`` column, never ``data['name']`` (the LLM's guess, which is reported as ignored).
  Traits go through :func:`personagen_shared.normalize.normalise_traits`, the one
  normalisation the analysis uses too: from ``data`` (JSON state), from the trait columns
  (flat state), or both (mixed state: the column wins where it holds a usable value, because
  PersonaGen05's newer code reads and writes the columns; ``data`` fills the traits the
  columns lack, e.g. ``age`` or ``creativity_level`` that have no column). The whole legacy row
  (columns and parsed ``data``) is kept in ``personas.legacy_source``.
- content: ``core_contentpiece`` -> ``content_pieces``, owner = the author's user (the
  persona's owner when the author is missing). The persona link is kept only when the persona
  belongs to the same user: PersonaGen05 let content point at another user's persona, which
  PersonaGen's per-user isolation forbids, so that link is dropped (reported; the legacy
  persona id stays in ``legacy_imports.legacy_row``). Status, tags and the three timestamps as
  they are; ``word_count`` recomputed as whitespace-separated words (``len(text.split())``,
  what PersonaGen05 stored too).
"""

from __future__ import annotations

import json
import math
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any, Final

from personagen.legacy.report import ImportReport
from personagen.legacy.source import PERSONA_BASE_COLUMNS, LegacySnapshot, Row, State
from personagen_shared.models.content import TAG_MAX_LENGTH, TITLE_MAX_LENGTH, ContentStatus
from personagen_shared.models.personas import NAME_MAX_LENGTH
from personagen_shared.normalize import NESTED_TRAIT_OBJECTS, Change, normalise_traits
from personagen_shared.traits import TRAITS

DJANGO_USABLE_HASH_PREFIX: Final = "pbkdf2_sha256$"
PLACEHOLDER_NAME: Final = re.compile(
    r"^\s*(?:\[.*\]|<.*>|n/?a|none|null|unknown(?: \w+)?|anonymous(?: \w+)?|(?:the )?author"
    r"|(?:the )?writer)?\s*$",
    re.IGNORECASE,
)
"""Names an LLM gives when it cannot tell the author ("Unknown", "[Author/Character Name]")."""

CONTENT_STATUSES: Final = frozenset(status.value for status in ContentStatus)


@dataclass(slots=True)
class Known:
    """What the target already holds for this source (read from ``legacy_imports``).

    ``users``/``personas``/``content``: legacy id -> new id of rows imported by earlier runs.
    ``live_users``/``live_personas``: those new ids that still exist (the user may have deleted
    some since). ``taken_usernames``/``taken_emails``: lower-cased names and emails of target
    users, whichever source they came from (a legacy user not imported yet with one of them is
    skipped).
    """

    users: dict[int, uuid.UUID] = field(default_factory=dict)
    personas: dict[int, uuid.UUID] = field(default_factory=dict)
    content: dict[int, uuid.UUID] = field(default_factory=dict)
    live_users: set[uuid.UUID] = field(default_factory=set)
    live_personas: set[uuid.UUID] = field(default_factory=set)
    taken_usernames: set[str] = field(default_factory=set)
    taken_emails: set[str] = field(default_factory=set)


@dataclass(slots=True)
class RowPlan:
    """One row to insert: its table values and what goes to ``legacy_imports``."""

    legacy_id: int
    values: dict[str, Any]
    legacy_row: dict[str, Any] | None = None


@dataclass(slots=True)
class UserPlan:
    """Everything of one legacy user that this run writes, in one transaction.

    ``user`` is ``None`` when the user was imported by an earlier run (only new personas and
    content are added); ``new_id`` is the user's id here either way.
    """

    legacy_id: int
    username: str
    new_id: uuid.UUID
    user: RowPlan | None
    personas: list[RowPlan] = field(default_factory=list)
    content: list[RowPlan] = field(default_factory=list)


# --- values ---------------------------------------------------------------------------------


def jsonable(value: Any) -> Any:
    """``value`` (a driver value) in JSON types, for ``legacy_source``/``legacy_row``.

    Timestamps become ISO text, decimals text, bytes hex text; NUL characters become U+FFFD
    because PostgreSQL cannot store them in ``jsonb`` or ``text``.
    """
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).hex()
    if isinstance(value, Mapping):
        return {str(key): jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    return repr(value)


def parse_json(value: Any) -> tuple[Any, str | None]:
    """A JSON column's driver value as Python data: ``(data, None)`` or ``(raw, problem)``."""
    if value is None or not isinstance(value, str | bytes):
        return value, None
    try:
        return json.loads(value), None
    except ValueError as exc:
        return value, f"not valid JSON ({exc})"


def parse_time(value: Any) -> datetime | None:
    """A Django timestamp (SQLite text or a PostgreSQL datetime) as an aware UTC datetime.

    Django with ``USE_TZ`` stores UTC without an offset in SQLite, so naive values are UTC.

    Raises:
        ValueError: ``value`` is text that is not an ISO 8601 timestamp.
    """
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.strip())
    elif isinstance(value, date) and not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if not isinstance(value, datetime):
        raise ValueError(f"not a timestamp: {value!r}")
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def clean_text(value: str) -> str:
    """``value`` without NUL characters (PostgreSQL text cannot hold them)."""
    return value.replace("\x00", "")


class _Recorder:
    """Collects report entries for one legacy row."""

    def __init__(
        self, report: ImportReport, kind: str, legacy_id: int, label: str, owner: str | None
    ) -> None:
        self.report = report
        self.base = {"kind": kind, "legacy_id": legacy_id, "label": label, "owner": owner}

    def change(
        self,
        field_name: str,
        action: str,
        reason: str,
        raw: Any,
        value: Any = None,
        **extra: Any,
    ) -> None:
        entry = {
            **self.base,
            "field": field_name,
            "action": action,
            "reason": reason,
            "raw": jsonable(raw),
            "value": jsonable(value),
        }
        entry.update({key: item for key, item in extra.items() if item is not None})
        self.report.normalisations.append(entry)

    def trait_change(self, change: Change, origin: str) -> None:
        self.change(
            change.trait,
            change.action.value,
            change.reason,
            change.raw,
            change.value,
            key=change.key,
            origin=origin,
        )

    def note(self, text: str, **extra: Any) -> None:
        self.report.notes.append({**self.base, "note": text, **jsonable(extra)})

    def time(self, field_name: str, raw: Any, fallback: datetime | None) -> datetime | None:
        try:
            value = parse_time(raw)
        except ValueError:
            self.change(field_name, "replaced", "not a timestamp", raw, fallback)
            return fallback
        if value is None and fallback is not None:
            self.change(field_name, "replaced", "missing", raw, fallback)
            return fallback
        return value


# --- users ----------------------------------------------------------------------------------


def user_row(
    row: Row, author: Row | None, new_id: uuid.UUID, source: str, rec: _Recorder, now: datetime
) -> RowPlan:
    """``auth_user`` (+ its ``core_author``) -> a ``users`` row."""
    legacy_id = int(row["id"])
    email = _user_email(row, source)
    if not clean_text(str(row.get("email") or "")).strip():
        rec.change("email", "replaced", "blank in the legacy database", row.get("email"), email)
    password = str(row.get("password") or "")
    if not password:
        rec.note("no password hash: this user cannot log in until an administrator sets one")
        password = "!"  # noqa: S105  # Django's marker of an unusable password
    elif not password.startswith(DJANGO_USABLE_HASH_PREFIX):
        algorithm = password.split("$", 1)[0] if "$" in password else "unusable"
        rec.note(
            f"password hash ({algorithm}) is not pbkdf2_sha256: PersonaGen cannot verify it, "
            "the user needs a new password"
        )
    is_active = row.get("is_active")
    created_at = rec.time("created_at", row.get("date_joined"), now)
    kept = {key: jsonable(value) for key, value in row.items() if key != "password"}
    return RowPlan(
        legacy_id=legacy_id,
        values={
            "id": new_id,
            "username": clean_text(str(row["username"])),
            "email": email,
            "password_hash": password,
            "is_active": True if is_active is None else bool(is_active),
            "created_at": created_at,
        },
        legacy_row={
            "auth_user": kept,
            "core_author": None if author is None else jsonable(author),
        },
    )


# --- personas -------------------------------------------------------------------------------

_TRAIT_DEFAULTS: Final = {trait.name: None for trait in TRAITS}


def _record_moves(
    document: Mapping[str, Any], values: Mapping[str, Any], changed: set[str], rec: _Recorder
) -> None:
    """Report values kept as they are but found away from their canonical top-level key.

    The shared normalisation reports only changed values; a value flattened out of a nested
    ``psychological_traits`` object or read from a differently spelled key is listed here too,
    so the report shows where each imported value came from.
    """
    for trait, value in values.items():
        if trait in document or trait in changed:
            continue
        nested = next(
            (
                f"{name}.{trait}"
                for name in NESTED_TRAIT_OBJECTS
                if isinstance(document.get(name), Mapping) and trait in document[name]
            ),
            None,
        )
        reason = "flattened from a nested object" if nested else "read from a variant of its key"
        rec.change(trait, "moved", reason, value, value, key=nested, origin="data")


def persona_traits(row: Row, state: State, rec: _Recorder) -> tuple[dict[str, Any], Any]:
    """The trait values of a legacy persona row, and its ``data`` parsed (for legacy_source).

    Every change :func:`normalise_traits` makes is recorded with its origin (``data`` or
    ``column``).
    """
    column_values: dict[str, Any] = {}
    if state in (State.FLAT, State.MIXED):
        document = {key: value for key, value in row.items() if key not in PERSONA_BASE_COLUMNS}
        result = normalise_traits(document)
        column_values = result.values
        for change in result.changes:
            rec.trait_change(change, "column")
    data: Any = None
    data_values: dict[str, Any] = {}
    if state in (State.JSON, State.MIXED):
        data, problem = parse_json(row.get("data"))
        if problem:
            rec.change("data", "dropped", problem, data)
        elif isinstance(data, Mapping):
            result = normalise_traits(data)
            data_values = result.values
            for change in result.changes:
                rec.trait_change(change, "data")
            _record_moves(data, result.values, {c.trait for c in result.changes}, rec)
        elif data is not None:
            rec.change("data", "dropped", f"a JSON {type(data).__name__} is not an object", data)
    for trait, value in data_values.items():
        if trait in column_values and column_values[trait] != value:
            rec.change(
                trait,
                "superseded",
                "the trait column (written by PersonaGen05's newer code) wins over data",
                value,
                column_values[trait],
                origin="data",
            )
    return {**data_values, **column_values}, data


def persona_row(
    row: Row,
    snapshot: LegacySnapshot,
    new_id: uuid.UUID,
    owner_id: uuid.UUID,
    rec: _Recorder,
    now: datetime,
) -> RowPlan:
    """``core_persona`` -> a ``personas`` row (``legacy_source`` keeps the legacy row)."""
    legacy_id = int(row["id"])
    traits, data = persona_traits(row, snapshot.state, rec)
    raw_name = row.get("name")
    name = clean_text(str(raw_name or "")).strip()
    if not name:
        name = f"Legacy persona {legacy_id}"
        rec.change("name", "replaced", "blank in the legacy database", raw_name, name)
    elif len(name) > NAME_MAX_LENGTH:
        name = name[:NAME_MAX_LENGTH].rstrip()
        rec.change("name", "trimmed", f"cut to {NAME_MAX_LENGTH} characters", raw_name, name)
    elif name != raw_name:
        rec.change("name", "converted", "white space or NUL bytes removed", raw_name, name)
    if snapshot.names_overwritten:
        guess = data.get("name") if isinstance(data, Mapping) else None
        if PLACEHOLDER_NAME.match(name):
            rec.note("name looks like an LLM placeholder written by core.0003; rename it")
        elif guess is not None and guess == raw_name:
            rec.note("name equals the LLM's guess in data: core.0003 overwrote the original")
    description = row.get("description")
    if isinstance(description, str) and "\x00" in description:
        rec.change("description", "converted", "NUL bytes removed", description)
        description = clean_text(description)
    is_active = row.get("is_active")
    if is_active is None:
        rec.change("is_active", "replaced", "null in the legacy database", None, True)
    created_at = rec.time("created_at", row.get("created_at"), now)
    updated_at = rec.time("updated_at", row.get("updated_at"), created_at)
    legacy_columns = {key: jsonable(value) for key, value in row.items() if key != "data"}
    if "data" in row:
        raw_data = row["data"]
        # Parsed JSON text is JSON-safe for jsonb already, unless it holds NUL characters
        # (escaped as \u0000) or Python's NaN/Infinity extensions; those go through jsonable.
        clean = isinstance(raw_data, str) and not any(
            token in raw_data for token in ("\\u0000", "NaN", "Infinity")
        )
        legacy_columns["data"] = data if clean else jsonable(data)
    return RowPlan(
        legacy_id=legacy_id,
        values={
            **_TRAIT_DEFAULTS,
            **traits,
            "id": new_id,
            "owner_id": owner_id,
            "name": name,
            "description": None if description is None else str(description),
            "is_active": True if is_active is None else bool(is_active),
            "version": 1,
            "created_at": created_at,
            "updated_at": updated_at,
            "analysis_job_id": None,
            "legacy_source": {
                "source": snapshot.fingerprint,
                "backend": snapshot.backend,
                "state": snapshot.state.value,
                "table": "core_persona",
                "id": legacy_id,
                "row": legacy_columns,
            },
        },
    )


# --- content --------------------------------------------------------------------------------


def _tags(raw: Any, rec: _Recorder) -> list[str]:
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
    rec: _Recorder,
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


# --- the plan -------------------------------------------------------------------------------


def _skip(report: ImportReport, kind: str, legacy_id: int, reason: str, **extra: Any) -> None:
    report.counts[kind].skipped += 1
    report.skipped.append({"kind": kind, "legacy_id": legacy_id, "reason": reason, **extra})


@dataclass(slots=True)
class UserBucket:
    """One legacy user's rows still to import, grouped cheaply before any normalisation.

    ``row`` is the ``auth_user`` row when the user itself is new, else ``None``.
    ``content`` holds ``(row, owner_from_persona)`` pairs: the flag marks content without an
    author, owned by its persona's owner.
    """

    legacy_id: int
    username: str
    new_id: uuid.UUID
    row: Row | None
    personas: list[Row] = field(default_factory=list)
    content: list[tuple[Row, bool]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        """Rows this user's transaction writes."""
        return (self.row is not None) + len(self.personas) + len(self.content)


@dataclass(slots=True)
class Plan:
    """The whole import decided: one bucket per user with rows to write, in legacy id order,
    and what :func:`build_user` needs to resolve persona links and owners."""

    buckets: list[UserBucket]
    snapshot: LegacySnapshot
    known: Known
    persona_owner: dict[int, int | None]
    usernames: dict[int, str]
    author_of_user: dict[int, Row]

    @property
    def rows(self) -> int:
        """Rows the whole import writes."""
        return sum(bucket.rows for bucket in self.buckets)


def _user_email(row: Row, source: str) -> str:
    email = clean_text(str(row.get("email") or "")).strip()
    return email or f"user-{int(row['id'])}.{source[:8]}@legacy.invalid"


def plan_import(snapshot: LegacySnapshot, known: Known, report: ImportReport) -> Plan:
    """Decide, per legacy user, which rows to write; record read/already/skipped counts.

    Cheap (no normalisation): the expensive mapping happens per user in :func:`build_user`,
    so memory holds one user's new rows at a time. Rows already imported (their legacy id is in
    ``known``) are counted and left alone. A user whose username or email (ignoring case)
    belongs to another PersonaGen user is skipped with all their rows: merging into someone
    else's account is never safe. That includes users of this source imported earlier (or
    earlier in this run): Django's usernames are case-sensitive, so ``ALICE`` and ``alice``
    can both exist there, and the one skipped on the first run stays skipped on every run.
    """
    counts = report.counts
    counts["user"].read = len(snapshot.users)
    counts["persona"].read = len(snapshot.personas)
    counts["content"].read = len(snapshot.content)

    user_of_author = {int(a["id"]): int(a["user_id"]) for a in snapshot.authors}
    author_of_user = {int(a["user_id"]): a for a in snapshot.authors}
    usernames = {int(u["id"]): str(u["username"]) for u in snapshot.users}
    persona_owner: dict[int, int | None] = {}
    for persona in snapshot.personas:
        author = persona.get("author_id")
        persona_owner[int(persona["id"])] = (
            None if author is None else user_of_author.get(int(author))
        )

    buckets: dict[int, UserBucket] = {}
    unavailable: dict[int, str] = {}  # legacy user id -> why their rows cannot be imported
    taken_usernames = set(known.taken_usernames)
    taken_emails = set(known.taken_emails)
    for row in snapshot.users:
        legacy_id = int(row["id"])
        username = usernames[legacy_id]
        email = _user_email(row, snapshot.fingerprint).lower()
        if legacy_id in known.users:
            counts["user"].already_imported += 1
            # Still taken for the legacy users after it, exactly as on the first run.
            taken_usernames.add(username.lower())
            taken_emails.add(email)
            new_id = known.users[legacy_id]
            if new_id not in known.live_users:
                unavailable[legacy_id] = "its user was imported earlier and since deleted"
                continue
            buckets[legacy_id] = UserBucket(legacy_id, username, new_id, None)
            continue
        if username.lower() in taken_usernames or email in taken_emails:
            which = "username" if username.lower() in taken_usernames else "email"
            reason = f"{which} already belongs to another PersonaGen user"
            _skip(report, "user", legacy_id, reason, username=username)
            unavailable[legacy_id] = f"its user was skipped ({reason})"
            continue
        taken_usernames.add(username.lower())
        taken_emails.add(email)
        buckets[legacy_id] = UserBucket(legacy_id, username, uuid.uuid4(), row)

    for row in snapshot.personas:
        legacy_id = int(row["id"])
        owner = persona_owner[legacy_id]
        if legacy_id in known.personas:
            counts["persona"].already_imported += 1
        elif owner is None or owner not in usernames:
            _skip(report, "persona", legacy_id, "no author (or its user is missing)")
        elif owner in unavailable:
            _skip(report, "persona", legacy_id, unavailable[owner], owner=usernames[owner])
        else:
            buckets[owner].personas.append(row)

    for row in snapshot.content:
        legacy_id = int(row["id"])
        raw_persona = row.get("persona_id")
        author = row.get("author_id")
        owner = None if author is None else user_of_author.get(int(author))
        from_persona = owner is None and raw_persona is not None
        if owner is None and raw_persona is not None:
            owner = persona_owner.get(int(raw_persona))
        if legacy_id in known.content:
            counts["content"].already_imported += 1
        elif owner is None or owner not in usernames:
            _skip(report, "content", legacy_id, "no author and no persona with an owner")
        elif owner in unavailable:
            _skip(report, "content", legacy_id, unavailable[owner], owner=usernames[owner])
        else:
            buckets[owner].content.append((row, from_persona))

    return Plan(
        buckets=[bucket for bucket in buckets.values() if bucket.rows],
        snapshot=snapshot,
        known=known,
        persona_owner=persona_owner,
        usernames=usernames,
        author_of_user=author_of_user,
    )


def build_user(plan: Plan, bucket: UserBucket, report: ImportReport, now: datetime) -> UserPlan:
    """Map one user's rows (see the module doc), recording every normalisation in ``report``."""
    snapshot, known = plan.snapshot, plan.known
    user: RowPlan | None = None
    if bucket.row is not None:
        rec = _Recorder(report, "user", bucket.legacy_id, bucket.username, bucket.username)
        author = plan.author_of_user.get(bucket.legacy_id)
        user = user_row(bucket.row, author, bucket.new_id, snapshot.fingerprint, rec, now)
    result = UserPlan(bucket.legacy_id, bucket.username, bucket.new_id, user)

    new_persona_ids: dict[int, uuid.UUID] = {}
    for row in bucket.personas:
        legacy_id = int(row["id"])
        rec = _Recorder(report, "persona", legacy_id, str(row.get("name")), bucket.username)
        new_id = new_persona_ids[legacy_id] = uuid.uuid4()
        result.personas.append(persona_row(row, snapshot, new_id, bucket.new_id, rec, now))

    for row, owner_from_persona in bucket.content:
        legacy_id = int(row["id"])
        rec = _Recorder(report, "content", legacy_id, str(row.get("title")), bucket.username)
        if owner_from_persona:
            rec.change("owner", "replaced", "no author: the persona's owner", None, bucket.username)
        raw_persona = row.get("persona_id")
        legacy_persona = None if raw_persona is None else int(raw_persona)
        persona_id: uuid.UUID | None = None
        if legacy_persona is not None:
            link_owner = plan.persona_owner.get(legacy_persona)
            if legacy_persona not in plan.persona_owner:
                rec.change("persona", "dropped", "no such legacy persona", legacy_persona)
            elif link_owner != bucket.legacy_id:
                other = plan.usernames.get(link_owner or -1, "nobody")
                rec.change(
                    "persona",
                    "dropped",
                    f"the persona belongs to another user ({other}); "
                    "kept in legacy_imports.legacy_row",
                    legacy_persona,
                )
            elif legacy_persona in new_persona_ids:
                persona_id = new_persona_ids[legacy_persona]
            elif known.personas.get(legacy_persona) in known.live_personas:
                persona_id = known.personas[legacy_persona]
            else:
                rec.change(
                    "persona",
                    "dropped",
                    "the persona was not imported or has since been deleted",
                    legacy_persona,
                )
        result.content.append(content_row(row, uuid.uuid4(), bucket.new_id, persona_id, rec, now))
    return result
