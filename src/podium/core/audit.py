"""The audit log of partner-data access: append-only and hash-chained.

Services record each read, write, export or delete of partner data explicitly with :func:`record`:
who (user, username, the caller's partner actor), the request id, the ecosystem, dataset and
provider whose data was touched, the agreement that allowed a read, the filter applied and the
number of rows. Each entry stores ``prev_hash``, the ``hash`` of the entry before it
(:data:`GENESIS` for the first), and its own ``hash``: SHA-256 over :func:`canonical`, the canonical
JSON of every field but ``seq`` and ``hash``. :func:`verify` recomputes the chain and names the
first entry that was changed, or that follows a removed or moved one; :func:`entries` serves the
"who accessed my data" views.

**Serialised appends.** Two transactions must never chain onto the same head. :func:`record` first
takes a lock that its transaction holds until it ends, then reads the head, then inserts:

- PostgreSQL: ``pg_advisory_xact_lock(AUDIT_LOCK_KEY)``. Under READ COMMITTED (the default) the head
  is read by a statement that starts after the lock is granted, so it sees the entry the previous
  holder committed.
- SQLite: a write that changes no row (``UPDATE audit_log SET seq = seq WHERE 1 = 0``) opens the
  transaction and takes the database write lock, so the head is read while holding it; a second
  writer waits for it (for the connection's busy timeout) and then reads the new head.

The unique constraint on ``prev_hash`` is the backstop where a lock cannot help: at REPEATABLE READ
or SERIALIZABLE on PostgreSQL (the snapshot may predate the lock), or in a SQLite transaction that
read an older snapshot before recording, the losing insert fails instead of forking the chain. The
lock is held until commit, so record near the end of a unit of work and commit promptly.

**Append-only, and what the chain can prove.** Migration 0004 installs a trigger that refuses every
UPDATE of ``audit_log`` on both databases. DELETE is still allowed, only because the test suite
empties tables between tests. Deleting the first entry or one in the middle breaks the chain at the
next entry, which :func:`verify` reports. Deleting the newest entries leaves a shorter chain that is
still valid: only a copy of the head (its ``seq`` and ``hash``) kept outside the database can show
that the tail was cut. Whoever can write the database can also rebuild the chain from any entry on:
the chain makes tampering evident to a verifier holding such a copy, not impossible.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    DateTime,
    Index,
    Integer,
    String,
    select,
    text,
)
from sqlalchemy.orm import Mapped, Session, mapped_column

from podium.core.auth import Principal
from podium.core.db import Base, utcnow
from podium.core.errors import Invalid

ACTIONS = ("read", "write", "export", "delete")
"""What an entry records being done to partner data."""
GENESIS = "0" * 64
"""The ``prev_hash`` of the first entry."""
SYSTEM_USERNAME = "system"
"""The username recorded when there is no authenticated caller (a CLI command, a job)."""
AUDIT_LOCK_KEY = 0x706F_6461_7564_6974
"""PostgreSQL advisory-lock key that serialises appends (the bytes of ``b"podaudit"``)."""
HASHED_FIELDS = (
    "at",
    "request_id",
    "user_id",
    "username",
    "partner_actor",
    "ecosystem_id",
    "action",
    "dataset",
    "provider",
    "agreement",
    "filter",
    "row_count",
    "prev_hash",
)
"""The fields an entry's hash covers: all but ``seq`` and ``hash``."""


class AuditEntry(Base):
    """One access to partner data; ``hash`` chains it to the entry before it."""

    __tablename__ = "audit_log"
    __table_args__ = (
        # Serve the "who accessed my data" listings, newest first. No foreign keys: entries must
        # outlive users and ecosystems (a cascade would delete entries and break the chain).
        Index("ix_audit_log_ecosystem", "ecosystem_id", "seq"),
        Index("ix_audit_log_provider", "ecosystem_id", "provider", "seq"),
        CheckConstraint("action IN ('read', 'write', 'export', 'delete')", name="action"),
        # Never reuse a seq on SQLite either (PostgreSQL sequences never do).
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    request_id: Mapped[str] = mapped_column(String(64))
    user_id: Mapped[int | None] = mapped_column(Integer)
    username: Mapped[str] = mapped_column(String(120))
    partner_actor: Mapped[str | None] = mapped_column(String(200))
    ecosystem_id: Mapped[int | None] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(20))
    dataset: Mapped[str] = mapped_column(String(40))
    provider: Mapped[str | None] = mapped_column(String(200))
    agreement: Mapped[str | None] = mapped_column(String(200))
    filter: Mapped[dict[str, Any]] = mapped_column(JSON)
    row_count: Mapped[int] = mapped_column(Integer)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)


@dataclass(frozen=True)
class Verification:
    """What :func:`verify` found.

    ``checked`` counts the entries found intact (all of them when ``ok``); ``first_bad`` is the
    ``seq`` of the first entry that breaks the chain, and ``reason`` says how.
    """

    ok: bool
    checked: int
    first_bad: int | None
    reason: str


