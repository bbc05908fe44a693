"""API routes of platform dependency: the questionnaire, assessments, and the terms-change
scenario.

Thin over :mod:`podium.govern.platform_service`. Reading and the scenario (which only computes)
need ``govern:read``; assessing needs ``govern:write``. Partners have neither: how dependent the
orchestrator is on a platform partner is its own strategic view.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Depends

from podium.core.auth import Permission, Principal
from podium.core.deps import RequestId, SessionDep, require
from podium.ecosystem import service as eco_service
from podium.govern import platform_service as service
from podium.govern.platform_schemas import (
    AssessmentIn,
    AssessmentRead,
    ExposureRead,
    PlatformRead,
    PlatformSummary,
    QuestionnaireRead,
    TermsChangeIn,
    TermsChangeRead,
)

router = APIRouter(tags=["governance"])

Reader = Annotated[Principal, Depends(require(Permission.GOVERN_READ))]
Writer = Annotated[Principal, Depends(require(Permission.GOVERN_WRITE))]


@router.get("/ecosystems/{name}/platforms")
def list_platforms(principal: Reader, session: SessionDep, name: str) -> list[PlatformSummary]:
    """List the platform partners, each with its current dependency index or "not assessed"."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    views = service.list_assessments(session=session, ecosystem=ecosystem)
    return [PlatformSummary.of(view) for view in views]


@router.get("/ecosystems/{name}/platforms/questionnaire")
def questionnaire(principal: Reader, session: SessionDep, name: str) -> QuestionnaireRead:
    """Return the questions, their 0-4 levels and weights, and the platform categories."""
    eco_service.get_ecosystem(session=session, name=name, principal=principal)
    return QuestionnaireRead.build()


@router.get("/ecosystems/{name}/platforms/{actor}")
def get_platform(principal: Reader, session: SessionDep, name: str, actor: str) -> PlatformRead:
    """Return a platform partner: current assessment with reasons, every version, exposure."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    view = service.get_assessment(session=session, ecosystem=ecosystem, platform=actor)
    found = service.exposure(session=session, ecosystem=ecosystem, platform=actor)
    return PlatformRead(
        summary=PlatformSummary.of(view),
        current=AssessmentRead.of(view.current) if view.current else None,
        history=[AssessmentRead.of(v) for v in view.history],
        exposure=ExposureRead.model_validate(found.to_dict()),
    )


@router.put("/ecosystems/{name}/platforms/{actor}/assessment")
def assess_platform(
    principal: Writer,
    session: SessionDep,
    request_id: RequestId,
    name: str,
    actor: str,
    body: Annotated[AssessmentIn, Body()],
) -> AssessmentRead:
    """Store a new version of the assessment of a platform partner (the older stays readable)."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    view = service.save_assessment(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        request_id=request_id,
        platform=actor,
        category=body.category,
        answers={key: answer.model_dump() for key, answer in body.answers.items()},
    )
    return AssessmentRead.of(view)


@router.post("/ecosystems/{name}/platforms/{actor}/terms-change")
def terms_change(
    principal: Reader,
    session: SessionDep,
    name: str,
    actor: str,
    body: Annotated[TermsChangeIn, Body()],
) -> TermsChangeRead:
    """Compute the stress-test impact of the platform lost or degraded for N days."""
    ecosystem = eco_service.get_ecosystem(session=session, name=name, principal=principal)
    impact = service.terms_change(
        session=session,
        ecosystem=ecosystem,
        platform=actor,
        days=body.days,
        capacity_share=body.capacity_share,
    )
    return TermsChangeRead.model_validate(impact.to_dict())
