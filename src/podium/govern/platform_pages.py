"""Console pages of governance: platforms."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
