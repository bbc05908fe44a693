"""Certifications: certify, revoke, import, list, query eligibility, chase expiry.

Service over :mod:`podium.govern.certification`; schemes and trainings live in
:mod:`podium.govern.scheme_service` and are re-exported here, so callers use one module. The
orchestrator's staff (``govern:write``) certify and revoke; ``govern:read`` sees everything; a
partner sees its own certifications. Every change is recorded in the audit log. :func:`eligible`
answers "which partners are certified for process X in region Y" for other disciplines
(network design) with plain arguments and plain results.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Conflict, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern import certification, certification_table, trail
from podium.govern.models import Certification, CertificationScheme
from podium.govern.scheme_service import (
    actors,
    create_scheme,
    delete_scheme,
    get_scheme,
    invalid,
    list_schemes,
    list_trainings,
    record,
    record_training,
    sites,
    update_scheme,
)
from podium.integrate import exception_service
from podium.integrate.exceptions import Finding

__all__ = [
    "Listed",
    "certify",
    "create_scheme",
    "delete_scheme",
    "eligible",
    "get_certification",
    "get_scheme",
    "import_certifications",
    "list_certifications",
    "list_schemes",
    "list_trainings",
    "raise_expiry_exceptions",
    "record_training",
    "revoke",
    "update_scheme",
]


# --- certifications -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Grant:
    """A certification to store, checked: the scheme row and the dates."""

    scheme: CertificationScheme
    actor: str
    site: str | None
    level: str
    issued_on: date
    expires_on: date
    evidence: str | None


def _grant(
    scheme: CertificationScheme,
    actor: str,
    site: str | None,
    level: str,
    issued_on: date,
    expires_on: date | None,
    evidence: str | None,
    known: set[str],
    places: dict[str, tuple[str, str | None]],
) -> Grant:
    """Check one certification against the scheme and the ecosystem (``known`` actor keys,
    ``places``: site key -> (actor, region)); raise Invalid with a pointer."""
    if actor not in known:
        raise invalid("/actor", f"{actor!r} is not an actor of this ecosystem")
    if site is not None and places.get(site, ("", None))[0] != actor:
        raise invalid("/site", f"{site!r} is not a site of {actor}")
    if level not in scheme.levels:
        raise invalid("/level", f"use one of {', '.join(scheme.levels)}")
    ends = expires_on or issued_on + timedelta(days=scheme.validity_days)
    if ends < issued_on:
        raise invalid("/expires_on", "must not be before issued_on")
    return Grant(scheme, actor, site, level, issued_on, ends, evidence)


def _store(session: Session, ecosystem: eco.Ecosystem, grant: Grant) -> Certification:
    row = Certification(
        ecosystem_id=ecosystem.id,
        scheme_id=grant.scheme.id,
        actor=grant.actor,
        site=grant.site,
        level=grant.level,
        issued_on=grant.issued_on,
        expires_on=grant.expires_on,
        status="active",
        evidence=grant.evidence,
    )
    session.add(row)
    session.flush()
    return row


def certify(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    scheme: str,
    actor: str,
    level: str,
    issued_on: date,
    expires_on: date | None = None,
    site: str | None = None,
    evidence: str | None = None,
) -> Certification:
    """Certify an actor (or one of its sites) in a scheme at a level; expiry defaults to the
    issue date plus the scheme's validity days."""
    found = get_scheme(session=session, ecosystem=ecosystem, key=scheme)
    grant = _grant(
        found,
        actor,
        site,
        level,
        issued_on,
        expires_on,
        evidence,
        actors(session, ecosystem),
        sites(session, ecosystem),
    )
    row = _store(session, ecosystem, grant)
    record(
        session,
        request_id,
        principal,
        ecosystem,
        "certification",
        row.id,
        "certified",
        scheme=scheme,
        actor=actor,
        level=level,
        expires_on=grant.expires_on.isoformat(),
    )
    return row


def revoke(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    certification_id: int,
    reason: str = "",
) -> Certification:
    """Revoke a certification (it stays on record as revoked)."""
    row = session.get(Certification, certification_id)
    if row is None or row.ecosystem_id != ecosystem.id:
        raise NotFound(f"certification {certification_id} not found")
    if row.status == "revoked":
        raise Conflict(f"certification {certification_id} is already revoked")
    row.status = "revoked"
    record(
        session,
        request_id,
        principal,
        ecosystem,
        "certification",
        row.id,
        "revoked",
        reason=reason.strip(),
    )
    return row


def import_certifications(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    filename: str,
    content: bytes,
) -> list[Certification]:
    """Certify from a CSV or XLSX table (:mod:`certification_table`): all rows, or none.

    Raise Invalid with every problem as ``{"row", "column", "detail"}``.
    """
    try:
        rows = certification_table.read_certifications(filename, content)
    except certification_table.TableError as error:
        raise Invalid(f"{filename}: nothing was stored", error.errors) from error
    schemes = {s.key: s for s in list_schemes(session=session, ecosystem=ecosystem)}
    known, places = actors(session, ecosystem), sites(session, ecosystem)
    grants, errors = [], []
    for row in rows:
        if row.scheme not in schemes:
            errors.append(
                {"row": row.number, "column": "scheme", "detail": f"no scheme {row.scheme!r}"}
            )
            continue
        try:
            grants.append(
                _grant(
                    schemes[row.scheme],
                    row.actor,
                    row.site,
                    row.level,
                    row.issued_on,
                    row.expires_on,
                    row.evidence,
                    known,
                    places,
                )
            )
        except Invalid as error:
            for problem in error.errors:
                column = str(problem["pointer"]).strip("/")
                errors.append({"row": row.number, "column": column, "detail": problem["detail"]})
    if errors:
        raise Invalid(f"{filename}: {len(errors)} problem(s); nothing was stored", errors[:100])
    stored = [_store(session, ecosystem, grant) for grant in grants]
    record(
        session,
        request_id,
        principal,
        ecosystem,
        "certification",
        filename,
        "imported",
        count=len(stored),
        ids=[row.id for row in stored],
    )
    return stored


