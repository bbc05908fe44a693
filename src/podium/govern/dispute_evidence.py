"""Evidence of a dispute: links to the records and audit entries an entry cites, checked to exist.

- ``audit``: the ``seq`` of an audit entry of this ecosystem (a partner: one about its actor);
- ``record``: ``<dataset>:<row id>`` of partner data whose provider is a party;
- ``delivery``: an order id delivered by a party;
- ``agreement``: a data-sharing agreement's key (or its ``urn:podium:agreement:<key>`` uid).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from podium.core.audit import AuditEntry
from podium.core.auth import Principal
from podium.core.errors import Invalid
from podium.ecosystem import models as eco
from podium.govern.models import Dispute
from podium.integrate import models as data

LINK_KINDS = ("audit", "record", "delivery", "agreement")
AGREEMENT_URN = "urn:podium:agreement:"


def check_links(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    dispute: Dispute,
    links: Sequence[Mapping[str, Any]],
) -> list[dict[str, str]]:
    """Return the links as stored (``{"kind", "id"}``); refuse any that points at nothing."""
    providers = [p.removeprefix("actor:") for p in dispute.parties if p.startswith("actor:")]
    checked, errors = [], []
    for index, link in enumerate(links):
        kind, ident = str(link.get("kind", "")), str(link.get("id", "")).strip()
        problem: str | None
        if kind not in LINK_KINDS:
            problem = f"kind: use one of {', '.join(LINK_KINDS)}"
        else:
            problem = _LINK_CHECKS[kind](session, ecosystem, principal, providers, ident)
        if problem:
            errors.append({"pointer": f"/links/{index}", "detail": problem})
        else:
            checked.append({"kind": kind, "id": ident})
    if errors:
        raise Invalid("some evidence links point at nothing you may cite", errors)
    return checked


def _audit_link(
    session: Session, ecosystem: eco.Ecosystem, principal: Principal, _: list[str], ident: str
) -> str | None:
    if not ident.isdigit():
        return f"{ident!r} is no audit entry number"
    query = select(AuditEntry.seq).where(
        AuditEntry.seq == int(ident), AuditEntry.ecosystem_id == ecosystem.id
    )
    if principal.is_partner:
        mine = principal.partner_actor
        query = query.where(or_(AuditEntry.provider == mine, AuditEntry.partner_actor == mine))
    return None if session.scalar(query) is not None else f"no audit entry {ident} to cite"


def _record_link(
    session: Session, ecosystem: eco.Ecosystem, _: Principal, providers: list[str], ident: str
) -> str | None:
    dataset, _sep, number = ident.partition(":")
    table: Any = data.DATASET_TABLES.get(dataset)
    if table is None or not number.isdigit():
        return f"write <dataset>:<id> with a dataset of {', '.join(data.DATASET_TABLES)}"
    query = select(table.id).where(
        table.id == int(number), table.ecosystem_id == ecosystem.id, table.provider.in_(providers)
    )
    return None if session.scalar(query) is not None else f"no {dataset} record {number} of a party"


def _delivery_link(
    session: Session, ecosystem: eco.Ecosystem, _: Principal, providers: list[str], ident: str
) -> str | None:
    query = select(data.Delivery.id).where(
        data.Delivery.ecosystem_id == ecosystem.id,
        data.Delivery.order_id == ident,
        data.Delivery.provider.in_(providers),
    )
    found = session.scalar(query.limit(1))
    return None if found is not None else f"no delivery order {ident!r} of a party"


def _agreement_link(
    session: Session, ecosystem: eco.Ecosystem, _: Principal, __: list[str], ident: str
) -> str | None:
    key = ident.removeprefix(AGREEMENT_URN)
    query = select(data.SharingAgreementRow.id).where(
        data.SharingAgreementRow.ecosystem_id == ecosystem.id, data.SharingAgreementRow.key == key
    )
    return None if session.scalar(query) is not None else f"no agreement {ident!r}"


_LINK_CHECKS = {
    "audit": _audit_link,
    "record": _record_link,
    "delivery": _delivery_link,
    "agreement": _agreement_link,
}
