"""``podium kpis``: compute KPIs, set targets, record initiatives and reviews.

Each command acts as a stored user (``--user``) and needs what the API needs: ``learn:read`` to
show and list (a partner user sees its own numbers), ``learn:write`` to change targets, check
them (storing breaches), record initiatives, reviews and finance inputs.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
import yaml
from pydantic import BaseModel, ValidationError
from rich.table import Table

from podium.core.auth import Permission
from podium.core.clikit import cli_session, console
from podium.core.errors import Invalid
from podium.learn import frames, log_service, service, targets
from podium.learn.cli_kit import DASH, open_ecosystem, period_of_option
from podium.learn.schemas import InitiativeIn, InitiativeUpdate, ReviewIn

app = typer.Typer(
    help="Ecosystem KPIs, their targets, joint initiatives and reviews.", no_args_is_help=True
)
targets_app = typer.Typer(help="KPI targets and thresholds.", no_args_is_help=True)
initiatives_app = typer.Typer(help="Joint initiatives with partners.", no_args_is_help=True)
reviews_app = typer.Typer(
    help="The learning log: period and incident reviews.", no_args_is_help=True
)
app.add_typer(targets_app, name="targets")
app.add_typer(initiatives_app, name="initiatives")
app.add_typer(reviews_app, name="reviews")

Ecosystem = Annotated[str, typer.Argument(help="The stored ecosystem's name.")]
User = Annotated[str, typer.Option("--user", help="Act as this stored user.")]
PeriodOption = Annotated[
    str | None,
    typer.Option("--period", help="2026, 2026-Q3, 2026-09 or 2026-W36 (default: last quarter)."),
]
Model = TypeVar("Model", bound=BaseModel)


def _validated(model: type[Model], data: Any, what: str) -> Model:
    """``data`` as ``model``; a refusal lists each field's problem with its pointer."""
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = [
            {"pointer": "/" + "/".join(str(p) for p in e["loc"]), "detail": e["msg"]}
            for e in error.errors(include_url=False)
        ]
        raise Invalid(f"the {what} is not valid", errors) from None


def _value(value: float | None, unit: str) -> str:
    if value is None:
        return DASH
    return f"{value:.1%}" if unit == "share" else f"{value:,.2f}"


@app.command("show")
def show_command(
    ecosystem: Ecosystem,
    user: User,
    period: PeriodOption = None,
    by: Annotated[str, typer.Option(help="Comma-separated grouping, e.g. provider.")] = "",
    keys: Annotated[
        str | None, typer.Option(help="Comma-separated KPI keys (default all).")
    ] = None,
) -> None:
    """Show the KPIs of a period as a table (value and the basis it rests on).

    Example: podium kpis show manufacturer --period 2026-Q3 --by provider
    --keys otif,forecast_wape --user ana
    """
    groups = [g.strip() for g in by.split(",") if g.strip()]
    wanted = [k.strip() for k in keys.split(",") if k.strip()] if keys else None
    with cli_session() as session:
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_READ)
        chosen = period_of_option(period)
        results = service.compute(
            session=session,
            ecosystem=found,
            period=chosen,
            keys=wanted,
            by=groups,
            principal=principal,
        )
        rows = service.table_rows(results, groups)
    table = Table(title=f"KPIs of {ecosystem}, {chosen.label}")
    for column in ("KPI", *groups, "Value", "Unit", "Basis"):
        table.add_column(column, justify="right" if column in ("Value", "Basis") else "left")
    for row in rows:
        groups_text = [DASH if row[g] is None else str(row[g]) for g in groups]
        table.add_row(
            row["title"],
            *groups_text,
            _value(row["value"], row["unit"]),
            row["unit"],
            str(row["basis"]),
        )
    console.print(table)


@app.command("check")
def check_command(ecosystem: Ecosystem, user: User, period: PeriodOption = None) -> None:
    """Check the targets against a period and raise each breach once as a data exception.

    Example: podium kpis check manufacturer --period 2026-Q3 --user ana
    """
    with cli_session() as session:
        _, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_WRITE)
        chosen = period_of_option(period)
        checks = targets.check_targets(session=session, ecosystem=found, period=chosen)
    table = Table(title=f"Targets of {ecosystem}, {chosen.label}")
    for column in ("KPI", "Scope", "Value", "Target", "Breach at", "Status"):
        table.add_column(column)
    for c in checks:
        unit = frames.KPIS[c.target.kpi].unit
        status = c.status + (f" ({c.severity})" if c.severity else "")
        table.add_row(
            c.target.kpi, c.target.scope, _value(c.value, unit), _value(c.target.target, unit),
            _value(c.target.breach, unit), status,
        )  # fmt: skip
    console.print(table)
    console.print(f"{len(targets.breaches(checks))} breach(es) raised as kpi_breach exceptions.")


