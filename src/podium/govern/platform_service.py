"""Platform-dependency assessments of stored ecosystems: save, list, read, and the terms-change
scenario over the stored map.

An assessment is the orchestrator's answers about one platform partner; saving one adds a new
version (the older ones stay readable, no longer current) and records the transition in the
audit log. The index, its reasons and the scenario are computed by the pure
:mod:`podium.govern.platform`. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.core.db import utcnow
from podium.core.errors import Invalid, NotFound
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import platform as dependency
from podium.govern import trail
from podium.govern.models import PlatformAssessment

PLATFORM_KINDS = ("platform", "technology", "data_intermediary", "logistics")
"""Actor kinds listed as platform partners (any actor may be assessed)."""
MAX_DAYS = 3650.0
"""The longest terms-change scenario (days)."""


@dataclass(frozen=True)
class AssessmentView:
    """One stored assessment with its index: ``version`` counts from 1 per platform."""

    id: int
    platform: str
    category: str
    version: int
    current: bool
    assessed_by: str | None
    assessed_at: datetime
    answers: dict[str, Any]
    result: dependency.DependencyIndex


@dataclass(frozen=True)
class PlatformView:
    """A platform partner and its current assessment (None: not assessed), with history."""

    actor: str
    name: str
    kind: str
    role: str
    current: AssessmentView | None
    history: list[AssessmentView] = field(default_factory=list)


def _actors(session: Session, ecosystem: eco.Ecosystem) -> dict[str, eco.Actor]:
    query = select(eco.Actor).where(eco.Actor.ecosystem_id == ecosystem.id).order_by(eco.Actor.key)
    return {actor.key: actor for actor in session.scalars(query)}


def _history(session: Session, ecosystem: eco.Ecosystem, actor: str | None = None) -> list[Any]:
    """Stored assessments, oldest first (one platform's, or all)."""
    query = select(PlatformAssessment).where(PlatformAssessment.ecosystem_id == ecosystem.id)
    if actor is not None:
        query = query.where(PlatformAssessment.platform == actor)
    return list(session.scalars(query.order_by(PlatformAssessment.id)))


def _views(rows: list[PlatformAssessment]) -> list[AssessmentView]:
    """Number each platform's assessments from 1 (rows oldest first) and score them."""
    seen: dict[str, int] = {}
    views = []
    for row in rows:
        seen[row.platform] = seen.get(row.platform, 0) + 1
        views.append(
            AssessmentView(
                id=row.id,
                platform=row.platform,
                category=row.category,
                version=seen[row.platform],
                current=row.current,
                assessed_by=row.assessed_by,
                assessed_at=row.assessed_at,
                answers=dict(row.answers),
                result=dependency.dependency_index(row.answers),
            )
        )
    return views


def _pointer_errors(problems: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"pointer": f"#{pointer}", "detail": detail} for pointer, detail in problems]


def check_assessment(
    *, actors: Mapping[str, Any], platform_key: str, category: str, answers: Any
) -> dict[str, dict[str, Any]]:
    """Return the answers normalised (``{key: {"score", "note"}}``), or raise Invalid.

    Every defect is reported with its pointer: ``#/platform`` (not an actor of the ecosystem),
    ``#/category``, ``#/answers/<key>`` and ``#/answers/<key>/score``.
    """
    problems: list[tuple[str, str]] = []
    if platform_key not in actors:
        problems.append(("/platform", f"no actor {platform_key!r} in this ecosystem"))
    if category not in dependency.CATEGORIES:
        known = ", ".join(dependency.CATEGORIES)
        problems.append(("/category", f"unknown category {category!r}; one of {known}"))
    if not isinstance(answers, Mapping):
        problems.append(("/answers", "give an object of question key -> {score, note}"))
    else:
        problems += dependency.answer_errors(answers)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise Invalid(problems[0][1] + more, _pointer_errors(problems))
    return {
        key: {"score": answer.get("score"), "note": str(answer.get("note") or "")}
        for key, answer in answers.items()
    }


