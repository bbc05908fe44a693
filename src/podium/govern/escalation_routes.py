"""API routes of governance: escalations."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["governance"])
