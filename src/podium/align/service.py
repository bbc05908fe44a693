"""Align service: the declared commercial agreements, the misalignment checks over them, and the
value proposition of a proposed initiative.

Agreements are versioned: saving a changed one adds a version, marks the older one not current and
appends a ``write`` to ``align.agreement`` in the audit log; saving what is already current
changes nothing. Every partner must be an actor of the ecosystem (refused at its pointer).
The checks combine the agreements with what the ecosystem needs from each partner
(:mod:`podium.align.exposures`) through the pure rules of :mod:`podium.align.incentives`.
Align is the orchestrator's view: partner callers are refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.align import exposures as needs
from podium.align import incentives as rules
from podium.align import value as proposition
from podium.align.models import CommercialAgreement
from podium.align.schemas import AgreementIn, at, parse_agreements, pointer
from podium.align.switching import contract_switch
from podium.core import audit
from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Forbidden, Invalid, NotFound
from podium.ecosystem import models as eco

COMPARED = (
    "partner", "contract_type", "metrics", "terms", "term_months", "volume_commitment",
    "data_access", "preferred", "valid_from", "valid_to", "note",
)  # fmt: skip
"""The fields whose change makes a new version."""


def check_staff(principal: Principal | None) -> None:
    """Refuse partner callers: incentives and their checks are the orchestrator's view."""
    if principal is not None and principal.is_partner:
        raise Forbidden("the commercial agreements and their checks are the orchestrator's view")


def agreement_dict(row: CommercialAgreement) -> dict[str, Any]:
    """A stored agreement as JSON-ready values."""
    return {
        "key": row.key, "partner": row.partner, "contract_type": row.contract_type,
        "metrics": list(row.metrics), "terms": dict(row.terms), "term_months": row.term_months,
        "volume_commitment": row.volume_commitment, "data_access": row.data_access,
        "preferred": row.preferred,
        "valid_from": row.valid_from.isoformat() if row.valid_from else None,
        "valid_to": row.valid_to.isoformat() if row.valid_to else None, "note": row.note,
        "version": row.version, "current": row.current, "changed_by": row.changed_by,
        "changed_at": row.changed_at.isoformat(),
    }  # fmt: skip


def list_agreements(
    *, session: Session, ecosystem: eco.Ecosystem, partner: str | None = None
) -> list[CommercialAgreement]:
    """The current agreements, by partner then key (of one partner if given)."""
    query = select(CommercialAgreement).where(
        CommercialAgreement.ecosystem_id == ecosystem.id, CommercialAgreement.current.is_(True)
    )
    if partner is not None:
        query = query.where(CommercialAgreement.partner == partner)
    return list(
        session.scalars(query.order_by(CommercialAgreement.partner, CommercialAgreement.key))
    )


def history(*, session: Session, ecosystem: eco.Ecosystem, key: str) -> list[CommercialAgreement]:
    """Every version of an agreement, newest first."""
    query = select(CommercialAgreement).where(
        CommercialAgreement.ecosystem_id == ecosystem.id, CommercialAgreement.key == key
    )
    rows = list(session.scalars(query.order_by(CommercialAgreement.version.desc())))
    if not rows:
        raise NotFound(f"no commercial agreement {key!r}")
    return rows


def _actor_keys(session: Session, ecosystem: eco.Ecosystem) -> dict[str, str]:
    query = select(eco.Actor.key, eco.Actor.ecosystem_role).where(
        eco.Actor.ecosystem_id == ecosystem.id
    )
    return {key: role for key, role in session.execute(query)}


def _check_partners(
    agreements: list[AgreementIn], actors: Mapping[str, str], where: str | None
) -> list[dict[str, str]]:
    errors = []
    for i, agreement in enumerate(agreements):
        role = actors.get(agreement.partner)
        if role is None:
            detail = f"no actor {agreement.partner!r} in this ecosystem"
        elif role == "orchestrator":
            detail = f"{agreement.partner!r} is the orchestrator, not a partner"
        else:
            continue
        errors.append({"pointer": at(where, i, "partner"), "detail": detail})
    return errors


def _check_terms(agreements: list[AgreementIn], where: str | None) -> list[dict[str, str]]:
    """The newsvendor terms of wholesale agreements that the contract models refuse."""
    errors = []
    for i, agreement in enumerate(agreements):
        if agreement.contract_type != "wholesale":
            continue
        try:
            contract_switch(agreement.terms)
        except (TypeError, ValueError) as error:  # InputError names the field
            name = getattr(error, "field", "").split(".")[0]
            detail = getattr(error, "message", str(error))
            errors.append(
                {"pointer": at(where, i, "terms", *[name] if name else []), "detail": detail}
            )
    return errors


def save_agreements(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    data: Any,
    where: str | None = "agreements",
) -> list[CommercialAgreement]:
    """Store each agreement as a new version where it changed; refuse the whole batch if any
    is invalid (each defect at its pointer under ``/where``; None: one agreement at the root)."""
    check_staff(principal)
    checked = parse_agreements(data, where)
    errors = _check_partners(checked, _actor_keys(session, ecosystem), where)
    errors += _check_terms(checked, where)
    if errors:
        raise Invalid("the agreements are not valid", errors)
    return [_save(session, ecosystem, principal, request_id, a) for a in checked]


