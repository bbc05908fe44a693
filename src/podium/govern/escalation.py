"""Rules of escalations: where an issue starts on its decision right's path, its SLA clock per
level, what happens when a clock runs out, and which transitions whom may make.

Pure: plain values and dataclasses in, the same out; the service stores and audits.

**Where an issue starts.** A decision right's ``path`` lists the levels an issue of its type
climbs, lowest first (``{"level", "owner", "forum", "sla_hours"}``). The issue's *floor* is the
lowest level it may start at: ``tactical`` when the severity is ``critical`` or the customer is
affected, else ``operational``. It starts at the first entry of the path at or above its floor;
a path that ends below the floor starts (and stays) at its top.

**Strategic and routine types.** The path of a strategic decision type (customer-impact risk,
intellectual property, strategic investment ...) must end at the strategic level, so an issue of
such a type always reaches the strategic forum: it climbs there when the levels below do not
resolve it within their SLA, and that forum follows it on its agenda from the moment it is raised
(:mod:`podium.govern.forum_store`). A routine type reaches the strategic forum only when its own
path includes the strategic level.

**Clocks.** The SLA of a level (``sla_hours``) runs from the moment the issue reaches it and is
the time to resolve it there: acknowledging does not stop it. When it runs out the issue climbs
one level, and the next level's clock starts at the deadline that ran out (not at the moment a
sweep noticed), so a sweeper that was down catches up exactly. At the top of the path the issue
stays, is flagged *breached* once, and is not escalated again.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

SEVERITIES = ("low", "medium", "high", "critical")
LEVELS = ("operational", "tactical", "strategic")
STATUSES = ("open", "acknowledged", "resolved")
ACTIVE = ("open", "acknowledged")
SOURCES = ("person", "partner", "exception", "risk_signal", "kpi")
ACTIONS = ("acknowledge", "respond", "escalate", "resolve", "reopen")
AT_RISK_SHARE = 0.25
"""An SLA is at risk when less than this share of the level's time is left."""
AGE_BUCKETS: tuple[tuple[str, float], ...] = (
    ("under 1 day", 1),
    ("1-3 days", 3),
    ("3-7 days", 7),
    ("over 7 days", float("inf")),
)
"""(label, upper bound in days) of the age buckets of open escalations."""

Action = Literal["acknowledge", "respond", "escalate", "resolve", "reopen"]


class TransitionError(ValueError):
    """A transition the state machine does not allow from the current status."""


@dataclass(frozen=True)
class Step:
    """One entry of a decision right's path: the level, who owns it, its forum, its SLA (hours)."""

    level: str
    owner: str
    forum: str | None
    sla_hours: float


@dataclass(frozen=True)
class Start:
    """Where a new issue starts: the index into the path, and why."""

    index: int
    reason: str


@dataclass(frozen=True)
class Transition:
    """A transition the clock made: ``escalated`` to ``to_index`` or ``breached`` at the top.

    ``at`` is the deadline that ran out; ``due_at`` the new deadline (``None`` once breached).
    """

    kind: Literal["escalated", "breached"]
    at: datetime
    from_index: int
    to_index: int
    due_at: datetime | None
    reason: str


class Clocked(Protocol):
    """What :func:`overdue` needs of an escalation (a stored row fits)."""

    @property
    def status(self) -> str: ...

    @property
    def due_at(self) -> datetime | None: ...


def aware(moment: datetime) -> datetime:
    """Return ``moment`` in UTC; a naive time (as SQLite gives back) is taken as UTC."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def rank(level: str) -> int:
    """Position of a level: operational 0 < tactical 1 < strategic 2."""
    return LEVELS.index(level)


def parse_path(path: Sequence[Mapping[str, Any]]) -> list[Step]:
    """Read a stored path; raise ``ValueError`` naming the first bad entry."""
    steps: list[Step] = []
    for number, entry in enumerate(path):
        level, sla = entry.get("level"), entry.get("sla_hours")
        if level not in LEVELS:
            raise ValueError(f"path entry {number}: level must be one of {', '.join(LEVELS)}")
        if not isinstance(sla, int | float) or isinstance(sla, bool) or sla <= 0:
            raise ValueError(f"path entry {number}: sla_hours must be a positive number")
        if not entry.get("owner"):
            raise ValueError(f"path entry {number}: name its owner (actor:<key> or person:<name>)")
        if steps and rank(level) < rank(steps[-1].level):
            below = steps[-1].level
            raise ValueError(
                f"path entry {number}: levels must not go down ({level} after {below})"
            )
        steps.append(Step(level, str(entry["owner"]), entry.get("forum"), float(sla)))
    if not steps:
        raise ValueError("the path is empty: give at least one level")
    return steps


def path_errors(path: Sequence[Mapping[str, Any]], *, strategic: bool) -> list[str]:
    """What is wrong with a decision right's path (empty when it is usable for escalations)."""
    try:
        steps = parse_path(path)
    except ValueError as error:
        return [str(error)]
    if strategic and all(step.level != "strategic" for step in steps):
        return ["a strategic decision type's path must include the strategic level"]
    return []


