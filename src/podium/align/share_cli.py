"""``podium share``: share the cost or benefit of a joint investment among its players.

``podium share GAME.yaml --method shapley|nucleolus|proportional|equal [--json]
[--samples N --seed S]``: GAME.yaml lists ``players`` and either ``coalition_costs`` (a table
keyed "A,B"; ``coalition_values`` for a benefit game) or a structured ``cost_model`` (see
:mod:`podium.align.games`). Bad input names the file and field and exits with code 2.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from podium.align import sharing
from podium.align.games import GameError, game_from_mapping
from podium.core.clikit import console, err_console

GameFile = Annotated[
    Path, typer.Argument(help="The game: players and coalition_costs or cost_model.")
]
Method = Annotated[str, typer.Option("--method", help="shapley, nucleolus, proportional or equal.")]
AsJson = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]
Samples = Annotated[
    int | None,
    typer.Option("--samples", min=2, help="Shapley by this many random permutations."),
]
Seed = Annotated[int, typer.Option("--seed", help="Seed of the sampled permutations.")]


def _fail(path: Path, pointer: str, detail: str) -> typer.Exit:
    err_console.print(f"{path}: {pointer}: {detail}", markup=False, highlight=False)
    return typer.Exit(2)


def _load(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise _fail(path, "#/", f"cannot read the file ({exc.strerror})") from None
    except yaml.YAMLError as exc:
        raise _fail(path, "#/", f"not valid YAML ({exc})") from None


def share(
    game_file: GameFile,
    method: Method = "shapley",
    as_json: AsJson = False,
    samples: Samples = None,
    seed: Seed = 0,
) -> None:
    """Share a joint investment's cost (or benefit) and check whether anyone would leave.

    Example: podium share industrial_park_substation.yaml --method nucleolus --json
    """
    data = _load(game_file)
    try:
        game = game_from_mapping(data)
        result = sharing.report(game, sharing.allocate(game, method, samples=samples, seed=seed))
    except GameError as exc:
        raise _fail(game_file, exc.pointer, exc.detail) from None
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    _print(result)


def _print(result: dict[str, Any]) -> None:
    verb = "pays" if result["kind"] == "cost" else "receives"
    sampled = result["samples"] is not None
    table = Table(title=f"{result['method']} ({result['kind']} {result['total']:,.2f})")
    for column in ("Player", verb.capitalize(), *(["Std error"] if sampled else []), "Alone"):
        table.add_column(column, justify="left" if column == "Player" else "right")
    for row in result["players"]:
        error = [f"{row['std_error']:,.2f}"] if sampled else []
        table.add_row(row["player"], f"{row['share']:,.2f}", *error, f"{row['stand_alone']:,.2f}")
    console.print(table)
    for warning in result["warnings"]:
        console.print(f"warning: {warning}", markup=False)
    scope = "every coalition" if result["core_checked"] == "all" else "players alone, all but one"
    if result["in_core"]:
        console.print(f"In the core: no coalition is better off leaving ({scope} checked).")
        return
    console.print(
        f"Not in the core: {result['objecting_coalitions']} coalitions are better off "
        f"leaving ({scope} checked); the largest gains:"
    )
    for o in result["objections"]:
        console.print(
            f"  {', '.join(o['coalition'])}: alone {o['stand_alone']:,.2f}, "
            f"allocated {o['allocated']:,.2f}, gains {o['gain']:,.2f}",
            markup=False,
        )