def save_assessment(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal | None,
    request_id: str,
    platform: str,
    category: str,
    answers: Any,
    now: datetime | None = None,
) -> AssessmentView:
    """Store a new version of the assessment of ``platform``; the older one is no longer current."""
    checked = check_assessment(
        actors=_actors(session, ecosystem),
        platform_key=platform,
        category=category,
        answers=answers,
    )
    earlier = _history(session, ecosystem, platform)
    for row in earlier:
        row.current = False
    row = PlatformAssessment(
        ecosystem_id=ecosystem.id,
        platform=platform,
        category=category,
        answers=checked,
        current=True,
        assessed_by=principal.username if principal is not None else None,
        assessed_at=now or utcnow(),
    )
    session.add(row)
    session.flush()
    view = _views([*earlier, row])[-1]
    trail.record(
        session=session,
        request_id=request_id,
        principal=principal,
        ecosystem_id=ecosystem.id,
        kind="platform",
        object_id=row.id,
        transition="assessed",
        platform=platform,
        version=view.version,
        index=view.result.index,
        band=view.result.band,
    )
    return view


def list_assessments(*, session: Session, ecosystem: eco.Ecosystem) -> list[PlatformView]:
    """Return every platform partner (by kind, or assessed) with its current assessment."""
    actors = _actors(session, ecosystem)
    current = {v.platform: v for v in _views(_history(session, ecosystem)) if v.current}
    keys = [
        key
        for key, actor in actors.items()
        if key in current
        or (actor.kind in PLATFORM_KINDS and actor.ecosystem_role != "orchestrator")
    ]
    return [_platform_view(actors[key], current.get(key), []) for key in keys]


def _platform_view(
    actor: eco.Actor, current: AssessmentView | None, history: list[AssessmentView]
) -> PlatformView:
    return PlatformView(actor.key, actor.name, actor.kind, actor.ecosystem_role, current, history)


def _actor(session: Session, ecosystem: eco.Ecosystem, key: str) -> eco.Actor:
    found = _actors(session, ecosystem).get(key)
    if found is None:
        raise NotFound(f"no actor {key!r} in ecosystem {ecosystem.name!r}")
    return found


def get_assessment(*, session: Session, ecosystem: eco.Ecosystem, platform: str) -> PlatformView:
    """Return one platform partner, its current assessment with reasons, and every version."""
    actor = _actor(session, ecosystem, platform)
    history = _views(_history(session, ecosystem, platform))
    current = next((v for v in history if v.current), None)
    return _platform_view(actor, current, list(reversed(history)))


def exposure(*, session: Session, ecosystem: eco.Ecosystem, platform: str) -> dependency.Exposure:
    """Return what depends on the platform on the stored map (sites, items, products)."""
    _actor(session, ecosystem, platform)
    spec = eco_service.export_spec(session=session, ecosystem=ecosystem)
    return dependency.exposure(spec, platform)


def exposures(
    *, session: Session, ecosystem: eco.Ecosystem, platforms: list[str]
) -> dict[str, dependency.Exposure]:
    """Return what depends on each of ``platforms`` (actor keys), reading the map once."""
    spec = eco_service.export_spec(session=session, ecosystem=ecosystem)
    return {key: dependency.exposure(spec, key) for key in platforms}


def terms_change(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    platform: str,
    days: float,
    capacity_share: float = 0.0,
) -> dependency.TermsChangeImpact:
    """Return the stress-test impact of the platform lost or degraded for ``days`` days."""
    _actor(session, ecosystem, platform)
    problems = []
    if not 0 < days <= MAX_DAYS:
        problems.append(("/days", f"days must be above 0 and at most {MAX_DAYS:g}, not {days!r}"))
    if not 0 <= capacity_share <= 1:
        problems.append(("/capacity_share", f"capacity_share must be 0..1, not {capacity_share!r}"))
    if problems:
        raise Invalid(problems[0][1], _pointer_errors(problems))
    spec = eco_service.export_spec(session=session, ecosystem=ecosystem)
    return dependency.terms_change(spec, platform, days=days, capacity_share=capacity_share)
