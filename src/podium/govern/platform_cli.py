"""``podium govern platforms``: platform-dependency assessments and terms-change scenarios.

Each command acts as a stored user (``--user``) and needs what the API needs: ``govern:read``
to list, show and compute, ``govern:write`` to assess.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.table import Table
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal, get_user, principal_of
from podium.core.clikit import cli_session, console
from podium.core.errors import Forbidden, Invalid
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.govern import platform as dependency
from podium.govern import platform_service as service

app = typer.Typer(help="Strategic dependency on platform partners.", no_args_is_help=True)

Ecosystem = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
Actor = Annotated[str, typer.Argument(help="The platform partner's actor key.")]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]
DASH = "\u2013"


def _open(
    session: Session, username: str, name: str, need: Permission
) -> tuple[Principal, eco.Ecosystem]:
    """Return the user and the ecosystem as it may see it; refuse users without ``need``."""
    principal = principal_of(get_user(session=session, username=username))
    if not principal.can(need):
        raise Forbidden(f"your role ({principal.role.value}) lacks {need.value}")
    return principal, eco_service.get_ecosystem(session=session, name=name, principal=principal)


def _index(value: float | None) -> str:
    return DASH if value is None else f"{value:.1f}"


@app.command("list")
def list_command(ecosystem: Ecosystem, user: User) -> None:
    """List the platform partners with their dependency index.

    Example: podium govern platforms list manufacturer --user ana
    """
    with cli_session() as session:
        _, found = _open(session, user, ecosystem, Permission.GOVERN_READ)
        views = service.list_assessments(session=session, ecosystem=found)
    table = Table(title=f"Platform partners of {ecosystem}")
    for column in ("Actor", "Kind", "Category", "Index", "Band", "Assessed"):
        table.add_column(column, justify="right" if column == "Index" else "left")
    for view in views:
        current = view.current
        table.add_row(
            f"{view.name} ({view.actor})",
            view.kind,
            current.category if current else DASH,
            _index(current.result.index) if current else DASH,
            current.result.band if current else "not assessed",
            f"v{current.version} {current.assessed_at:%Y-%m-%d}" if current else DASH,
        )
    console.print(table)


@app.command("questionnaire")
def questionnaire_command() -> None:
    """Print the questions, the meaning of each score 0-4, and their weights.

    Example: podium govern platforms questionnaire
    """
    for question in dependency.QUESTIONS:
        table = Table(title=f"{question.key} (weight {question.weight:g}): {question.text}")
        table.add_column("Score", justify="right")
        table.add_column("Meaning")
        for score, level in enumerate(question.levels):
            table.add_row(str(score), level)
        console.print(table)
    console.print("Categories: " + ", ".join(dependency.CATEGORIES))


def _read_answers(path: Path) -> dict[str, Any]:
    """Read ``{category, answers}`` from a YAML or JSON file."""
    text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise Invalid(f"{path.name} is not valid YAML/JSON: {error}") from None
    if not isinstance(data, dict):
        raise Invalid(f"{path.name}: expected a mapping with category and answers")
    return data


@app.command("assess")
def assess_command(
    ecosystem: Ecosystem,
    actor: Actor,
    path: Annotated[
        Path, typer.Argument(help="YAML/JSON: category, answers: {key: {score, note}}")
    ],
    user: User,
    category: Annotated[str | None, typer.Option(help="Overrides the file's category.")] = None,
) -> None:
    """Store a new assessment of a platform partner from an answers file.

    Example: podium govern platforms assess manufacturer nimbus nimbus.yaml --user ana
    """
    data = _read_answers(path)
    with cli_session() as session:
        principal, found = _open(session, user, ecosystem, Permission.GOVERN_WRITE)
        view = service.save_assessment(
            session=session,
            ecosystem=found,
            principal=principal,
            request_id=uuid.uuid4().hex,
            platform=actor,
            category=str(category or data.get("category") or ""),
            answers=data.get("answers", {}),
        )
    console.print(
        f"Stored version {view.version} of {actor}: index {_index(view.result.index)} "
        f"({view.result.band}, {view.result.coverage:.0%} answered)."
    )


@app.command("show")
def show_command(ecosystem: Ecosystem, actor: Actor, user: User) -> None:
    """Show a platform partner's index with its reasons, and what depends on it.

    Example: podium govern platforms show manufacturer nimbus --user ana
    """
    with cli_session() as session:
        _, found = _open(session, user, ecosystem, Permission.GOVERN_READ)
        view = service.get_assessment(session=session, ecosystem=found, platform=actor)
        exposed = service.exposure(session=session, ecosystem=found, platform=actor)
    current = view.current
    if current is None:
        console.print(f"{view.name} ({actor}) is not assessed.")
    else:
        result = current.result
        table = Table(
            title=f"{view.name}: index {_index(result.index)} ({result.band}), "
            f"version {current.version}, {result.coverage:.0%} answered"
        )
        for column in ("Question", "Score", "Weight", "Points", "Level", "Note"):
            numeric = column in ("Score", "Weight", "Points")
            table.add_column(column, justify="right" if numeric else "left")
        for r in result.reasons:
            table.add_row(r.key, str(r.score), f"{r.weight:g}", f"{r.points:.2f}", r.level, r.note)
        console.print(table)
        if result.missing:
            console.print("Unanswered: " + ", ".join(result.missing))
    console.print("Goes down with it: " + (", ".join(exposed.down_with) or "nothing"))
    console.print("Products depending on it: " + (", ".join(exposed.products) or "none"))
    console.print(
        "Products with no way around it: " + (", ".join(exposed.stopped_products) or "none")
    )


@app.command("terms-change")
def terms_change_command(
    ecosystem: Ecosystem,
    actor: Actor,
    user: User,
    days: Annotated[float, typer.Option(help="Days the platform is lost or degraded.")],
    capacity_share: Annotated[
        float, typer.Option(help="Share of its capacity it keeps (0: lost).")
    ] = 0.0,
) -> None:
    """Compute the stress-test impact of losing (or degrading) a platform for N days.

    Example: podium govern platforms terms-change manufacturer nimbus --days 14 --user ana
    """
    with cli_session() as session:
        _, found = _open(session, user, ecosystem, Permission.GOVERN_READ)
        with console.status(f"Stress-testing {actor} for {days:g} days ..."):
            impact = service.terms_change(
                session=session,
                ecosystem=found,
                platform=actor,
                days=days,
                capacity_share=capacity_share,
            )
    state = "lost" if capacity_share == 0 else f"at {capacity_share:.0%} of capacity"
    tts = f"{impact.tts_days:,.1f} days" if impact.tts_limited else "not limiting"
    console.print(f"{actor} {state} for {days:g} days:")
    console.print(f"  lost profit (PI): {impact.performance_impact:,.0f} {impact.currency}")
    console.print(f"  lost units: {impact.lost_units:,.0f}; time to survive: {tts}")
    console.print("  products hit: " + (", ".join(impact.products) or "none"))
    label = "sites down" if capacity_share == 0 else f"sites at {capacity_share:.0%} of capacity"
    console.print(f"  {label}: " + ", ".join(impact.sites_affected))
