"""The dispute mechanism, state machine and rules of who may do what (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from podium.core.errors import Conflict, Forbidden, Invalid
from podium.govern import disputes
from podium.govern.disputes import DEFAULT_MECHANISM, Caller, Step

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STAFF = Caller(staff=True, party="actor:oem", is_party=True, is_raiser=False)
RAISER = Caller(staff=False, party="actor:castco", is_party=True, is_raiser=True)
OTHER_PARTY = Caller(staff=False, party="actor:alloy", is_party=True, is_raiser=False)
OUTSIDER = Caller(staff=False, party="actor:grid", is_party=False, is_raiser=False)


def test_default_mechanism_is_30_45_90_days() -> None:
    assert disputes.parse_mechanism(None) == (
        Step("negotiation", 30),
        Step("mediation", 45),
        Step("arbitration", 90),
    )


@pytest.mark.parametrize(
    ("raw", "pointer"),
    [
        ([], "/mechanism"),
        ([{"step": "shouting", "days": 3}], "/mechanism/0/step"),
        ([{"step": "negotiation", "days": 0}], "/mechanism/0/days"),
        ([{"step": "negotiation", "days": 2.5}], "/mechanism/0/days"),
        (
            [{"step": "mediation", "days": 5}, {"step": "negotiation", "days": 5}],
            "/mechanism/1/step",
        ),
        ([{"step": "mediation", "days": 5}, {"step": "mediation", "days": 5}], "/mechanism/1/step"),
    ],
)
def test_bad_mechanisms_are_refused_with_a_pointer(
    raw: list[dict[str, object]], pointer: str
) -> None:
    with pytest.raises(Invalid) as caught:
        disputes.parse_mechanism(raw)
    assert [e["pointer"] for e in caught.value.errors] == [pointer]


def test_a_shorter_mechanism_may_skip_steps() -> None:
    steps = disputes.parse_mechanism(
        [{"step": "negotiation", "days": 10}, {"step": "arbitration", "days": 60}]
    )
    assert [s.step for s in steps] == ["negotiation", "arbitration"]


def test_deadlines_are_step_start_plus_days_and_advance_restarts_the_clock() -> None:
    state = disputes.start(DEFAULT_MECHANISM, T0)
    assert state.due_at == T0 + timedelta(days=30)
    later = T0 + timedelta(days=31)
    moved = disputes.advance(state, DEFAULT_MECHANISM, later, "no agreement in 30 days")
    assert (moved.step_index, moved.due_at) == (1, later + timedelta(days=45))
    final = disputes.advance(moved, DEFAULT_MECHANISM, later, "mediation failed")
    assert final.due_at == later + timedelta(days=90)
    with pytest.raises(Conflict, match="last step"):
        disputes.advance(final, DEFAULT_MECHANISM, later, "again")


def test_advance_needs_a_reason() -> None:
    with pytest.raises(Invalid, match="reason"):
        disputes.advance(disputes.start(DEFAULT_MECHANISM, T0), DEFAULT_MECHANISM, T0, "  ")


def test_overdue_only_after_the_deadline_and_only_while_open() -> None:
    due = T0 + timedelta(days=30)
    assert not disputes.is_overdue("open", due, due)
    assert disputes.is_overdue("open", due, due + timedelta(seconds=1))
    assert not disputes.is_overdue("resolved", due, due + timedelta(days=5))


def test_resolve_and_withdraw_close_the_dispute_for_good() -> None:
    state = disputes.start(DEFAULT_MECHANISM, T0)
    done = disputes.resolve(state, T0, " credit note of 5% ")
    assert (done.status, done.outcome, done.due_at, done.closed_at) == (
        "resolved", "credit note of 5%", None, T0,
    )  # fmt: skip
    with pytest.raises(Conflict):
        disputes.withdraw(done, T0)
    with pytest.raises(Invalid, match="outcome"):
        disputes.resolve(state, T0, "")
    dropped = disputes.withdraw(state, T0, "settled bilaterally")
    assert (dropped.status, dropped.outcome) == ("withdrawn", "withdrawn: settled bilaterally")


def test_who_may_do_what() -> None:
    state = disputes.start(DEFAULT_MECHANISM, T0)
    assert disputes.allowed_actions(STAFF, state, DEFAULT_MECHANISM) == [
        "evidence", "statement", "proposal", "accept", "advance", "resolve",
    ]  # fmt: skip
    assert disputes.allowed_actions(RAISER, state, DEFAULT_MECHANISM) == [
        "evidence", "statement", "proposal", "accept", "withdraw",
    ]  # fmt: skip
    assert disputes.allowed_actions(OUTSIDER, state, DEFAULT_MECHANISM) == []
    with pytest.raises(Forbidden, match="staff"):
        disputes.check_allowed(RAISER, "advance", state, DEFAULT_MECHANISM)
    with pytest.raises(Forbidden, match="raised"):
        disputes.check_allowed(OTHER_PARTY, "withdraw", state, DEFAULT_MECHANISM)
    closed = disputes.withdraw(state, T0)
    assert disputes.allowed_actions(STAFF, closed, DEFAULT_MECHANISM) == []


def test_at_the_last_step_staff_resolve_but_cannot_advance() -> None:
    single = (Step("arbitration", 90),)
    state = disputes.start(single, T0)
    assert "advance" not in disputes.allowed_actions(STAFF, state, single)
    with pytest.raises(Conflict):
        disputes.check_allowed(STAFF, "advance", state, single)


def test_a_settlement_is_accepted_by_another_party_only() -> None:
    assert disputes.acceptable_proposal(
        [(4, "actor:castco"), (7, "actor:alloy")], "actor:castco"
    ) == (
        7,
        "actor:alloy",
    )
    with pytest.raises(Conflict, match="your own"):
        disputes.acceptable_proposal([(7, "actor:alloy")], "actor:alloy")
    with pytest.raises(Conflict, match="no settlement"):
        disputes.acceptable_proposal([], "actor:alloy")


def test_timeline_projects_pending_steps_from_the_current_deadline() -> None:
    advanced = T0 + timedelta(days=20)
    steps = disputes.timeline(
        DEFAULT_MECHANISM, [T0, advanced], status="open", closed_at=None, now=advanced
    )
    assert [(s.step, s.state) for s in steps] == [
        ("negotiation", "done"), ("mediation", "current"), ("arbitration", "pending"),
    ]  # fmt: skip
    assert steps[1].due_at == advanced + timedelta(days=45)
    assert steps[2].started_at == advanced + timedelta(days=45)
    assert steps[2].due_at == advanced + timedelta(days=135)
    late = disputes.timeline(
        DEFAULT_MECHANISM, [T0], status="open", closed_at=None, now=T0 + timedelta(days=31)
    )
    assert late[0].overdue and not late[1].overdue


def test_unknown_subject_is_refused() -> None:
    disputes.check_subject("data_use")
    with pytest.raises(Invalid) as caught:
        disputes.check_subject("weather")
    assert caught.value.errors[0]["pointer"] == "/subject"
