"""Open, work and close disputes (service over :mod:`podium.govern.disputes`).

Who acts: a partner user acts for its actor; the orchestrator's staff act for the orchestrator
actor (or as themselves when the ecosystem names none). Partners see only disputes whose parties
include their actor (others get 404). Every transition and entry is recorded in the audit log
(:func:`podium.govern.trail.record`). Evidence links are checked by
:mod:`podium.govern.dispute_evidence`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.errors import Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern import dispute_evidence, disputes, trail
from podium.govern.models import Dispute, DisputeEntry
from podium.govern.parties import actor_party, parse_party, person_party
from podium.integrate.quality import as_utc
from podium.integrate.service import orchestrator_actor


def acting_party(*, session: Session, ecosystem: eco.Ecosystem, principal: Principal) -> str:
    """The party a caller acts as in disputes: its partner actor, else the orchestrator actor."""
    trail.check_member(principal, ecosystem)
    if principal.is_partner:
        return trail.party_of(principal)
    orchestrator = orchestrator_actor(session=session, ecosystem=ecosystem)
    return actor_party(orchestrator) if orchestrator else person_party(principal.username)


def _caller(
    session: Session, ecosystem: eco.Ecosystem, principal: Principal, dispute: Dispute
) -> disputes.Caller:
    party = acting_party(session=session, ecosystem=ecosystem, principal=principal)
    return disputes.Caller(
        staff=not principal.is_partner and principal.can(Permission.GOVERN_WRITE),
        party=party,
        is_party=party in dispute.parties,
        is_raiser=dispute.raised_by == party,
    )


def utc(moment: datetime | None) -> datetime | None:
    """A stored time as aware UTC (SQLite gives naive times back); None stays None."""
    return None if moment is None else as_utc(moment)


def mechanism_of(dispute: Dispute) -> tuple[disputes.Step, ...]:
    """The dispute's stored mechanism as steps."""
    return tuple(disputes.Step(str(s["step"]), int(s["days"])) for s in dispute.mechanism)


def state_of(dispute: Dispute) -> disputes.State:
    """The dispute's state; the current step started its days before its deadline."""
    steps, due = mechanism_of(dispute), utc(dispute.due_at)
    started = as_utc(dispute.opened_at)
    if due is not None:
        started = due - timedelta(days=steps[dispute.step_index].days)
    return disputes.State(
        dispute.status, dispute.step_index, started, due, utc(dispute.closed_at), dispute.outcome
    )


def _apply(dispute: Dispute, state: disputes.State) -> None:
    dispute.status, dispute.step_index, dispute.due_at = (
        state.status,
        state.step_index,
        state.due_at,
    )
    dispute.closed_at, dispute.outcome = state.closed_at, state.outcome


def _check_parties(session: Session, ecosystem: eco.Ecosystem, parties: Sequence[str]) -> None:
    """Refuse parties that are not actors of the ecosystem, or fewer than two of them."""
    known = set(
        session.scalars(select(eco.Actor.key).where(eco.Actor.ecosystem_id == ecosystem.id))
    )
    errors = []
    for index, text in enumerate(parties):
        try:
            party = parse_party(text)
        except ValueError as error:
            errors.append({"pointer": f"/parties/{index}", "detail": str(error)})
            continue
        if party.kind != "actor" or party.name not in known:
            detail = f"{text!r} is not an actor of this ecosystem (write actor:<key>)"
            errors.append({"pointer": f"/parties/{index}", "detail": detail})
    if not errors and len(set(parties)) < 2:
        errors.append({"pointer": "/parties", "detail": "a dispute needs two parties or more"})
    if errors:
        raise Invalid("the parties are not valid", errors)


def open_dispute(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    title: str,
    subject: str,
    subject_ref: str | None,
    parties: Sequence[str],
    mechanism: Sequence[Mapping[str, Any]] | None = None,
    now: datetime | None = None,
) -> Dispute:
    """Open a dispute at the first step of its mechanism (default: 30/45/90 days)."""
    now = now or utcnow()
    raiser = acting_party(session=session, ecosystem=ecosystem, principal=principal)
    if not title.strip():
        raise Invalid("title: required", [{"pointer": "/title", "detail": "required"}])
    disputes.check_subject(subject)
    steps = disputes.parse_mechanism(mechanism)
    named = list(dict.fromkeys(parties))
    if principal.is_partner and raiser not in named:
        named.insert(0, raiser)
    _check_parties(session, ecosystem, named)
    state = disputes.start(steps, now)
    dispute = Dispute(
        ecosystem_id=ecosystem.id,
        title=title.strip(),
        subject=subject,
        subject_ref=(subject_ref or "").strip() or None,
        parties=named,
        raised_by=raiser,
        mechanism=[step.as_dict() for step in steps],
        step_index=0,
        status=state.status,
        opened_at=now,
        due_at=state.due_at,
    )
    session.add(dispute)
    session.flush()
    text = f"Opened at {steps[0].step} (due {state.due_at:%Y-%m-%d %H:%M} UTC)."
    _entry(session, dispute, principal, raiser, "opened", text, [], now)
    _record(session, request_id, principal, dispute, "opened", step=steps[0].step)
    return dispute


