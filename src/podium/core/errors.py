"""Errors that services raise and the API turns into RFC 9457 problem details."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any


@dataclass
class PodiumError(Exception):
    """A refusal with an HTTP status, a title and optional per-field errors."""

    detail: str
    status: int = 400
    title: str = "Bad request"
    errors: Sequence[dict[str, Any]] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail


class NotFound(PodiumError):
    """The named object does not exist (or the caller may not know it exists)."""

    def __init__(self, detail: str):
        super().__init__(detail=detail, status=404, title="Not found")


class Conflict(PodiumError):
    """The change clashes with what is stored (duplicate id, object still referenced)."""

    def __init__(self, detail: str, errors: Sequence[dict[str, Any]] = ()):
        super().__init__(detail=detail, status=409, title="Conflict", errors=errors)


class Invalid(PodiumError):
    """The input is malformed or inconsistent; ``errors`` says where."""

    def __init__(self, detail: str, errors: Sequence[dict[str, Any]] = ()):
        super().__init__(detail=detail, status=422, title="Invalid input", errors=errors)


class Forbidden(PodiumError):
    """The caller is known but may not do this."""

    def __init__(self, detail: str = "you do not have permission for this"):
        super().__init__(detail=detail, status=403, title="Forbidden")
