"""API routes of governance: certifications."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["governance"])
