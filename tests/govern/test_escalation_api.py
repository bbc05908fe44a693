"""The escalation API and pages over HTTP, on SQLite and PostgreSQL: every transition's
permission for each role (staff, a viewer, the partner that owns the escalation, a partner only
involved in it, a partner not involved), errors with their pointers, and the pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from podium.core.auth import Principal, Role, add_user
from podium.ecosystem.models import Ecosystem
from podium.ecosystem.service import import_spec
from podium.integrate import datasets
from podium.integrate import service as data_service
from podium.integrate.models import DataException, RiskSignal
from tests.conftest import TokenFor
from tests.factories import small_spec
from tests.govern.escalation_helpers import seed_rights

ECO = "/api/v1/ecosystems/small"
PAGE = "/ecosystems/small/escalations"
PASSWORD = "correct horse battery"
Headers = dict[str, str]
ROLES = ("admin", "analyst", "viewer", "owner", "involved", "outsider")
"""owner: castco's partner admin (castco owns the operational level); involved: alloy's partner
user (a party, not the owner); outsider: grid's partner admin (not a party)."""


@pytest.fixture
def eco_id(client: TestClient) -> int:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        found = import_spec(session=db, spec=small_spec())
        seed_rights(db, found.id)
        db.commit()
        return found.id


@pytest.fixture
def heads(token_for: TokenFor, eco_id: int) -> dict[str, Headers]:
    return {
        "admin": token_for(Role.ADMIN),
        "analyst": token_for(Role.ANALYST),
        "viewer": token_for(Role.VIEWER),
        "owner": token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="castco"),
        "involved": token_for(Role.PARTNER_USER, ecosystem_id=eco_id, actor="alloy"),
        "outsider": token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="grid"),
    }


def new_escalation(client: TestClient, heads: dict[str, Headers], **changes: Any) -> int:
    body = {
        "title": "Castings late",
        "category": "routine_coordination",
        "severity": "medium",
        "parties": ["actor:alloy"],
        **changes,
    }
    response = client.post(f"{ECO}/escalations", json=body, headers=heads["analyst"])
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return int(created["id"])


BODIES: dict[str, dict[str, Any]] = {
    "acknowledge": {"note": "on it"},
    "respond": {"text": "we can send half"},
    "escalate": {"reason": "needs a decision"},
    "resolve": {"resolution": "split 60/40"},
    "reopen": {"reason": "still short"},
}
EXPECTED: dict[str, dict[str, int]] = {
    #              admin analyst viewer owner involved outsider
    "acknowledge": dict(zip(ROLES, (200, 200, 403, 200, 403, 404), strict=True)),
    "respond": dict(zip(ROLES, (200, 200, 403, 200, 200, 404), strict=True)),
    "escalate": dict(zip(ROLES, (200, 200, 403, 200, 403, 404), strict=True)),
    "resolve": dict(zip(ROLES, (200, 200, 403, 200, 403, 404), strict=True)),
    "reopen": dict(zip(ROLES, (200, 200, 403, 200, 403, 404), strict=True)),
}


def test_each_transition_by_role(client: TestClient, heads: dict[str, Headers]) -> None:
    """A fresh escalation per action and role; a refused action leaves no event."""
    for action, role in ((a, r) for a in BODIES for r in ROLES):
        escalation_id = new_escalation(client, heads)
        url = f"{ECO}/escalations/{escalation_id}"
        assert client.get(url, headers=heads["admin"]).json()["owner"] == "actor:castco"
        if action == "reopen":
            resolved = client.post(f"{url}/resolve", json=BODIES["resolve"], headers=heads["admin"])
            assert resolved.status_code == 200, resolved.text
        response = client.post(f"{url}/{action}", json=BODIES[action], headers=heads[role])
        assert response.status_code == EXPECTED[action][role], (action, role, response.text)
        history = client.get(url, headers=heads["admin"]).json()["events"]
        before = 2 if action == "reopen" else 1  # raised (and resolved)
        assert len(history) == before + (response.status_code == 200), (action, role)


def test_reading_by_role(client: TestClient, heads: dict[str, Headers]) -> None:
    escalation_id = new_escalation(client, heads)
    for role in ROLES:
        listed = client.get(f"{ECO}/escalations", headers=heads[role])
        assert listed.status_code == 200
        ids = [e["id"] for e in listed.json()]
        assert ids == ([] if role == "outsider" else [escalation_id]), role
        one = client.get(f"{ECO}/escalations/{escalation_id}", headers=heads[role])
        assert one.status_code == (404 if role == "outsider" else 200), role
    assert client.get(f"{ECO}/escalations").status_code == 401


