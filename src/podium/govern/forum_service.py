"""Forums and decision rights as the API, pages and CLI use them: the rights (stored by
:mod:`~podium.govern.rights_service`), the forums and agendas (:mod:`~podium.govern.forum_store`),
the catalogue defaults, and meetings: an agenda frozen for one occurrence, then its minutes and
decisions, each linked to what it decided. A decision that settles an escalation resolves it
(through :func:`podium.govern.escalation_service.resolve`), in the same unit of work.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern import cadence, trail
from podium.govern.cadence import ForumSpec, Member
from podium.govern.forum_minutes import DecisionDraft, check_minutes, parse_drafts
from podium.govern.forum_store import (
    Agenda,
    KpisDue,
    agenda,
    breached_kpis,
    calendar,
    create_forum,
    deactivate_forum,
    details,
    forum_spec,
    get_forum,
    list_forums,
    update_forum,
)
from podium.govern.models import Decision, DecisionRight, Meeting
from podium.govern.parties import actor_party
from podium.govern.rights import CATALOGUE, DecisionRightSpec, default_spec
from podium.govern.rights_service import (
    RightVersion,
    aware,
    get_right,
    history,
    list_rights,
    matrix,
    save_right,
    spec_of,
)

__all__ = [
    "Agenda",
    "DecisionDraft",
    "KpisDue",
    "RightVersion",
    "agenda",
    "breached_kpis",
    "calendar",
    "create_forum",
    "deactivate_forum",
    "details",
    "forum_spec",
    "get_forum",
    "get_meeting",
    "get_right",
    "history",
    "init_defaults",
    "list_decisions",
    "list_forums",
    "list_meetings",
    "list_rights",
    "matrix",
    "prepare_meeting",
    "record_minutes",
    "save_right",
    "spec_of",
    "update_forum",
]  # fmt: skip


# --- defaults -------------------------------------------------------------------------------------


def _orchestrator(session: Session, ecosystem: eco.Ecosystem) -> str:
    keys = list(
        session.scalars(
            select(eco.Actor.key).where(
                eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.ecosystem_role == "orchestrator"
            )
        )
    )
    if len(keys) != 1:
        raise Invalid("the ecosystem must name exactly one orchestrator actor to own the defaults")
    return keys[0]


def _default_forums(
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    now: datetime,
    members: list[Member],
) -> None:
    """Create a forum of each kind the catalogue routes to that has no active forum yet."""
    have = {f.kind for f in list_forums(session=session, ecosystem=ecosystem)}
    needed = {s.forum_kind for entry in CATALOGUE.values() for s in entry.path}
    start = datetime.combine(now.date() + timedelta(days=1), time(9, 0))
    for kind in sorted(needed - have):
        template = cadence.FORUM_KINDS[kind]
        spec = ForumSpec(
            key=kind.replace("_", "-"),
            name=template.title,
            kind=kind,
            rrule=template.rrule,
            starts_at=start,
            duration_minutes=template.duration_minutes,
            members=members,
        )
        create_forum(
            session=session,
            ecosystem=ecosystem,
            principal=principal,
            request_id=request_id,
            spec=spec,
        )


def init_defaults(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    with_forums: bool = True,
    now: datetime | None = None,
) -> list[DecisionRight]:
    """Give every catalogue decision type without a right its default right: the orchestrator
    actor accountable and owning each level, the caller responsible, partners as the type says;
    with ``with_forums``, first create the forums of the default paths that are missing.

    Return the rights created (types that have one already are left as they are)."""
    now = now or utcnow()
    accountable = actor_party(_orchestrator(session, ecosystem))
    responsible = trail.party_of(principal)
    if with_forums:
        members = [Member(party=responsible, role="chair"), Member(party=accountable)]
        _default_forums(session, ecosystem, principal, request_id, now, members)
    have = {r.decision_type for r in list_rights(session=session, ecosystem=ecosystem)}
    created: list[DecisionRight] = []
    for spec in _default_specs(session, ecosystem, accountable, responsible):
        if spec.decision_type not in have:
            created.append(
                save_right(
                    session=session,
                    ecosystem=ecosystem,
                    principal=principal,
                    request_id=request_id,
                    spec=spec,
                    note="catalogue default",
                    now=now,
                )
            )
    return created


def _default_specs(
    session: Session, ecosystem: eco.Ecosystem, accountable: str, responsible: str
) -> list[DecisionRightSpec]:
    """The catalogue's rights for this ecosystem: its partners and its forums by kind."""
    forum_keys: dict[str, str] = {}
    for forum in sorted(list_forums(session=session, ecosystem=ecosystem), key=lambda f: f.key):
        forum_keys.setdefault(forum.kind, forum.key)
    partners = session.scalars(
        select(eco.Actor.key).where(
            eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.ecosystem_role == "partner"
        )
    )
    parties = sorted(actor_party(k) for k in partners)
    return [
        default_spec(
            decision_type,
            accountable=accountable,
            responsible=responsible,
            partners=parties,
            forum_keys=forum_keys,
        )
        for decision_type in CATALOGUE
    ]


# --- meetings -------------------------------------------------------------------------------------


def list_meetings(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    forum_key: str,
    principal: Principal | None = None,
) -> list[Meeting]:
    """The prepared and held meetings of a forum, latest first."""
    forum = get_forum(session=session, ecosystem=ecosystem, key=forum_key, principal=principal)
    query = select(Meeting).where(Meeting.forum_id == forum.id)
    return list(session.scalars(query.order_by(Meeting.scheduled_for.desc())))


