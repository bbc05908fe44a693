"""Align: contract routes. Evaluate a buyer-supplier contract, or a grid of its terms for the
contract explorer. Pure computation over :mod:`podium.align.contracts`; reading needs
``align:read``. Bad input is a 422 problem whose pointers name the field (``#/terms/buyback``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated, Any, Literal

import numpy as np
from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field

from podium.align.contract_models import TERMS
from podium.align.contracts import ContractTerms, ContractType, evaluate, evaluate_grid
from podium.align.demand import Demand, InputError, parse_demand
from podium.core.auth import Permission, Principal
from podium.core.deps import require
from podium.core.errors import Invalid

router = APIRouter(tags=["align"])

Reader = Annotated[Principal, Depends(require(Permission.ALIGN_READ))]
MAX_GRID = 10_000
"""The most term combinations one grid request evaluates."""
GRID_KEYS = (
    "order_quantity",
    "buyer_profit",
    "supplier_profit",
    "chain_profit",
    "integrated_profit",
    "efficiency",
)
Term = Literal[
    "wholesale",
    "buyback",
    "share",
    "flexibility",
    "rebate",
    "threshold",
    "reservation",
    "savings",
    "investment",
    "savings_share",
    "investment_share",
]
assert set(TERMS) == set(Term.__args__)  # type: ignore[attr-defined]


class DemandIn(BaseModel):
    """A demand model (units): ``mean`` and ``sd`` (normal, lognormal), ``mean`` (Poisson) or
    ``forecast`` and past additive ``errors`` (empirical)."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["normal", "lognormal", "poisson", "empirical"]
    mean: float | None = None
    sd: float | None = None
    forecast: float | None = None
    errors: list[float] | None = Field(default=None, max_length=100_000)


class TermsIn(BaseModel):
    """The contract's terms; those left out default to their coordinating value."""

    model_config = ConfigDict(extra="forbid")
    wholesale: float | None = None
    buyback: float | None = None
    share: float | None = None
    flexibility: float | None = None
    rebate: float | None = None
    threshold: float | None = None
    reservation: float | None = None
    savings: float | None = None
    investment: float | None = None
    savings_share: float | None = None
    investment_share: float | None = None


class StatusQuoIn(BaseModel):
    """The status quo: the wholesale-price contract at ``wholesale``, or a profit pair."""

    model_config = ConfigDict(extra="forbid")
    wholesale: float | None = None
    buyer_profit: float | None = None
    supplier_profit: float | None = None


class ContractIn(BaseModel):
    """A contract to evaluate (currency per unit)."""

    model_config = ConfigDict(extra="forbid")
    type: ContractType
    price: float
    cost: float
    salvage: float = 0.0
    demand: str | DemandIn = Field(examples=["normal:1000:300"])
    terms: TermsIn = Field(default_factory=TermsIn)
    status_quo: StatusQuoIn | None = None


class Axis(BaseModel):
    """One term varied over ``count`` evenly spaced values from ``start`` to ``stop``."""

    model_config = ConfigDict(extra="forbid")
    term: Term
    start: float
    stop: float
    count: int = Field(ge=2, le=MAX_GRID)


class GridIn(BaseModel):
    """A grid of one or two terms, the others held at ``terms``."""

    model_config = ConfigDict(extra="forbid")
    type: ContractType
    price: float
    cost: float
    salvage: float = 0.0
    demand: str | DemandIn
    terms: TermsIn = Field(default_factory=TermsIn)
    axes: list[Axis] = Field(min_length=1, max_length=2)


def _pointer(field: str, demand_given_as_text: bool) -> str:
    if field in ("price", "cost", "salvage", "type", "status_quo"):
        return f"#/{field}"
    if field.startswith("demand"):
        return "#/demand" if demand_given_as_text else "#/" + field.replace(".", "/")
    return f"#/terms/{field}"


@contextmanager
def _located(demand: str | DemandIn) -> Iterator[None]:
    """Turn the model's InputError into a 422 problem pointing at the field."""
    try:
        yield
    except InputError as error:
        pointer = _pointer(error.field, isinstance(demand, str))
        raise Invalid(str(error), [{"pointer": pointer, "detail": error.message}]) from None


def _demand(given: str | DemandIn) -> Demand:
    if isinstance(given, str):
        return parse_demand(given)

    def need(name: str) -> float:
        value = getattr(given, name)
        if value is None:
            raise InputError(f"demand.{name}", f"is required for {given.kind} demand")
        return float(value)

    if given.kind == "normal":
        return Demand.normal(need("mean"), need("sd"))
    if given.kind == "lognormal":
        return Demand.lognormal(need("mean"), need("sd"))
    if given.kind == "poisson":
        return Demand.poisson(need("mean"))
    return Demand.empirical(need("forecast"), given.errors or [])


def _status_quo(given: StatusQuoIn | None) -> float | tuple[float, float] | None:
    if given is None:
        return None
    if given.buyer_profit is not None and given.supplier_profit is not None:
        return given.buyer_profit, given.supplier_profit
    if given.wholesale is None:
        raise InputError("status_quo", "give a wholesale price or both profits")
    return given.wholesale


def _listed(values: Any) -> Any:
    """Nested lists with NaN as None (JSON has no NaN)."""
    array = np.asarray(values, dtype=float).astype(object)
    array[~np.isfinite(np.asarray(values, dtype=float))] = None
    return array.tolist()


@router.post("/contracts/evaluate")
def evaluate_contract(body: ContractIn, principal: Reader) -> dict[str, Any]:
    """The buyer's order, each party's and the chain's expected profit, the efficiency, the
    coordinating terms and the deal zone of one contract."""
    with _located(body.demand):
        terms = ContractTerms(body.type, **body.terms.model_dump())
        found = evaluate(
            terms,
            _demand(body.demand),
            body.price,
            body.cost,
            body.salvage,
            status_quo=_status_quo(body.status_quo),
        )
    return found.as_dict()


@router.post("/contracts/grid")
def contract_grid(body: GridIn, principal: Reader) -> dict[str, Any]:
    """Profits and efficiency over a grid of one or two terms (at most 10,000 combinations;
    infeasible combinations are null)."""
    cells = int(np.prod([axis.count for axis in body.axes]))
    if cells > MAX_GRID:
        detail = f"the grid has {cells:,} combinations; at most {MAX_GRID:,}"
        raise Invalid(detail, [{"pointer": "#/axes", "detail": detail}])
    if len(body.axes) == 2 and body.axes[0].term == body.axes[1].term:
        detail = "the two axes must vary different terms"
        raise Invalid(detail, [{"pointer": "#/axes/1/term", "detail": detail}])
    values = [np.linspace(a.start, a.stop, a.count) for a in body.axes]
    terms: dict[str, Any] = {k: v for k, v in body.terms.model_dump().items() if v is not None}
    for index, (axis, axis_values) in enumerate(zip(body.axes, values, strict=True)):
        shape = [1] * len(body.axes)
        shape[index] = axis.count
        terms[axis.term] = axis_values.reshape(shape)
    with _located(body.demand):
        grid = evaluate_grid(
            body.type,
            _demand(body.demand),
            price=body.price,
            cost=body.cost,
            salvage=body.salvage,
            strict=False,
            **terms,
        )
    return {
        "type": ContractType(body.type).value,
        "axes": [
            {"term": a.term, "values": v.tolist()} for a, v in zip(body.axes, values, strict=True)
        ],
        **{key: _listed(grid[key]) for key in GRID_KEYS},
        "feasible": np.asarray(grid["feasible"]).tolist(),
    }