@app.command("finance")
def finance_command(
    ecosystem: Ecosystem,
    period: Annotated[str, typer.Argument(help="The period, e.g. 2026-Q3.")],
    user: User,
    dso: Annotated[float, typer.Option("--dso", help="Days sales outstanding.")],
    dpo: Annotated[float, typer.Option("--dpo", help="Days payables outstanding.")],
) -> None:
    """Record a period's DSO and DPO (days) for the cash-to-cash cycle.

    Example: podium kpis finance manufacturer 2026-Q3 --dso 42 --dpo 55 --user ana
    """
    with cli_session() as session:
        _, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_WRITE)
        chosen = period_of_option(period)
        service.set_finance(
            session=session, ecosystem=found, period=chosen, dso_days=dso, dpo_days=dpo
        )
    console.print(f"Recorded DSO {dso:g} and DPO {dpo:g} days for {chosen.label}.")


@targets_app.command("list")
def targets_list(ecosystem: Ecosystem, user: User) -> None:
    """List the KPI targets.

    Example: podium kpis targets list manufacturer --user ana
    """
    with cli_session() as session:
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_READ)
        stored = targets.list_targets(session=session, ecosystem=found, principal=principal)
        rows = [(t.kpi, t.scope, t.target, t.warning, t.breach, t.better) for t in stored]
    table = Table(title=f"KPI targets of {ecosystem}")
    for column in ("KPI", "Scope", "Target", "Warning at", "Breach at", "Better"):
        table.add_column(column)
    for kpi, scope, target, warning, breach, better in rows:
        unit = frames.KPIS[kpi].unit
        table.add_row(
            kpi, scope, _value(target, unit), _value(warning, unit), _value(breach, unit), better
        )
    console.print(table)


@targets_app.command("set")
def targets_set(
    ecosystem: Ecosystem,
    kpi: Annotated[str, typer.Argument(help="The KPI key, e.g. otif.")],
    user: User,
    target: Annotated[float, typer.Option(help="The target, in the KPI's unit (shares 0..1).")],
    breach: Annotated[float, typer.Option(help="The breach threshold.")],
    warning: Annotated[float | None, typer.Option(help="The warning threshold.")] = None,
    scope: Annotated[str, typer.Option(help="'ecosystem' or a partner actor key.")] = "ecosystem",
) -> None:
    """Create or change a KPI's target for the ecosystem or a partner.

    Example: podium kpis targets set manufacturer otif --target 0.95 --warning 0.9
    --breach 0.85 --scope velora --user ana
    """
    with cli_session() as session:
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_WRITE)
        targets.set_target(
            session=session, ecosystem=found, kpi=kpi, scope=scope, target=target, breach=breach,
            warning=warning, principal=principal, request_id="cli",
        )  # fmt: skip
    console.print(f"Target of {kpi} for {scope}: {target:g} (breach at {breach:g}).")


@targets_app.command("remove")
def targets_remove(
    ecosystem: Ecosystem,
    kpi: Annotated[str, typer.Argument(help="The KPI key.")],
    user: User,
    scope: Annotated[str, typer.Option(help="'ecosystem' or a partner actor key.")] = "ecosystem",
) -> None:
    """Remove a KPI's target.

    Example: podium kpis targets remove manufacturer otif --scope velora --user ana
    """
    with cli_session() as session:
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_WRITE)
        targets.delete_target(
            session=session, ecosystem=found, kpi=kpi, scope=scope, principal=principal
        )
    console.print(f"Removed the target of {kpi} for {scope}.")


@initiatives_app.command("list")
def initiatives_list(ecosystem: Ecosystem, user: User) -> None:
    """List the joint initiatives.

    Example: podium kpis initiatives list manufacturer --user ana
    """
    with cli_session() as session:
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_READ)
        stored = log_service.list_initiatives(session=session, ecosystem=found, principal=principal)
        rows = [
            (i.key, i.title, ", ".join(i.partners), str(i.started_on),
             str(i.launched_on) if i.launched_on else DASH, f"{i.value_created:,.0f} {i.currency}")
            for i in stored
        ]  # fmt: skip
    table = Table(title=f"Joint initiatives of {ecosystem}")
    for column in ("Key", "Title", "Partners", "Started", "Launched", "Value created"):
        table.add_column(column)
    for row in rows:
        table.add_row(*row)
    console.print(table)


