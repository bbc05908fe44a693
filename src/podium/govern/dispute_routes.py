"""API routes of governance: disputes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["governance"])
