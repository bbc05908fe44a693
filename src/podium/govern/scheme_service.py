"""Certification schemes and trainings: the programmes through which the orchestrator trains
and certifies partners (service; :mod:`podium.govern.certification_service` certifies).

The orchestrator's staff (``govern:write``) manage schemes and record trainings; a partner sees
its own trainings. Every change is recorded in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern import trail
from podium.govern.models import Certification, CertificationScheme, Training


def invalid(pointer: str, detail: str) -> Invalid:
    return Invalid(f"{pointer.strip('/')}: {detail}", [{"pointer": pointer, "detail": detail}])


def record(
    session: Session,
    request_id: str,
    principal: Principal | None,
    ecosystem: eco.Ecosystem,
    kind: str,
    object_id: int | str,
    transition: str,
    **details: object,
) -> None:
    trail.record(
        session=session,
        request_id=request_id,
        principal=principal,
        ecosystem_id=ecosystem.id,
        kind=kind,
        object_id=object_id,
        transition=transition,
        **details,
    )


def actors(session: Session, ecosystem: eco.Ecosystem) -> set[str]:
    return set(session.scalars(select(eco.Actor.key).where(eco.Actor.ecosystem_id == ecosystem.id)))


def sites(session: Session, ecosystem: eco.Ecosystem) -> dict[str, tuple[str, str | None]]:
    """Site key -> (actor key, region)."""
    query = select(eco.Site.key, eco.Site.actor, eco.Site.region).where(
        eco.Site.ecosystem_id == ecosystem.id
    )
    return {key: (actor, region) for key, actor, region in session.execute(query)}


# --- schemes ------------------------------------------------------------------------------------


def list_schemes(*, session: Session, ecosystem: eco.Ecosystem) -> list[CertificationScheme]:
    """The ecosystem's schemes by key."""
    query = select(CertificationScheme).where(CertificationScheme.ecosystem_id == ecosystem.id)
    return list(session.scalars(query.order_by(CertificationScheme.key)))


def get_scheme(*, session: Session, ecosystem: eco.Ecosystem, key: str) -> CertificationScheme:
    """The scheme with ``key``."""
    found = session.scalar(
        select(CertificationScheme).where(
            CertificationScheme.ecosystem_id == ecosystem.id, CertificationScheme.key == key
        )
    )
    if found is None:
        raise NotFound(f"no certification scheme {key!r}")
    return found


def _check_scheme(
    session: Session,
    ecosystem: eco.Ecosystem,
    levels: Sequence[str],
    validity_days: int,
    issuer: str | None,
    name: str,
    process: str,
) -> None:
    if not name.strip():
        raise invalid("/name", "required")
    if not process.strip():
        raise invalid("/process", "required")
    if not levels or any(not level.strip() for level in levels):
        raise invalid("/levels", "give the levels, lowest first, none blank")
    if len(set(levels)) != len(levels):
        raise invalid("/levels", "each level once")
    if validity_days < 1:
        raise invalid("/validity_days", "must be 1 day or more")
    if issuer is not None and issuer not in actors(session, ecosystem):
        raise invalid("/issuer", f"{issuer!r} is not an actor of this ecosystem")


def create_scheme(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    key: str,
    name: str,
    process: str,
    levels: Sequence[str],
    validity_days: int = 365,
    issuer: str | None = None,
) -> CertificationScheme:
    """Add a scheme certifying ``process`` at ``levels`` (lowest first) for ``validity_days``."""
    if not key.strip():
        raise invalid("/key", "required")
    _check_scheme(session, ecosystem, levels, validity_days, issuer, name, process)
    if session.scalar(
        select(CertificationScheme.id).where(
            CertificationScheme.ecosystem_id == ecosystem.id, CertificationScheme.key == key
        )
    ):
        raise Conflict(f"certification scheme {key!r} already exists")
    scheme = CertificationScheme(
        ecosystem_id=ecosystem.id,
        key=key.strip(),
        name=name.strip(),
        process=process.strip(),
        levels=list(levels),
        validity_days=validity_days,
        issuer=issuer,
    )
    session.add(scheme)
    session.flush()
    record(session, request_id, principal, ecosystem, "scheme", scheme.key, "created")
    return scheme


def update_scheme(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    key: str,
    name: str,
    process: str,
    levels: Sequence[str],
    validity_days: int,
    issuer: str | None = None,
) -> CertificationScheme:
    """Change a scheme; levels held by its certifications must stay."""
    scheme = get_scheme(session=session, ecosystem=ecosystem, key=key)
    _check_scheme(session, ecosystem, levels, validity_days, issuer, name, process)
    held = set(
        session.scalars(select(Certification.level).where(Certification.scheme_id == scheme.id))
    )
    if missing := sorted(held - set(levels)):
        raise invalid("/levels", f"certifications hold level(s) {', '.join(missing)}: keep them")
    scheme.name, scheme.process, scheme.levels = name.strip(), process.strip(), list(levels)
    scheme.validity_days, scheme.issuer = validity_days, issuer
    record(session, request_id, principal, ecosystem, "scheme", key, "updated")
    return scheme


def delete_scheme(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    key: str,
) -> None:
    """Delete a scheme that no certification uses (revoke them instead: history stays)."""
    scheme = get_scheme(session=session, ecosystem=ecosystem, key=key)
    if session.scalar(
        select(Certification.id).where(Certification.scheme_id == scheme.id).limit(1)
    ):
        raise Conflict(f"certification scheme {key!r} has certifications: revoke them instead")
    session.delete(scheme)
    session.flush()
    record(session, request_id, principal, ecosystem, "scheme", key, "deleted")


# --- trainings ----------------------------------------------------------------------------------


def record_training(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    actor: str,
    person: str,
    course: str,
    completed_on: date,
    scheme: str | None = None,
    hours: float | None = None,
) -> Training:
    """Record that a partner's person completed a course (optionally towards a scheme)."""
    if actor not in actors(session, ecosystem):
        raise invalid("/actor", f"{actor!r} is not an actor of this ecosystem")
    for pointer, value in (("/person", person), ("/course", course)):
        if not value.strip():
            raise invalid(pointer, "required")
    if hours is not None and not 0 < hours <= 10_000:
        raise invalid("/hours", "give hours above 0")
    scheme_id = get_scheme(session=session, ecosystem=ecosystem, key=scheme).id if scheme else None
    row = Training(
        ecosystem_id=ecosystem.id,
        actor=actor,
        person=person.strip(),
        course=course.strip(),
        scheme_id=scheme_id,
        completed_on=completed_on,
        hours=hours,
    )
    session.add(row)
    session.flush()
    record(
        session,
        request_id,
        principal,
        ecosystem,
        "training",
        row.id,
        "recorded",
        actor=actor,
        course=row.course,
    )
    return row


def list_trainings(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    actor: str | None = None,
) -> list[Training]:
    """Trainings, newest first (a partner: only its own)."""
    query = select(Training).where(Training.ecosystem_id == ecosystem.id)
    if principal is not None:
        trail.check_member(principal, ecosystem)
        if principal.is_partner:
            query = query.where(Training.actor == principal.partner_actor)
    if actor is not None:
        query = query.where(Training.actor == actor)
    return list(session.scalars(query.order_by(Training.completed_on.desc(), Training.id.desc())))
