"""Decision rights and callers for the escalation tests (rights are seeded as rows directly)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from podium.core.auth import Principal, Role
from podium.govern.models import DecisionRight

OPS = {"level": "operational", "owner": "actor:castco", "forum": "standup", "sla_hours": 24}
TACTICAL = {"level": "tactical", "owner": "person:ana", "forum": "jbr", "sla_hours": 48}
STRATEGIC = {"level": "strategic", "owner": "person:ceo", "forum": "steering", "sla_hours": 72}
RIGHTS: dict[str, tuple[bool, list[dict[str, Any]]]] = {
    "routine_coordination": (False, [OPS, TACTICAL]),
    "customer_impact_risk": (False, [OPS, TACTICAL, STRATEGIC]),
    "capacity_allocation": (False, [OPS, TACTICAL]),
    "strategic_investment": (True, [TACTICAL, STRATEGIC]),
}
"""decision type -> (strategic, path). ``major_service_failure`` and ``data_access`` have none,
so raising from their sources falls back."""


def seed_rights(session: Session, ecosystem_id: int, **only: bool) -> None:
    """Store version 1 of each right in :data:`RIGHTS` (an older, non-current version 0 too)."""
    for decision_type, (strategic, path) in RIGHTS.items():
        if only and not only.get(decision_type):
            continue
        for version, current in ((0, False), (1, True)):
            session.add(
                DecisionRight(
                    ecosystem_id=ecosystem_id,
                    decision_type=decision_type,
                    title=decision_type.replace("_", " "),
                    strategic=strategic,
                    raci={"person:ana": "A"},
                    path=path if current else [{**OPS, "owner": "person:old"}],
                    version=version,
                    current=current,
                )
            )
    session.flush()


def staff(role: Role = Role.ANALYST, name: str = "ana") -> Principal:
    """An orchestrator user (``person:<name>``)."""
    return Principal(user_id=1, username=name, role=role)


def partner(ecosystem_id: int, actor: str, role: Role = Role.PARTNER_ADMIN) -> Principal:
    """A partner user acting for ``actor`` (``actor:<actor>``)."""
    return Principal(
        user_id=2,
        username=f"{actor}-user",
        role=role,
        partner_ecosystem_id=ecosystem_id,
        partner_actor=actor,
    )
