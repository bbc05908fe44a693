"""``podium contract``: the table, --json with the issue's keys, exit code 2 naming the field."""

from __future__ import annotations

import json

import pytest
import typer
from typer.testing import CliRunner

from podium.align.contract_cli import contract
from podium.align.contracts import ContractTerms, ContractType, evaluate
from podium.align.demand import parse_demand

runner = CliRunner()
app = typer.Typer()
app.command("contract")(contract)


@app.command("noop")
def _noop() -> None:
    """A second command, so that ``contract`` is a sub-command as under ``podium``."""


BASE = ["contract", "--price", "10", "--cost", "1", "--salvage", "0"]
NORMAL = ["--demand", "normal:1000:300"]


def text(output: str) -> str:
    """The output with Rich's table rules and line wrapping undone."""
    return " ".join(output.replace("\u2502", " ").replace("\u2503", " ").split())


def test_buyback_json_matches_the_model() -> None:
    """The issue's example: buyback w = 5, b = 3 against normal(1000, 300), p = 10, c = 1."""
    result = runner.invoke(
        app, [*BASE, "--type", "buyback", *NORMAL, "--wholesale", "5", "--buyback", "3", "--json"]
    )
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    expected = evaluate(
        ContractTerms(ContractType.BUYBACK, wholesale=5, buyback=3),
        parse_demand("normal:1000:300"),
        10,
        1,
        0,
    )
    for key in ("order_quantity", "buyer_profit", "supplier_profit", "chain_profit", "efficiency"):
        assert found[key] == pytest.approx(getattr(expected, key))
    assert found["coordinating_terms"] == pytest.approx({"wholesale": 5.0, "buyback": 4.0 + 4 / 9})
    assert found["deal_zone"]["parameter"] == "wholesale"
    assert found["deal_zone"]["coordinating"] is True
    assert found["efficiency"] < 1


@pytest.mark.parametrize(
    "options",
    [
        ["--type", "wholesale", "--wholesale", "5"],
        ["--type", "revenue-sharing", "--share", "0.45"],
        ["--type", "quantity-flexibility", "--flexibility", "0.2", "--wholesale", "5"],
        ["--type", "sales-rebate", "--wholesale", "5", "--rebate", "2", "--threshold", "900"],
        ["--type", "capacity-reservation", "--wholesale", "3", "--reservation", "1"],
        [
            "--type",
            "gain-sharing",
            "--wholesale",
            "5",
            "--savings",
            "0.5",
            "--savings-share",
            "0.5",
            "--investment",
            "300",
        ],
        ["--type", "integrated"],
    ],
)
def test_every_type_answers_in_json(options: list[str]) -> None:
    result = runner.invoke(app, [*BASE, *NORMAL, *options, "--json"])
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    assert found["type"] == options[1]
    assert found["order_quantity"] > 0 and 0 < found["efficiency"] <= 1 + 1e-12
    assert {
        "buyer_profit",
        "supplier_profit",
        "chain_profit",
        "coordinating_terms",
        "deal_zone",
    } <= set(found)


def test_revenue_sharing_at_coordinating_terms_is_fully_efficient() -> None:
    result = runner.invoke(
        app, [*BASE, *NORMAL, "--type", "revenue-sharing", "--share", "0.45", "--json"]
    )
    found = json.loads(result.output)
    assert found["terms"] == pytest.approx({"share": 0.45, "wholesale": 0.45})
    assert found["efficiency"] == pytest.approx(1.0)
    assert found["buyer_profit"] == pytest.approx(0.45 * found["integrated_profit"])


def test_table_shows_profits_terms_and_deal_zone() -> None:
    result = runner.invoke(
        app, [*BASE, "--type", "buyback", *NORMAL, "--wholesale", "5", "--buyback", "3"]
    )
    assert result.exit_code == 0, result.output
    shown = text(result.output)
    assert "Buyer 1,169.8 4,286.20 51.7%" in shown
    assert "Integrated optimum 1,384.5 8,473.51" in shown
    assert "Coordinating terms: wholesale 5, buyback 4.444" in shown
    assert "Deal zone: wholesale from 5.249 to 5.961" in shown


def test_status_quo_profits_move_the_deal_zone() -> None:
    args = [*BASE, *NORMAL, "--type", "revenue-sharing", "--share", "0.5", "--json"]
    result = runner.invoke(app, [*args, "--status-quo-profits", "2000,3000"])
    zone = json.loads(result.output)["deal_zone"]
    assert zone["low"] == pytest.approx(2000 / 8473.50500420254, rel=1e-6)
    assert zone["high"] == pytest.approx(1 - 3000 / 8473.50500420254, rel=1e-6)


@pytest.mark.parametrize(
    ("options", "field"),
    [
        (["--type", "wholesale", "--wholesale", "5", "--price", "-1"], "price"),
        (["--type", "wholesale", "--wholesale", "5", "--salvage", "2"], "salvage"),
        (["--type", "wholesale", "--wholesale", "12"], "wholesale"),
        (["--type", "buyback", "--wholesale", "5", "--buyback", "6"], "buyback"),
        (["--type", "revenue-sharing", "--share", "1.5"], "share"),
        (["--type", "wholesale"], "wholesale"),
        (["--type", "wholesale", "--wholesale", "5", "--share", "0.4"], "share"),
        (["--type", "wholesale", "--wholesale", "5", "--status-quo-profits", "1"], "status_quo"),
    ],
)
def test_bad_input_exits_2_naming_the_field(options: list[str], field: str) -> None:
    result = runner.invoke(app, [*BASE, *NORMAL, *options])
    assert result.exit_code == 2
    assert f"{field}: " in text(result.output)


def test_bad_demand_exits_2() -> None:
    result = runner.invoke(app, [*BASE, "--type", "integrated", "--demand", "gamma:1:2"])
    assert result.exit_code == 2
    assert "demand: unknown distribution 'gamma'" in text(result.output)
