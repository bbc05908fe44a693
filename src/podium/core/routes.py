"""API routes of the platform itself: who am I, and the OpenAPI description."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from podium.core.auth import Permission, Principal
from podium.core.deps import require

router = APIRouter(tags=["platform"])
Reader = Annotated[Principal, Depends(require(Permission.ECOSYSTEM_READ))]


@router.get("/me")
def me(principal: Reader) -> dict[str, Any]:
    """Return the caller: user, role, permissions and partner binding."""
    return {
        "username": principal.username,
        "role": principal.role.value,
        "permissions": sorted(p.value for p in principal.permissions),
        "partner_ecosystem_id": principal.partner_ecosystem_id,
        "partner_actor": principal.partner_actor,
    }


@router.get("/openapi.json", include_in_schema=False)
def openapi(request: Request, _principal: Reader) -> dict[str, Any]:
    """Return the OpenAPI description of this API."""
    schema: dict[str, Any] = request.app.openapi()
    return schema
