"""Console pages of governance: disputes."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