def test_raising_by_role(client: TestClient, heads: dict[str, Headers]) -> None:
    body = {"title": "Need capacity", "category": "capacity_allocation", "severity": "low"}
    codes = {r: client.post(f"{ECO}/escalations", json=body, headers=heads[r]) for r in ROLES}
    assert {r: c.status_code for r, c in codes.items()} == {
        "admin": 201, "analyst": 201, "viewer": 403, "owner": 201, "involved": 201, "outsider": 201,
    }  # fmt: skip
    raised = codes["outsider"].json()
    assert raised["source"] == "partner" and "actor:grid" in raised["parties"]
    assert codes["analyst"].json()["source"] == "person"


def test_sweeping_and_escalating_exceptions_need_govern_write(
    client: TestClient, heads: dict[str, Headers], eco_id: int
) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        found = DataException(
            ecosystem_id=eco_id, rule="late_shipments", key="castco|po|1", severity="high",
            owner="castco", subject="order po line 1", detail="9 days late.",
        )  # fmt: skip
        db.add(found)
        db.commit()
        exception_id = found.id
    for role in ROLES:
        swept = client.post(f"{ECO}/escalations/sweep", headers=heads[role])
        assert swept.status_code == (200 if role in ("admin", "analyst") else 403), role
        url = f"{ECO}/exceptions/{exception_id}/escalate"
        raised = client.post(url, headers=heads[role])
        assert raised.status_code == (201 if role in ("admin", "analyst") else 403), role
    again = client.post(f"{ECO}/exceptions/{exception_id}/escalate", headers=heads["admin"])
    body = again.json()
    assert (body["category"], body["level"], body["customer_impact"]) == (
        "customer_impact_risk",
        "tactical",
        True,
    )
    ids = [e["id"] for e in client.get(f"{ECO}/escalations", headers=heads["admin"]).json()]
    assert ids == [body["id"]]  # raised once


SIGNAL = {"subject": "cast-plant", "category": "capacity", "severity": 4, "source": "feed",
          "observed_at": "2026-03-02T08:00:00Z", "description": "Furnace down."}  # fmt: skip


