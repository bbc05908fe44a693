"""``podium contract``: evaluate a buyer-supplier contract against the integrated chain.

Pure computation (no database): the buyer's order, each party's and the chain's expected
profit, the efficiency, the coordinating terms and the deal zone, as a table or ``--json``.
Bad input ends the command with code 2 and names the field.
"""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from podium.align.contracts import ContractTerms, ContractType, Outcome, evaluate
from podium.align.demand import InputError, parse_demand
from podium.core.clikit import console, err_console

Money = Annotated[float | None, typer.Option(help="Currency per unit.")]


def _status_quo(wholesale: float | None, profits: str | None) -> float | tuple[float, float] | None:
    if profits is None:
        return wholesale
    parts = profits.split(",")
    try:
        buyer, supplier = (float(p) for p in parts)
    except ValueError:
        raise InputError("status_quo", "give BUYER,SUPPLIER profits, e.g. 3800,4000") from None
    return buyer, supplier


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _terms(terms: dict[str, float] | None) -> str:
    if not terms:
        return "none"
    return ", ".join(f"{name} {value:,.4g}" for name, value in terms.items())


def _show(found: Outcome, demand: str) -> None:
    table = Table(title=f"{found.type.value} contract, demand {demand}")
    table.add_column("")
    table.add_column("order (units)", justify="right")
    table.add_column("expected profit", justify="right")
    table.add_column("share of chain", justify="right")
    chain = found.chain_profit
    for label, profit in (("Buyer", found.buyer_profit), ("Supplier", found.supplier_profit)):
        share = "-" if profit is None or chain == 0 else f"{profit / chain:.1%}"
        order = f"{found.order_quantity:,.1f}" if label == "Buyer" else ""
        table.add_row(label, order, _money(profit), share)
    table.add_row("Chain", f"{found.order_quantity:,.1f}", _money(chain), "100.0%")
    table.add_row(
        "Integrated optimum",
        f"{found.integrated_quantity:,.1f}",
        _money(found.integrated_profit),
        "",
    )
    console.print(table)
    console.print(f"Terms: {_terms(found.terms)}; efficiency {found.efficiency:.2%}")
    console.print(f"Coordinating terms: {_terms(found.coordinating_terms)}")
    zone = found.deal_zone
    if zone is None:
        if found.terms:
            console.print("Deal zone: none (no terms leave both at least as well off)")
        else:
            console.print("Deal zone: none (the integrated chain has no terms to split it)")
        return
    sq = found.status_quo or (0.0, 0.0)
    console.print(
        f"Deal zone: {zone.parameter} from {zone.low:,.4g} to {zone.high:,.4g} "
        f"({_terms(zone.terms_low)} to {_terms(zone.terms_high)}); status quo: buyer "
        f"{_money(sq[0])}, supplier {_money(sq[1])}"
        + ("; every point coordinates the chain" if zone.coordinating else "")
    )


def contract(
    type_: Annotated[ContractType, typer.Option("--type", help="The contract type.")],
    price: Annotated[float, typer.Option(help="Selling price (currency per unit).")],
    cost: Annotated[float, typer.Option(help="The supplier's unit cost (currency per unit).")],
    demand: Annotated[
        str,
        typer.Option(
            help="normal:MEAN:SD, lognormal:MEAN:SD, poisson:MEAN or "
            "empirical:FORECAST:E1,E2,... (units)."
        ),
    ],
    salvage: Annotated[float, typer.Option(help="Value of a leftover unit.")] = 0.0,
    wholesale: Annotated[
        float | None, typer.Option(help="Wholesale price (capacity reservation: exercise price).")
    ] = None,
    buyback: Money = None,
    share: Annotated[float | None, typer.Option(help="The buyer's share of revenue.")] = None,
    flexibility: Annotated[
        float | None, typer.Option(help="Share of the order the buyer may return.")
    ] = None,
    rebate: Money = None,
    threshold: Annotated[float | None, typer.Option(help="Rebate threshold (units).")] = None,
    reservation: Money = None,
    savings: Annotated[float | None, typer.Option(help="Cut in unit cost (gain sharing).")] = None,
    investment: Annotated[float | None, typer.Option(help="Initiative's investment.")] = None,
    savings_share: Annotated[
        float | None, typer.Option(help="The buyer's share of the saving.")
    ] = None,
    investment_share: Annotated[
        float | None, typer.Option(help="The buyer's share of the investment.")
    ] = None,
    status_quo_wholesale: Annotated[
        float | None, typer.Option(help="Status quo: the wholesale-price contract at this price.")
    ] = None,
    status_quo_profits: Annotated[
        str | None, typer.Option(help="Status quo: BUYER,SUPPLIER expected profits.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Evaluate a supply contract: the buyer's order, expected profits, efficiency against the
    integrated chain, the coordinating terms and the deal zone. Terms left out default to
    their coordinating value (e.g. the buyback for a wholesale price).

    Example: podium contract --type buyback --price 10 --cost 1 --demand normal:1000:300
    --wholesale 5 --buyback 3
    """
    terms = ContractTerms(
        type_,
        wholesale=wholesale,
        buyback=buyback,
        share=share,
        flexibility=flexibility,
        rebate=rebate,
        threshold=threshold,
        reservation=reservation,
        savings=savings,
        investment=investment,
        savings_share=savings_share,
        investment_share=investment_share,
    )
    try:
        parsed = parse_demand(demand)
        status_quo = _status_quo(status_quo_wholesale, status_quo_profits)
        found = evaluate(terms, parsed, price, cost, salvage, status_quo=status_quo)
    except InputError as error:
        err_console.print(f"[red]Invalid input:[/red] {error}", markup=True, highlight=False)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(found.as_dict(), indent=2))
    else:
        _show(found, parsed.spec if parsed.kind != "empirical" else "empirical")
