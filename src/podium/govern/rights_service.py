"""Store and read decision rights: one row per version, the newest ``current``.

Saving a right checks it against the ecosystem's actors and active forums
(:func:`podium.govern.rights.validate_right`), adds a version, marks the older one not current
and records the change in the audit log. Saving what is already current changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Invalid, NotFound
from podium.ecosystem import models as eco
from podium.govern import trail
from podium.govern.models import DecisionRight, Forum
from podium.govern.rights import (
    CATALOGUE,
    DecisionRightSpec,
    PathStep,
    RaciMatrix,
    diff,
    raci_matrix,
    validate_right,
)


def aware(moment: datetime) -> datetime:
    """A stored time as aware UTC (SQLite hands times back without their zone)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def spec_of(row: DecisionRight) -> DecisionRightSpec:
    """The stored right as a spec (for validation, the matrix and diffs)."""
    return DecisionRightSpec(
        decision_type=row.decision_type,
        title=row.title,
        strategic=row.strategic,
        raci=dict(row.raci),
        path=[PathStep.model_validate(step) for step in row.path],
    )


def actor_keys(*, session: Session, ecosystem: eco.Ecosystem) -> list[str]:
    """The keys of the ecosystem's actors."""
    query = select(eco.Actor.key).where(eco.Actor.ecosystem_id == ecosystem.id)
    return list(session.scalars(query))


def active_forum_keys(*, session: Session, ecosystem: eco.Ecosystem) -> list[str]:
    """The keys of the ecosystem's active forums."""
    query = select(Forum.key).where(Forum.ecosystem_id == ecosystem.id, Forum.active.is_(True))
    return list(session.scalars(query))


def _catalogue_order(row: DecisionRight) -> tuple[int, str]:
    order = list(CATALOGUE)
    index = order.index(row.decision_type) if row.decision_type in CATALOGUE else len(order)
    return (index, row.decision_type)


def list_rights(*, session: Session, ecosystem: eco.Ecosystem) -> list[DecisionRight]:
    """The current decision rights, in catalogue order, then others by type."""
    query = select(DecisionRight).where(
        DecisionRight.ecosystem_id == ecosystem.id, DecisionRight.current.is_(True)
    )
    return sorted(session.scalars(query), key=_catalogue_order)


def get_right(
    *, session: Session, ecosystem: eco.Ecosystem, decision_type: str, version: int | None = None
) -> DecisionRight:
    """The current decision right of a type, or the given version of it."""
    query = select(DecisionRight).where(
        DecisionRight.ecosystem_id == ecosystem.id, DecisionRight.decision_type == decision_type
    )
    if version is None:
        query = query.where(DecisionRight.current.is_(True))
    else:
        query = query.where(DecisionRight.version == version)
    found = session.scalar(query)
    if found is None:
        which = f" version {version}" if version is not None else ""
        raise NotFound(f"no decision right {decision_type!r}{which}")
    return found


@dataclass(frozen=True)
class RightVersion:
    """One version of a right and what it changed from the one before."""

    row: DecisionRight
    changes: list[dict[str, Any]]


def history(
    *, session: Session, ecosystem: eco.Ecosystem, decision_type: str
) -> list[RightVersion]:
    """Every version of a right, newest first, each with its changes."""
    query = (
        select(DecisionRight)
        .where(
            DecisionRight.ecosystem_id == ecosystem.id,
            DecisionRight.decision_type == decision_type,
        )
        .order_by(DecisionRight.version)
    )
    rows = list(session.scalars(query))
    if not rows:
        raise NotFound(f"no decision right {decision_type!r}")
    found, before = [], None
    for row in rows:
        spec = spec_of(row)
        found.append(RightVersion(row, diff(before, spec)))
        before = spec
    return found[::-1]


def check_right(
    *, session: Session, ecosystem: eco.Ecosystem, spec: DecisionRightSpec
) -> list[dict[str, str]]:
    """What is wrong with a right in this ecosystem (unknown actors, forums ...)."""
    return validate_right(
        spec,
        actors=actor_keys(session=session, ecosystem=ecosystem),
        forums=active_forum_keys(session=session, ecosystem=ecosystem),
    )


def save_right(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    request_id: str,
    spec: DecisionRightSpec,
    note: str | None = None,
    now: datetime | None = None,
) -> DecisionRight:
    """Save a right as a new version (or leave it if nothing changed); refuse an invalid one."""
    errors = check_right(session=session, ecosystem=ecosystem, spec=spec)
    if errors:
        raise Invalid(f"the decision right {spec.decision_type} is not valid", errors)
    previous = session.scalar(
        select(DecisionRight).where(
            DecisionRight.ecosystem_id == ecosystem.id,
            DecisionRight.decision_type == spec.decision_type,
            DecisionRight.current.is_(True),
        )
    )
    old = spec_of(previous) if previous is not None else None
    if previous is not None and old == spec:
        return previous
    if previous is not None:
        previous.current = False
        session.flush()
    row = DecisionRight(
        ecosystem_id=ecosystem.id, decision_type=spec.decision_type, title=spec.title,
        strategic=spec.strategic, raci=dict(spec.raci),
        path=[step.model_dump() for step in spec.path],
        version=_last_version(session, ecosystem, spec.decision_type) + 1, current=True,
        note=note, changed_by=principal.username, changed_at=now or utcnow(),
    )  # fmt: skip
    session.add(row)
    session.flush()
    trail.record(
        session=session, request_id=request_id, principal=principal, ecosystem_id=ecosystem.id,
        kind="decision_right", object_id=spec.decision_type,
        transition="created" if previous is None else "changed", version=row.version,
        changes=[c["pointer"] for c in diff(old, spec)][:50],
    )  # fmt: skip
    return row


def _last_version(session: Session, ecosystem: eco.Ecosystem, decision_type: str) -> int:
    """The highest version stored of a type (0 when none)."""
    last = session.scalar(
        select(func.max(DecisionRight.version)).where(
            DecisionRight.ecosystem_id == ecosystem.id,
            DecisionRight.decision_type == decision_type,
        )
    )
    return int(last or 0)


def matrix(rows: Sequence[DecisionRight]) -> RaciMatrix:
    """The RACI matrix of stored rights."""
    return raci_matrix(spec_of(row) for row in rows)
