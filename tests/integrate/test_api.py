"""The partner-data API over HTTP, on SQLite and PostgreSQL: submissions (all-or-nothing,
idempotent, size-limited), enforced reads, agreements, the audit trail, EPCIS capture and query,
exceptions and data quality."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

import podium
from podium.core.auth import Role
from podium.core.db import unit_of_work
from podium.ecosystem import service as eco_service
from podium.samples import SAMPLES
from tests.conftest import REFERENCE, TokenFor, reference_path

API = "/api/v1"
ECO = f"{API}/ecosystems/manufacturer"
PROBLEM = "application/problem+json"
SPEC = podium.load(SAMPLES["manufacturer"])
Headers = dict[str, str]
MONDAY = date(2026, 11, 23)


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
def eco_id(client: TestClient) -> int:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        return eco_service.import_spec(session=session, spec=SPEC).id


@pytest.fixture
def velora(token_for: TokenFor, eco_id: int) -> Headers:
    return token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="velora")


@pytest.fixture
def kinsei(token_for: TokenFor, eco_id: int) -> Headers:
    return token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="kinsei")


@pytest.fixture
def analyst(token_for: TokenFor, eco_id: int) -> Headers:
    return token_for(Role.ANALYST)


def forecast(day: date, quantity: float, item: str = "power-module") -> dict[str, Any]:
    return {
        "item": item,
        "location": "velora-dresden",
        "period_start": day.isoformat(),
        "bucket": "day",
        "quantity": quantity,
    }


def week_of_forecasts(quantity: float = 10.0) -> list[dict[str, Any]]:
    return [forecast(MONDAY + timedelta(days=d), quantity + d) for d in range(7)]


def share(
    client: TestClient, headers: Headers, key: str, recipients: list[str], **extra: Any
) -> Response:
    constraints = [{"leftOperand": "purpose", "operator": "eq", "rightOperand": "planning"}]
    constraints += extra.pop("constraints", [])
    odrl = {
        "@context": "http://www.w3.org/ns/odrl.jsonld",
        "@type": "Agreement",
        "permission": [{"action": "use", "constraint": [{"and": constraints}]}],
    }
    body = {"odrl": odrl, "key": key, "recipients": recipients, "dataset": "forecasts", **extra}
    return client.post(f"{ECO}/agreements", json=body, headers=headers)


def test_submit_then_read_own_data(client: TestClient, velora: Headers) -> None:
    sent = ok(
        client.post(f"{ECO}/data/forecasts", json={"records": week_of_forecasts()}, headers=velora),
        201,
    )
    assert sent["provider"] == "velora" and sent["record_count"] == 7
    assert sent["quality"]["score"] is not None
    read = ok(client.get(f"{ECO}/data/forecasts", headers=velora))
    assert [row["quantity"] for row in read["rows"]] == [10.0 + d for d in range(7)]
    assert read["sources"] == [
        {"provider": "velora", "agreement": None, "rows": 7,
         "granularity": {"time": "raw", "item": "item", "place": "site"}}
    ]  # fmt: skip


def test_a_revision_supersedes_and_keeps_history(client: TestClient, velora: Headers) -> None:
    client.post(f"{ECO}/data/forecasts", json={"records": week_of_forecasts()}, headers=velora)
    revised = [forecast(MONDAY, 99.0)]
    ok(client.post(f"{ECO}/data/forecasts", json={"records": revised}, headers=velora), 201)
    rows = ok(client.get(f"{ECO}/data/forecasts", headers=velora))["rows"]
    assert len(rows) == 7 and rows[0]["quantity"] == 99.0
    listed = ok(client.get(f"{ECO}/submissions", headers=velora))
    assert [s["record_count"] for s in listed] == [1, 7]
    first = listed[1]["submitted_at"]
    then = ok(client.get(f"{ECO}/data/forecasts", params={"as_of": first}, headers=velora))
    assert [row["quantity"] for row in then["rows"]] == [10.0 + d for d in range(7)]


def test_a_bad_batch_stores_nothing_and_names_each_error(
    client: TestClient, velora: Headers
) -> None:
    records = week_of_forecasts()
    records[2]["quantity"] = -5
    del records[4]["item"]
    body = problem(
        client.post(f"{ECO}/data/forecasts", json={"records": records}, headers=velora), 422
    )
    pointers = {e["pointer"] for e in body["errors"]}
    assert "#/records/2/quantity" in pointers and "#/records/4/item" in pointers
    assert ok(client.get(f"{ECO}/data/forecasts", headers=velora))["rows"] == []
    unknown = [forecast(MONDAY, 1.0, item="no-such-item")]
    body = problem(
        client.post(f"{ECO}/data/forecasts", json={"records": unknown}, headers=velora), 422
    )
    assert body["errors"][0]["pointer"] == "#/records/0/item"


def test_idempotency_key_makes_a_retry_safe(client: TestClient, velora: Headers) -> None:
    headers = {**velora, "Idempotency-Key": "batch-1"}
    body = {"records": week_of_forecasts()}
    first = ok(client.post(f"{ECO}/data/forecasts", json=body, headers=headers), 201)
    again = client.post(f"{ECO}/data/forecasts", json=body, headers=headers)
    assert ok(again, 201)["id"] == first["id"]
    assert again.headers["Idempotent-Replayed"] == "true"
    assert len(ok(client.get(f"{ECO}/submissions", headers=velora))) == 1
    other = {"records": week_of_forecasts(50.0)}
    problem(client.post(f"{ECO}/data/forecasts", json=other, headers=headers), 409)


def test_an_oversized_body_is_refused_with_413(client: TestClient, velora: Headers) -> None:
    client.app.state.settings.max_submission_bytes = 200  # type: ignore[attr-defined]
    body = problem(
        client.post(f"{ECO}/data/forecasts", json={"records": week_of_forecasts()}, headers=velora),
        413,
    )
    assert "200 bytes" in body["detail"]


def test_upload_reports_row_and_column(client: TestClient, velora: Headers) -> None:
    good = (
        "item,location,period_start,bucket,quantity\npower-module,velora-dresden,2026-11-23,day,5\n"
    )
    files = {"file": ("forecast.csv", good.encode(), "text/csv")}
    sent = ok(client.post(f"{ECO}/data/forecasts/upload", files=files, headers=velora), 201)
    assert sent["source"] == "upload" and sent["record_count"] == 1
    bad = good + "power-module,velora-dresden,2026-11-24,day,lots\n"
    files = {"file": ("forecast.csv", bad.encode(), "text/csv")}
    body = problem(client.post(f"{ECO}/data/forecasts/upload", files=files, headers=velora), 422)
    assert body["errors"][0]["row"] == 3 and body["errors"][0]["column"] == "quantity"


def test_others_read_only_through_an_agreement(
    client: TestClient, velora: Headers, kinsei: Headers
) -> None:
    client.post(f"{ECO}/data/forecasts", json={"records": week_of_forecasts()}, headers=velora)
    url = f"{ECO}/data/forecasts"
    assert ok(client.get(url, params={"purpose": "planning"}, headers=kinsei))["rows"] == []
    weekly = [
        {"leftOperand": "podium:timeGranularity", "operator": "eq", "rightOperand": "week"},
        {"leftOperand": "podium:placeGranularity", "operator": "eq", "rightOperand": "region"},
    ]
    ok(share(client, velora, "velora-weekly", ["kinsei"], constraints=weekly), 201)
    assert ok(client.get(url, headers=kinsei))["rows"] == []  # no purpose stated
    assert ok(client.get(url, params={"purpose": "marketing"}, headers=kinsei))["rows"] == []
    read = ok(client.get(url, params={"purpose": "planning"}, headers=kinsei))
    assert len(read["rows"]) == 1  # seven days of one item at one site: one week, one region
    row = read["rows"][0]
    assert row["period_start"] == MONDAY.isoformat() and row["location"] == "Western Europe"
    assert row["quantity"] == sum(10.0 + d for d in range(7)) and row["rows"] == 7
    assert read["sources"][0]["agreement"] == "velora-weekly"
    ok(client.delete(f"{ECO}/agreements/velora-weekly", headers=velora))
    assert ok(client.get(url, params={"purpose": "planning"}, headers=kinsei))["rows"] == []


def test_a_partner_sees_who_read_its_data(
    client: TestClient, velora: Headers, kinsei: Headers
) -> None:
    client.post(f"{ECO}/data/forecasts", json={"records": week_of_forecasts()}, headers=velora)
    ok(share(client, velora, "velora-raw", ["kinsei"]), 201)
    client.get(f"{ECO}/data/forecasts", params={"purpose": "planning"}, headers=kinsei)
    entries = ok(client.get(f"{ECO}/audit", headers=velora))
    reads = [e for e in entries if e["action"] == "read" and e["partner_actor"] == "kinsei"]
    assert reads and reads[0]["agreement"] == "velora-raw" and reads[0]["row_count"] == 7
    assert all(e["provider"] == "velora" for e in entries)
    assert ok(client.get(f"{ECO}/audit", headers=kinsei)) == [
        e for e in ok(client.get(f"{ECO}/audit", headers=kinsei)) if e["provider"] == "kinsei"
    ]


def test_agreements_round_trip_as_odrl(
    client: TestClient, velora: Headers, kinsei: Headers
) -> None:
    created = ok(share(client, velora, "velora-raw", ["kinsei"]), 201)
    assert created["in_force"] and created["purposes"] == ["planning"]
    odrl = ok(client.get(f"{ECO}/agreements/velora-raw", headers=kinsei))
    assert odrl["@type"] == "Agreement"
    assert [a["key"] for a in ok(client.get(f"{ECO}/agreements", headers=kinsei))] == ["velora-raw"]
    problem(share(client, velora, "velora-raw", ["kinsei"]), 409)
    problem(share(client, velora, "to-nobody", ["nobody"]), 422)
    problem(share(client, kinsei, "kinsei-x", ["velora"], dataset="payroll"), 422)


def test_unknown_odrl_constraints_are_refused(client: TestClient, velora: Headers) -> None:
    odrl = json.loads(reference_path("odrl", "catenax-example_usage_policy.json").read_text())
    body = {"odrl": odrl, "key": "cx", "recipients": ["kinsei"], "dataset": "forecasts"}
    ok(client.post(f"{ECO}/agreements", json=body, headers=velora), 201)
    odrl["permission"][0]["constraint"]["and"].append(
        {"leftOperand": "cx-policy:Membership", "operator": "eq", "rightOperand": "active"}
    )
    body["key"] = "cx-2"
    found = problem(client.post(f"{ECO}/agreements", json=body, headers=velora), 422)
    assert any(
        "Membership" in e["detail"] or "leftOperand" in e["pointer"] for e in found["errors"]
    )


def test_epcis_capture_then_query(client: TestClient, velora: Headers, kinsei: Headers) -> None:
    document = json.loads(
        reference_path("epcis2", "examples", "Example_9.6.1-ObjectEvent.jsonld").read_text()
    )
    answer = client.post(f"{API}/epcis/capture", json=document, headers=velora)
    job = ok(answer, 202)
    location = answer.headers["Location"]
    assert location.endswith(f"/epcis/capture/{job['captureID']}")
    done = ok(client.get(location, headers=velora))
    assert done["running"] is False and done["success"] is True
    events = document["epcisBody"]["eventList"]
    found = ok(client.get(f"{API}/epcis/events", headers=velora))
    assert found["type"] == "EPCISQueryDocument"
    assert found["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == events
    assert (
        ok(client.get(f"{API}/epcis/events", headers=kinsei))["epcisBody"]["queryResults"][
            "resultsBody"
        ]["eventList"]
        == []
    )
    bad = json.loads(json.dumps(document))
    del bad["epcisBody"]["eventList"][0]["eventTime"]
    refused = problem(client.post(f"{API}/epcis/capture", json=bad, headers=velora), 400)
    assert refused["errors"][0]["pointer"] == "#/epcisBody/eventList/0/eventTime"


def test_late_deliveries_raise_exceptions(
    client: TestClient, velora: Headers, analyst: Headers
) -> None:
    delivery = {
        "order_id": "PO-1",
        "line": 1,
        "item": "power-module",
        "promised_date": "2026-01-05",
        "promised_quantity": 100,
        "delivered_date": "2026-01-20",
        "delivered_quantity": 100,
    }
    ok(client.post(f"{ECO}/data/deliveries", json={"records": [delivery]}, headers=velora), 201)
    assert ok(client.post(f"{ECO}/exceptions/check", headers=analyst))["new"] >= 1
    found = ok(client.get(f"{ECO}/exceptions", headers=analyst))
    late = [e for e in found if e["owner"] == "velora" and "PO-1" in e["subject"]]
    assert late and late[0]["severity"] == "critical"
    assert ok(client.post(f"{ECO}/exceptions/check", headers=analyst))["new"] == 0
    updated = client.patch(
        f"{ECO}/exceptions/{late[0]['id']}", json={"status": "acknowledged"}, headers=analyst
    )
    assert ok(updated)["status"] == "acknowledged"
    problem(client.get(f"{ECO}/exceptions", headers=velora), 403)
    quality = ok(client.get(f"{ECO}/quality", headers=analyst))
    assert "velora" in quality


def test_capture_is_also_checked_against_the_official_schema_when_configured(
    client: TestClient, velora: Headers
) -> None:
    schema = reference_path("epcis2", "schema", "EPCIS-JSON-Schema.json")
    client.app.state.settings.epcis_schema_path = schema  # type: ignore[attr-defined]
    document = json.loads(
        reference_path("epcis2", "examples", "Example_9.6.2-ObjectEvent.jsonld").read_text()
    )
    ok(client.post(f"{API}/epcis/capture", json=document, headers=velora), 202)
    assert client.app.state.epcis_schema_check is not None  # type: ignore[attr-defined]
    document["epcisBody"]["eventList"][0]["action"] = "MOVE"
    problem(client.post(f"{API}/epcis/capture", json=document, headers=velora), 400)


EXAMPLES = sorted(p.name for p in (REFERENCE / "epcis2" / "examples").glob("*.jsonld"))


@pytest.mark.parametrize("example", EXAMPLES or ["(reference data absent)"])
def test_every_gs1_example_is_captured_and_queried_back_unchanged(
    client: TestClient, velora: Headers, example: str
) -> None:
    """Each of the GS1 EPCIS 2.0 examples (the query document included) is captured over HTTP
    and every one of its events comes back from the query endpoint as it was sent."""
    document = json.loads(reference_path("epcis2", "examples", example).read_text())
    answer = client.post(f"{API}/epcis/capture", json=document, headers=velora)
    ok(answer, 202)
    assert ok(client.get(answer.headers["Location"], headers=velora))["success"] is True
    body = document["epcisBody"]
    sent = (
        body["eventList"]
        if "eventList" in body
        else body["queryResults"]["resultsBody"]["eventList"]
    )
    found = ok(client.get(f"{API}/epcis/events", params={"perPage": 10_000}, headers=velora))
    got = found["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert sorted(map(_canonical, got)) == sorted(map(_canonical, sent))


def _canonical(event: Any) -> str:
    return json.dumps(event, sort_keys=True)
