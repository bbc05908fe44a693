"""Raise escalations (from a person or partner, an exception of incoming data, a risk signal or
a KPI breach) and summarise them for the governance board.

Rules in :mod:`podium.govern.escalation`; storage and reading in
:mod:`~podium.govern.escalation_store`; the transitions and the sweep in
:mod:`~podium.govern.escalation_actions`, re-exported here so that callers need one module.
An escalation is routed by the current decision right of its category: where it starts on the
right's path, its owner and forum, and its stored deadline (``due_at``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.errors import Forbidden, NotFound
from podium.ecosystem import models as eco
from podium.govern import escalation, trail
from podium.govern.escalation_actions import (
    acknowledge,
    escalate,
    reopen,
    resolve,
    respond,
    sweep,
)
from podium.govern.escalation_store import (
    SYSTEM,
    check_input,
    events,
    get,
    list_escalations,
    log_transition,
    open_for_forum,
    path_steps,
    place,
    right_for,
    routed_categories,
    with_parties,
)
from podium.govern.models import Escalation

__all__ = [
    "Board", "acknowledge", "board_summary", "escalate", "events", "get", "list_escalations",
    "open_for_forum", "raise_escalation", "raise_from_exception", "raise_from_kpi",
    "raise_from_risk_signal", "reopen", "resolve", "respond", "routed_categories", "sweep",
]  # fmt: skip


def raise_escalation(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    title: str,
    detail: str,
    category: str,
    severity: str,
    customer_impact: bool,
    parties: Sequence[str],
    source: str = "person",
    source_key: str | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Raise an issue: classify it, route it by its category's current decision right, start its
    SLA clock. A partner caller's own actor is added to the parties. With ``source_key``, raising
    the same source again returns the escalation raised first."""
    return _raise(
        session,
        ecosystem,
        principal,
        request_id,
        title=title,
        detail=detail,
        categories=(category,),
        severity=severity,
        customer_impact=customer_impact,
        parties=parties,
        source=source,
        source_key=source_key,
        now=now or utcnow(),
    )


def _raise(
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    *,
    categories: Sequence[str],
    parties: Sequence[str],
    source_key: str | None,
    now: datetime,
    **fields: Any,
) -> Escalation:
    """Raise an escalation routed by the first of ``categories`` with a decision right."""
    if principal is not None:
        trail.check_member(principal, ecosystem)
        if not principal.can(Permission.GOVERN_TAKE_PART):
            raise Forbidden(f"your role ({principal.role.value}) lacks govern:take_part")
        if principal.is_partner:
            parties = with_parties(parties, trail.party_of(principal))
    earlier = _earlier(session, ecosystem, source_key)
    if earlier is not None:
        return earlier
    checked = {name: fields[name] for name in ("title", "severity", "source")}
    check_input(session, ecosystem, parties=parties, **checked)
    right = right_for(session, ecosystem.id, categories)
    steps = path_steps(right)
    start = escalation.classify(
        steps,
        severity=fields["severity"],
        customer_impact=fields["customer_impact"],
        strategic=right.strategic,
    )
    item = Escalation(
        ecosystem_id=ecosystem.id,
        category=right.decision_type,
        source_key=source_key,
        parties=list(parties),
        raised_by=principal.username if principal is not None else SYSTEM,
        decision_right_version=right.version,
        opened_at=now,
        **fields,
    )
    step = steps[start.index]
    place(item, start.index, step, started_at=now, status="open")
    session.add(item)
    session.flush()
    deadline = escalation.stamp(item.due_at or now)
    text = f"{start.reason} ({escalation.routed_to(step)}); SLA until {deadline}"
    log_transition(session, item, principal, request_id, "raised", text, now, to_level=step.level)
    return item


def _staff_writer(principal: Principal | None) -> None:
    """Refuse a caller (if any) without ``govern:write``: only staff escalate a source."""
    if principal is not None and not principal.can(Permission.GOVERN_WRITE):
        raise Forbidden(f"your role ({principal.role.value}) lacks govern:write")


def _earlier(
    session: Session, ecosystem: eco.Ecosystem, source_key: str | None
) -> Escalation | None:
    """The escalation raised before from the same source, if any."""
    if source_key is None:
        return None
    return session.scalar(
        select(Escalation).where(
            Escalation.ecosystem_id == ecosystem.id, Escalation.source_key == source_key
        )
    )


