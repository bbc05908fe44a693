"""The governance board: one view of what needs deciding in an ecosystem.

Open escalations by level and age with those whose SLA is at risk or overdue, the forums' next
meetings with their agendas, open disputes (overdue steps first), certifications expiring or
expired, and the platform partners by strategic-dependency index. Each part is what the caller
may see: the orchestrator's governance readers see all of it; a partner sees the escalations,
disputes and forums that involve its actor and its own certifications, and no platform view.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.ecosystem import models as eco
from podium.govern import (
    certification_service,
    dispute_service,
    escalation_service,
    forum_service,
    platform_service,
    trail,
)
from podium.govern.forum_store import Agenda
from podium.govern.models import Dispute

AGENDA_ITEMS_SHOWN = 5
"""Agenda items the board shows per forum (the forum page shows them all)."""


@dataclass(frozen=True)
class UpcomingForum:
    """A forum's next meeting: when, its cadence in words, and the first agenda items."""

    agenda: Agenda
    cadence: str

    @property
    def shown(self) -> list[object]:
        """The most urgent agenda items, as many as the board shows."""
        return list(self.agenda.items[:AGENDA_ITEMS_SHOWN])


@dataclass(frozen=True)
class GovernanceBoard:
    """What the board shows one caller about one ecosystem."""

    escalations: escalation_service.Board
    forums: list[UpcomingForum]
    disputes: list[Dispute]
    overdue_disputes: set[int]
    certifications: list[certification_service.Listed]
    platforms: list[platform_service.PlatformView] = field(default_factory=list)


def build(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    now: datetime | None = None,
    warning_days: int = 30,
) -> GovernanceBoard:
    """Gather the board of ``ecosystem`` as ``principal`` may see it."""
    trail.check_member(principal, ecosystem)
    now = now or utcnow()
    open_disputes = dispute_service.list_disputes(
        session=session, ecosystem=ecosystem, principal=principal, status="open"
    )
    overdue = {d.id for d in open_disputes if d.due_at is not None and _due(d) < now}
    certifications = certification_service.list_certifications(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        on=now.date(),
        warning_days=warning_days,
    )
    return GovernanceBoard(
        escalations=escalation_service.board_summary(
            session=session, ecosystem=ecosystem, principal=principal, now=now
        ),
        forums=_upcoming(session, ecosystem, principal, now),
        disputes=sorted(open_disputes, key=lambda d: (d.id not in overdue, _due(d, now))),
        overdue_disputes=overdue,
        certifications=[c for c in certifications if c.status != "valid"],
        platforms=_platforms(session, ecosystem, principal),
    )


def _upcoming(
    session: Session, ecosystem: eco.Ecosystem, principal: Principal, now: datetime
) -> list[UpcomingForum]:
    """The caller's forums with their next meeting, soonest first (no next meeting: last)."""
    who = principal if principal.is_partner else None
    found = []
    for forum in forum_service.list_forums(session=session, ecosystem=ecosystem, principal=who):
        agenda = forum_service.agenda(
            session=session, ecosystem=ecosystem, forum_key=forum.key, now=now, principal=who
        )
        cadence = str(forum_service.details(forum, now, 1)["cadence"])
        found.append(UpcomingForum(agenda=agenda, cadence=cadence))
    return sorted(found, key=lambda f: (f.agenda.occurrence is None, f.agenda.occurrence or now))


def _platforms(
    session: Session, ecosystem: eco.Ecosystem, principal: Principal
) -> list[platform_service.PlatformView]:
    """Platform partners by index, highest first (the orchestrator's view only)."""
    if not principal.can(Permission.GOVERN_READ):
        return []
    views = platform_service.list_assessments(session=session, ecosystem=ecosystem)
    return sorted(views, key=_dependency, reverse=True)


def _dependency(view: platform_service.PlatformView) -> float:
    if view.current is None or view.current.result.index is None:
        return -1.0
    return view.current.result.index


def _due(dispute: Dispute, otherwise: datetime | None = None) -> datetime:
    """The deadline of a dispute's current step in UTC (``otherwise`` when it has none)."""
    due = dispute_service.utc(dispute.due_at) or otherwise
    assert due is not None, "an open dispute without a deadline needs a fallback"
    return due