def get_meeting(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    forum_key: str,
    meeting_id: int,
    principal: Principal | None = None,
) -> Meeting:
    """One meeting of a forum."""
    forum = get_forum(session=session, ecosystem=ecosystem, key=forum_key, principal=principal)
    found = session.get(Meeting, meeting_id)
    if found is None or found.forum_id != forum.id:
        raise NotFound(f"no meeting {meeting_id} of forum {forum_key!r}")
    return found


def prepare_meeting(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    forum_key: str,
    now: datetime | None = None,
    kpis_due: KpisDue = breached_kpis,
) -> Meeting:
    """Freeze the agenda of the forum's next occurrence (again, until minutes are recorded)."""
    now = now or utcnow()
    found = agenda(
        session=session, ecosystem=ecosystem, forum_key=forum_key, now=now, kpis_due=kpis_due
    )
    if found.occurrence is None:
        raise Conflict(f"the forum {forum_key!r} has no further occurrence")
    meeting = next(
        (
            m
            for m in list_meetings(session=session, ecosystem=ecosystem, forum_key=forum_key)
            if aware(m.scheduled_for) == found.occurrence
        ),
        None,
    )
    if meeting is not None and meeting.minutes is not None:
        raise Conflict(f"the meeting of {found.occurrence:%Y-%m-%d %H:%M} UTC has its minutes")
    if meeting is None:
        meeting = Meeting(forum_id=found.forum.id, scheduled_for=found.occurrence)
        session.add(meeting)
    meeting.agenda = [item.to_json() for item in found.items]
    session.flush()
    trail.record(
        session=session,
        request_id=request_id,
        principal=principal,
        ecosystem_id=ecosystem.id,
        kind="meeting",
        object_id=meeting.id,
        transition="prepared",
        forum=forum_key,
        items=len(meeting.agenda),
    )
    return meeting


def record_minutes(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    forum_key: str,
    meeting_id: int,
    attendees: Sequence[str],
    minutes: str,
    decisions: Sequence[Mapping[str, Any] | DecisionDraft] = (),
    now: datetime | None = None,
) -> Meeting:
    """Record a meeting's minutes and decisions (all or nothing); resolve each linked escalation
    with its decision."""
    from podium.govern import escalation_service  # written alongside; imported when used

    now = now or utcnow()
    meeting = get_meeting(
        session=session, ecosystem=ecosystem, forum_key=forum_key, meeting_id=meeting_id
    )
    if meeting.minutes is not None:
        raise Conflict(f"meeting {meeting_id} has its minutes already")
    drafts = parse_drafts(decisions)
    check_minutes(session, ecosystem, attendees, minutes, drafts)
    meeting.minutes, meeting.attendees = minutes.strip(), list(dict.fromkeys(attendees))
    meeting.recorded_by, meeting.recorded_at = principal.username, now
    _record_meeting(session, principal, request_id, ecosystem, meeting, len(drafts))
    for draft in drafts:
        decision = _store_decision(session, principal, request_id, ecosystem, meeting, draft)
        for link in draft.links:
            if link.kind == "escalation":
                escalation_service.resolve(
                    session=session, ecosystem=ecosystem, principal=principal,
                    request_id=request_id, escalation_id=int(link.id),
                    resolution=f"{draft.title}: {draft.text}", decision_id=decision.id,
                    now=meeting.recorded_at,
                )  # fmt: skip
    return meeting


def _store_decision(
    session: Session,
    principal: Principal,
    request_id: str,
    ecosystem: eco.Ecosystem,
    meeting: Meeting,
    draft: DecisionDraft,
) -> Decision:
    """Store one decision of a meeting and its audit entry."""
    decision = Decision(
        ecosystem_id=ecosystem.id, forum_id=meeting.forum_id, meeting_id=meeting.id,
        decision_type=draft.decision_type, title=draft.title, text=draft.text,
        links=[link.model_dump() for link in draft.links], decided_by=principal.username,
        decided_at=meeting.recorded_at,
    )  # fmt: skip
    session.add(decision)
    session.flush()
    trail.record(
        session=session, request_id=request_id, principal=principal, ecosystem_id=ecosystem.id,
        kind="decision", object_id=decision.id, transition="recorded", meeting=meeting.id,
        links=decision.links,
    )  # fmt: skip
    return decision


def _record_meeting(
    session: Session,
    principal: Principal,
    request_id: str,
    ecosystem: eco.Ecosystem,
    meeting: Meeting,
    decisions: int,
) -> None:
    session.flush()
    trail.record(
        session=session,
        request_id=request_id,
        principal=principal,
        ecosystem_id=ecosystem.id,
        kind="meeting",
        object_id=meeting.id,
        transition="minutes_recorded",
        decisions=decisions,
    )


def list_decisions(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None = None,
    forum_key: str | None = None,
    limit: int = 200,
) -> list[Decision]:
    """Recorded decisions, newest first; a partner sees those of forums it sits in."""
    visible = {
        f.id: f
        for f in list_forums(
            session=session, ecosystem=ecosystem, principal=principal, include_inactive=True
        )
    }
    query = select(Decision).where(Decision.ecosystem_id == ecosystem.id)
    if forum_key is not None:
        forum = get_forum(session=session, ecosystem=ecosystem, key=forum_key, principal=principal)
        query = query.where(Decision.forum_id == forum.id)
    found = session.scalars(query.order_by(Decision.decided_at.desc(), Decision.id.desc()))
    staff = principal is None or not principal.is_partner
    return [d for d in found if staff or d.forum_id in visible][:limit]
