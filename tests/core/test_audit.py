"""The audit log: a hash chain that verifies, shows tampering, refuses updates, serialises."""

from __future__ import annotations

import hashlib
import threading
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from podium.core.audit import GENESIS, AuditEntry, entries, record, verify
from podium.core.auth import Principal, Role
from podium.core.db import session_factory, unit_of_work
from podium.core.errors import Invalid
from tests.conftest import wipe

T0 = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
ANALYST = Principal(user_id=3, username="ana", role=Role.ANALYST)
PARTNER = Principal(
    user_id=7,
    username="pia",
    role=Role.PARTNER_USER,
    partner_ecosystem_id=1,
    partner_actor="bolt",
)
TABLE = AuditEntry.__table__


def read(session: Session, **overrides: Any) -> AuditEntry:
    """Record one read of acme's forecast in ecosystem 1 (fields overridable)."""
    values: dict[str, Any] = {
        "request_id": "req",
        "principal": ANALYST,
        "action": "read",
        "ecosystem_id": 1,
        "dataset": "forecast",
        "provider": "acme",
        "agreement": None,
        "filter": {"item": "p-1"},
        "row_count": 10,
        "at": T0,
    }
    return record(session=session, **(values | overrides))


def chain(session: Session, n: int = 5) -> list[AuditEntry]:
    """Record ``n`` reads one minute apart."""
    return [
        read(session, request_id=f"req-{i}", row_count=i, at=T0 + timedelta(minutes=i))
        for i in range(n)
    ]


def rewrite(session: Session, seq: int, **changes: Any) -> None:
    """Tamper the way a trigger cannot stop: delete a stored entry and insert it changed."""
    row = session.execute(select(TABLE).where(TABLE.c.seq == seq)).mappings().one()
    session.execute(delete(TABLE).where(TABLE.c.seq == seq))
    session.execute(insert(TABLE).values({**row, **changes}))


def test_a_chain_of_entries_verifies(session: Session) -> None:
    log = chain(session, 5)
    assert log[0].prev_hash == GENESIS
    assert [e.prev_hash for e in log[1:]] == [e.hash for e in log[:-1]]
    assert [e.seq for e in log] == sorted(e.seq for e in log)
    assert verify(session=session) == verify(session=session, batch=2)
    result = verify(session=session, batch=2)
    assert (result.ok, result.checked, result.first_bad) == (True, 5, None)


def test_an_empty_log_verifies(session: Session) -> None:
    assert verify(session=session).ok
    assert verify(session=session).checked == 0


def test_the_hash_is_sha256_of_the_canonical_json(session: Session) -> None:
    first = read(
        session,
        request_id="req-1",
        principal=PARTNER,
        agreement="dsa-7",
        filter={"week": {"from": "2026-W01"}, "item": ("b", "a")},
        row_count=12,
        at=datetime(2026, 3, 1, 11, 30, 0, 250_000, tzinfo=timezone(timedelta(hours=2))),
    )
    expected = (
        '{"action":"read","agreement":"dsa-7","at":"2026-03-01T09:30:00.250000+00:00",'
        '"dataset":"forecast","ecosystem_id":1,"filter":{"item":["b","a"],'
        '"week":{"from":"2026-W01"}},"partner_actor":"bolt","prev_hash":"' + "0" * 64 + '",'
        '"provider":"acme","request_id":"req-1","row_count":12,"user_id":7,"username":"pia"}'
    )
    assert first.hash == hashlib.sha256(expected.encode()).hexdigest()

    second = read(session, principal=None, ecosystem_id=None, provider=None, filter={})
    expected = (
        '{"action":"read","agreement":null,"at":"2026-03-01T09:30:00.000000+00:00",'
        '"dataset":"forecast","ecosystem_id":null,"filter":{},"partner_actor":null,'
        f'"prev_hash":"{first.hash}","provider":null,"request_id":"req","row_count":10,'
        '"user_id":null,"username":"system"}'
    )
    assert second.hash == hashlib.sha256(expected.encode()).hexdigest()
    assert verify(session=session).ok  # the stored values hash the same as the given ones


@pytest.mark.parametrize(
    "changes",
    [
        {"row_count": 0},
        {"filter": {"item": "p-2"}},
        {"username": "someone-else"},
        {"user_id": None},
        {"agreement": "dsa-forged"},
        {"at": T0 + timedelta(days=1)},
        {"hash": "f" * 64},
    ],
    ids=lambda changes: next(iter(changes)),
)
def test_a_changed_entry_is_found_at_its_seq(session: Session, changes: dict[str, Any]) -> None:
    log = chain(session, 5)
    rewrite(session, log[2].seq, **changes)
    result = verify(session=session)
    assert (result.ok, result.checked, result.first_bad) == (False, 2, log[2].seq)
    assert "hash does not match" in result.reason


def test_a_removed_middle_entry_breaks_the_chain_at_the_next(session: Session) -> None:
    log = chain(session, 5)
    session.execute(delete(TABLE).where(TABLE.c.seq == log[2].seq))
    result = verify(session=session, batch=2)
    assert (result.ok, result.checked, result.first_bad) == (False, 2, log[3].seq)
    assert "removed or moved" in result.reason


