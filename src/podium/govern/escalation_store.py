"""Where escalations are stored and found: the decision right that routes a category, the
checks of a new escalation's fields, reading what a caller may see, and the record of each
transition (an :class:`~podium.govern.models.EscalationEvent` and an audit entry).

Shared by :mod:`~podium.govern.escalation_service` (raising) and
:mod:`~podium.govern.escalation_actions` (working and sweeping).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern import escalation, trail
from podium.govern.models import DecisionRight, Escalation, EscalationEvent
from podium.govern.parties import parse_party, unknown_actors

SYSTEM = "system"
"""Who a transition is by when no caller made it (the sweep)."""

# --- routing ------------------------------------------------------------------------------------


def current_right(*, session: Session, ecosystem_id: int, category: str) -> DecisionRight | None:
    """The current decision right of a decision type, if any."""
    return session.scalar(
        select(DecisionRight).where(
            DecisionRight.ecosystem_id == ecosystem_id,
            DecisionRight.decision_type == category,
            DecisionRight.current.is_(True),
        )
    )


def routed_categories(*, session: Session, ecosystem_id: int) -> list[str]:
    """The decision types with a current decision right (the categories one may raise)."""
    query = select(DecisionRight.decision_type).where(
        DecisionRight.ecosystem_id == ecosystem_id, DecisionRight.current.is_(True)
    )
    return sorted(session.scalars(query))


def right_for(session: Session, ecosystem_id: int, categories: Sequence[str]) -> DecisionRight:
    """The current right of the first category that has one, else refuse naming those that do."""
    for category in categories:
        found = current_right(session=session, ecosystem_id=ecosystem_id, category=category)
        if found is not None:
            return found
    known = routed_categories(session=session, ecosystem_id=ecosystem_id)
    choice = ", ".join(known) if known else "none has a decision right yet"
    detail = f"no decision right routes {' or '.join(categories)}; categories: {choice}"
    raise Invalid(detail, [{"pointer": "/category", "detail": detail}])


def path_steps(right: DecisionRight) -> list[escalation.Step]:
    """The steps of a right's path; refuse (pointing at the category) a path that cannot route."""
    errors = escalation.path_errors(right.path, strategic=right.strategic)
    if errors:
        detail = f"the decision right of {right.decision_type} cannot route: {errors[0]}"
        raise Invalid(detail, [{"pointer": "/category", "detail": detail}])
    return escalation.parse_path(right.path)


def steps_of(*, session: Session, item: Escalation) -> list[escalation.Step]:
    """The path an escalation climbs: that of the decision right version it was routed by."""
    right = session.scalar(
        select(DecisionRight).where(
            DecisionRight.ecosystem_id == item.ecosystem_id,
            DecisionRight.decision_type == item.category,
            DecisionRight.version == item.decision_right_version,
        )
    ) or current_right(session=session, ecosystem_id=item.ecosystem_id, category=item.category)
    if right is None:
        raise Conflict(f"the decision right of {item.category} is gone; the path is unknown")
    return escalation.parse_path(right.path)


# --- checks -------------------------------------------------------------------------------------


def check_input(
    session: Session,
    ecosystem: eco.Ecosystem,
    *,
    title: str,
    severity: str,
    source: str,
    parties: Sequence[str],
) -> None:
    """Refuse a blank title, an unknown severity or source, or a party that is not one."""
    errors = []
    if not title.strip():
        errors.append({"pointer": "/title", "detail": "give the escalation a title"})
    if severity not in escalation.SEVERITIES:
        detail = f"severity must be one of {', '.join(escalation.SEVERITIES)}"
        errors.append({"pointer": "/severity", "detail": detail})
    if source not in escalation.SOURCES:
        detail = f"source must be one of {', '.join(escalation.SOURCES)}"
        errors.append({"pointer": "/source", "detail": detail})
    actors = session.scalars(select(eco.Actor.key).where(eco.Actor.ecosystem_id == ecosystem.id))
    known = set(actors)
    for number, party in enumerate(parties):
        try:
            parse_party(party)
            unknown = unknown_actors([party], known)
        except ValueError as error:
            errors.append({"pointer": f"/parties/{number}", "detail": str(error)})
            continue
        if unknown:
            detail = f"{party} is no actor of {ecosystem.name}"
            errors.append({"pointer": f"/parties/{number}", "detail": detail})
    if errors:
        raise Invalid(f"{len(errors)} error(s) in the escalation", errors)


