"""Disputes: the agreed mechanism, its deadlines, the state machine and who may do what.

A dispute (between the orchestrator and a partner, or between partners) is about one *subject*
(an agreement, a delivery, a use of data, an allocation of cost) and climbs the steps of the
mechanism its parties agreed, by default negotiation (30 days), then mediation (45 days), then
arbitration (90 days). Each step's deadline is its start plus its days; a dispute still open past
its deadline is *overdue*. The states::

    open (step 0) --advance(reason)--> open (step 1) --> ... --> open (last step)
      |                                                              |
      +--resolve(outcome, by agreement or decision)------------------+--> resolved
      +--withdraw (the raising party)---------------------------------> withdrawn

Parties add evidence and statements and may propose a settlement; another party accepting it
resolves the dispute by agreement. The orchestrator's staff (``govern:write``) advance the steps
and record outcomes (a mediator's or arbitrator's decision, or an agreement reached elsewhere).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from podium.core.errors import Conflict, Forbidden, Invalid

SUBJECTS = ("agreement", "delivery", "data_use", "cost_allocation")
"""What a dispute can be about."""
STEPS = ("negotiation", "mediation", "arbitration")
"""The steps a mechanism may use, in escalating order."""
STATUSES = ("open", "resolved", "withdrawn")
RESOLUTIONS = ("agreement", "decision")
"""How a dispute ends: the parties agreed, or the step's mediator or arbitrator decided."""
PARTY_ENTRIES = ("evidence", "statement", "proposal")
"""Entries a party (or staff) adds while the dispute is open."""
MAX_STEP_DAYS = 3650


@dataclass(frozen=True)
class Step:
    """One step of a mechanism: its name and how long it may take (days)."""

    step: str
    days: int

    def as_dict(self) -> dict[str, Any]:
        """The stored form, ``{"step": ..., "days": ...}``."""
        return {"step": self.step, "days": self.days}


DEFAULT_MECHANISM = (Step("negotiation", 30), Step("mediation", 45), Step("arbitration", 90))


@dataclass(frozen=True)
class State:
    """Where a dispute stands: ``due_at`` is the current step's deadline (None once closed)."""

    status: str
    step_index: int
    step_started_at: datetime
    due_at: datetime | None
    closed_at: datetime | None = None
    outcome: str | None = None


def parse_mechanism(raw: Sequence[Mapping[str, Any]] | None) -> tuple[Step, ...]:
    """Return the mechanism's steps (the default for None); raise Invalid naming each problem.

    Steps must be known (:data:`STEPS`), each used once, in escalating order, with whole days
    from 1 to :data:`MAX_STEP_DAYS`.

    Examples
    --------
    >>> parse_mechanism([{"step": "negotiation", "days": 14}, {"step": "arbitration", "days": 60}])
    (Step(step='negotiation', days=14), Step(step='arbitration', days=60))
    """
    if raw is None:
        return DEFAULT_MECHANISM
    if not raw:
        raise Invalid("mechanism: give at least one step", [_at("", "give at least one step")])
    errors: list[dict[str, str]] = []
    steps: list[Step] = []
    for index, entry in enumerate(raw):
        name, days = entry.get("step"), entry.get("days")
        if name not in STEPS:
            errors.append(_at(f"/{index}/step", f"use one of {', '.join(STEPS)}, not {name!r}"))
        elif steps and name in STEPS and STEPS.index(str(name)) <= STEPS.index(steps[-1].step):
            errors.append(_at(f"/{index}/step", f"{name} cannot follow {steps[-1].step}"))
        if isinstance(days, bool) or not isinstance(days, int) or not 0 < days <= MAX_STEP_DAYS:
            errors.append(_at(f"/{index}/days", f"give whole days from 1 to {MAX_STEP_DAYS}"))
        if name in STEPS and isinstance(days, int):
            steps.append(Step(str(name), int(days)))
    if errors:
        raise Invalid("the mechanism is not valid", errors)
    return tuple(steps)


def _at(pointer: str, detail: str) -> dict[str, str]:
    return {"pointer": f"/mechanism{pointer}", "detail": detail}


def check_subject(subject: str) -> None:
    """Refuse an unknown subject."""
    if subject not in SUBJECTS:
        detail = f"use one of {', '.join(SUBJECTS)}, not {subject!r}"
        raise Invalid(f"subject: {detail}", [{"pointer": "/subject", "detail": detail}])


def deadline(started_at: datetime, step: Step) -> datetime:
    """The step's deadline: its start plus its days."""
    return started_at + timedelta(days=step.days)


def start(mechanism: Sequence[Step], now: datetime) -> State:
    """Open a dispute at the first step of its mechanism."""
    return State("open", 0, now, deadline(now, mechanism[0]))


def _check_open(state: State) -> None:
    if state.status != "open":
        raise Conflict(f"the dispute is {state.status}; nothing more can be done with it")


