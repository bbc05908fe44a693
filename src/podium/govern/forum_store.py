"""Forums in the database: create, change and stop them, their calendar, and the agenda of the
next meeting built from open escalations, data exceptions and KPIs due.

Staff with ``govern:read`` see every forum; a partner sees the forums its actor sits in, and of
their agendas only the items that involve it. Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern import cadence, trail
from podium.govern.cadence import AgendaCandidate, AgendaItem, ForumSpec, Member
from podium.govern.models import DecisionRight, Escalation, Forum
from podium.govern.parties import actor_party
from podium.govern.rights_service import actor_keys, aware, list_rights
from podium.integrate.models import DataException

CLOSED = ("resolved",)
"""Escalation statuses that no longer go on an agenda."""


def forum_spec(forum: Forum) -> ForumSpec:
    """The stored forum as a spec (for cadence, calendar and agenda)."""
    return ForumSpec(
        key=forum.key,
        name=forum.name,
        kind=forum.kind,
        level=forum.level,
        rrule=forum.rrule,
        starts_at=aware(forum.starts_at),
        duration_minutes=forum.duration_minutes,
        timezone=forum.timezone,
        location=forum.location,
        members=[Member.model_validate(m) for m in forum.members],
    )


def member_parties(forum: Forum) -> list[str]:
    """The parties sitting in a forum."""
    return [str(m.get("party")) for m in forum.members]


def list_forums(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None = None,
    include_inactive: bool = False,
) -> list[Forum]:
    """The forums, by level (strategic first) and key; a partner sees those it sits in."""
    query = select(Forum).where(Forum.ecosystem_id == ecosystem.id)
    if not include_inactive:
        query = query.where(Forum.active.is_(True))
    found = list(session.scalars(query))
    if principal is not None:
        found = [f for f in found if trail.involves(principal, member_parties(f))]
    rank = {"strategic": 0, "tactical": 1, "operational": 2}
    return sorted(found, key=lambda f: (rank.get(f.level, 3), f.key))


def get_forum(
    *, session: Session, ecosystem: eco.Ecosystem, key: str, principal: Principal | None = None
) -> Forum:
    """A forum by key; a partner not sitting in it is told it does not exist."""
    found = session.scalar(
        select(Forum).where(Forum.ecosystem_id == ecosystem.id, Forum.key == key)
    )
    if found is None:
        raise NotFound(f"no forum {key!r}")
    if principal is not None:
        trail.check_involved(principal, member_parties(found), f"forum {key!r}")
    return found


def _checked(session: Session, ecosystem: eco.Ecosystem, spec: ForumSpec) -> ForumSpec:
    errors = cadence.validate_forum(spec, actors=actor_keys(session=session, ecosystem=ecosystem))
    if errors:
        raise Invalid(f"the forum {spec.key} is not valid", errors)
    return cadence.synchronised(spec)


def _apply(forum: Forum, spec: ForumSpec) -> None:
    forum.name, forum.kind, forum.level = spec.name, spec.kind, spec.level or ""
    forum.rrule, forum.starts_at, forum.timezone = spec.rrule, spec.starts_at, spec.timezone
    forum.duration_minutes, forum.location = spec.duration_minutes, spec.location
    forum.members = [m.model_dump() for m in spec.members]


def create_forum(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    spec: ForumSpec,
) -> Forum:
    """Create a forum; its start moves to the rule's first occurrence."""
    checked = _checked(session, ecosystem, spec)
    exists = session.scalar(
        select(Forum.id).where(Forum.ecosystem_id == ecosystem.id, Forum.key == spec.key)
    )
    if exists is not None:
        raise Conflict(
            f"a forum {spec.key!r} exists", [{"pointer": "/key", "detail": "already taken"}]
        )
    forum = Forum(ecosystem_id=ecosystem.id, key=spec.key, active=True)
    _apply(forum, checked)
    session.add(forum)
    session.flush()
    _record(session, principal, request_id, ecosystem, forum, "created")
    return forum


def update_forum(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    key: str,
    spec: ForumSpec,
) -> Forum:
    """Replace a forum's name, kind, cadence and members (its key stays; it becomes active)."""
    forum = get_forum(session=session, ecosystem=ecosystem, key=key)
    if spec.key != key:
        detail = f"the key is {key!r}; create a new forum to use another"
        raise Invalid(detail, [{"pointer": "/key", "detail": detail}])
    _apply(forum, _checked(session, ecosystem, spec))
    forum.active = True
    session.flush()
    _record(session, principal, request_id, ecosystem, forum, "changed")
    return forum


def deactivate_forum(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal, request_id: str, key: str
) -> Forum:
    """Stop a forum meeting; refused while a current decision right routes to it."""
    forum = get_forum(session=session, ecosystem=ecosystem, key=key)
    using = [
        r.decision_type
        for r in list_rights(session=session, ecosystem=ecosystem)
        if any(step.get("forum") == key for step in r.path)
    ]
    if using:
        raise Conflict(f"decision rights route to {key!r}: {', '.join(using)}; change them first")
    forum.active = False
    _record(session, principal, request_id, ecosystem, forum, "deactivated")
    return forum


def _record(
    session: Session,
    principal: Principal,
    request_id: str,
    ecosystem: eco.Ecosystem,
    forum: Forum,
    transition: str,
) -> None:
    trail.record(
        session=session,
        request_id=request_id,
        principal=principal,
        ecosystem_id=ecosystem.id,
        kind="forum",
        object_id=forum.key,
        transition=transition,
    )


