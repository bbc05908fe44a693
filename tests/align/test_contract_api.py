"""``POST /api/v1/contracts/evaluate`` and ``/contracts/grid``: align:read, 422 with pointers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from podium.align.contracts import ContractTerms, ContractType, evaluate
from podium.align.demand import Demand
from podium.core.auth import Role
from podium.ecosystem.service import import_spec
from tests.conftest import TokenFor
from tests.factories import small_spec

BUYBACK: dict[str, Any] = {
    "type": "buyback",
    "price": 10,
    "cost": 1,
    "salvage": 0,
    "demand": "normal:1000:300",
    "terms": {"wholesale": 5, "buyback": 3},
}


def test_evaluate_matches_the_model(client: TestClient, token_for: TokenFor) -> None:
    response = client.post(
        "/api/v1/contracts/evaluate", json=BUYBACK, headers=token_for(Role.VIEWER)
    )
    assert response.status_code == 200, response.text
    found = response.json()
    expected = evaluate(
        ContractTerms(ContractType.BUYBACK, wholesale=5, buyback=3),
        Demand.normal(1000, 300),
        10,
        1,
        0,
    )
    for key in ("order_quantity", "buyer_profit", "supplier_profit", "chain_profit", "efficiency"):
        assert found[key] == pytest.approx(getattr(expected, key))
    assert found["coordinating_terms"]["buyback"] == pytest.approx(4 + 4 / 9)
    assert found["deal_zone"]["coordinating"] is True


def test_demand_as_an_object_and_a_status_quo(client: TestClient, token_for: TokenFor) -> None:
    body = {
        **BUYBACK,
        "type": "revenue-sharing",
        "terms": {"share": 0.5},
        "demand": {"kind": "empirical", "forecast": 1000, "errors": [-300, -100, 0, 100, 300]},
        "status_quo": {"buyer_profit": 100, "supplier_profit": 200},
    }
    response = client.post("/api/v1/contracts/evaluate", json=body, headers=token_for(Role.ANALYST))
    assert response.status_code == 200, response.text
    found = response.json()
    assert found["efficiency"] == pytest.approx(1.0)
    assert found["status_quo"] == {"buyer_profit": 100, "supplier_profit": 200}
    assert found["demand"]["kind"] == "empirical"


@pytest.mark.parametrize(
    ("change", "pointer"),
    [
        ({"price": -1}, "#/price"),
        ({"salvage": 3}, "#/salvage"),
        ({"terms": {"wholesale": 5, "buyback": 9}}, "#/terms/buyback"),
        ({"terms": {"buyback": 3}}, "#/terms/wholesale"),
        ({"demand": "normal:1000"}, "#/demand"),
        ({"demand": {"kind": "normal", "mean": 1000}}, "#/demand/sd"),
        ({"type": "barter"}, "#/type"),
        ({"terms": {"wholesale": 5, "bonus": 1}}, "#/terms/bonus"),
    ],
)
def test_bad_input_is_422_with_a_pointer(
    client: TestClient, token_for: TokenFor, change: dict[str, Any], pointer: str
) -> None:
    response = client.post(
        "/api/v1/contracts/evaluate", json={**BUYBACK, **change}, headers=token_for(Role.VIEWER)
    )
    assert response.status_code == 422, response.text
    assert pointer in [e["pointer"] for e in response.json()["errors"]]


def test_partners_and_strangers_are_refused(client: TestClient, token_for: TokenFor) -> None:
    assert client.post("/api/v1/contracts/evaluate", json=BUYBACK).status_code == 401
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        eco_id = import_spec(session=db, spec=small_spec()).id
        db.commit()
    partner = token_for(Role.PARTNER_USER, ecosystem_id=eco_id, actor="castco")
    for path in ("/api/v1/contracts/evaluate", "/api/v1/contracts/grid"):
        assert client.post(path, json=BUYBACK, headers=partner).status_code == 403


def test_grid_of_two_terms(client: TestClient, token_for: TokenFor) -> None:
    body = {
        **BUYBACK,
        "terms": {},
        "axes": [
            {"term": "wholesale", "start": 2, "stop": 9, "count": 8},
            {"term": "buyback", "start": 0, "stop": 6, "count": 4},
        ],
    }
    response = client.post("/api/v1/contracts/grid", json=body, headers=token_for(Role.VIEWER))
    assert response.status_code == 200, response.text
    found = response.json()
    assert [len(a["values"]) for a in found["axes"]] == [8, 4]
    assert len(found["buyer_profit"]) == 8 and len(found["buyer_profit"][0]) == 4
    # w = 2, b = 6 is infeasible (b >= w - v): null, not an error
    assert found["feasible"][0][3] is False and found["buyer_profit"][0][3] is None
    one = evaluate(
        ContractTerms(ContractType.BUYBACK, wholesale=9, buyback=4), Demand.normal(1000, 300), 10, 1
    )
    assert found["buyer_profit"][7][2] == pytest.approx(one.buyer_profit)


def test_grid_is_capped(client: TestClient, token_for: TokenFor) -> None:
    body = {
        **BUYBACK,
        "axes": [
            {"term": "wholesale", "start": 2, "stop": 9, "count": 200},
            {"term": "buyback", "start": 0, "stop": 1, "count": 51},
        ],
    }
    response = client.post("/api/v1/contracts/grid", json=body, headers=token_for(Role.VIEWER))
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "#/axes"