def advance(state: State, mechanism: Sequence[Step], now: datetime, reason: str) -> State:
    """Move an open dispute to the next step (a new deadline from ``now``), for a stated reason."""
    _check_open(state)
    if not reason.strip():
        raise Invalid(
            "reason: say why the step failed", [{"pointer": "/reason", "detail": "say why"}]
        )
    following = state.step_index + 1
    if following >= len(mechanism):
        last = mechanism[state.step_index].step
        raise Conflict(f"{last} is the mechanism's last step: record its outcome instead")
    return replace(
        state,
        step_index=following,
        step_started_at=now,
        due_at=deadline(now, mechanism[following]),
    )


def resolve(state: State, now: datetime, outcome: str) -> State:
    """Close an open dispute with its outcome."""
    _check_open(state)
    if not outcome.strip():
        detail = "say what was agreed or decided"
        raise Invalid(f"outcome: {detail}", [{"pointer": "/outcome", "detail": detail}])
    return replace(state, status="resolved", due_at=None, closed_at=now, outcome=outcome.strip())


def withdraw(state: State, now: datetime, reason: str = "") -> State:
    """Close an open dispute because the party that raised it drops it."""
    _check_open(state)
    outcome = f"withdrawn: {reason.strip()}" if reason.strip() else "withdrawn"
    return replace(state, status="withdrawn", due_at=None, closed_at=now, outcome=outcome)


def is_overdue(status: str, due_at: datetime | None, now: datetime) -> bool:
    """Whether an open dispute is past its current step's deadline."""
    return status == "open" and due_at is not None and now > due_at


@dataclass(frozen=True)
class TimelineStep:
    """One step as the dispute's page shows it; ``state`` is done, current or pending.

    A pending step's start and deadline are projected from the current deadline.
    """

    step: str
    days: int
    started_at: datetime | None
    due_at: datetime | None
    state: str
    overdue: bool


def timeline(
    mechanism: Sequence[Step],
    starts: Sequence[datetime],
    *,
    status: str,
    closed_at: datetime | None,
    now: datetime,
) -> list[TimelineStep]:
    """Every step of the mechanism with its (actual or projected) start and deadline.

    ``starts`` holds the start of each step reached so far: the opening time, then the time of
    each advance, so ``len(starts) - 1`` is the current step.
    """
    found: list[TimelineStep] = []
    current = len(starts) - 1
    projected: datetime | None = None
    for index, step in enumerate(mechanism):
        if index < len(starts):
            begun: datetime | None = starts[index]
            state = "done" if index < current or status != "open" else "current"
        else:
            begun, state = projected, ("pending" if status == "open" else "skipped")
        due = deadline(begun, step) if begun is not None else None
        projected = due if status == "open" else None
        late = state == "current" and due is not None and now > due
        if index == current and status != "open" and closed_at is not None:
            late = due is not None and closed_at > due
        found.append(TimelineStep(step.step, step.days, begun, due, state, late))
    return found


# --- who may do what ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Caller:
    """A caller as the rules see it: staff (``govern:write``), its party, and whether that party
    is one of the dispute's parties or the one that raised it."""

    staff: bool
    party: str
    is_party: bool
    is_raiser: bool


def allowed_actions(caller: Caller, state: State, mechanism: Sequence[Step]) -> list[str]:
    """What the caller may do now: entry kinds, ``accept``, ``advance``, ``resolve``, ``withdraw``.

    Parties and staff add evidence and statements; parties propose settlements and accept
    another party's; staff advance (not past the last step) and record outcomes; the raising
    party withdraws. A closed dispute allows nothing.
    """
    if state.status != "open":
        return []
    actions: list[str] = []
    if caller.is_party or caller.staff:
        actions += ["evidence", "statement"]
    if caller.is_party:
        actions += ["proposal", "accept"]
    if caller.staff:
        actions += ["advance"] if state.step_index + 1 < len(mechanism) else []
        actions += ["resolve"]
    if caller.is_raiser:
        actions.append("withdraw")
    return actions


def check_allowed(caller: Caller, action: str, state: State, mechanism: Sequence[Step]) -> None:
    """Refuse an action the caller may not take now, saying why."""
    _check_open(state)
    if action in allowed_actions(caller, state, mechanism):
        return
    reasons = {
        "proposal": "only a party to the dispute proposes a settlement",
        "accept": "only a party to the dispute accepts a settlement",
        "advance": "only the orchestrator's staff (govern:write) advance the mechanism",
        "resolve": "only the orchestrator's staff (govern:write) record an outcome",
        "withdraw": "only the party that raised the dispute withdraws it",
    }
    if action == "advance" and caller.staff:
        raise Conflict("this is the mechanism's last step: record its outcome instead")
    raise Forbidden(
        reasons.get(action, "only the parties and the orchestrator's staff add entries")
    )


def acceptable_proposal(
    proposals: Sequence[tuple[int, str]], accepting_party: str
) -> tuple[int, str]:
    """The latest settlement proposal another party made: ``(entry id, proposing party)``.

    ``proposals`` are ``(entry id, party)`` oldest first; refuse when the latest is the
    accepting party's own, or when there is none.
    """
    if not proposals:
        raise Conflict("no settlement has been proposed")
    latest = proposals[-1]
    if latest[1] == accepting_party:
        raise Conflict("the latest proposal is your own: another party must accept it")
    return latest
