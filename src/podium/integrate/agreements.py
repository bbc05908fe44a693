"""Store, list, export and revoke data-sharing agreements (service layer over :mod:`policy`).

An agreement shares the provider's data, so only the provider makes or revokes it: a partner's
admin for its own actor, the orchestrator's admin for the orchestrator actor. Stored as normalised
ODRL JSON-LD (the one representation; :func:`policy.parse_odrl` reads it back).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal, Role
from podium.core.db import utcnow
from podium.core.errors import Conflict, Forbidden, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.integrate import datasets, models, policy
from podium.integrate.access import reader_of
from podium.integrate.service import acting_actor

SHAREABLE = (*datasets.DATASETS, "epcis_events")


def create(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    document: Any,
    key: str | None = None,
    recipients: Sequence[str] = (),
    dataset: str | None = None,
) -> policy.SharingAgreement:
    """Parse an ODRL policy into an agreement of the caller's actor and store it."""
    if not principal.is_partner and principal.role != Role.ADMIN:
        raise Forbidden("only an admin makes agreements for the orchestrator's data")
    provider = acting_actor(session=session, ecosystem=ecosystem, principal=principal)
    try:
        agreement = policy.parse_odrl(
            document, key=key, provider=provider, recipients=recipients, dataset=dataset
        )
    except policy.PolicyError as error:
        raise Invalid("the ODRL policy cannot be enforced as written", error.errors) from error
    _check(session, ecosystem, agreement)
    exists = session.scalar(
        select(models.SharingAgreementRow.id).where(
            models.SharingAgreementRow.ecosystem_id == ecosystem.id,
            models.SharingAgreementRow.key == agreement.key,
        )
    )
    if exists is not None:
        raise Conflict(f"agreement {agreement.key!r} already exists")
    session.add(
        models.SharingAgreementRow(
            ecosystem_id=ecosystem.id,
            key=agreement.key,
            provider=agreement.provider,
            dataset=agreement.dataset,
            odrl=policy.to_odrl(agreement),
            created_by=principal.user_id,
        )
    )
    session.flush()
    return agreement


def _check(session: Session, ecosystem: eco.Ecosystem, agreement: policy.SharingAgreement) -> None:
    """Refuse a dataset Podium does not hold and recipients the ecosystem does not know."""
    errors = []
    if agreement.dataset not in SHAREABLE:
        errors.append({"pointer": "#/target", "detail": f"no dataset {agreement.dataset!r}"})
    actors = session.execute(
        select(eco.Actor.key, eco.Actor.kind, eco.Actor.ecosystem_role).where(
            eco.Actor.ecosystem_id == ecosystem.id
        )
    ).all()
    known = {key for key, _, _ in actors}
    known |= {f"kind:{kind}" for _, kind, _ in actors} | {f"role:{role}" for _, _, role in actors}
    for i, recipient in enumerate(agreement.recipients):
        if recipient not in known:
            detail = f"{recipient!r} is no actor, kind:<kind> or role:<role> of this ecosystem"
            errors.append({"pointer": f"#/assignee/{i}", "detail": detail})
    if not agreement.recipients:
        errors.append({"pointer": "#/assignee", "detail": "name at least one recipient"})
    errors += filter_errors(agreement)
    if errors:
        raise Invalid("the agreement names what this ecosystem does not have", errors)


def filter_errors(agreement: policy.SharingAgreement) -> list[dict[str, str]]:
    """Refuse filters and permitted fields the dataset does not have, and filter values that
    are not of the field's type (they could never match, or would fail the read)."""
    errors = []
    if agreement.dataset == "epcis_events":
        for name in agreement.filters:
            if name not in models.EVENT_FILTERS:
                detail = f"events are filtered by {', '.join(models.EVENT_FILTERS)}, not {name!r}"
                errors.append({"pointer": f"#/filters/{name}", "detail": detail})
        return errors
    spec = datasets.DATASETS.get(agreement.dataset)
    if spec is None:
        return errors
    for name in agreement.fields:
        if name not in spec.model.model_fields:
            errors.append({"pointer": "#/fields", "detail": f"{spec.name} has no field {name!r}"})
    for name, values in agreement.filters.items():
        try:
            datasets.typed_values(spec, name, values)
        except datasets.DatasetError as error:
            errors += [
                {"pointer": f"#/filters/{name}", "detail": e["detail"]} for e in error.errors
            ]
    return errors


def visible(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal
) -> list[tuple[models.SharingAgreementRow, policy.SharingAgreement]]:
    """Return the agreements the caller may see: all for staff; a partner's as provider or
    recipient (by key or group)."""
    rows = session.scalars(
        select(models.SharingAgreementRow)
        .where(models.SharingAgreementRow.ecosystem_id == ecosystem.id)
        .order_by(models.SharingAgreementRow.key)
    ).all()
    found = [(row, policy.parse_odrl(row.odrl)) for row in rows]
    if not principal.is_partner:
        return found
    reader = reader_of(session=session, ecosystem=ecosystem, principal=principal)
    mine = reader.groups | ({reader.actor} if reader.actor else set())
    return [
        (row, agreement)
        for row, agreement in found
        if agreement.provider == reader.actor or mine & set(agreement.recipients)
    ]


def get(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal, key: str
) -> tuple[models.SharingAgreementRow, policy.SharingAgreement]:
    """Return one agreement the caller may see."""
    for row, agreement in visible(session=session, ecosystem=ecosystem, principal=principal):
        if row.key == key:
            return row, agreement
    raise NotFound(f"no agreement {key!r}")


def revoke(
    *, session: Session, ecosystem: eco.Ecosystem, principal: Principal, key: str
) -> models.SharingAgreementRow:
    """End an agreement now; only its provider may (reads through it stop at once)."""
    row, agreement = get(session=session, ecosystem=ecosystem, principal=principal, key=key)
    provider = acting_actor(session=session, ecosystem=ecosystem, principal=principal)
    if agreement.provider != provider or (
        not principal.is_partner and principal.role != Role.ADMIN
    ):
        raise Forbidden("only the provider's admin revokes an agreement")
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    return row


def in_force(row: models.SharingAgreementRow, agreement: policy.SharingAgreement) -> bool:
    """Whether the agreement is neither revoked nor outside its validity window now."""
    now = utcnow()
    if row.revoked_at is not None:
        return False
    if agreement.valid_from is not None and now < agreement.valid_from:
        return False
    return agreement.valid_until is None or now < agreement.valid_until
