"""What every governance service shares: who the caller is as a party, what a partner may see,
and the audit entry of each transition.

Every state change of a governance object (an escalation raised, escalated or resolved, a dispute
moved to mediation, a decision right edited ...) is appended to the hash-chained audit log as a
``write`` to ``govern.<kind>`` with the object's id, the transition and its reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy.orm import Session

from podium.core import audit
from podium.core.auth import Principal
from podium.core.errors import Forbidden, NotFound
from podium.ecosystem import models as eco
from podium.govern.parties import actor_party, person_party


def party_of(principal: Principal) -> str:
    """Return the party a caller acts as: its partner actor, or itself as a person."""
    if principal.is_partner and principal.partner_actor:
        return actor_party(principal.partner_actor)
    return person_party(principal.username)


def check_member(principal: Principal, ecosystem: eco.Ecosystem) -> None:
    """Refuse a partner user of another ecosystem."""
    if principal.is_partner and principal.partner_ecosystem_id != ecosystem.id:
        raise Forbidden("you act for a partner of another ecosystem")


def involves(principal: Principal, parties: Iterable[str]) -> bool:
    """Whether a partner caller's actor is among ``parties`` (staff are involved in everything)."""
    if not principal.is_partner:
        return True
    return principal.partner_actor is not None and actor_party(principal.partner_actor) in set(
        parties
    )


def check_involved(principal: Principal, parties: Iterable[str], what: str) -> None:
    """Refuse a partner caller not among ``parties``; the 404 hides that the object exists."""
    if not involves(principal, parties):
        raise NotFound(f"{what} not found")


def record(
    *,
    session: Session,
    request_id: str,
    principal: Principal | None,
    ecosystem_id: int,
    kind: str,
    object_id: int | str,
    transition: str,
    **details: Any,
) -> None:
    """Append the transition of one governance object to the audit log."""
    audit.record(
        session=session,
        request_id=request_id,
        principal=principal,
        action="write",
        ecosystem_id=ecosystem_id,
        dataset=f"govern.{kind}"[:40],
        provider=None,
        agreement=None,
        filter={"id": str(object_id), "transition": transition, **details},
        row_count=1,
    )