@initiatives_app.command("add")
def initiatives_add(
    ecosystem: Ecosystem,
    key: Annotated[str, typer.Argument(help="A key for the initiative.")],
    user: User,
    title: Annotated[str, typer.Option(help="What it is.")],
    partner: Annotated[list[str], typer.Option(help="A partner actor key (repeat).")],
    started_on: Annotated[str, typer.Option(help="Start date, YYYY-MM-DD.")],
    cost: Annotated[float, typer.Option(help="Cost (currency).")] = 0.0,
) -> None:
    """Record a joint initiative.

    Example: podium kpis initiatives add manufacturer light-housing --title "Lighter housing"
    --partner velora --started-on 2026-01-10 --user ana
    """
    with cli_session() as session:
        data = _validated(
            InitiativeIn,
            {
                "key": key,
                "title": title,
                "partners": partner,
                "started_on": started_on,
                "cost": cost,
            },
            "initiative",
        )
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_WRITE)
        log_service.create_initiative(
            session=session, ecosystem=found, data=data, principal=principal
        )
    console.print(f"Recorded initiative {key} with {', '.join(partner)}.")


@initiatives_app.command("launch")
def initiatives_launch(
    ecosystem: Ecosystem,
    key: Annotated[str, typer.Argument(help="The initiative's key.")],
    user: User,
    on: Annotated[str, typer.Option("--on", help="Launch date, YYYY-MM-DD.")],
    value_created: Annotated[float | None, typer.Option(help="Value created (currency).")] = None,
    cost_reduction: Annotated[float | None, typer.Option(help="Cost reduction (currency).")] = None,
    revenue_enabled: Annotated[
        float | None, typer.Option(help="Revenue enabled (currency).")
    ] = None,
) -> None:
    """Record an initiative's launch and the value it created.

    Example: podium kpis initiatives launch manufacturer light-housing --on 2026-08-01
    --value-created 500000 --user ana
    """
    given = {
        "value_created": value_created,
        "cost_reduction": cost_reduction,
        "revenue_enabled": revenue_enabled,
    }
    with cli_session() as session:
        data = _validated(
            InitiativeUpdate,
            {"launched_on": on, **{k: v for k, v in given.items() if v is not None}},
            "launch",
        )
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_WRITE)
        item = log_service.update_initiative(
            session=session, ecosystem=found, key=key, data=data, principal=principal
        )
        days = (item.launched_on or date.min) - item.started_on
    console.print(f"Launched {key} on {on}, {days.days} days after its start.")


@reviews_app.command("list")
def reviews_list(ecosystem: Ecosystem, user: User, period: PeriodOption = None) -> None:
    """List the reviews with their entries.

    Example: podium kpis reviews list manufacturer --period 2026-Q3 --user ana
    """
    with cli_session() as session:
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_READ)
        label = period_of_option(period).label if period else None
        stored = log_service.list_reviews(
            session=session, ecosystem=found, principal=principal, period=label
        )
        shown = [
            (r.id, r.title, r.period or r.incident, log_service.visible_entries(r, principal))
            for r in stored
        ]
    for ident, title, subject, entries in shown:
        table = Table(title=f"#{ident} {title} ({subject})")
        for column in ("Kind", "Text", "Partners", "Links"):
            table.add_column(column)
        for e in entries:
            links = ", ".join(f"{link['kind']}:{link['id']}" for link in e.get("links", []))
            table.add_row(e["kind"], e["text"], ", ".join(e.get("partners", [])), links or DASH)
        console.print(table)
    if not shown:
        console.print("No reviews.")


@reviews_app.command("add")
def reviews_add(
    ecosystem: Ecosystem,
    path: Annotated[Path, typer.Argument(help="YAML/JSON: kind, period|incident, title, entries.")],
    user: User,
) -> None:
    """Record a review from a YAML or JSON file.

    Example: podium kpis reviews add manufacturer q3-review.yaml --user ana
    """
    text = path.read_text(encoding="utf-8")
    try:
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise typer.BadParameter(f"{path.name} is not valid YAML/JSON: {error}") from None
    with cli_session() as session:
        data = _validated(ReviewIn, raw, f"review in {path.name}")
        principal, found = open_ecosystem(session, user, ecosystem, Permission.LEARN_WRITE)
        review = log_service.create_review(
            session=session, ecosystem=found, data=data, principal=principal
        )
        ident = review.id
    console.print(f"Recorded review #{ident} with {len(data.entries)} entries.")