@dataclass(frozen=True)
class Listed:
    """A certification with its scheme and its status on the listing's date."""

    row: Certification
    scheme: CertificationScheme
    status: str
    days_left: int


def list_certifications(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    actor: str | None = None,
    scheme: str | None = None,
    on: date | None = None,
    warning_days: int = certification.DEFAULT_WARNING_DAYS,
) -> list[Listed]:
    """Certifications with their status on ``on`` (a partner: only its own), soonest expiry
    first."""
    on = on or utcnow().date()
    query = (
        select(Certification, CertificationScheme)
        .join(CertificationScheme, Certification.scheme_id == CertificationScheme.id)
        .where(Certification.ecosystem_id == ecosystem.id)
    )
    if principal is not None:
        trail.check_member(principal, ecosystem)
        if principal.is_partner:
            query = query.where(Certification.actor == principal.partner_actor)
    if actor is not None:
        query = query.where(Certification.actor == actor)
    if scheme is not None:
        query = query.where(CertificationScheme.key == scheme)
    found = []
    for row, owner in session.execute(query.order_by(Certification.expires_on, Certification.id)):
        state = certification.status(_held(row, owner), on, warning_days)
        found.append(Listed(row, owner, state, (row.expires_on - on).days))
    return found


def get_certification(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    certification_id: int,
    on: date | None = None,
) -> Listed:
    """One certification with its status on ``on`` (a partner: only its own, else 404)."""
    found = [
        listed
        for listed in list_certifications(
            session=session, ecosystem=ecosystem, principal=principal, on=on
        )
        if listed.row.id == certification_id
    ]
    if not found:
        raise NotFound(f"certification {certification_id} not found")
    return found[0]


def _held(row: Certification, scheme: CertificationScheme) -> certification.Held:
    return certification.Held(
        row.id,
        scheme.key,
        scheme.process,
        tuple(scheme.levels),
        row.actor,
        row.site,
        row.level,
        row.issued_on,
        row.expires_on,
        row.status == "revoked",
    )


def _all_held(session: Session, ecosystem: eco.Ecosystem) -> list[certification.Held]:
    query = (
        select(Certification, CertificationScheme)
        .join(CertificationScheme, Certification.scheme_id == CertificationScheme.id)
        .where(Certification.ecosystem_id == ecosystem.id)
    )
    return [_held(row, scheme) for row, scheme in session.execute(query)]


def eligible(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    process: str,
    region: str | None = None,
    min_level: str | None = None,
    on: date | None = None,
) -> list[certification.Eligible]:
    """Which partners (and sites) are certified for ``process`` on ``on`` (default today).

    ``region`` keeps partners and sites in that region (a site without one is in its actor's);
    ``min_level`` keeps certifications at that level or above in their scheme's order. Returns
    :class:`podium.govern.certification.Eligible` rows (actor, site, region, scheme, level,
    expires_on, certification_id) sorted by actor and site. The caller checks permissions.
    """
    if not process.strip():
        raise invalid("/process", "required")
    query = select(eco.Actor.key, eco.Actor.region).where(eco.Actor.ecosystem_id == ecosystem.id)
    regions = {key: region for key, region in session.execute(query)}
    return certification.eligible(
        _all_held(session, ecosystem),
        process,
        region,
        min_level,
        on or utcnow().date(),
        actor_regions=regions,
        site_actors=sites(session, ecosystem),
    )


def raise_expiry_exceptions(
    *, session: Session, ecosystem: eco.Ecosystem, on: date | None = None, warning_days: int = 30
) -> int:
    """Store an exception for each certification expiring within ``warning_days`` or expired
    (rules ``certification_expiring`` / ``certification_expired``, owned by the partner);
    return how many are new. A re-run on the same data adds none."""
    on = on or utcnow().date()
    findings = []
    for found in certification.expiring(_all_held(session, ecosystem), on, warning_days):
        held = found.held
        where = f" site {held.site}" if held.site else ""
        when = (
            f"expired on {held.expires_on}"
            if found.status == "expired"
            else f"expires on {held.expires_on} ({found.days_left} day(s) left)"
        )
        findings.append(
            Finding(
                rule=f"certification_{found.status}",
                severity=certification.expiry_severity(found),
                owner=held.actor,
                subject=f"certification {held.scheme} ({held.level}) of {held.actor}{where}",
                detail=f"The {held.scheme} certification at level {held.level} of "
                f"{held.actor}{where} {when}; renew it to stay eligible for {held.process}.",
                key=f"{held.id}|{held.expires_on}",
            )
        )
    return exception_service.store(session=session, ecosystem=ecosystem, findings=findings)
