"""The Learn API over HTTP, on SQLite and PostgreSQL: who may do what on each route (admin,
analyst, viewer, partner, nobody), bad input named by its pointer, a partner's own numbers, and
the CSV/XLSX export of the KPI table."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from podium.core.auth import Role
from podium.core.db import unit_of_work
from podium.ecosystem.service import import_spec
from tests.conftest import TokenFor
from tests.factories import small_spec
from tests.govern.escalation_helpers import partner
from tests.learn.test_service import line, submit

API = "/api/v1/ecosystems/small"
Q3 = "period=2026-Q3"
TARGET = {"kpi": "otif", "scope": "castco", "target": 0.95, "warning": 0.9, "breach": 0.85}
INITIATIVE: dict[str, Any] = {
    "key": "light",
    "title": "Lighter housing",
    "partners": ["castco"],
    "started_on": "2026-01-10",
    "launched_on": "2026-08-01",
    "value_created": 5e5,
}
REVIEW: dict[str, Any] = {
    "kind": "period",
    "period": "2026-Q3",
    "title": "Q3",
    "entries": [
        {
            "kind": "mechanism_worked",
            "text": "Weekly call.",
            "partners": ["castco"],
            "links": [{"kind": "kpi", "id": "otif"}],
        }
    ],
}


@pytest.fixture
def headers(client: TestClient, token_for: TokenFor) -> dict[str, dict[str, str]]:
    """small_spec with castco's three Q3 order lines (OTIF 1/3); tokens per role."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        found = import_spec(session=session, spec=small_spec())
        lines = [
            line("PO-1", date(2026, 7, 7), date(2026, 7, 6), 100.0),
            line("PO-2", date(2026, 7, 8), date(2026, 7, 10), 100.0),
            line("PO-3", date(2026, 7, 9), date(2026, 7, 9), 60.0),
        ]
        submit(
            session,
            found,
            partner(found.id, "castco"),
            "deliveries",
            lines,
            datetime(2026, 7, 11, tzinfo=UTC),
        )
        eco_id = found.id
    made = {role.value: token_for(role) for role in (Role.ADMIN, Role.ANALYST, Role.VIEWER)}
    made["castco"] = token_for(Role.PARTNER_USER, ecosystem_id=eco_id, actor="castco")
    made["alloy"] = token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="alloy")
    made["nobody"] = {}
    return made


def pointers(response: Response, status: int = 422) -> list[str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["pointer"] for e in response.json().get("errors", [])]


READS = [
    ("GET", f"/kpis?{Q3}&keys=otif", None),
    ("GET", "/kpis/otif/series?periods=2&until=2026-Q3", None),
    ("GET", "/kpi-targets", None),
    ("GET", f"/kpi-targets/status?{Q3}", None),
    ("GET", "/initiatives", None),
    ("GET", "/reviews", None),
]
WRITES = [
    ("PUT", "/kpi-targets", {"targets": [TARGET]}),
    ("POST", f"/kpi-targets/check?{Q3}", None),
    ("POST", "/initiatives", INITIATIVE),
    ("POST", "/reviews", REVIEW),
]
ROLES = ("admin", "analyst", "viewer", "castco", "alloy")
WRITERS = ("analyst",)  # admin holds every permission; analyst is the role that writes here


