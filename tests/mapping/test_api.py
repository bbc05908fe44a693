"""The analysis API over HTTP, on SQLite and PostgreSQL: start (202), poll, list, read, risk
tables, compare, problems and permissions."""

from __future__ import annotations

import csv
import io
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from httpx import Response

import podium
from podium.core.auth import Role
from podium.core.db import unit_of_work
from podium.ecosystem import service as eco_service
from podium.mapping import resilience
from podium.samples import SAMPLES
from tests.conftest import TokenFor

API = "/api/v1"
PROBLEM = "application/problem+json"
SPEC = podium.load(SAMPLES["manufacturer"])
SITES = len(SPEC.sites)
Headers = dict[str, str]


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def problem(response: Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["detail"]
    return body


@pytest.fixture
def manufacturer(client: TestClient) -> int:
    """Store the manufacturer sample through the app's database; return its id."""
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        return eco_service.import_spec(session=session, spec=SPEC).id


@pytest.fixture
def analyst(token_for: TokenFor) -> Headers:
    return token_for(Role.ANALYST)


def start(client: TestClient, headers: Headers, **body: Any) -> Response:
    body.setdefault("kind", "stress_test")
    return client.post(f"{API}/ecosystems/manufacturer/analyses", json=body, headers=headers)


def test_start_then_read_a_stress_test(
    client: TestClient, manufacturer: int, analyst: Headers
) -> None:
    response = start(client, analyst, parameters={"by": "site", "top": 3})
    queued = ok(response, 202)
    assert queued["status"] == "queued" and queued["ecosystem"] == "manufacturer"
    assert queued["parameters"]["by"] == "site" and "results" not in queued
    location = response.headers["location"]
    assert location.endswith(f"{API}/analyses/{queued['id']}")
    run = ok(client.get(location, headers=analyst))
    assert run["status"] == "done", run["error"]
    assert run["progress_done"] == run["progress_total"] == SITES
    assert run["finished_at"] and run["duration_seconds"] >= 0
    results = run["results"]["results"]
    assert len(results) == SITES and run["results"]["currency"] == "EUR"
    rei = [r["risk_exposure_index"] for r in results]
    assert rei == sorted(rei, reverse=True)
    assert run["summary"]["scenarios"] == SITES and len(run["summary"]["top"]) == 3
    top = ok(client.get(location, params={"top": 2}, headers=analyst))
    assert [r["scenario"] for r in top["results"]["results"]] == [
        r["scenario"] for r in results[:2]
    ]


def test_list_newest_first_without_results(
    client: TestClient, manufacturer: int, analyst: Headers
) -> None:
    first = ok(start(client, analyst, parameters={"by": "region"}), 202)["id"]
    second = ok(start(client, analyst, parameters={"by": "actor"}), 202)["id"]
    url = f"{API}/ecosystems/manufacturer/analyses"
    listed = ok(client.get(url, headers=analyst))["items"]
    assert [r["id"] for r in listed] == [second, first]
    assert all("results" not in r and r["summary"]["scenarios"] > 0 for r in listed)
    assert ok(client.get(url, params={"kind": "structure"}, headers=analyst))["items"] == []
    assert len(ok(client.get(url, params={"limit": 1}, headers=analyst))["items"]) == 1
    bad = problem(client.get(url, params={"kind": "tarot"}, headers=analyst), 422)
    assert bad["errors"][0]["pointer"] == "#/query/kind"


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_risk_table_downloads(
    client: TestClient, manufacturer: int, analyst: Headers, fmt: str
) -> None:
    run_id = ok(start(client, analyst), 202)["id"]
    response = client.get(f"{API}/analyses/{run_id}/risk-table.{fmt}", headers=analyst)
    assert response.status_code == 200, response.text
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert f'filename="manufacturer-stress_test-{run_id}.{fmt}"' in disposition
    if fmt == "csv":
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
    else:
        sheet = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True).active
        header, *cells = list(sheet.iter_rows(values_only=True))
        rows = [dict(zip(header, row, strict=True)) for row in cells]
    assert len(rows) == SITES
    assert [int(r["rank"]) for r in rows] == list(range(1, SITES + 1))
    assert rows[0]["scenario"] == "jiangxi-ganzhou"
    assert float(rows[0]["risk_exposure_index"]) == pytest.approx(1.0)