def party_or_system(principal: Principal | None) -> str:
    """Who a transition is by: the caller's party, or ``system`` for the sweep."""
    return trail.party_of(principal) if principal is not None else SYSTEM


def with_parties(parties: Iterable[str], *more: str) -> list[str]:
    """The parties with ``more`` added, each once, in order."""
    return list(dict.fromkeys([*parties, *more]))


# --- reading ------------------------------------------------------------------------------------


def list_escalations(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    status: str | None = None,
    level: str | None = None,
    owner: str | None = None,
    overdue_only: bool = False,
    now: datetime | None = None,
    limit: int = 500,
) -> list[Escalation]:
    """Escalations the caller may see (a partner: those involving its actor), highest level and
    nearest deadline first."""
    trail.check_member(principal, ecosystem)
    query = select(Escalation).where(Escalation.ecosystem_id == ecosystem.id)
    if status is not None:
        query = query.where(Escalation.status == status)
    if level is not None:
        query = query.where(Escalation.level == level)
    if owner is not None:
        query = query.where(Escalation.owner == owner)
    if overdue_only:
        query = query.where(
            Escalation.status.in_(escalation.ACTIVE),
            or_(Escalation.due_at.is_(None), Escalation.due_at <= (now or utcnow())),
        )
    found = session.scalars(query.order_by(Escalation.id.desc())).all()
    visible = [e for e in found if trail.involves(principal, e.parties)][:limit]
    return sorted(visible, key=urgency)


def urgency(item: Escalation) -> tuple[int, int, str]:
    """Sort key: active first, higher levels first, breached then nearest deadline first."""
    due = "" if item.due_at is None else escalation.aware(item.due_at).isoformat()
    return (item.status not in escalation.ACTIVE, -escalation.rank(item.level), due)


def get(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal, escalation_id: int
) -> Escalation:
    """One escalation the caller may see (others, and those of other ecosystems, are 404)."""
    trail.check_member(principal, ecosystem)
    found = session.get(Escalation, escalation_id)
    if found is None or found.ecosystem_id != ecosystem.id:
        raise NotFound(f"escalation {escalation_id} not found")
    trail.check_involved(principal, found.parties, f"escalation {escalation_id}")
    return found


def events(*, session: Session, item: Escalation) -> list[EscalationEvent]:
    """The history of an escalation, oldest first."""
    query = select(EscalationEvent).where(EscalationEvent.escalation_id == item.id)
    return list(session.scalars(query.order_by(EscalationEvent.at, EscalationEvent.id)))


def open_for_forum(
    *, session: Session, ecosystem: eco.Ecosystem, forum_key: str
) -> list[Escalation]:
    """The active escalations routed to a forum (for its agenda), most urgent first."""
    query = select(Escalation).where(
        Escalation.ecosystem_id == ecosystem.id,
        Escalation.forum_key == forum_key,
        Escalation.status.in_(escalation.ACTIVE),
    )
    return sorted(session.scalars(query), key=urgency)


# --- transitions --------------------------------------------------------------------------------


def log_transition(
    session: Session,
    item: Escalation,
    principal: Principal | None,
    request_id: str,
    kind: str,
    text: str,
    at: datetime,
    **levels: str | None,
) -> None:
    """Record one transition as an event and an audit entry (``by`` the caller's party, or
    ``system``; the audit entry names the level it moved to, its owner now and its status)."""
    by = party_or_system(principal)
    session.add(
        EscalationEvent(escalation_id=item.id, at=at, kind=kind, by=by, text=text, **levels)
    )
    trail.record(
        session=session,
        request_id=request_id,
        principal=principal,
        ecosystem_id=item.ecosystem_id,
        kind="escalation",
        object_id=item.id,
        transition=kind,
        level=levels.get("to_level") or item.level,
        owner=item.owner,
        status=item.status,
        text=text[:500],
    )


def place(
    item: Escalation, index: int, step: escalation.Step, *, started_at: datetime, status: str
) -> None:
    """Put an escalation at a step of its path: its owner and forum, a fresh SLA clock from
    ``started_at``; the owner joins the parties (so a partner owner sees it)."""
    item.level_index, item.level, item.status = index, step.level, status
    item.owner, item.forum_key = step.owner, step.forum
    item.parties = with_parties(item.parties or [], step.owner)
    item.level_started_at, item.due_at = started_at, escalation.due(started_at, step)
