"""Who pays what under each sharing rule, side by side, for the coalition cost-sharing page.

For a game (:mod:`podium.align.games`) :func:`compare` allocates by every method of
:mod:`podium.align.sharing` that the game's size allows (the nucleolus up to
:data:`~podium.align.sharing.MAX_NUCLEOLUS` players, the exact Shapley value up to 20 or for an
airport game), checks each allocation against the core, and describes the players (each one's
stand-alone value and its load in each structured cost model) and the cost model. The nucleolus
lies in the core whenever the core is not empty, so a nucleolus outside it (every coalition
checked) shows that the core is empty: no allocation keeps every coalition from leaving. Pure.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from podium.align import sharing
from podium.align.games import MAX_ENUMERATED, Component, Game, GameError

MODELS = {
    "airport": "a facility sized by its largest user: c(S) = max of the members' own costs",
    "capacity": "capacity for the members' summed load: c(S) = fixed + unit cost x L(S)^exponent",
    "shared_facility": "a facility sized to the coalition's peak load in steps: c(S) = fixed + "
    "step cost x ceil(peak(S) / step size)",
}
"""Each structured cost model in words."""


def _component(part: Component, players: tuple[str, ...]) -> dict[str, Any]:
    loads = part.loads if part.loads.ndim == 1 else part.loads.max(axis=1)
    return {
        "model": part.model,
        "description": MODELS[part.model],
        "fixed": part.fixed,
        "unit_cost": part.unit_cost,
        "exponent": part.exponent,
        "step_size": part.step_size,
        "profile": part.loads.ndim == 2,
        "loads": {p: float(x) for p, x in zip(players, loads, strict=True)},
    }


def _methods(game: Game) -> list[str]:
    exact = game.n <= MAX_ENUMERATED or all(c.model == "airport" for c in game.components)
    found = ["shapley"] if exact else []
    if game.n <= sharing.MAX_NUCLEOLUS:
        found.append("nucleolus")
    return [*found, "proportional", "equal"]


def compare(game: Game) -> dict[str, Any]:
    """Every method's allocation and core check, the players and the cost model, as JSON."""
    reports = []
    for method in _methods(game):
        try:
            reports.append(sharing.report(game, sharing.allocate(game, method)))
        except GameError as error:
            reports.append({"method": method, "error": error.detail})
    nucleolus = [r for r in reports if r["method"] == "nucleolus" and "in_core" in r]
    core_empty = (
        bool(nucleolus) and not nucleolus[0]["in_core"] and nucleolus[0]["core_checked"] == "all"
    )
    alone = game.stand_alone()
    total = game.grand_value()
    return {
        "kind": game.kind,
        "players": list(game.players),
        "stand_alone": {p: float(v) for p, v in zip(game.players, alone, strict=True)},
        "total": total,
        "stand_alone_total": float(np.sum(alone)),
        "saving": float(np.sum(alone)) - total
        if game.kind == "cost"
        else total - float(np.sum(alone)),
        "components": [_component(c, game.players) for c in game.components],
        "weights": None
        if game.weights is None
        else dict(zip(game.players, game.weights.tolist(), strict=True)),
        "methods": reports,
        "core_empty": core_empty,
        "warnings": list(game.warnings),
    }