def _entry(
    session: Session,
    dispute: Dispute,
    principal: Principal,
    party: str,
    kind: str,
    text: str,
    links: list[dict[str, str]],
    now: datetime,
) -> DisputeEntry:
    entry = DisputeEntry(
        dispute_id=dispute.id,
        at=now,
        kind=kind,
        by=principal.username,
        party=party,
        text=text,
        links=links,
    )
    session.add(entry)
    session.flush()
    return entry


def _record(
    session: Session,
    request_id: str,
    principal: Principal,
    dispute: Dispute,
    transition: str,
    **details: Any,
) -> None:
    trail.record(
        session=session,
        request_id=request_id,
        principal=principal,
        ecosystem_id=dispute.ecosystem_id,
        kind="dispute",
        object_id=dispute.id,
        transition=transition,
        **details,
    )


def get(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal, dispute_id: int
) -> Dispute:
    """Return a dispute the caller may see (a partner: only one that involves it)."""
    trail.check_member(principal, ecosystem)
    found = session.get(Dispute, dispute_id)
    if found is None or found.ecosystem_id != ecosystem.id:
        raise NotFound(f"dispute {dispute_id} not found")
    trail.check_involved(principal, found.parties, f"dispute {dispute_id}")
    return found


def entries(*, session: Session, dispute: Dispute) -> list[DisputeEntry]:
    """The dispute's entries, oldest first."""
    query = select(DisputeEntry).where(DisputeEntry.dispute_id == dispute.id)
    return list(session.scalars(query.order_by(DisputeEntry.at, DisputeEntry.id)))


def list_disputes(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    status: str | None = None,
) -> list[Dispute]:
    """The disputes the caller may see, newest first (a partner: those that involve it)."""
    trail.check_member(principal, ecosystem)
    if status is not None and status not in disputes.STATUSES:
        detail = f"use one of {', '.join(disputes.STATUSES)}"
        raise Invalid(f"status: {detail}", [{"pointer": "/status", "detail": detail}])
    query = select(Dispute).where(Dispute.ecosystem_id == ecosystem.id)
    if status is not None:
        query = query.where(Dispute.status == status)
    found = session.scalars(query.order_by(Dispute.opened_at.desc(), Dispute.id.desc()))
    return [d for d in found if trail.involves(principal, d.parties)]


def overdue(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    now: datetime | None = None,
    principal: Principal | None = None,
) -> list[Dispute]:
    """Open disputes past their current step's deadline, most overdue first."""
    now = now or utcnow()
    query = select(Dispute).where(
        Dispute.ecosystem_id == ecosystem.id, Dispute.status == "open", Dispute.due_at < now
    )
    found = session.scalars(query.order_by(Dispute.due_at, Dispute.id))
    return [d for d in found if principal is None or trail.involves(principal, d.parties)]


def allowed_actions(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal, dispute: Dispute
) -> list[str]:
    """What the caller may do with the dispute now (see :func:`disputes.allowed_actions`)."""
    caller = _caller(session, ecosystem, principal, dispute)
    return disputes.allowed_actions(caller, state_of(dispute), mechanism_of(dispute))


@dataclass(frozen=True)
class Work:
    """One transition's context: the dispute, the caller as the rules see it, and the clock."""

    dispute: Dispute
    caller: disputes.Caller
    now: datetime


def _work(
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    dispute_id: int,
    action: str,
    now: datetime | None,
) -> Work:
    dispute = get(session=session, ecosystem=ecosystem, principal=principal, dispute_id=dispute_id)
    caller = _caller(session, ecosystem, principal, dispute)
    disputes.check_allowed(caller, action, state_of(dispute), mechanism_of(dispute))
    return Work(dispute, caller, now or utcnow())