def test_permission_matrix(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    """Reads need learn:read (every role, partners included); writes need learn:write (admin
    and analyst; viewers and partners get 403). Without a token: 401."""
    for method, path, body in READS + WRITES:
        writing = (method, path, body) in WRITES
        denied = [r for r in ROLES if writing and r not in (*WRITERS, "admin")]
        for who in denied:
            response = client.request(method, API + path, json=body, headers=headers[who])
            assert response.status_code == 403, (path, who, response.text)
        for who in WRITERS if writing else ROLES:
            response = client.request(method, API + path, json=body, headers=headers[who])
            assert response.is_success, (path, who, response.text)
        assert client.request(method, API + path, json=body).status_code == 401, path


def test_kpis_partner_view_and_export(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    """OTIF of castco over Q3: 1 of 3 lines (SCOR-style OTIF at line level)."""
    got = client.get(f"{API}/kpis?{Q3}&keys=otif&by=provider", headers=headers["viewer"]).json()
    assert got["rows"] == [
        {
            "kpi": "otif",
            "title": "On time in full",
            "unit": "share",
            "groups": {"provider": "castco"},
            "value": pytest.approx(1 / 3),
            "basis": 3,
        }
    ]
    mine = client.get(f"{API}/kpis?{Q3}&keys=otif&by=provider", headers=headers["alloy"]).json()
    assert mine["rows"] == []  # alloy has no order lines; it sees none of castco's
    csv = client.get(
        f"{API}/kpis?{Q3}&keys=otif,in_full&by=provider&format=csv", headers=headers["viewer"]
    )
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines() == [
        "period,kpi,title,unit,provider,value,basis",
        "2026-Q3,otif,On time in full,share,castco,0.3333333333333333,3",
        "2026-Q3,in_full,In full,share,castco,0.6666666666666666,3",
    ]
    xlsx = client.get(f"{API}/kpis?{Q3}&keys=otif&format=xlsx", headers=headers["viewer"])
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [c.value for c in sheet[2]] == [
        "2026-Q3",
        "otif",
        "On time in full",
        "share",
        pytest.approx(1 / 3),
        3,
    ]
    series = client.get(
        f"{API}/kpis/otif/series?periods=2&until=2026-Q3", headers=headers["castco"]
    ).json()
    assert [(p["period"], p["value"]) for p in series["points"]] == [
        ("2026-Q2", None),
        ("2026-Q3", pytest.approx(1 / 3)),
    ]


def test_bad_input_is_pointed_at(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    ana = headers["analyst"]
    assert pointers(client.get(f"{API}/kpis?period=Q3", headers=ana)) == ["#/query/period"]
    assert pointers(client.get(f"{API}/kpis?{Q3}&keys=speed", headers=ana)) == ["#/query/keys"]
    assert pointers(client.get(f"{API}/kpis?{Q3}&keys=otif&by=weather", headers=ana)) == [
        "#/query/by"
    ]
    assert pointers(client.get(f"{API}/kpis/otif/series?kind=decade", headers=ana)) == [
        "#/query/kind"
    ]
    wrong = {"targets": [TARGET, {**TARGET, "breach": 0.99}]}
    assert pointers(client.put(f"{API}/kpi-targets", json=wrong, headers=ana)) == [
        "/targets/1/breach"
    ]
    assert pointers(
        client.post(f"{API}/initiatives", json={**INITIATIVE, "partners": ["x"]}, headers=ana)
    ) == ["/partners/0"]
    assert "#/title" in pointers(client.post(f"{API}/initiatives", json={"key": "k"}, headers=ana))
    review = {
        **REVIEW,
        "entries": [{**REVIEW["entries"][0], "links": [{"kind": "decision", "id": "42"}]}],
    }
    assert pointers(client.post(f"{API}/reviews", json=review, headers=ana)) == [
        "/entries/0/links/0/id"
    ]
    assert pointers(client.get(f"{API}/reviews/99", headers=ana), 404) == []
    unfinished = client.post(f"{API}/kpi-targets/check?period=2099-Q1", headers=ana)
    assert pointers(unfinished) == ["#/query/period"]


def test_targets_check_initiatives_and_reviews(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    ana, castco, alloy = headers["analyst"], headers["castco"], headers["alloy"]
    assert client.put(f"{API}/kpi-targets", json={"targets": [TARGET]}, headers=ana).is_success
    for _ in range(2):
        checks = client.post(f"{API}/kpi-targets/check?{Q3}", headers=ana).json()
    assert [(c["status"], c["severity"]) for c in checks] == [("breach", "critical")]
    exceptions = client.get(f"{API}/exceptions", headers=ana).json()
    assert [e["rule"] for e in exceptions].count("kpi_breach") == 1  # once, however often
    assert client.get(f"{API}/kpi-targets", headers=alloy).json() == []
    assert [t["scope"] for t in client.get(f"{API}/kpi-targets", headers=castco).json()] == [
        "castco"
    ]
    assert client.post(f"{API}/initiatives", json=INITIATIVE, headers=ana).status_code == 201
    assert client.post(f"{API}/initiatives", json=INITIATIVE, headers=ana).status_code == 409
    patched = client.patch(f"{API}/initiatives/light", json={"cost": 1e5}, headers=ana).json()
    assert (patched["cost"], patched["value_created"]) == (1e5, 5e5)
    assert client.get(f"{API}/initiatives/light", headers=alloy).status_code == 404
    assert len(client.get(f"{API}/initiatives", headers=castco).json()) == 1
    made = client.post(f"{API}/reviews", json=REVIEW, headers=ana).json()
    assert client.get(f"{API}/reviews/{made['id']}", headers=castco).json()["title"] == "Q3"
    assert client.get(f"{API}/reviews/{made['id']}", headers=alloy).status_code == 404
    changed = client.put(
        f"{API}/reviews/{made['id']}", json={**REVIEW, "title": "Q3 v2"}, headers=ana
    ).json()
    assert changed["title"] == "Q3 v2"
    assert len(client.get(f"{API}/reviews?{Q3}", headers=ana).json()) == 1
