"""Joint initiatives and reviews (the learning log): create, change, list and read them.

Partners named must be actors of the ecosystem; a review's links must name what exists: a KPI
of the catalogue, an escalation, decision or data exception of the ecosystem (by id), or an
initiative (by key). Every change is audited (``learn.initiative``, ``learn.review``). A partner
caller sees the initiatives it takes part in and, of reviews, only the entries that name it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core import audit
from podium.core.auth import Principal
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern.models import Decision, Escalation
from podium.integrate.models import DataException
from podium.learn import frames
from podium.learn.models import Initiative, Review

__all__ = ["Initiative", "Review"]
from podium.learn.schemas import InitiativeIn, InitiativeUpdate, ReviewIn
from podium.learn.service import actor_of


def _record(
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    kind: str,
    ident: int | str,
    transition: str,
) -> None:
    audit.record(
        session=session, request_id=request_id, principal=principal, action="write",
        ecosystem_id=ecosystem.id, dataset=f"learn.{kind}", provider=None, agreement=None,
        filter={"id": str(ident), "transition": transition}, row_count=1,
    )  # fmt: skip


def _check_partners(
    session: Session, ecosystem: eco.Ecosystem, partners: Sequence[str], pointer: str
) -> list[dict[str, str]]:
    """Errors for partners that are not actors of the ecosystem."""
    known = set(
        session.scalars(
            select(eco.Actor.key).where(
                eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.key.in_(set(partners))
            )
        )
    )
    return [
        {"pointer": f"{pointer}/{i}", "detail": f"no actor {key!r} in this ecosystem"}
        for i, key in enumerate(partners)
        if key not in known
    ]


# --- initiatives --------------------------------------------------------------------------------


def _initiative(session: Session, ecosystem: eco.Ecosystem, key: str) -> Initiative | None:
    return session.scalar(
        select(Initiative).where(Initiative.ecosystem_id == ecosystem.id, Initiative.key == key)
    )


def create_initiative(
    *, session: Session, ecosystem: eco.Ecosystem, data: InitiativeIn,
    principal: Principal | None = None, request_id: str = "cli",
) -> Initiative:  # fmt: skip
    """Record a joint initiative; its partners must be actors of the ecosystem."""
    errors = _check_partners(session, ecosystem, data.partners, "/partners")
    if errors:
        raise Invalid("unknown partner(s)", errors)
    if _initiative(session, ecosystem, data.key) is not None:
        raise Conflict(f"initiative {data.key!r} exists", [{"pointer": "/key", "detail": "taken"}])
    found = Initiative(ecosystem_id=ecosystem.id, **data.model_dump(mode="python"))
    found.milestones = [m.model_dump(mode="json") for m in data.milestones]
    session.add(found)
    session.flush()
    _record(session, ecosystem, principal, request_id, "initiative", found.key, "created")
    return found


def update_initiative(
    *, session: Session, ecosystem: eco.Ecosystem, key: str, data: InitiativeUpdate,
    principal: Principal | None = None, request_id: str = "cli",
) -> Initiative:  # fmt: skip
    """Change an initiative (e.g. record its launch and value); fields left out stay."""
    found = get_initiative(session=session, ecosystem=ecosystem, key=key)
    changes = data.model_dump(exclude_unset=True)
    if changes.get("partners") is not None:
        errors = _check_partners(session, ecosystem, changes["partners"], "/partners")
        if errors:
            raise Invalid("unknown partner(s)", errors)
    if "milestones" in changes and data.milestones is not None:
        changes["milestones"] = [m.model_dump(mode="json") for m in data.milestones]
    for name, value in changes.items():
        if value is None and name != "launched_on":
            raise Invalid(f"{name} may not be null", [{"pointer": f"/{name}", "detail": "null"}])
    started = changes.get("started_on", found.started_on)
    launched = changes.get("launched_on", found.launched_on)
    if launched is not None and launched < started:
        detail = "launched_on must not be before started_on"
        raise Invalid(detail, [{"pointer": "/launched_on", "detail": detail}])
    for name, value in changes.items():
        setattr(found, name, value)
    session.flush()
    _record(session, ecosystem, principal, request_id, "initiative", key, "updated")
    return found


def list_initiatives(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal | None = None
) -> list[Initiative]:
    """The initiatives, newest start first (a partner: those it takes part in)."""
    query = select(Initiative).where(Initiative.ecosystem_id == ecosystem.id)
    found = session.scalars(query.order_by(Initiative.started_on.desc(), Initiative.key))
    actor = actor_of(principal)
    return [i for i in found if actor is None or actor in i.partners]


def get_initiative(
    *, session: Session, ecosystem: eco.Ecosystem, key: str, principal: Principal | None = None
) -> Initiative:
    """One initiative by key (hidden from a partner that does not take part)."""
    found = _initiative(session, ecosystem, key)
    actor = actor_of(principal)
    if found is None or (actor is not None and actor not in found.partners):
        raise NotFound(f"no initiative {key!r}")
    return found


# --- reviews ------------------------------------------------------------------------------------


def _link_exists(session: Session, ecosystem: eco.Ecosystem, kind: str, ident: str) -> bool:
    if kind == "kpi":
        return ident in frames.KPIS
    if kind == "initiative":
        return _initiative(session, ecosystem, ident) is not None
    table: Any = {"escalation": Escalation, "decision": Decision, "exception": DataException}[kind]
    if not ident.isdigit():
        return False
    found = session.get(table, int(ident))
    return found is not None and found.ecosystem_id == ecosystem.id


def check_review(session: Session, ecosystem: eco.Ecosystem, data: ReviewIn) -> None:
    """Refuse entries naming unknown partners or links to what does not exist."""
    errors: list[dict[str, str]] = []
    for i, entry in enumerate(data.entries):
        errors += _check_partners(session, ecosystem, entry.partners, f"/entries/{i}/partners")
        for j, link in enumerate(entry.links):
            if not _link_exists(session, ecosystem, link.kind, link.id):
                detail = f"no {link.kind} {link.id!r} in this ecosystem"
                errors.append({"pointer": f"/entries/{i}/links/{j}/id", "detail": detail})
    if errors:
        raise Invalid("the review names what does not exist", errors)


def create_review(
    *, session: Session, ecosystem: eco.Ecosystem, data: ReviewIn,
    principal: Principal | None = None, request_id: str = "cli",
) -> Review:  # fmt: skip
    """Record a review of a period or an incident."""
    check_review(session, ecosystem, data)
    found = Review(
        ecosystem_id=ecosystem.id, kind=data.kind, period=data.period, incident=data.incident,
        title=data.title, entries=[e.model_dump(mode="json") for e in data.entries],
        author=principal.username if principal else audit.SYSTEM_USERNAME,
    )  # fmt: skip
    session.add(found)
    session.flush()
    _record(session, ecosystem, principal, request_id, "review", found.id, "created")
    return found


def update_review(
    *, session: Session, ecosystem: eco.Ecosystem, review_id: int, data: ReviewIn,
    principal: Principal | None = None, request_id: str = "cli",
) -> Review:  # fmt: skip
    """Replace a review's subject, title and entries."""
    found = _review(session, ecosystem, review_id)
    check_review(session, ecosystem, data)
    found.kind, found.period, found.incident = data.kind, data.period, data.incident
    found.title, found.entries = data.title, [e.model_dump(mode="json") for e in data.entries]
    session.flush()
    _record(session, ecosystem, principal, request_id, "review", found.id, "updated")
    return found