def _save(
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    spec: AgreementIn,
) -> CommercialAgreement:
    key = spec.agreement_key
    values = spec.model_dump(include=set(COMPARED))
    previous = session.scalar(
        select(CommercialAgreement).where(
            CommercialAgreement.ecosystem_id == ecosystem.id,
            CommercialAgreement.key == key,
            CommercialAgreement.current.is_(True),
        )
    )
    if previous is not None and all(getattr(previous, f) == values[f] for f in COMPARED):
        return previous
    if previous is not None:
        previous.current = False
        session.flush()
    last = session.scalar(
        select(func.max(CommercialAgreement.version)).where(
            CommercialAgreement.ecosystem_id == ecosystem.id, CommercialAgreement.key == key
        )
    )
    row = CommercialAgreement(
        ecosystem_id=ecosystem.id, key=key, version=int(last or 0) + 1, current=True,
        changed_by=principal.username if principal else audit.SYSTEM_USERNAME,
        changed_at=utcnow(), **values,
    )  # fmt: skip
    session.add(row)
    session.flush()
    audit.record(
        session=session, request_id=request_id, principal=principal, action="write",
        ecosystem_id=ecosystem.id, dataset="align.agreement", provider=spec.partner,
        agreement=key, filter={"key": key, "version": str(row.version)}, row_count=1,
    )  # fmt: skip
    return row


def retire_agreement(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    key: str,
) -> CommercialAgreement:
    """Mark an agreement no longer current (its versions stay readable); audit it."""
    check_staff(principal)
    rows = [row for row in history(session=session, ecosystem=ecosystem, key=key) if row.current]
    if not rows:
        raise NotFound(f"commercial agreement {key!r} is already retired")
    rows[0].current = False
    session.flush()
    audit.record(
        session=session, request_id=request_id, principal=principal, action="delete",
        ecosystem_id=ecosystem.id, dataset="align.agreement", provider=rows[0].partner,
        agreement=key, filter={"key": key, "version": str(rows[0].version)}, row_count=1,
    )  # fmt: skip
    return rows[0]


def as_rule_input(row: CommercialAgreement) -> rules.Agreement:
    """A stored agreement as the pure rules read it."""
    return rules.Agreement(
        partner=row.partner, contract_type=row.contract_type, metrics=tuple(row.metrics),
        terms=dict(row.terms), term_months=row.term_months,
        volume_commitment=row.volume_commitment, data_access=row.data_access,
        preferred=row.preferred,
    )  # fmt: skip


@dataclass
class Misalignments:
    """The findings (most severe first), each partner's alignment (0..1) and the sources."""

    findings: list[rules.Finding]
    alignment: dict[str, float]
    names: dict[str, str]
    exposures: dict[str, rules.Exposure]
    agreements: int
    source: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        return {
            "findings": [
                asdict(f) | {"name": self.names.get(f.partner, f.partner)} for f in self.findings
            ],
            "alignment": self.alignment,
            "agreements": self.agreements,
            "source": self.source,
        }


def misalignments(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    today: date | None = None,
    thresholds: rules.Thresholds | None = None,
) -> Misalignments:
    """Check every current agreement against what the ecosystem needs from its partner."""
    check_staff(principal)
    found = needs.load(session=session, ecosystem=ecosystem, today=today or utcnow().date())
    rows = list_agreements(session=session, ecosystem=ecosystem)
    findings = rules.check_all(
        [as_rule_input(r) for r in rows], found.exposures, thresholds, contract_switch
    )
    covered = {r.partner for r in rows} | {f.partner for f in findings}
    alignment = {
        partner: rules.alignment_score(f for f in findings if f.partner == partner)
        for partner in sorted(covered)
    }
    return Misalignments(findings, alignment, found.names, found.exposures, len(rows), found.source)


def value_proposition(
    *, session: Session, ecosystem: eco.Ecosystem | None, principal: Principal | None, data: Any
) -> proposition.Proposition:
    """Evaluate a proposed initiative: each actor's contribution, gain, risk and whether it is
    better off joining; with an ecosystem, every actor must be one of its actors (and the
    currency defaults to the ecosystem's)."""
    check_staff(principal)
    if ecosystem is not None and isinstance(data, Mapping) and "currency" not in data:
        data = {**data, "currency": ecosystem.currency}
    try:
        initiative = proposition.parse_initiative(data)
    except proposition.ProposalError as error:
        raise Invalid(str(error), [{"pointer": error.pointer, "detail": error.detail}]) from None
    actors = _actor_keys(session, ecosystem) if ecosystem is not None else None
    errors = [
        {"pointer": pointer("actors", i, "actor"), "detail": f"no actor {a.actor!r} here"}
        for i, a in enumerate(initiative.actors)
        if actors is not None and a.actor not in actors
    ]
    if errors:
        raise Invalid("the initiative names unknown actors", errors)
    try:
        return proposition.evaluate(initiative)
    except proposition.ProposalError as error:
        raise Invalid(str(error), [{"pointer": error.pointer, "detail": error.detail}]) from None
