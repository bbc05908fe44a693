"""API routes of governance: forums."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["governance"])
