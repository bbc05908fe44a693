"""The pure rules of escalations with a controllable clock: where an issue starts, when its SLA
runs out (not before, exactly at the deadline, after), what happens at the top, the state machine
and who may take each action."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from podium.govern.escalation import (
    ACTIONS,
    Step,
    TransitionError,
    age_bucket,
    at_risk,
    classify,
    expired,
    from_exception,
    from_risk_signal,
    is_breached,
    left_share,
    may,
    next_status,
    overdue,
    parse_path,
    path_errors,
)

T0 = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
ROUTINE = parse_path(
    [
        {"level": "operational", "owner": "actor:velora", "forum": "standup", "sla_hours": 24},
        {"level": "tactical", "owner": "person:Ana", "forum": "jbr", "sla_hours": 48},
    ]
)
FULL = parse_path(
    [
        {"level": "operational", "owner": "actor:velora", "forum": None, "sla_hours": 24},
        {"level": "tactical", "owner": "person:Ana", "forum": "jbr", "sla_hours": 48},
        {"level": "strategic", "owner": "person:CEO", "forum": "steering", "sla_hours": 72},
    ]
)


def hours(h: float) -> datetime:
    return T0 + timedelta(hours=h)


# --- where an issue starts ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "impact", "level"),
    [
        ("low", False, "operational"),
        ("medium", False, "operational"),
        ("high", False, "operational"),
        ("critical", False, "tactical"),
        ("low", True, "tactical"),
        ("critical", True, "tactical"),
    ],
)
def test_severity_and_customer_impact_decide_the_start(
    severity: str, impact: bool, level: str
) -> None:
    start = classify(FULL, severity=severity, customer_impact=impact, strategic=False)
    assert FULL[start.index].level == level


def test_a_strategic_type_starts_by_severity_and_climbs_to_the_strategic_forum() -> None:
    """A strategic type's issue starts where its severity puts it, like any other, and its path
    always ends at the strategic forum, which it reaches when the lower levels' SLAs run out."""
    start = classify(FULL, severity="low", customer_impact=True, strategic=True)
    assert FULL[start.index].level == "tactical"
    climbed = expired(FULL, index=start.index, due_at=hours(48), now=hours(48))
    assert [(t.kind, FULL[t.to_index].forum) for t in climbed] == [("escalated", "steering")]


def test_a_strategic_type_needs_the_strategic_level_in_its_path() -> None:
    with pytest.raises(ValueError, match="must include the strategic level"):
        classify(ROUTINE, severity="low", customer_impact=False, strategic=True)
    assert path_errors([{**s.__dict__} for s in ROUTINE], strategic=True) == [
        "a strategic decision type's path must include the strategic level"
    ]


def test_a_routine_type_never_reaches_the_strategic_forum() -> None:
    """The most severe routine issue starts at tactical, climbs to the top of its own path
    (tactical) and is breached there; no step names the strategic level or forum."""
    start = classify(ROUTINE, severity="critical", customer_impact=True, strategic=False)
    assert ROUTINE[start.index].level == "tactical"
    found = expired(ROUTINE, index=start.index, due_at=hours(48), now=hours(10_000))
    assert [(t.kind, ROUTINE[t.to_index].level) for t in found] == [("breached", "tactical")]
    climbed = expired(ROUTINE, index=0, due_at=hours(24), now=hours(10_000))
    assert [ROUTINE[t.to_index].forum for t in climbed] == ["jbr", "jbr"]


def test_a_path_that_ends_below_the_floor_starts_at_its_top() -> None:
    start = classify(ROUTINE[:1], severity="critical", customer_impact=False, strategic=False)
    assert start.index == 0 and "the path ends at operational" in start.reason


def test_a_gap_in_the_path_starts_at_the_next_level_up() -> None:
    gap = [FULL[0], FULL[2]]
    start = classify(gap, severity="low", customer_impact=True, strategic=False)
    assert gap[start.index].level == "strategic"


