"""``POST /api/v1/games/allocate``: who may call it, the allocation, and bad games by pointer."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

import podium
from podium.core.auth import Role
from podium.core.db import unit_of_work
from podium.ecosystem import service as eco_service
from podium.samples import SAMPLES
from tests.conftest import TokenFor

URL = "/api/v1/games/allocate"
AIRPORT: dict[str, Any] = {
    "players": ["A", "B", "C", "D"],
    "cost_model": {"airport": {"A": 8, "B": 11, "C": 13, "D": 18}},
}


def partner_scope(client: TestClient) -> dict[str, Any]:
    """A partner of the imported manufacturer sample."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        spec = podium.load(SAMPLES["manufacturer"])
        return {
            "ecosystem_id": eco_service.import_spec(session=session, spec=spec).id,
            "actor": "nimbus",
        }


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("admin", 200),
        ("analyst", 200),
        ("viewer", 200),
        ("partner_admin", 403),
        ("partner_user", 403),
    ],
)
def test_permissions(client: TestClient, token_for: TokenFor, role: str, status: int) -> None:
    scope = partner_scope(client) if role.startswith("partner") else {}
    headers = token_for(Role(role), **scope)
    response = client.post(URL, json={"game": AIRPORT}, headers=headers)
    assert response.status_code == status, response.text


def test_signed_out_is_refused(client: TestClient) -> None:
    assert client.post(URL, json={"game": AIRPORT}).status_code == 401


def test_shapley_and_nucleolus(client: TestClient, token_for: TokenFor) -> None:
    """Littlechild & Owen (1973): Shapley (2, 3, 4, 9) of runway costs 8, 11, 13, 18."""
    headers = token_for(Role.VIEWER)
    found = client.post(URL, json={"game": AIRPORT, "method": "shapley"}, headers=headers).json()
    assert found["allocation"] == pytest.approx({"A": 2, "B": 3, "C": 4, "D": 9})
    assert found["in_core"] and found["core_checked"] == "all"
    body: dict[str, Any] = {"game": AIRPORT, "method": "nucleolus"}
    found = client.post(URL, json=body, headers=headers).json()
    assert sum(found["allocation"].values()) == pytest.approx(18) and found["in_core"]
    body = {"game": AIRPORT, "samples": 200, "seed": 1}
    found = client.post(URL, json=body, headers=headers).json()
    assert found["samples"] == 200 and all(p["std_error"] is not None for p in found["players"])


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        (
            {"game": {"players": ["A", "B"], "coalition_costs": {"A": 1, "B": 1}}},
            "#/game/coalition_costs",
        ),
        (
            {"game": {"players": ["A"], "cost_model": {"airport": {"A": "x"}}}},
            "#/game/cost_model/airport/A",
        ),
        ({"game": AIRPORT, "method": "auction"}, "#/method"),
        ({"game": AIRPORT, "samples": 1}, "#/samples"),
        (
            {
                "game": {
                    **AIRPORT,
                    "players": [f"p{i}" for i in range(17)],
                    "cost_model": {"airport": {f"p{i}": 1 for i in range(17)}},
                },
                "method": "nucleolus",
            },
            "#/game/players",
        ),
        ({"game": AIRPORT, "samples": 10_000_000}, "#/samples"),
    ],
)
def test_bad_games_are_422_with_pointers(
    client: TestClient, token_for: TokenFor, body: dict[str, Any], pointer: str
) -> None:
    response = client.post(URL, json=body, headers=token_for(Role.ANALYST))
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert pointer in [e["pointer"] for e in response.json()["errors"]]
