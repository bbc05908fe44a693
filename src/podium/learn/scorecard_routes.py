"""API routes of scorecards: definitions, partner scorecards of a period, and segments.

Thin over :mod:`podium.learn.scorecard_service`. Reading needs ``learn:read`` (a partner sees only
its own scorecard); storing a definition needs ``learn:write`` (a bad formula is a 422 with a
JSON pointer to the criterion). The segmentation with its recommendations is the
orchestrator's view: partners are refused (403).
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.deps import RequestId, SessionDep, require
from podium.core.errors import Forbidden, Invalid
from podium.ecosystem import service as eco_service
from podium.learn import scorecard_service as service
from podium.learn import service as kpi_service
from podium.learn.periods import Period, parse_period
from podium.learn.segments import Recommendation

router = APIRouter(tags=["learn"])

Reader = Annotated[Principal, Depends(require(Permission.LEARN_READ))]
Writer = Annotated[Principal, Depends(require(Permission.LEARN_WRITE))]
PeriodText = Annotated[
    str | None, Query(description="2026, 2026-Q3, 2026-09 or 2026-W36; default: last quarter")
]
DefinitionKey = Annotated[
    str | None, Query(description="the scorecard definition's key; default: 'default'")
]


def _period(text: str | None) -> Period:
    """The period asked for, else the last complete quarter."""
    if text is None:
        return kpi_service.latest_complete("quarter", utcnow().date())
    try:
        return parse_period(text)
    except ValueError as error:
        raise Invalid(str(error), [{"pointer": "#/query/period", "detail": str(error)}]) from None


@router.get("/ecosystems/{name}/scorecard-definitions")
def list_definitions(principal: Reader, session: SessionDep, name: str) -> list[dict[str, Any]]:
    """List the current scorecard definitions (the built-in default until one is stored)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    return [d.to_dict() for d in service.list_definitions(session=session, ecosystem=ecosystem)]


@router.get("/ecosystems/{name}/scorecard-definitions/{key}")
def get_definition(
    principal: Reader,
    session: SessionDep,
    name: str,
    key: str,
    version: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> dict[str, Any]:
    """Return a definition (current, or ``version``) with its criteria and effective formulas."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.get_definition(session=session, ecosystem=ecosystem, key=key, version=version)
    versions = service.definition_versions(session=session, ecosystem=ecosystem, key=key)
    return found.to_dict() | {"versions": [v.version for v in versions]}


@router.put("/ecosystems/{name}/scorecard-definitions/{key}")
def put_definition(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    key: str,
    body: Annotated[dict[str, Any], Body()],
) -> dict[str, Any]:
    """Store a new version of a definition: criteria (KPI, weight, formula or bounds) and
    standings; every defect comes back at its JSON pointer."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    stored = service.save_definition(
        session=session, ecosystem=ecosystem, data=body, key=key, principal=principal,
        request_id=request_id,
    )  # fmt: skip
    return stored.to_dict()


@router.get("/ecosystems/{name}/scorecards")
def list_scorecards(
    principal: Reader,
    session: SessionDep,
    name: str,
    period: PeriodText = None,
    definition: DefinitionKey = None,
) -> list[dict[str, Any]]:
    """Score every partner for the period (a partner: only itself), with trend and evidence."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    found = service.scorecards(
        session=session, ecosystem=ecosystem, period=_period(period),
        definition_key=definition, principal=principal,
    )  # fmt: skip
    return [card.to_dict() for card in found]


@router.get("/ecosystems/{name}/scorecards/{actor}")
def get_scorecard(
    principal: Reader,
    session: SessionDep,
    name: str,
    actor: str,
    period: PeriodText = None,
    definition: DefinitionKey = None,
) -> dict[str, Any]:
    """Return one partner's scorecard with the evidence behind each number."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    (card,) = service.scorecards(
        session=session, ecosystem=ecosystem, period=_period(period),
        definition_key=definition, principal=principal, partner=actor,
    )  # fmt: skip
    return card.to_dict()


def recommendation_dict(found: Recommendation) -> dict[str, Any]:
    """A recommendation as JSON-ready values (its inputs as ``inputs``)."""
    data = asdict(found)
    data["rei_rank"] = list(found.rei_rank) if found.rei_rank else None
    return data


@router.get("/ecosystems/{name}/segments")
def list_segments(
    principal: Reader,
    session: SessionDep,
    name: str,
    period: PeriodText = None,
    definition: DefinitionKey = None,
) -> dict[str, Any]:
    """Segment the partner relationships (strategic, preferred, transactional, at risk) and
    recommend deepen, maintain, redesign or exit, with reasons in words and numbers."""
    if principal.is_partner:
        raise Forbidden("the segmentation of relationships is the orchestrator's view")
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    chosen = _period(period)
    found, source = service.segments(
        session=session, ecosystem=ecosystem, period=chosen, principal=principal,
        definition_key=definition,
    )  # fmt: skip
    return {
        "period": chosen.label,
        "criticality_source": source,
        "relationships": [recommendation_dict(r) for r in found],
    }