@pytest.mark.parametrize(
    ("path", "error"),
    [
        ([], "the path is empty"),
        ([{"level": "board", "owner": "person:a", "sla_hours": 1}], "level must be one of"),
        ([{"level": "tactical", "owner": "person:a", "sla_hours": 0}], "sla_hours must be"),
        ([{"level": "tactical", "owner": "person:a", "sla_hours": True}], "sla_hours must be"),
        ([{"level": "tactical", "owner": "", "sla_hours": 2}], "name its owner"),
        (
            [
                {"level": "tactical", "owner": "person:a", "sla_hours": 2},
                {"level": "operational", "owner": "person:b", "sla_hours": 2},
            ],
            "path entry 1: levels must not go down",
        ),
    ],
)
def test_bad_paths_are_named(path: list[dict[str, Any]], error: str) -> None:
    (found,) = path_errors(path, strategic=False)
    assert error in found


# --- the clock ----------------------------------------------------------------------------------


def test_nothing_happens_before_the_deadline() -> None:
    assert expired(FULL, index=0, due_at=hours(24), now=hours(24) - timedelta(seconds=1)) == []


def test_the_deadline_itself_has_run_out() -> None:
    """Closed form: raised at T0 at operational (24 h), the deadline is T0 + 24 h; at exactly that
    time it climbs to tactical, whose deadline is T0 + 24 h + 48 h = T0 + 72 h."""
    (step,) = expired(FULL, index=0, due_at=hours(24), now=hours(24))
    assert (step.kind, step.from_index, step.to_index) == ("escalated", 0, 1)
    assert step.at == hours(24) and step.due_at == hours(72)
    assert step.reason == (
        "SLA of 24 h at operational ran out at 2026-03-13 09:00 UTC; escalated to tactical "
        "(owner person:Ana, forum jbr)"
    )


def test_a_late_sweep_catches_up_on_the_stored_deadlines() -> None:
    """Closed form: deadlines at T0+24 h (operational), T0+72 h (tactical, 48 h more), T0+144 h
    (strategic, 72 h more). A first sweep at T0+100 h, with both earlier deadlines passed, climbs
    twice, each clock starting at the deadline before it; the strategic clock still runs."""
    found = expired(FULL, index=0, due_at=hours(24), now=hours(100))
    assert [(t.kind, t.at, t.due_at) for t in found] == [
        ("escalated", hours(24), hours(72)),
        ("escalated", hours(72), hours(144)),
    ]


def test_at_the_top_it_stays_breached_once() -> None:
    (step,) = expired(FULL, index=2, due_at=hours(72), now=hours(500))
    assert (step.kind, step.to_index, step.due_at) == ("breached", 2, None)
    assert step.reason == (
        "SLA of 72 h at strategic ran out at 2026-03-15 09:00 UTC; strategic is the top of the "
        "path, so it stays there, breached"
    )
    assert expired(FULL, index=2, due_at=None, now=hours(10_000)) == []
    assert is_breached("open", None) and not is_breached("resolved", None)


def test_naive_times_are_taken_as_utc() -> None:
    naive = hours(24).replace(tzinfo=None)
    assert len(expired(FULL, index=0, due_at=naive, now=hours(24))) == 1


class Row:
    def __init__(self, status: str, due_at: datetime | None) -> None:
        self.status, self.due_at = status, due_at


def test_overdue_means_active_and_past_its_deadline_or_breached() -> None:
    rows = [
        Row("open", hours(1)),
        Row("acknowledged", hours(2)),
        Row("open", hours(3)),
        Row("resolved", hours(0)),
        Row("open", None),
    ]
    assert overdue(rows, hours(2)) == [rows[0], rows[1], rows[4]]


def test_at_risk_below_a_quarter_of_the_sla_left() -> None:
    """Closed form: a 48 h SLA has 25% (12 h) left after 36 h: not yet at risk (strictly less
    than 25%); after 37 h, 11/48 = 22.9% is left: at risk; at the deadline it is overdue instead."""
    clock = {"level_started_at": T0, "due_at": hours(48)}
    assert left_share(**clock, now=hours(36)) == pytest.approx(0.25)
    assert not at_risk(**clock, now=hours(36))
    assert left_share(**clock, now=hours(37)) == pytest.approx(11 / 48)
    assert at_risk(**clock, now=hours(37))
    assert not at_risk(**clock, now=hours(48))
    assert not at_risk(level_started_at=T0, due_at=None, now=hours(1))