def floor(*, severity: str, customer_impact: bool) -> tuple[str, str]:
    """The lowest level an issue may start at, and why (see the module's rule)."""
    if severity not in SEVERITIES:
        raise ValueError(f"severity must be one of {', '.join(SEVERITIES)}")
    if severity == "critical" or customer_impact:
        why = "critical severity" if severity == "critical" else "the customer is affected"
        return "tactical", f"{why}: starts at tactical or above"
    return "operational", f"{severity} severity without customer impact: starts at the bottom"


def classify(
    steps: Sequence[Step], *, severity: str, customer_impact: bool, strategic: bool
) -> Start:
    """Where a new issue starts on ``steps`` (see the module's rule).

    Examples
    --------
    >>> path = [Step("operational", "actor:a", None, 24), Step("tactical", "person:b", "jbr", 48)]
    >>> classify(path, severity="low", customer_impact=False, strategic=False).index
    0
    >>> classify(path, severity="low", customer_impact=True, strategic=False).index
    1
    """
    if strategic and all(step.level != "strategic" for step in steps):
        raise ValueError("a strategic decision type's path must include the strategic level")
    level, why = floor(severity=severity, customer_impact=customer_impact)
    for index, step in enumerate(steps):
        if rank(step.level) >= rank(level):
            return Start(index, f"{why}; routed to {step.level}")
    top = len(steps) - 1
    return Start(top, f"{why}; the path ends at {steps[top].level}, so it starts there")


def due(started_at: datetime, step: Step) -> datetime:
    """The deadline of a level: its start plus its SLA."""
    return aware(started_at) + timedelta(hours=step.sla_hours)


def stamp(moment: datetime) -> str:
    """A time as text in reasons: ``2026-03-12 10:00 UTC``."""
    return f"{aware(moment):%Y-%m-%d %H:%M} UTC"


def hours(value: float) -> str:
    """An SLA as text: ``48 h`` or ``1.5 h``."""
    return f"{value:g} h"


def expired(
    steps: Sequence[Step], *, index: int, due_at: datetime | None, now: datetime
) -> list[Transition]:
    """Every transition the clock makes up to ``now`` for an active issue at ``index``.

    A deadline exactly at ``now`` has run out. Each escalation starts the next clock at the
    deadline that ran out, so several levels may pass in one call. At the top the issue is
    breached: its deadline becomes ``None`` (no clock left), so it is breached once and then
    nothing more happens.
    """
    found: list[Transition] = []
    now = aware(now)
    while due_at is not None and aware(due_at) <= now:
        ran_out, step = aware(due_at), steps[index]
        lapse = f"SLA of {hours(step.sla_hours)} at {step.level} ran out at {stamp(ran_out)}"
        if index + 1 >= len(steps):
            reason = f"{lapse}; {step.level} is the top of the path, so it stays there, breached"
            found.append(Transition("breached", ran_out, index, index, None, reason))
            break
        nxt = steps[index + 1]
        due_at = due(ran_out, nxt)
        reason = f"{lapse}; escalated to {nxt.level} ({routed_to(nxt)})"
        found.append(Transition("escalated", ran_out, index, index + 1, due_at, reason))
        index += 1
    return found


def routed_to(step: Step) -> str:
    """Who has an issue at a step, as text: ``owner person:ana, forum steering``."""
    forum = f", forum {step.forum}" if step.forum else ""
    return f"owner {step.owner}{forum}"


def is_breached(status: str, due_at: datetime | None) -> bool:
    """Whether an issue ran out of time at the top of its path: active without a deadline."""
    return status in ACTIVE and due_at is None


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    """Whether an active issue's deadline is at or before ``now``, or it is breached."""
    if status not in ACTIVE:
        return False
    return due_at is None or aware(due_at) <= aware(now)


def overdue(escalations: Iterable[Clocked], now: datetime) -> list[Clocked]:
    """The active escalations whose deadline is at or before ``now`` (the breached ones too)."""
    return [e for e in escalations if is_overdue(e.status, e.due_at, now)]


def left_share(*, level_started_at: datetime, due_at: datetime | None, now: datetime) -> float:
    """Share of the level's SLA still left at ``now`` (0 once run out; 1 without a clock)."""
    if due_at is None:
        return 1.0
    total = (aware(due_at) - aware(level_started_at)).total_seconds()
    left = (aware(due_at) - aware(now)).total_seconds()
    return max(0.0, min(1.0, left / total)) if total > 0 else 0.0