def calendar(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None = None,
    key: str | None = None,
    now: datetime | None = None,
) -> bytes:
    """An .ics calendar of one forum, or of every active forum the caller may see."""
    if key is not None:
        forums = [get_forum(session=session, ecosystem=ecosystem, key=key, principal=principal)]
    else:
        forums = list_forums(session=session, ecosystem=ecosystem, principal=principal)
    specs = [forum_spec(f) for f in forums]
    return cadence.to_ics(specs, scope=ecosystem.name, stamp=now or utcnow())


# --- agenda ---------------------------------------------------------------------------------------

KpisDue = Callable[..., list[AgendaCandidate]]


def breached_kpis(
    *, session: Session, ecosystem: eco.Ecosystem, forum: Forum, occurrence: datetime | None
) -> list[AgendaCandidate]:
    """KPIs due for review at a forum: those whose targets are breached in the latest complete
    period before the meeting (:func:`podium.learn.targets.kpis_due`)."""
    from podium.learn.targets import kpis_due

    return kpis_due(session=session, ecosystem=ecosystem, forum=forum, occurrence=occurrence)


@dataclass(frozen=True)
class Agenda:
    """The agenda of a forum's next meeting; ``hidden`` items do not involve the caller."""

    forum: Forum
    occurrence: datetime | None
    items: list[AgendaItem]
    hidden: int = 0


def _escalation_candidates(
    session: Session, ecosystem: eco.Ecosystem, forum: Forum
) -> list[AgendaCandidate]:
    """Active escalations routed to the forum and, for a strategic forum, those of the strategic
    decision types whose path ends at it, followed from the moment they are raised."""
    followed = _followed_types(session, ecosystem, forum)
    query = select(Escalation).where(
        Escalation.ecosystem_id == ecosystem.id,
        Escalation.status.not_in(CLOSED),
        or_(Escalation.forum_key == forum.key, Escalation.category.in_(followed)),
    )
    strategic = _strategic_types(session, ecosystem)
    return [
        AgendaCandidate(
            kind="escalation",
            ref=str(e.id),
            title=e.title,
            severity=e.severity,
            opened_at=aware(e.opened_at),
            strategic=e.category in strategic,
            level=e.level,
            due_at=aware(e.due_at) if e.due_at is not None else None,
            parties=tuple(dict.fromkeys([*e.parties, e.owner])),
            routed=e.forum_key == forum.key,
        )
        for e in session.scalars(query)
    ]


def _current_rights(session: Session, ecosystem: eco.Ecosystem) -> list[DecisionRight]:
    query = select(DecisionRight).where(
        DecisionRight.ecosystem_id == ecosystem.id, DecisionRight.current.is_(True)
    )
    return list(session.scalars(query))


def _strategic_types(session: Session, ecosystem: eco.Ecosystem) -> set[str]:
    """The decision types whose current right is strategic."""
    return {r.decision_type for r in _current_rights(session, ecosystem) if r.strategic}


def _followed_types(session: Session, ecosystem: eco.Ecosystem, forum: Forum) -> set[str]:
    """The strategic decision types whose path's strategic level is ``forum``."""
    if forum.level != "strategic":
        return set()
    return {
        right.decision_type
        for right in _current_rights(session, ecosystem)
        if right.strategic
        and any(s.get("level") == "strategic" and s.get("forum") == forum.key for s in right.path)
    }


def _exception_candidates(session: Session, ecosystem: eco.Ecosystem) -> list[AgendaCandidate]:
    """Open data exceptions not already raised as an escalation (those come as escalations)."""
    escalated = set(
        session.scalars(
            select(Escalation.source_key).where(
                Escalation.ecosystem_id == ecosystem.id, Escalation.source_key.is_not(None)
            )
        )
    )
    query = select(DataException).where(
        DataException.ecosystem_id == ecosystem.id, DataException.status == "open"
    )
    return [
        AgendaCandidate(
            kind="exception",
            ref=str(x.id),
            title=f"{x.rule.replace('_', ' ')}: {x.subject}",
            severity=x.severity,
            opened_at=aware(x.created_at),
            parties=(actor_party(x.owner),),
        )
        for x in session.scalars(query)
        if f"exception:{x.id}" not in escalated
    ]


def agenda(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    forum_key: str,
    now: datetime | None = None,
    principal: Principal | None = None,
    kpis_due: KpisDue = breached_kpis,
) -> Agenda:
    """The agenda of a forum's next meeting: its open escalations, high-severity data exceptions
    (operational and tactical forums) and KPIs due, most urgent first, each with its reason."""
    now = now or utcnow()
    forum = get_forum(session=session, ecosystem=ecosystem, key=forum_key, principal=principal)
    upcoming = cadence.next_occurrences(forum_spec(forum), now, 1)
    occurrence = upcoming[0] if upcoming else None
    items = cadence.build_agenda(
        _escalation_candidates(session, ecosystem, forum),
        _exception_candidates(session, ecosystem) if forum.level != "strategic" else [],
        kpis_due(session=session, ecosystem=ecosystem, forum=forum, occurrence=occurrence),
        forum.level,
        now=now,
    )
    if principal is None:
        return Agenda(forum, occurrence, items)
    shown = [i for i in items if trail.involves(principal, i.candidate.parties)]
    return Agenda(forum, occurrence, shown, hidden=len(items) - len(shown))


def details(forum: Forum, now: datetime, count: int = 3) -> dict[str, Any]:
    """What a page or the API shows of a forum's cadence: in words and its next starts (UTC)."""
    spec = forum_spec(forum)
    return {
        "cadence": cadence.describe_cadence(spec),
        "next": cadence.next_occurrences(spec, now, count),
    }
