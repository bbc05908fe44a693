"""The scorecard API over HTTP on SQLite and PostgreSQL: who may do what (analyst, viewer,
partners), bad formulas named by their pointer, scorecards with evidence and segments."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from podium.core.auth import Role
from podium.core.db import unit_of_work
from podium.ecosystem import service as eco_service
from tests.conftest import TokenFor
from tests.factories import small_spec

ECO = "/api/v1/ecosystems/small"
DELIVERY: dict[str, Any] = {
    "title": "Delivery",
    "criteria": [
        {"kpi": "otif", "weight": 3},
        {"kpi": "recovery_time_days", "weight": 1, "best": 7, "worst": 56},
    ],
}
Headers = dict[str, str]


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def eco_id(client: TestClient) -> int:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        return eco_service.import_spec(session=session, spec=small_spec()).id


@pytest.fixture
def users(token_for: TokenFor, eco_id: int) -> dict[str, Headers]:
    return {
        "analyst": token_for(Role.ANALYST),
        "viewer": token_for(Role.VIEWER),
        "castco": token_for(Role.PARTNER_USER, ecosystem_id=eco_id, actor="castco"),
        "alloy": token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="alloy"),
    }


def _line(order: str, promised: str, delivered: str) -> dict[str, Any]:
    return {"order_id": order, "item": "housing", "ship_to": "oem-plant",
            "promised_date": promised, "promised_quantity": 100, "delivered_date": delivered,
            "delivered_quantity": 100}  # fmt: skip


@pytest.fixture
def delivered(client: TestClient, users: dict[str, Headers]) -> dict[str, Headers]:
    """CastCo: 3 of 4 Q3 lines OTIF (75); Alloy: its one Q3 line late (0)."""
    castco = [
        _line("c1", "2026-07-10", "2026-07-09"), _line("c2", "2026-07-20", "2026-07-20"),
        _line("c3", "2026-08-05", "2026-08-04"), _line("c4", "2026-09-01", "2026-09-03"),
    ]  # fmt: skip
    for who, lines in (("castco", castco), ("alloy", [_line("a1", "2026-08-01", "2026-08-20")])):
        ok(client.post(f"{ECO}/data/deliveries", json={"records": lines}, headers=users[who]), 201)
    ok(client.put(f"{ECO}/scorecard-definitions/delivery", json=DELIVERY, headers=users["analyst"]))
    return users


def test_definitions_need_learn_write_and_bad_formulas_are_422(
    client: TestClient, users: dict[str, Headers]
) -> None:
    """Viewers and partners read definitions but may not store them; a bad formula comes back
    as problem details with the criterion's pointer."""
    url = f"{ECO}/scorecard-definitions"
    listed = ok(client.get(url, headers=users["castco"]))
    assert [d["key"] for d in listed] == ["default"] and listed[0]["builtin"] is True
    for who in ("viewer", "castco"):
        assert client.put(f"{url}/delivery", json=DELIVERY, headers=users[who]).status_code == 403
    bad = {**DELIVERY, "criteria": [{"kpi": "otif", "weight": 1, "formula": "__import__('os')"}]}
    response = client.put(f"{url}/delivery", json=bad, headers=users["analyst"])
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.json()["errors"] == [
        {"pointer": "/criteria/0/formula",
         "detail": "only min, max, abs and clip may be called ('__import__')"}
    ]  # fmt: skip
    stored = ok(client.put(f"{url}/delivery", json=DELIVERY, headers=users["analyst"]))
    assert (stored["version"], stored["created_by"]) == (1, "analyst-0")
    ok(client.put(f"{url}/delivery", json={**DELIVERY, "title": "v2"}, headers=users["analyst"]))
    got = ok(client.get(f"{url}/delivery", headers=users["viewer"]))
    assert (got["title"], got["versions"]) == ("v2", [1, 2])
    assert got["definition"]["criteria"][1]["effective_formula"].startswith(
        "clip(100 * (value - 56)"
    )
    assert client.get(f"{url}/nope", headers=users["viewer"]).status_code == 404


def test_scorecards_for_staff_and_partners(
    client: TestClient, delivered: dict[str, Headers]
) -> None:
    """Staff see every partner; a partner only itself, and another's card is refused."""
    query = {"period": "2026-Q3", "definition": "delivery"}
    cards = ok(client.get(f"{ECO}/scorecards", params=query, headers=delivered["viewer"]))
    totals = {c["partner"]: (c["total"], c["standing"]) for c in cards}
    assert totals == {"alloy": (0.0, "poor"), "castco": (75.0, "good")}
    own = ok(client.get(f"{ECO}/scorecards", params=query, headers=delivered["castco"]))
    assert [c["partner"] for c in own] == ["castco"]
    card = ok(client.get(f"{ECO}/scorecards/castco", params=query, headers=delivered["castco"]))
    assert card["values"]["otif"] == pytest.approx(0.75)
    otif = card["evidence"][0]
    assert otif["rows"] == [f"{ECO}/data/deliveries?start=2026-07-01&end=2026-10-01"]
    assert otif["provider"] == "castco"
    deliveries = ok(client.get(otif["rows"][0], headers=delivered["castco"]))
    assert len(deliveries["rows"]) == card["basis"]["otif"] == 4
    table = ok(client.get(otif["kpi_path"], headers=delivered["viewer"]))
    assert {r["groups"]["provider"]: r["value"] for r in table["rows"]} == {
        "alloy": 0.0, "castco": 0.75
    }  # fmt: skip
    series = ok(client.get(otif["series_path"], headers=delivered["castco"]))
    assert series["points"][-1]["period"] == "2026-Q3"
    other = client.get(f"{ECO}/scorecards/alloy", params=query, headers=delivered["castco"])
    assert other.status_code == 403
    bad = client.get(f"{ECO}/scorecards", params={"period": "2026-Q5"}, headers=delivered["viewer"])
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "#/query/period"


def test_segments_are_the_orchestrators(client: TestClient, delivered: dict[str, Headers]) -> None:
    """Partners get 403; staff get each relationship with its reasons."""
    query = {"period": "2026-Q3", "definition": "delivery"}
    assert (
        client.get(f"{ECO}/segments", params=query, headers=delivered["castco"]).status_code == 403
    )
    found = ok(client.get(f"{ECO}/segments", params=query, headers=delivered["viewer"]))
    assert found["period"] == "2026-Q3"
    by = {r["partner"]: r for r in found["relationships"]}
    assert (by["alloy"]["segment"], by["alloy"]["action"]) == ("at risk", "redesign")
    assert by["castco"]["summary"].startswith("unknown: no stress-test result; scorecard 75 (good)")
    assert found["criticality_source"]["notes"][0].startswith("no stress test stored")