@pytest.mark.parametrize(
    ("age", "bucket"),
    [(0, "under 1 day"), (23.9, "under 1 day"), (24, "1-3 days"), (72, "3-7 days"),
     (167, "3-7 days"), (168, "over 7 days")],
)  # fmt: skip
def test_age_buckets(age: float, bucket: str) -> None:
    assert age_bucket(T0, hours(age)) == bucket


# --- the state machine and who may act ----------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "action", "after"),
    [
        ("open", "acknowledge", "acknowledged"),
        ("open", "resolve", "resolved"),
        ("acknowledged", "resolve", "resolved"),
        ("open", "escalate", "open"),
        ("acknowledged", "escalate", "open"),
        ("resolved", "reopen", "open"),
        ("acknowledged", "respond", "acknowledged"),
    ],
)
def test_allowed_transitions(status: str, action: str, after: str) -> None:
    assert next_status(status, action) == after


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("acknowledged", "acknowledge"),
        ("resolved", "acknowledge"),
        ("resolved", "escalate"),
        ("resolved", "resolve"),
        ("resolved", "respond"),
        ("open", "reopen"),
        ("acknowledged", "reopen"),
        ("open", "delete"),
    ],
)
def test_refused_transitions(status: str, action: str) -> None:
    with pytest.raises(TransitionError):
        next_status(status, action)


def test_the_top_level_cannot_be_escalated_by_hand() -> None:
    with pytest.raises(TransitionError, match="top of its path"):
        next_status("open", "escalate", at_top=True)


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ({"writer": True, "caller": "person:ana", "involved": True}, set(ACTIONS)),
        ({"writer": False, "caller": "actor:velora", "involved": True}, set(ACTIONS)),
        ({"writer": False, "caller": "actor:kinsei", "involved": True}, {"respond"}),
        ({"writer": False, "caller": "actor:orbis", "involved": False}, set()),
    ],
)  # fmt: skip
def test_who_may_take_each_action(who: dict[str, Any], allowed: set[str]) -> None:
    found = {a for a in ACTIONS if may(a, owner="actor:velora", **who)}
    assert found == allowed


# --- sources ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rule", "severity", "categories", "impact"),
    [
        ("late_shipments", "low", ("customer_impact_risk", "routine_coordination"), False),
        ("late_shipments", "high", ("customer_impact_risk", "routine_coordination"), True),
        ("late_shipments", "critical",
         ("major_service_failure", "customer_impact_risk", "routine_coordination"), True),
        ("capacity_shortfalls", "medium", ("capacity_allocation", "routine_coordination"), False),
        ("capacity_shortfalls", "critical", ("capacity_allocation", "routine_coordination"), True),
        ("forecast_swings", "critical", ("routine_coordination",), False),
        ("missing_submissions", "high", ("data_access", "routine_coordination"), False),
        ("missing_submissions", "low", ("routine_coordination",), False),
        ("something_new", "high", ("routine_coordination",), False),
    ],
)  # fmt: skip
def test_exceptions_are_classified_by_rule_and_severity(
    rule: str, severity: str, categories: tuple[str, ...], impact: bool
) -> None:
    routing = from_exception(rule, severity)
    assert (routing.categories, routing.severity, routing.customer_impact) == (
        categories,
        severity,
        impact,
    )


def test_risk_signals_are_classified_by_category_and_severity() -> None:
    assert from_risk_signal("capacity", 3).categories[0] == "capacity_allocation"
    assert from_risk_signal("cyber", 1).categories[0] == "data_access"
    severe = from_risk_signal("natural_hazard", 5)
    assert (severe.categories[0], severe.severity, severe.customer_impact) == (
        "customer_impact_risk",
        "critical",
        True,
    )
    assert [from_risk_signal("other", s).severity for s in range(1, 6)] == [
        "low", "low", "medium", "high", "critical"
    ]  # fmt: skip
    with pytest.raises(ValueError, match="1 to 5"):
        from_risk_signal("other", 6)


def test_steps_are_plain_values() -> None:
    assert FULL[2] == Step("strategic", "person:CEO", "steering", 72.0)