def at_risk(*, level_started_at: datetime, due_at: datetime | None, now: datetime) -> bool:
    """Whether the clock still runs with less than :data:`AT_RISK_SHARE` of it left."""
    share = left_share(level_started_at=level_started_at, due_at=due_at, now=now)
    return due_at is not None and 0 < share < AT_RISK_SHARE


def age_bucket(opened_at: datetime, now: datetime) -> str:
    """The label of the age bucket of an issue opened at ``opened_at``."""
    days = (aware(now) - aware(opened_at)).total_seconds() / 86_400
    return next(label for label, upper in AGE_BUCKETS if days < upper)


# --- sources -----------------------------------------------------------------------------------

FALLBACK_CATEGORY = "routine_coordination"
"""The decision type an issue from a source goes to when its own type has no decision right."""


@dataclass(frozen=True)
class Routing:
    """How an issue from a source is classified: decision types in order of preference."""

    categories: tuple[str, ...]
    severity: str
    customer_impact: bool


def _with_fallback(category: str) -> tuple[str, ...]:
    return (category,) if category == FALLBACK_CATEGORY else (category, FALLBACK_CATEGORY)


def from_exception(rule: str, severity: str) -> Routing:
    """Classify an exception of incoming data (rules in :mod:`podium.integrate.exceptions`).

    - ``late_shipments``: a customer-impact risk; ``critical`` (14 or more days late) is a major
      service failure. The customer is affected from ``high`` (7 or more days) on.
    - ``capacity_shortfalls``: capacity allocation; the customer is affected from ``high``
      (more than 25% of demand short) on.
    - ``forecast_swings``: routine coordination.
    - ``missing_submissions``: ``high`` (never submitted, or 4 or more cadences behind) is a
      data-access issue, the rest routine coordination.
    - any other rule: routine coordination.
    """
    serious = severity in ("high", "critical")
    if rule == "late_shipments":
        if severity == "critical":
            chain = ("major_service_failure", "customer_impact_risk", FALLBACK_CATEGORY)
            return Routing(chain, severity, True)
        return Routing(_with_fallback("customer_impact_risk"), severity, serious)
    if rule == "capacity_shortfalls":
        return Routing(_with_fallback("capacity_allocation"), severity, serious)
    if rule == "missing_submissions" and severity == "high":
        return Routing(_with_fallback("data_access"), severity, False)
    return Routing((FALLBACK_CATEGORY,), severity, False)


RISK_SEVERITY = {1: "low", 2: "low", 3: "medium", 4: "high", 5: "critical"}
"""A risk signal's severity (1 minor .. 5 severe) as an escalation's."""


def from_risk_signal(category: str, severity: int) -> Routing:
    """Classify a risk signal: ``capacity`` goes to capacity allocation, ``cyber`` to data
    access, every other category to customer-impact risk; severe signals (5) affect the
    customer. Severity 1-2 low, 3 medium, 4 high, 5 critical."""
    kind = {"capacity": "capacity_allocation", "cyber": "data_access"}.get(
        category, "customer_impact_risk"
    )
    level = RISK_SEVERITY.get(severity)
    if level is None:
        raise ValueError(f"a risk signal's severity is 1 to 5 (got {severity})")
    return Routing(_with_fallback(kind), level, severity >= 5)


# --- the state machine --------------------------------------------------------------------------

_NEXT_STATUS: dict[str, dict[str, str]] = {
    "acknowledge": {"open": "acknowledged"},
    "respond": {"open": "open", "acknowledged": "acknowledged"},
    "escalate": {"open": "open", "acknowledged": "open"},
    "resolve": {"open": "resolved", "acknowledged": "resolved"},
    "reopen": {"resolved": "open"},
}
"""The status each action leads to, from each status it is allowed in."""


def next_status(status: str, action: str, *, at_top: bool = False) -> str:
    """The status after ``action``; raise :class:`TransitionError` where it is not allowed.

    open -> acknowledged -> resolved; open or acknowledged -> escalated (open again, one level
    up; not from the top); resolved -> reopened (open); responding leaves the status as it is.
    """
    if action not in _NEXT_STATUS:
        raise TransitionError(f"unknown action {action!r}: one of {', '.join(ACTIONS)}")
    allowed = _NEXT_STATUS[action]
    if status not in allowed:
        raise TransitionError(
            f"cannot {action} an escalation that is {status} (only when {' or '.join(allowed)})"
        )
    if action == "escalate" and at_top:
        raise TransitionError("the escalation is at the top of its path: it cannot climb further")
    return allowed[status]


def may(action: str, *, writer: bool, caller: str, owner: str, involved: bool) -> bool:
    """Whether a caller may take ``action``.

    Staff with ``govern:write`` may take every action. The current owner (the caller's party is
    the owner: a partner acting for that actor, or that person) may acknowledge, respond,
    escalate, resolve and reopen. Any other involved party may only respond.
    """
    if writer or caller == owner:
        return action in ACTIONS
    return involved and action == "respond"