def raise_from_exception(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    exception_id: int,
    request_id: str,
    principal: Principal | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Escalate an exception of incoming data (once: ``source_key`` ``exception:<id>``)."""
    from podium.integrate.models import DataException

    _staff_writer(principal)
    found = session.get(DataException, exception_id)
    if found is None or found.ecosystem_id != ecosystem.id:
        raise NotFound(f"no exception {exception_id}")
    routing = escalation.from_exception(found.rule, found.severity)
    title = f"{found.rule.replace('_', ' ').capitalize()}: {found.subject}"
    return _raise(
        session,
        ecosystem,
        principal,
        request_id,
        title=title,
        detail=found.detail,
        categories=routing.categories,
        severity=routing.severity,
        customer_impact=routing.customer_impact,
        parties=[f"actor:{found.owner}"],
        source="exception",
        source_key=f"exception:{found.id}",
        now=now or utcnow(),
    )


def raise_from_risk_signal(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    signal_id: int,
    request_id: str,
    principal: Principal | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Escalate a risk signal (once: ``source_key`` ``risk_signal:<id>``); the actor it is about
    (a site's actor for a site) and its provider are the parties."""
    from podium.integrate.models import RiskSignal

    _staff_writer(principal)
    found = session.get(RiskSignal, signal_id)
    if found is None or found.ecosystem_id != ecosystem.id:
        raise NotFound(f"no risk signal {signal_id}")
    routing = escalation.from_risk_signal(found.category, found.severity)
    site_actor = session.scalar(
        select(eco.Site.actor).where(
            eco.Site.ecosystem_id == ecosystem.id, eco.Site.key == found.subject
        )
    )
    about = site_actor or found.subject
    title = f"{found.category.replace('_', ' ').capitalize()} risk: {found.subject}"
    return _raise(
        session,
        ecosystem,
        principal,
        request_id,
        title=title,
        detail=found.description or f"Reported by {found.source}.",
        categories=routing.categories,
        severity=routing.severity,
        customer_impact=routing.customer_impact,
        parties=with_parties([f"actor:{about}"], f"actor:{found.provider}"),
        source="risk_signal",
        source_key=f"risk_signal:{found.id}",
        now=now or utcnow(),
    )


def raise_from_kpi(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    kpi: str,
    subject: str,
    period: str,
    title: str,
    detail: str,
    severity: str,
    request_id: str,
    category: str = escalation.FALLBACK_CATEGORY,
    customer_impact: bool = False,
    parties: Sequence[str] = (),
    principal: Principal | None = None,
    now: datetime | None = None,
) -> Escalation:
    """Escalate a KPI breach (once per KPI, subject and period: ``kpi:<kpi>:<subject>:<period>``);
    a category without a decision right falls back to routine coordination."""
    return _raise(
        session,
        ecosystem,
        principal,
        request_id,
        title=title,
        detail=detail,
        categories=tuple(dict.fromkeys((category, escalation.FALLBACK_CATEGORY))),
        severity=severity,
        customer_impact=customer_impact,
        parties=parties,
        source="kpi",
        source_key=f"kpi:{kpi}:{subject}:{period}",
        now=now or utcnow(),
    )


# --- the governance board -----------------------------------------------------------------------


@dataclass(frozen=True)
class Board:
    """The active escalations a caller may see, as the governance board shows them.

    ``by_level`` counts them per level (every level, lowest first), ``by_age`` per age bucket
    since they were opened (:data:`~podium.govern.escalation.AGE_BUCKETS`); ``at_risk`` are those
    whose clock runs with less than 25% of their level's SLA left, soonest first; ``overdue``
    those whose deadline passed (the sweep has not acted yet) or that are breached at the top.
    """

    active: int
    by_level: dict[str, int]
    by_age: dict[str, int]
    at_risk: list[Escalation] = field(default_factory=list)
    overdue: list[Escalation] = field(default_factory=list)


def board_summary(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    now: datetime | None = None,
) -> Board:
    """Count the active escalations by level and age; list those at risk and overdue."""
    now = now or utcnow()
    found = list_escalations(session=session, ecosystem=ecosystem, principal=principal, limit=10**6)
    active = [e for e in found if e.status in escalation.ACTIVE]
    by_level = dict.fromkeys(escalation.LEVELS, 0)
    by_age = dict.fromkeys((label for label, _ in escalation.AGE_BUCKETS), 0)
    for item in active:
        by_level[item.level] = by_level.get(item.level, 0) + 1
        by_age[escalation.age_bucket(item.opened_at, now)] += 1
    at_risk = [
        e
        for e in active
        if escalation.at_risk(level_started_at=e.level_started_at, due_at=e.due_at, now=now)
    ]
    at_risk.sort(key=lambda e: escalation.aware(e.due_at or now))
    overdue = [e for e in active if escalation.is_overdue(e.status, e.due_at, now)]
    return Board(len(active), by_level, by_age, at_risk, overdue)