def add_entry(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    dispute_id: int,
    kind: str,
    text: str,
    links: Sequence[Mapping[str, Any]] = (),
    now: datetime | None = None,
) -> DisputeEntry:
    """Add evidence, a statement or a settlement proposal, with links to what it cites."""
    if kind not in disputes.PARTY_ENTRIES:
        detail = f"use one of {', '.join(disputes.PARTY_ENTRIES)}"
        raise Invalid(f"kind: {detail}", [{"pointer": "/kind", "detail": detail}])
    work = _work(session, ecosystem, principal, dispute_id, kind, now)
    if not text.strip() and not links:
        raise Invalid(
            "text: say something or link evidence", [{"pointer": "/text", "detail": "required"}]
        )
    checked = dispute_evidence.check_links(
        session=session, ecosystem=ecosystem, principal=principal, dispute=work.dispute, links=links
    )
    entry = _entry(
        session, work.dispute, principal, work.caller.party, kind, text.strip(), checked, work.now
    )
    _record(session, request_id, principal, work.dispute, kind, entry=entry.id, links=checked)
    return entry


def advance(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    dispute_id: int,
    reason: str,
    now: datetime | None = None,
) -> Dispute:
    """Move the dispute to the next step of its mechanism (staff), saying why."""
    work = _work(session, ecosystem, principal, dispute_id, "advance", now)
    steps = mechanism_of(work.dispute)
    was = steps[work.dispute.step_index].step
    _apply(work.dispute, disputes.advance(state_of(work.dispute), steps, work.now, reason))
    to = steps[work.dispute.step_index].step
    text = f"{was} -> {to}: {reason.strip()}"
    _entry(session, work.dispute, principal, work.caller.party, "advanced", text, [], work.now)
    _record(
        session,
        request_id,
        principal,
        work.dispute,
        "advanced",
        reason=reason.strip(),
        from_step=was,
        to_step=to,
    )
    return work.dispute


def resolve(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    dispute_id: int,
    outcome: str,
    resolution: str = "decision",
    now: datetime | None = None,
) -> Dispute:
    """Record the outcome (staff): by the parties' agreement or the current step's decision."""
    if resolution not in disputes.RESOLUTIONS:
        detail = f"use one of {', '.join(disputes.RESOLUTIONS)}"
        raise Invalid(f"resolution: {detail}", [{"pointer": "/resolution", "detail": detail}])
    work = _work(session, ecosystem, principal, dispute_id, "resolve", now)
    step = mechanism_of(work.dispute)[work.dispute.step_index].step
    _apply(work.dispute, disputes.resolve(state_of(work.dispute), work.now, outcome))
    text = f"Resolved by {resolution} at {step}: {work.dispute.outcome}"
    _entry(session, work.dispute, principal, work.caller.party, "resolved", text, [], work.now)
    _record(
        session, request_id, principal, work.dispute, "resolved", resolution=resolution, step=step
    )
    return work.dispute


def accept(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    dispute_id: int,
    now: datetime | None = None,
) -> Dispute:
    """Accept the latest settlement another party proposed: the dispute is resolved by it."""
    work = _work(session, ecosystem, principal, dispute_id, "accept", now)
    found = [e for e in entries(session=session, dispute=work.dispute) if e.kind == "proposal"]
    proposal_id, proposer = disputes.acceptable_proposal(
        [(e.id, e.party or "") for e in found], work.caller.party
    )
    proposal = next(e for e in found if e.id == proposal_id)
    _apply(work.dispute, disputes.resolve(state_of(work.dispute), work.now, proposal.text))
    text = f"Accepted the settlement {proposer} proposed: {proposal.text}"
    _entry(session, work.dispute, principal, work.caller.party, "resolved", text, [], work.now)
    _record(
        session,
        request_id,
        principal,
        work.dispute,
        "resolved",
        resolution="agreement",
        proposal=proposal_id,
    )
    return work.dispute


def withdraw(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    dispute_id: int,
    reason: str = "",
    now: datetime | None = None,
) -> Dispute:
    """Withdraw a dispute (only the party that raised it)."""
    work = _work(session, ecosystem, principal, dispute_id, "withdraw", now)
    _apply(work.dispute, disputes.withdraw(state_of(work.dispute), work.now, reason))
    text = work.dispute.outcome or "withdrawn"
    _entry(session, work.dispute, principal, work.caller.party, "withdrawn", text, [], work.now)
    _record(session, request_id, principal, work.dispute, "withdrawn", reason=reason.strip())
    return work.dispute


def timeline(
    *, dispute: Dispute, found: Sequence[DisputeEntry], now: datetime | None = None
) -> list[disputes.TimelineStep]:
    """The dispute's steps with their starts and deadlines (from its opening and advances)."""
    starts = [as_utc(dispute.opened_at)] + [as_utc(e.at) for e in found if e.kind == "advanced"]
    return disputes.timeline(
        mechanism_of(dispute),
        starts[: dispute.step_index + 1],
        status=dispute.status,
        closed_at=utc(dispute.closed_at),
        now=now or utcnow(),
    )