def foreign_signal(client: TestClient) -> int:
    """A risk signal stored in another ecosystem (``other``), as its castco submitted it."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        other = import_spec(session=db, spec=small_spec("other"))
        castco = Principal(user_id=99, username="castco-other", role=Role.PARTNER_ADMIN,
                           partner_ecosystem_id=other.id, partner_actor="castco")  # fmt: skip
        data_service.submit(
            session=db, ecosystem=other, principal=castco, dataset="risk_signals",
            records=datasets.validate_records("risk_signals", [SIGNAL]), source="api",
            request_id="t",
        )  # fmt: skip
        db.commit()
        found = db.scalar(select(RiskSignal.id).where(RiskSignal.ecosystem_id == other.id))
        assert found is not None
        return found


def test_escalating_a_risk_signal_needs_govern_write(
    client: TestClient, heads: dict[str, Headers], eco_id: int
) -> None:
    submitted = client.post(
        f"{ECO}/data/risk_signals", json={"records": [SIGNAL]}, headers=heads["owner"]
    )
    assert submitted.status_code == 201, submitted.text
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        signal_id = db.scalar(select(RiskSignal.id).where(RiskSignal.ecosystem_id == eco_id))
    url = f"{ECO}/risk-signals/{signal_id}/escalate"
    codes = {role: client.post(url, headers=heads[role]).status_code for role in ROLES}
    assert codes == {
        "admin": 201, "analyst": 201, "viewer": 403, "owner": 403, "involved": 403,
        "outsider": 403,
    }  # fmt: skip
    body = client.post(url, headers=heads["admin"]).json()
    assert (body["category"], body["severity"], body["source"], body["title"]) == (
        "capacity_allocation",
        "high",
        "risk_signal",
        "Capacity risk: cast-plant",
    )
    assert body["parties"][:1] == ["actor:castco"]  # the site's actor (also the provider)
    ids = [e["id"] for e in client.get(f"{ECO}/escalations", headers=heads["admin"]).json()]
    assert ids == [body["id"]]  # raised once
    for missing in (signal_id + 1000, foreign_signal(client)):
        answer = client.post(f"{ECO}/risk-signals/{missing}/escalate", headers=heads["admin"])
        assert answer.status_code == 404, (missing, answer.text)
    assert client.post(f"{ECO}/risk-signals/0/escalate", headers=heads["admin"]).status_code == 422
    assert client.post(url).status_code == 401


def test_errors_point_at_the_field(client: TestClient, heads: dict[str, Headers]) -> None:
    body = {"title": "x", "category": "intellectual_property", "severity": "low"}
    refused = client.post(f"{ECO}/escalations", json=body, headers=heads["admin"])
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["pointer"] == "/category"
    bad = client.post(
        f"{ECO}/escalations",
        json={**body, "category": "routine_coordination", "parties": ["actor:ghost"]},
        headers=heads["admin"],
    )
    assert bad.json()["errors"] == [
        {"pointer": "/parties/0", "detail": "actor:ghost is no actor of small"}
    ]
    escalation_id = new_escalation(client, heads)
    url = f"{ECO}/escalations/{escalation_id}"
    assert (
        client.post(f"{url}/reopen", json={"reason": "x"}, headers=heads["admin"]).status_code
        == 409
    )
    assert (
        client.post(f"{url}/respond", json={"text": ""}, headers=heads["admin"]).status_code == 422
    )


def test_the_board(client: TestClient, heads: dict[str, Headers]) -> None:
    new_escalation(client, heads)
    new_escalation(client, heads, customer_impact=True)
    board = client.get(f"{ECO}/escalations/board", headers=heads["viewer"]).json()
    assert board["active"] == 2 and board["by_level"]["tactical"] == 1
    assert client.get(f"{ECO}/escalations/board", headers=heads["outsider"]).json()["active"] == 0


# --- pages --------------------------------------------------------------------------------------


@pytest.fixture
def console(client: TestClient, eco_id: int) -> TestClient:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        for role in (Role.ANALYST, Role.VIEWER):
            add_user(session=db, username=role.value, password=PASSWORD, role=role)
        for actor in ("castco", "grid"):
            add_user(
                session=db, username=actor, password=PASSWORD, role=Role.PARTNER_ADMIN,
                partner_ecosystem_id=eco_id, partner_actor=actor,
            )  # fmt: skip
        db.commit()
    return client


def login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def csrf_of(client: TestClient, path: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def test_raise_and_work_an_escalation_in_the_console(console: TestClient) -> None:
    login(console, "analyst")
    form = {"title": "Castings late", "category": "routine_coordination", "severity": "medium",
            "parties": "castco", "csrf_token": csrf_of(console, PAGE)}  # fmt: skip
    raised = console.post(PAGE, data=form, follow_redirects=False)
    assert raised.status_code == 303
    detail_url = raised.headers["location"]
    page = console.get(detail_url).text
    assert 'data-status="open"' in page and 'id="acknowledge-form"' in page
    login(console, "castco")
    token = csrf_of(console, detail_url)
    acked = console.post(f"{detail_url}/acknowledge", data={"csrf_token": token, "text": ""})
    assert acked.status_code == 200 and 'data-status="acknowledged"' in acked.text
    assert 'id="respond-form"' in acked.text
    refused = console.post(f"{detail_url}/reopen", data={"csrf_token": token, "text": "again"})
    assert refused.status_code == 409 and 'id="refused"' in refused.text
    stale = console.post(f"{detail_url}/respond", data={"csrf_token": "x", "text": "hi"})
    assert stale.status_code == 403
    login(console, "grid")
    assert console.get(detail_url).status_code == 404
    assert "Castings late" not in console.get(PAGE).text


def test_the_list_filters_and_explains_refusals(console: TestClient) -> None:
    login(console, "analyst")
    form = {
        "title": "x",
        "category": "nope",
        "severity": "low",
        "csrf_token": csrf_of(console, PAGE),
    }
    refused = console.post(PAGE, data=form)
    assert refused.status_code == 422 and "no decision right routes nope" in refused.text
    login(console, "viewer")
    listing = console.get(PAGE, params={"level": "tactical", "overdue": "1"})
    assert listing.status_code == 200 and 'id="raise-form"' not in listing.text
    assert console.post(PAGE, data=form).status_code == 403


def test_pages_need_a_sign_in(console: TestClient) -> None:
    console.cookies.clear()
    response = console.get(PAGE, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_a_partner_of_another_ecosystem_gets_404(console: TestClient) -> None:
    factory = console.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        other = import_spec(session=db, spec=small_spec("other"))
        add_user(
            session=db, username="stranger", password=PASSWORD, role=Role.PARTNER_ADMIN,
            partner_ecosystem_id=other.id, partner_actor="castco",
        )  # fmt: skip
        db.commit()
        assert db.scalar(select(Ecosystem.id).where(Ecosystem.name == "other")) == other.id
    login(console, "stranger")
    assert console.get(PAGE).status_code == 404