def _review(session: Session, ecosystem: eco.Ecosystem, review_id: int) -> Review:
    found = session.get(Review, review_id)
    if found is None or found.ecosystem_id != ecosystem.id:
        raise NotFound(f"no review {review_id}")
    return found


def visible_entries(review: Review, principal: Principal | None) -> list[dict[str, Any]]:
    """A review's entries a caller may read: all for staff, those naming it for a partner."""
    actor = actor_of(principal)
    return [e for e in review.entries if actor is None or actor in e.get("partners", [])]


def list_reviews(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal | None = None,
    period: str | None = None,
) -> list[Review]:  # fmt: skip
    """Reviews, newest first (of one period label if given); a partner: those naming it."""
    query = select(Review).where(Review.ecosystem_id == ecosystem.id)
    if period is not None:
        query = query.where(Review.period == period)
    found = session.scalars(query.order_by(Review.created_at.desc(), Review.id.desc()))
    return [r for r in found if visible_entries(r, principal)]


def get_review(
    *, session: Session, ecosystem: eco.Ecosystem, review_id: int,
    principal: Principal | None = None,
) -> Review:  # fmt: skip
    """One review (hidden from a partner it does not name)."""
    found = _review(session, ecosystem, review_id)
    if not visible_entries(found, principal):
        raise NotFound(f"no review {review_id}")
    return found