def test_a_removed_first_entry_is_found(session: Session) -> None:
    log = chain(session, 3)
    session.execute(delete(TABLE).where(TABLE.c.seq == log[0].seq))
    result = verify(session=session)
    assert (result.ok, result.checked, result.first_bad) == (False, 0, log[1].seq)


def test_reordered_entries_are_found(session: Session) -> None:
    log = chain(session, 5)
    rows = {
        e.seq: session.execute(select(TABLE).where(TABLE.c.seq == e.seq)).mappings().one()
        for e in log[1:3]
    }
    session.execute(delete(TABLE).where(TABLE.c.seq.in_(rows)))
    session.execute(insert(TABLE).values({**rows[log[2].seq], "seq": log[1].seq}))
    session.execute(insert(TABLE).values({**rows[log[1].seq], "seq": log[2].seq}))
    result = verify(session=session)
    assert (result.ok, result.checked, result.first_bad) == (False, 1, log[1].seq)


def test_a_cut_tail_is_not_evident_from_the_chain_alone(session: Session) -> None:
    """The documented limit: only a head kept elsewhere shows that the newest entries went."""
    log = chain(session, 4)
    session.execute(delete(TABLE).where(TABLE.c.seq == log[-1].seq))
    result = verify(session=session)
    assert (result.ok, result.checked) == (True, 3)


def test_the_database_refuses_updates(session: Session) -> None:
    log = chain(session, 3)
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        session.execute(update(TABLE).where(TABLE.c.seq == log[1].seq).values(row_count=0))
    with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
        log[2].username = "someone-else"
        session.flush()
    assert verify(session=session).checked == 3


def test_entries_filter_and_page_newest_first(session: Session) -> None:
    log = [
        read(session, request_id=f"r{i}", ecosystem_id=eco, provider=provider, principal=who)
        for i, (eco, provider, who) in enumerate(
            [(1, "acme", ANALYST), (1, "bolt", PARTNER), (2, "acme", ANALYST)] * 3
        )
    ]
    newest_first = [e.seq for e in reversed(log) if e.ecosystem_id == 1]
    assert [e.seq for e in entries(session=session, ecosystem_id=1)] == newest_first
    acme = entries(session=session, ecosystem_id=1, provider="acme")
    assert [e.request_id for e in acme] == ["r6", "r3", "r0"]
    by_pia = entries(session=session, ecosystem_id=1, user_id=PARTNER.user_id)
    assert {(e.username, e.partner_actor, e.provider) for e in by_pia} == {("pia", "bolt", "bolt")}
    assert entries(session=session, ecosystem_id=3) == []

    pages, before = [], None
    while page := entries(session=session, ecosystem_id=1, limit=4, before=before):
        pages.append([e.seq for e in page])
        before = page[-1].seq
    assert [len(p) for p in pages] == [4, 2]
    assert [seq for page in pages for seq in page] == newest_first


def test_record_refuses_bad_input(session: Session) -> None:
    with pytest.raises(Invalid, match="action"):
        read(session, action="peek")
    with pytest.raises(Invalid, match="row_count"):
        read(session, row_count=-1)
    with pytest.raises(Invalid, match="timezone"):
        read(session, at=datetime(2026, 3, 1, 9, 30))
    with pytest.raises(Invalid, match="filter"):
        read(session, filter={"q": float("nan")})
    with pytest.raises(Invalid, match="filter"):
        read(session, filter={"since": T0})
    assert session.scalar(select(func.count()).select_from(TABLE)) == 0


def test_concurrent_appends_form_one_chain(engine: Engine) -> None:
    factory = session_factory(engine)
    start, errors = threading.Barrier(2), []

    def append(who: Principal) -> None:
        try:
            start.wait()
            for i in range(50):
                with unit_of_work(factory) as db:
                    read(db, principal=who, request_id=f"{who.username}-{i}", at=None)
        except Exception as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=append, args=(who,)) for who in (ANALYST, PARTNER)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        assert errors == []
        with factory() as db:
            result = verify(session=db)
            users = db.scalars(select(AuditEntry.username)).all()
        assert (result.ok, result.checked) == (True, 100), result
        assert sorted(set(users)) == ["ana", "pia"] and len(users) == 100
    finally:
        wipe(engine)


def test_an_append_waits_for_the_open_one(engine: Engine) -> None:
    """The second writer reads the head only once the first has committed."""
    factory = session_factory(engine)
    done, second = threading.Event(), []

    def append_later() -> None:
        with unit_of_work(factory) as db:
            second.append(read(db, request_id="second", at=None))
        done.set()

    try:
        with factory() as db:
            first = read(db, request_id="first", at=None)
            thread = threading.Thread(target=append_later)
            thread.start()
            assert not done.wait(0.5), "the second append did not wait for the lock"
            db.commit()
        thread.join(timeout=10)
        assert done.is_set() and second[0].prev_hash == first.hash
        with factory() as db:
            assert verify(session=db).checked == 2
    finally:
        wipe(engine)