def canonical(fields: Mapping[str, Any]) -> bytes:
    """Return the hashed form of an entry: canonical JSON of :data:`HASHED_FIELDS`, UTF-8.

    Keys sorted, no whitespace, non-ASCII kept as is, ``at`` as ISO 8601 in UTC with microseconds
    (``2026-03-01T09:30:00.250000+00:00``); a naive ``at`` (as SQLite returns it) is taken as UTC.
    """
    doc = {name: fields[name] for name in HASHED_FIELDS}
    doc["at"] = _as_utc(doc["at"]).isoformat(timespec="microseconds")
    return json.dumps(
        doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def entry_hash(fields: Mapping[str, Any]) -> str:
    """Return the SHA-256 hex digest of :func:`canonical` ``(fields)``."""
    return hashlib.sha256(canonical(fields)).hexdigest()


def record(
    *,
    session: Session,
    request_id: str,
    principal: Principal | None,
    action: str,
    ecosystem_id: int | None,
    dataset: str,
    provider: str | None,
    agreement: str | None,
    filter: Mapping[str, Any],
    row_count: int,
    at: datetime | None = None,
) -> AuditEntry:
    """Append one entry to the audit log, chained onto the newest one."""
    if action not in ACTIONS:
        raise Invalid(f"action: use one of {', '.join(ACTIONS)}, not {action!r}")
    if row_count < 0:
        raise Invalid("row_count: must not be negative")
    if at is not None and at.tzinfo is None:
        raise Invalid("at: give a timezone-aware time")
    fields: dict[str, Any] = {
        "at": _as_utc(at or utcnow()),
        "request_id": request_id,
        "user_id": principal.user_id if principal else None,
        "username": principal.username if principal else SYSTEM_USERNAME,
        "partner_actor": principal.partner_actor if principal else None,
        "ecosystem_id": ecosystem_id,
        "action": action,
        "dataset": dataset,
        "provider": provider,
        "agreement": agreement,
        "filter": _as_stored(filter),
        "row_count": row_count,
    }
    _lock_head(session)
    head = session.scalar(select(AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1))
    fields["prev_hash"] = head or GENESIS
    entry = AuditEntry(**fields, hash=entry_hash(fields))
    session.add(entry)
    session.flush()
    return entry


def verify(*, session: Session, batch: int = 10_000) -> Verification:
    """Recompute the hash chain in seq order and report the first entry that breaks it."""
    if batch < 1:
        raise Invalid("batch: must be at least 1")
    table = AuditEntry.__table__
    expected, checked, after = GENESIS, 0, None
    while True:
        query = select(table).order_by(table.c.seq).limit(batch)
        if after is not None:
            query = query.where(table.c.seq > after)
        rows = session.execute(query).mappings().all()
        for row in rows:
            reason = _fault(row, expected)
            if reason is not None:
                return Verification(ok=False, checked=checked, first_bad=row["seq"], reason=reason)
            expected, checked = row["hash"], checked + 1
        if len(rows) < batch:
            return Verification(ok=True, checked=checked, first_bad=None, reason="chain intact")
        after = rows[-1]["seq"]


def entries(
    *,
    session: Session,
    ecosystem_id: int,
    provider: str | None = None,
    user_id: int | None = None,
    limit: int = 100,
    before: int | None = None,
) -> list[AuditEntry]:
    """List an ecosystem's audit entries newest first; page on with ``before`` = the last seq."""
    if limit < 1:
        raise Invalid("limit: must be at least 1")
    query = select(AuditEntry).where(AuditEntry.ecosystem_id == ecosystem_id)
    if provider is not None:
        query = query.where(AuditEntry.provider == provider)
    if user_id is not None:
        query = query.where(AuditEntry.user_id == user_id)
    if before is not None:
        query = query.where(AuditEntry.seq < before)
    return list(session.scalars(query.order_by(AuditEntry.seq.desc()).limit(limit)))


def _lock_head(session: Session) -> None:
    """Take the lock that serialises appends, held until the transaction ends (module notes)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    else:
        # Changes no row (so the row-level trigger does not fire) but takes the write lock.
        session.execute(text("UPDATE audit_log SET seq = seq WHERE 1 = 0"))


def _fault(row: Mapping[Any, Any], expected: str) -> str | None:
    """Say how a stored entry breaks the chain whose previous hash is ``expected``, if it does."""
    if row["prev_hash"] != expected:
        if expected == GENESIS:
            return "the first entry does not start the chain: entries before it were removed"
        return "prev_hash is not the previous entry's hash: an entry was removed or moved"
    if entry_hash(row) != row["hash"]:
        return "hash does not match the entry's content: a field or the hash was changed"
    return None


def _as_utc(value: datetime) -> datetime:
    """Return ``value`` in UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _as_stored(filter: Mapping[str, Any]) -> dict[str, Any]:
    """Return ``filter`` as the database will give it back (tuples as lists, ...), or refuse it."""
    try:
        stored = json.loads(json.dumps(dict(filter), sort_keys=True, allow_nan=False))
    except (TypeError, ValueError) as error:
        raise Invalid(f"filter: must be plain JSON ({error})") from error
    return dict(stored)
