"""Align: sharing routes. ``POST /games/allocate`` shares a joint investment among its players.

Thin over the pure :mod:`podium.align.sharing` (nothing is stored); needs ``align:read``. The
body is a game in the form ``podium share`` reads (players and coalition_costs, coalition_values
or cost_model), the method, and for sampling the number of permutations and the seed. Work is
capped: exact methods enumerate at most 20 players (the nucleolus 16), sampling at most
``MAX_SAMPLED_MARGINALS`` marginal contributions.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends
from pydantic import BaseModel, Field

from podium.align import sharing
from podium.align.games import GameError, game_from_mapping
from podium.core.auth import Permission, Principal
from podium.core.deps import require
from podium.core.errors import Invalid

router = APIRouter(tags=["align"])

Reader = Annotated[Principal, Depends(require(Permission.ALIGN_READ))]
MAX_SAMPLED_MARGINALS = 20_000_000
"""Most permutations times players one sampled Shapley request may ask for."""


class AllocateIn(BaseModel):
    """A game and how to share it."""

    game: dict[str, Any] = Field(
        description="players and one of coalition_costs, coalition_values, cost_model",
        examples=[
            {"players": ["A", "B", "C"], "cost_model": {"airport": {"A": 8, "B": 11, "C": 13}}}
        ],
    )
    method: Literal["shapley", "nucleolus", "proportional", "equal"] = "shapley"
    samples: int | None = Field(default=None, ge=2, description="Shapley by random permutations")
    seed: int = 0


class PlayerShare(BaseModel):
    player: str
    share: float
    stand_alone: float
    std_error: float | None = None


class ObjectionRead(BaseModel):
    coalition: list[str]
    stand_alone: float
    allocated: float
    gain: float


class AllocationRead(BaseModel):
    """Who pays (cost game) or receives (benefit game) what, and who would be better off alone."""

    method: str
    kind: str
    total: float
    allocation: dict[str, float]
    players: list[PlayerShare]
    samples: int | None
    in_core: bool
    core_checked: str
    objecting_coalitions: int
    objections: list[ObjectionRead]
    warnings: list[str]


def _pointer(pointer: str) -> str:
    if pointer in ("#/samples", "#/method"):
        return pointer
    return "#/game" + pointer[1:].rstrip("/")


@router.post("/games/allocate")
def allocate_game(principal: Reader, body: Annotated[AllocateIn, Body()]) -> AllocationRead:
    """Share the game's total by the method; say whether the allocation is in the core."""
    try:
        game = game_from_mapping(body.game)
        if body.samples and body.samples * game.n > MAX_SAMPLED_MARGINALS:
            raise GameError(
                "#/samples", f"samples x players must be at most {MAX_SAMPLED_MARGINALS:,}"
            )
        found = sharing.allocate(game, body.method, samples=body.samples, seed=body.seed)
        return AllocationRead.model_validate(sharing.report(game, found))
    except GameError as exc:
        raise Invalid(
            "the game cannot be shared", [{"pointer": _pointer(exc.pointer), "detail": exc.detail}]
        ) from None
