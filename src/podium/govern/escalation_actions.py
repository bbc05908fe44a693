"""Work escalations: acknowledge, respond, escalate, resolve, reopen, and the sweep that
escalates every escalation whose SLA ran out (rules in :mod:`podium.govern.escalation`).

Each action checks, in order: the caller sees the escalation (else 404), may take the action
(else 403: staff with ``govern:write`` may take every one, the owner acknowledges, escalates,
resolves and reopens, any involved party responds) and its status allows it (else 409).

The sweep acts on stored deadlines only, so it may run at any time, after a restart too. Its
update is guarded by the level and deadline it read, so two sweeps at once move an escalation once.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, cast

from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.errors import Conflict, Forbidden, Invalid, PodiumError
from podium.ecosystem import models as eco
from podium.govern import escalation, trail
from podium.govern.escalation_store import (
    get,
    log_transition,
    party_or_system,
    place,
    steps_of,
    with_parties,
)
from podium.govern.models import Decision, Escalation

log = logging.getLogger(__name__)


def _begin(
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    escalation_id: int,
    action: str,
) -> tuple[Escalation, str]:
    """Load an escalation for ``action``: 404 unless involved, 403 unless allowed, 409 unless
    its status allows it; return it and the status it moves to."""
    if not principal.can(Permission.GOVERN_TAKE_PART):
        raise Forbidden(f"your role ({principal.role.value}) lacks govern:take_part")
    item = get(
        session=session, ecosystem=ecosystem, principal=principal, escalation_id=escalation_id
    )
    allowed = escalation.may(
        action,
        writer=principal.can(Permission.GOVERN_WRITE),
        caller=trail.party_of(principal),
        owner=item.owner,
        involved=trail.involves(principal, item.parties),
    )
    if not allowed:
        raise Forbidden(f"only the owner ({item.owner}) or governance staff may {action} it")
    at_top = item.level_index + 1 >= len(steps_of(session=session, item=item))
    try:
        return item, escalation.next_status(item.status, action, at_top=at_top)
    except escalation.TransitionError as error:
        raise Conflict(str(error)) from None


def _required(value: str, field: str, what: str) -> str:
    if not value.strip():
        raise Invalid(f"give {what}", [{"pointer": f"/{field}", "detail": f"give {what}"}])
    return value.strip()


def acknowledge(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    escalation_id: int,
    note: str = "",
    now: datetime | None = None,
) -> Escalation:
    """Acknowledge an open escalation: its owner is on it (the SLA clock keeps running)."""
    item, status = _begin(session, ecosystem, principal, escalation_id, "acknowledge")
    item.status = status
    log_transition(
        session, item, principal, request_id, "acknowledged", note.strip(), now or utcnow()
    )
    return item


def respond(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    escalation_id: int,
    text: str,
    now: datetime | None = None,
) -> Escalation:
    """Add a response (a comment) of an involved party to an active escalation."""
    comment = _required(text, "text", "the response's text")
    item, _ = _begin(session, ecosystem, principal, escalation_id, "respond")
    log_transition(session, item, principal, request_id, "responded", comment, now or utcnow())
    return item


def escalate(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    escalation_id: int,
    reason: str,
    now: datetime | None = None,
) -> Escalation:
    """Move an escalation one level up its path now, saying why; the next level's clock starts."""
    why = _required(reason, "reason", "the reason to escalate")
    item, status = _begin(session, ecosystem, principal, escalation_id, "escalate")
    now = now or utcnow()
    steps = steps_of(session=session, item=item)
    before, step = item.level, steps[item.level_index + 1]
    place(item, item.level_index + 1, step, started_at=now, status=status)
    text = f"Escalated by {party_or_system(principal)}: {why}; now {escalation.routed_to(step)}"
    log_transition(
        session,
        item,
        principal,
        request_id,
        "escalated",
        text,
        now,
        from_level=before,
        to_level=step.level,
    )
    return item