def test_compare_two_runs(client: TestClient, manufacturer: int, analyst: Headers) -> None:
    a = ok(start(client, analyst), 202)["id"]
    b = ok(start(client, analyst, parameters={"default_ttr_days": 56}), 202)["id"]
    compared = ok(client.get(f"{API}/analyses/compare", params={"a": a, "b": b}, headers=analyst))
    assert compared["a"] == a and compared["b"] == b
    assert compared["ecosystems"] == ["manufacturer", "manufacturer"]
    assert sum(compared["counts"].values()) == len(compared["scenarios"]) == SITES
    assert set(compared["counts"]) <= {"better", "worse", "same"}
    first = compared["scenarios"][0]
    assert {"performance_impact_delta", "risk_exposure_index_delta", "tts_days_delta"} <= set(first)
    missing = client.get(f"{API}/analyses/compare", params={"a": a, "b": 999_999}, headers=analyst)
    problem(missing, 404)
    problem(client.get(f"{API}/analyses/compare", params={"a": a}, headers=analyst), 422)


def test_a_failed_run_says_why(
    client: TestClient, manufacturer: int, analyst: Headers, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> None:
        raise RuntimeError("no solver today")

    monkeypatch.setattr(resilience, "stress_test", broken)
    run_id = ok(start(client, analyst), 202)["id"]
    run = ok(client.get(f"{API}/analyses/{run_id}", headers=analyst))
    assert run["status"] == "failed" and "no solver today" in run["error"]
    assert run["results"] is None
    refused = problem(client.get(f"{API}/analyses/{run_id}/risk-table.csv", headers=analyst), 409)
    assert "no solver today" in refused["detail"]


@pytest.mark.parametrize(
    ("body", "pointer"),
    [
        ({"parameters": {"horizon_days": 0}}, "#/parameters/horizon_days"),
        ({"parameters": {"by": "planet"}}, "#/parameters/by"),
        ({"parameters": {"default_ttr_days": -1}}, "#/parameters/default_ttr_days"),
        ({"parameters": {"scenarios": [["nowhere"]]}}, "#/parameters/scenarios/0/sites/0"),
        ({"kind": "tarot"}, "#/kind"),
        ({"parameters": [1, 2]}, "#/parameters"),
    ],
)
def test_bad_parameters_are_problems_naming_the_field(
    client: TestClient, manufacturer: int, analyst: Headers, body: dict[str, Any], pointer: str
) -> None:
    body = {"kind": "stress_test", **body}
    response = client.post(f"{API}/ecosystems/manufacturer/analyses", json=body, headers=analyst)
    refused = problem(response, 422)
    assert refused["errors"][0]["pointer"] == pointer
    if "nowhere" in str(body):
        assert "'nowhere'" in refused["detail"]
    listed = ok(client.get(f"{API}/ecosystems/manufacturer/analyses", headers=analyst))
    assert listed["items"] == []


def test_unknown_ecosystem_and_run_are_404(
    client: TestClient, manufacturer: int, analyst: Headers
) -> None:
    response = client.post(
        f"{API}/ecosystems/atlantis/analyses", json={"kind": "stress_test"}, headers=analyst
    )
    assert "atlantis" in problem(response, 404)["detail"]
    problem(client.get(f"{API}/ecosystems/atlantis/analyses", headers=analyst), 404)
    problem(client.get(f"{API}/analyses/424242", headers=analyst), 404)
    problem(client.get(f"{API}/analyses/424242/risk-table.xlsx", headers=analyst), 404)


def test_permissions(client: TestClient, manufacturer: int, token_for: TokenFor) -> None:
    url = f"{API}/ecosystems/manufacturer/analyses"
    problem(client.post(url, json={"kind": "stress_test"}), 401)
    problem(client.get(url), 401)
    run_id = ok(start(client, token_for(Role.ADMIN), parameters={"by": "region"}), 202)["id"]
    problem(client.get(f"{API}/analyses/{run_id}"), 401)
    viewer = token_for(Role.VIEWER)
    assert ok(client.get(url, headers=viewer))["items"][0]["id"] == run_id
    assert ok(client.get(f"{API}/analyses/{run_id}", headers=viewer))["status"] == "done"
    assert client.get(f"{API}/analyses/{run_id}/risk-table.csv", headers=viewer).status_code == 200
    assert "analysis:run" in problem(start(client, viewer), 403)["detail"]
    actor = next(a.id for a in SPEC.actors if a.ecosystem_role == "partner")
    for role in (Role.PARTNER_USER, Role.PARTNER_ADMIN):
        partner = token_for(role, ecosystem_id=manufacturer, actor=actor)
        problem(start(client, partner), 403)
        problem(client.get(url, headers=partner), 403)
        problem(client.get(f"{API}/analyses/{run_id}", headers=partner), 403)
        problem(client.get(f"{API}/analyses/{run_id}/risk-table.csv", headers=partner), 403)
