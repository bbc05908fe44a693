"""``podium scorecards``: scorecard definitions, partner scorecards and segments.

Each command acts as a stored user (``--user``) and needs what the API needs: ``learn:read`` to
list and show (a partner: its own scorecard only), ``learn:write`` to set a definition; the
segments are the orchestrator's (partners are refused).
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table

from podium.core.auth import Permission
from podium.core.clikit import cli_session, console
from podium.learn import scorecard_service as service
from podium.learn.cli_kit import DASH, open_ecosystem, period_of_option

app = typer.Typer(help="Partner scorecards, segments and recommendations.", no_args_is_help=True)
definitions_app = typer.Typer(help="Scorecard definitions: criteria, weights, formulas.")
app.add_typer(definitions_app, name="definitions", no_args_is_help=True)

Ecosystem = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]
PeriodOption = Annotated[
    str | None,
    typer.Option("--period", help="2026, 2026-Q3, 2026-09 or 2026-W36; default: last quarter."),
]
DefinitionOption = Annotated[
    str | None, typer.Option("--definition", help="The definition's key; default: 'default'.")
]
COLOURS = {"excellent": "green", "good": "cyan", "watch": "yellow", "poor": "red"}
ACTION_COLOURS = {"deepen": "green", "maintain": "cyan", "redesign": "yellow", "exit": "red"}


def _number(value: float | None, digits: int = 1) -> str:
    return DASH if value is None else f"{value:,.{digits}f}"


def _standing(standing: str | None) -> str:
    if standing is None:
        return "no score"
    return f"[{COLOURS[standing]}]{standing}[/{COLOURS[standing]}]"


# --- definitions ----------------------------------------------------------------------------------


@definitions_app.command("list")
def definitions_list(ecosystem: Ecosystem, user: User) -> None:
    """List the current scorecard definitions.

    Example: podium scorecards definitions list manufacturer --user ana
    """
    with cli_session() as session:
        _, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_READ)
        stored = service.list_definitions(session=session, ecosystem=found)
    table = Table(title=f"Scorecard definitions of {ecosystem}")
    for column in ("Key", "Title", "Version", "Criteria", "By"):
        table.add_column(column)
    for d in stored:
        criteria = ", ".join(
            f"{c.kpi} {w:.0%}"
            for c, w in zip(d.definition.criteria, d.definition.weights(), strict=True)
        )
        version = "built-in" if d.version is None else f"v{d.version}"
        table.add_row(d.key, d.title, version, criteria, d.created_by or DASH)
    console.print(table)


def _read(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    try:
        return json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise typer.BadParameter(f"{path.name} is not valid YAML/JSON: {error}") from None


@definitions_app.command("set")
def definitions_set(
    ecosystem: Ecosystem,
    path: Annotated[Path, typer.Argument(help="YAML/JSON: key, title, criteria, standings.")],
    user: User,
    key: Annotated[str | None, typer.Option(help="Overrides the file's key.")] = None,
) -> None:
    """Store a new version of a definition from a file.

    Example: podium scorecards definitions set manufacturer delivery.yaml --user ana
    """
    data = _read(path)
    with cli_session() as session:
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_WRITE)
        stored = service.save_definition(
            session=session, ecosystem=found, data=data, key=key, principal=principal,
            request_id=uuid.uuid4().hex,
        )  # fmt: skip
    console.print(f"Stored version {stored.version} of {stored.key!r} ({stored.title}).")


@definitions_app.command("show")
def definitions_show(
    ecosystem: Ecosystem,
    user: User,
    key: Annotated[str, typer.Argument(help="The definition's key.")] = service.DEFAULT_KEY,
    version: Annotated[int | None, typer.Option(help="An older version.")] = None,
) -> None:
    """Show a definition's criteria, weights, formulas and standings.

    Example: podium scorecards definitions show manufacturer delivery --user ana
    """
    with cli_session() as session:
        _, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_READ)
        d = service.get_definition(session=session, ecosystem=found, key=key, version=version)
    version_text = "built-in" if d.version is None else f"version {d.version}"
    table = Table(title=f"{d.title} ({d.key}, {version_text})")
    table.add_column("KPI")
    table.add_column("Weight", justify="right")
    table.add_column("Formula (score 0-100 of value)", no_wrap=True)
    for c, w in zip(d.definition.criteria, d.definition.weights(), strict=True):
        table.add_row(f"{c.title} ({c.kpi})", f"{w:.0%}", c.effective_formula())
    console.print(table)
    s = d.definition.standings
    console.print(
        f"Standings: excellent >= {s.excellent:g}, good >= {s.good:g}, watch >= {s.watch:g}"
    )


# --- scorecards and segments ----------------------------------------------------------------------


@app.command("show")
def show_command(
    ecosystem: Ecosystem,
    user: User,
    period: PeriodOption = None,
    definition: DefinitionOption = None,
    partner: Annotated[str | None, typer.Option(help="Show one partner in detail.")] = None,
) -> None:
    """Show the partner scorecards of a period: totals, standings, trend.

    Example: podium scorecards show manufacturer --period 2026-Q3 --user ana
    """
    with cli_session() as session:
        chosen = period_of_option(period)
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_READ)
        cards = service.scorecards(
            session=session, ecosystem=found, period=chosen, definition_key=definition,
            principal=principal, partner=partner,
        )  # fmt: skip
    table = Table(title=f"Partner scorecards of {ecosystem}, {chosen.label}")
    for column in ("Partner", "Total", "Standing", "Coverage", "Trend", "Missing"):
        table.add_column(column, justify="right" if column in ("Total", "Coverage") else "left")
    for card in cards:
        slope = card.trend.slope
        trend = card.trend.direction + ("" if slope is None else f" ({slope:+.1f}/period)")
        total, standing = _number(card.card.total), _standing(card.card.standing)
        table.add_row(
            f"{card.name} ({card.partner})", total, standing, f"{card.card.coverage:.0%}", trend,
            ", ".join(card.card.missing) or DASH,
        )  # fmt: skip
    console.print(table)
    if partner is not None and cards:
        _detail(cards[0])


def _detail(card: service.PartnerScorecard) -> None:
    """The criteria of one card, then where the rows behind each KPI are."""
    table = Table(title=f"{card.name}: the criteria")
    for column in ("KPI", "Value", "Basis", "Score", "Weight", "Formula"):
        table.add_column(column, justify="left" if column in ("KPI", "Formula") else "right")
    for c in card.card.criteria:
        weight = f"{c.effective_weight:.0%}" if c.effective_weight is not None else c.note or DASH
        table.add_row(
            c.title, _number(c.value, 3), str(card.basis.get(c.kpi, 0)), _number(c.score),
            weight, c.formula,
        )  # fmt: skip
    console.print(table)
    for proof in card.evidence:
        console.print(f"{proof['title']} ({card.partner}'s rows):", highlight=False)
        for path in proof["rows"]:
            console.print(f"  {path}", soft_wrap=True, highlight=False)


@app.command("segments")
def segments_command(
    ecosystem: Ecosystem,
    user: User,
    period: PeriodOption = None,
    definition: DefinitionOption = None,
) -> None:
    """Segment the partner relationships and recommend deepen, maintain, redesign or exit.

    Example: podium scorecards segments manufacturer --period 2026-Q3 --user ana
    """
    with cli_session() as session:
        chosen = period_of_option(period)
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_READ)
        recommendations, source = service.segments(
            session=session, ecosystem=found, period=chosen, principal=principal,
            definition_key=definition,
        )  # fmt: skip
    table = Table(title=f"Relationships of {ecosystem}, {chosen.label}")
    for column in ("Partner", "Segment", "Action", "Criticality", "Score"):
        table.add_column(column, justify="right" if column == "Score" else "left")
    for r in recommendations:
        colour = ACTION_COLOURS[r.action]
        score = r.inputs.score if r.inputs else None
        table.add_row(
            f"{r.name or r.partner} ({r.partner})", r.segment, f"[{colour}]{r.action}[/{colour}]",
            r.criticality, _number(score, 0),
        )  # fmt: skip
    console.print(table)
    for r in recommendations:
        console.print(f"{r.partner}: {r.summary}", soft_wrap=True, highlight=False)
    for note in source.get("notes", []):
        console.print(f"Note: {note}")