def resolve(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    escalation_id: int,
    resolution: str,
    decision_id: int | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Resolve an escalation with what was decided (and the decision that decided it)."""
    text = _required(resolution, "resolution", "the resolution")
    item, status = _begin(session, ecosystem, principal, escalation_id, "resolve")
    if decision_id is not None:
        decision = session.get(Decision, decision_id)
        if decision is None or decision.ecosystem_id != ecosystem.id:
            detail = f"no decision {decision_id} in {ecosystem.name}"
            raise Invalid(detail, [{"pointer": "/decision_id", "detail": detail}])
    now = now or utcnow()
    item.status, item.resolution, item.decision_id, item.closed_at = status, text, decision_id, now
    note = f" (decision {decision_id})" if decision_id is not None else ""
    log_transition(session, item, principal, request_id, "resolved", text + note, now)
    return item


def reopen(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    escalation_id: int,
    reason: str,
    now: datetime | None = None,
) -> Escalation:
    """Open a resolved escalation again at its level, with a fresh SLA clock."""
    why = _required(reason, "reason", "the reason to reopen")
    item, status = _begin(session, ecosystem, principal, escalation_id, "reopen")
    now = now or utcnow()
    step = steps_of(session=session, item=item)[item.level_index]
    place(item, item.level_index, step, started_at=now, status=status)
    item.closed_at = None
    log_transition(session, item, principal, request_id, "reopened", why, now)
    return item


# --- the sweep ----------------------------------------------------------------------------------


def sweep(
    *,
    session: Session,
    now: datetime,
    request_id: str = "sweep",
    ecosystem_id: int | None = None,
) -> list[Escalation]:
    """Escalate every active escalation whose deadline is at or before ``now`` (of one ecosystem,
    or of all); flag those at the top of their path breached. Return those that moved."""
    query = select(Escalation).where(
        Escalation.status.in_(escalation.ACTIVE),
        Escalation.due_at.is_not(None),
        Escalation.due_at <= now,
    )
    if ecosystem_id is not None:
        query = query.where(Escalation.ecosystem_id == ecosystem_id)
    moved = []
    for item in session.scalars(query.order_by(Escalation.id)).all():
        try:
            if _advance(session, item, now, request_id):
                moved.append(item)
        except (PodiumError, ValueError) as error:  # its path is gone or broken: skip it
            log.warning("escalation %s cannot be swept: %s", item.id, error)
    return moved


def _advance(session: Session, item: Escalation, now: datetime, request_id: str) -> bool:
    """Apply the transitions the clock made to one escalation; False if another sweep did."""
    steps = steps_of(session=session, item=item)
    found = escalation.expired(steps, index=item.level_index, due_at=item.due_at, now=now)
    if not found or not _claim(session, item, _after(item, steps, found)):
        return False
    for step in found:
        log_transition(
            session,
            item,
            None,
            request_id,
            step.kind,
            step.reason,
            step.at,
            from_level=steps[step.from_index].level,
            to_level=steps[step.to_index].level,
        )
    return True


def _after(
    item: Escalation, steps: list[escalation.Step], found: list[escalation.Transition]
) -> dict[str, Any]:
    """The columns an escalation has after the clock's transitions (open at the new level)."""
    values: dict[str, Any] = {"due_at": found[-1].due_at}
    climbed = [t for t in found if t.kind == "escalated"]
    if climbed:
        step = steps[climbed[-1].to_index]
        owners = [steps[t.to_index].owner for t in climbed]
        values |= {
            "level_index": climbed[-1].to_index,
            "level": step.level,
            "owner": step.owner,
            "forum_key": step.forum,
            "status": "open",
            "level_started_at": climbed[-1].at,
            "parties": with_parties(item.parties, *owners),
        }
    return values


def _claim(session: Session, item: Escalation, values: dict[str, Any]) -> bool:
    """Update an escalation only if it is still at the level and deadline read (else a
    concurrent sweep moved it first); reload it either way."""
    claimed = session.execute(
        update(Escalation)
        .where(
            Escalation.id == item.id,
            Escalation.level_index == item.level_index,
            Escalation.due_at == item.due_at,
        )
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    session.refresh(item)
    return cast("CursorResult[Any]", claimed).rowcount == 1
