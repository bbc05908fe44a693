"""The Align API over HTTP (SQLite, and PostgreSQL when configured): who may do what (admin,
analyst, viewer; partners refused), agreements declared and versioned, bad input named by its
pointer, the misalignment list and value propositions."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

import podium
from podium.core.auth import Role
from podium.core.db import unit_of_work
from podium.ecosystem import service as eco_service
from podium.samples import SAMPLES
from tests.conftest import TokenFor

ECO = "/api/v1/ecosystems/manufacturer"
AGREEMENTS = f"{ECO}/commercial-agreements"
Headers = dict[str, str]
JIANGBEI: dict[str, Any] = {
    "partner": "jiangbei", "contract_type": "wholesale", "metrics": ["unit_price"],
    "term_months": 12,
}  # fmt: skip
INITIATIVE: dict[str, Any] = {
    "title": "Shared magnet buffer", "gain": 2.0e6, "split": "shares", "success_probability": 0.9,
    "actors": [{"actor": "hartwell", "investment": 0.6e6, "share": 0.5},
               {"actor": "jiangbei", "investment": 0.9e6, "share": 0.5}],
}  # fmt: skip


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def pointers(response: Response, status: int = 422) -> list[str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["pointer"] for e in response.json().get("errors", [])]


class Roles(dict[str, Headers]):
    """Bearer-token headers per role, a user made on first use (hashing passwords is slow)."""

    def __init__(self, token_for: TokenFor, eco_id: int) -> None:
        super().__init__()
        self.token_for, self.eco_id = token_for, eco_id

    def __missing__(self, role: str) -> Headers:
        actor = {"partner_admin": "jiangbei", "partner_user": "velora"}.get(role)
        scope = {"ecosystem_id": self.eco_id, "actor": actor} if actor else {}
        self[role] = headers = self.token_for(Role(role), **scope)
        return headers


@pytest.fixture
def roles(client: TestClient, token_for: TokenFor) -> Roles:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        eco_id = eco_service.import_spec(
            session=session, spec=podium.load(SAMPLES["manufacturer"])
        ).id
    return Roles(token_for, eco_id)


def test_permissions(client: TestClient, roles: Roles) -> None:
    """Read and evaluate: admin, analyst, viewer. Declare: admin, analyst. Partners: 403."""
    for role in ("partner_admin", "partner_user"):
        headers = roles[role]
        assert client.get(AGREEMENTS, headers=headers).status_code == 403
        assert client.get(f"{ECO}/misalignments", headers=headers).status_code == 403
        assert client.put(AGREEMENTS, json=[JIANGBEI], headers=headers).status_code == 403
        post = client.post(f"{ECO}/value-propositions", json=INITIATIVE, headers=headers)
        assert post.status_code == 403
    viewer = roles["viewer"]
    assert client.put(AGREEMENTS, json=[JIANGBEI], headers=viewer).status_code == 403
    assert client.post(AGREEMENTS, json=JIANGBEI, headers=viewer).status_code == 403
    assert ok(client.get(AGREEMENTS, headers=viewer)) == []
    assert client.get(AGREEMENTS).status_code == 401
    for role in ("admin", "analyst"):
        ok(client.put(AGREEMENTS, json=[JIANGBEI], headers=roles[role]))


def test_declare_version_and_retire(client: TestClient, roles: Roles) -> None:
    analyst = roles["analyst"]
    created = ok(client.post(AGREEMENTS, json=JIANGBEI, headers=analyst), 201)
    assert (created["key"], created["version"]) == ("jiangbei", 1)
    assert created["changed_by"].startswith("analyst") and created["current"] is True
    again = ok(client.put(AGREEMENTS, json={"agreements": [JIANGBEI]}, headers=analyst))
    assert again[0]["version"] == 1  # unchanged
    changed = ok(client.put(AGREEMENTS, json=[JIANGBEI | {"term_months": 36}], headers=analyst))
    assert changed[0]["version"] == 2
    listed = ok(client.get(AGREEMENTS, params={"partner": "jiangbei"}, headers=roles["viewer"]))
    assert [(a["key"], a["version"], a["term_months"]) for a in listed] == [("jiangbei", 2, 36)]
    versions = ok(client.get(f"{AGREEMENTS}/jiangbei", headers=roles["viewer"]))
    assert [v["version"] for v in versions] == [2, 1]
    retired = ok(client.delete(f"{AGREEMENTS}/jiangbei", headers=analyst))
    assert retired["current"] is False
    assert ok(client.get(AGREEMENTS, headers=analyst)) == []
    assert client.get(f"{AGREEMENTS}/nothing", headers=analyst).status_code == 404


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ([JIANGBEI | {"partner": "nobody"}], ["/agreements/0/partner"]),
        ([JIANGBEI, JIANGBEI | {"key": "j2", "metrics": ["fun"]}], ["/agreements/1/metrics"]),
        ({"agreements": "all of them"}, ["/agreements"]),
    ],
)
def test_bad_agreements(client: TestClient, roles: Roles, body: Any, expected: list[str]) -> None:
    assert pointers(client.put(AGREEMENTS, json=body, headers=roles["analyst"])) == expected
    single = client.post(AGREEMENTS, json=JIANGBEI | {"term_months": -3}, headers=roles["analyst"])
    assert pointers(single) == ["/term_months"]
    assert ok(client.get(AGREEMENTS, headers=roles["analyst"])) == []


def test_misalignments(client: TestClient, roles: Roles) -> None:
    """Without a stored stress test exposure is unknown: a wholesale contract paid on unit price
    under a 12-month term is flagged only from the map's links (Jiangbei has no alternate)."""
    ok(client.put(AGREEMENTS, json=[JIANGBEI], headers=roles["analyst"]))
    found = ok(client.get(f"{ECO}/misalignments", headers=roles["viewer"]))
    assert found["agreements"] == 1
    rules = {(f["partner"], f["rule"]) for f in found["findings"]}
    assert ("jiangbei", "short_term_sole_source") in rules
    jiangbei = [f for f in found["findings"] if f["partner"] == "jiangbei"]
    assert jiangbei[0]["name"] == "Jiangbei Magnetics Co., Ltd."
    assert all("mechanisms" in f and f["reason"] for f in found["findings"])
    assert any("no stress test stored" in n for n in found["source"]["notes"])
    assert 0.0 <= found["alignment"]["jiangbei"] < 1.0


def test_value_propositions(client: TestClient, roles: Roles) -> None:
    """p = 0.9: hartwell nets 0.9 x 1M - 0.6M = 0.3M; jiangbei 0.9 x 1M - 0.9M = 0."""
    found = ok(client.post(f"{ECO}/value-propositions", json=INITIATIVE, headers=roles["viewer"]))
    nets = {p["actor"]: p["net"] for p in found["positions"]}
    assert nets == pytest.approx({"hartwell": 0.3e6, "jiangbei": 0.0}, abs=1e-6)
    assert found["rational"] is True and found["currency"] == "EUR"
    bad = INITIATIVE | {"success_probability": 2}
    response = client.post(f"{ECO}/value-propositions", json=bad, headers=roles["viewer"])
    assert pointers(response) == ["/success_probability"]
