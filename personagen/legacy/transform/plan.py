"""The overall import plan: which legacy rows of which user this run writes, and one user's
rows mapped to PersonaGen rows.

:func:`plan_import` decides cheaply, before any normalisation, per legacy user which rows to
write (rows imported by earlier runs, see :class:`Known`, are left alone; a user whose username
or email is taken is skipped with all their rows). :func:`build_user` then maps one user's rows
with the table modules (``users``, ``personas``, ``content``) into a :class:`UserPlan`, which
``personagen.legacy.target`` writes in one transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from personagen.legacy.report import ImportReport
from personagen.legacy.source import LegacySnapshot, Row
from personagen.legacy.transform.common import Recorder, RowPlan
from personagen.legacy.transform.content import content_row
from personagen.legacy.transform.personas import persona_row
from personagen.legacy.transform.users import user_email, user_row


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
        email = user_email(row, snapshot.fingerprint).lower()
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
    """Map one user's rows (see the table modules' docs), recording every normalisation in
    ``report``."""
    snapshot, known = plan.snapshot, plan.known
    user: RowPlan | None = None
    if bucket.row is not None:
        rec = Recorder(report, "user", bucket.legacy_id, bucket.username, bucket.username)
        author = plan.author_of_user.get(bucket.legacy_id)
        user = user_row(bucket.row, author, bucket.new_id, snapshot.fingerprint, rec, now)
    result = UserPlan(bucket.legacy_id, bucket.username, bucket.new_id, user)

    new_persona_ids: dict[int, uuid.UUID] = {}
    for row in bucket.personas:
        legacy_id = int(row["id"])
        rec = Recorder(report, "persona", legacy_id, str(row.get("name")), bucket.username)
        new_id = new_persona_ids[legacy_id] = uuid.uuid4()
        result.personas.append(persona_row(row, snapshot, new_id, bucket.new_id, rec, now))

    for row, owner_from_persona in bucket.content:
        legacy_id = int(row["id"])
        rec = Recorder(report, "content", legacy_id, str(row.get("title")), bucket.username)
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
