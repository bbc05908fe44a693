"""The platform-dependency API and console pages over HTTP, on SQLite and PostgreSQL: who may do
what (admin, analyst, viewer, partners), bad input named by its pointer, and the pages."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

import podium
from podium.core.auth import Role, add_user
from podium.core.db import unit_of_work
from podium.ecosystem import service as eco_service
from podium.samples import SAMPLES
from tests.conftest import TokenFor

API = "/api/v1"
ECO = f"{API}/ecosystems/manufacturer"
PAGE = "/ecosystems/manufacturer"
PASSWORD = "correct horse battery"
Headers = dict[str, str]
BODY: dict[str, Any] = {
    "category": "cloud",
    "answers": {
        "terms_change": {"score": 3, "note": "90 days' notice"},
        "data_migration": {"score": 4},
        "backup_options": {"score": 2},
        "customer_relationship": {"score": 0},
        "pricing_exposure": {"score": None},
    },
}


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def pointers(response: Response, status: int = 422) -> list[str]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    return [e["pointer"] for e in response.json().get("errors", [])]


@pytest.fixture
def eco_id(client: TestClient) -> int:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        return eco_service.import_spec(
            session=session, spec=podium.load(SAMPLES["manufacturer"])
        ).id


class Roles(dict[str, Headers]):
    """Bearer-token headers per role, a user made on first use (hashing passwords is slow)."""

    def __init__(self, token_for: TokenFor, eco_id: int) -> None:
        super().__init__()
        self.token_for, self.eco_id = token_for, eco_id

    def __missing__(self, role: str) -> Headers:
        actor = {"partner_admin": "nimbus", "partner_user": "velora"}.get(role)
        scope = {"ecosystem_id": self.eco_id, "actor": actor} if actor else {}
        self[role] = headers = self.token_for(Role(role), **scope)
        return headers


@pytest.fixture
def roles(token_for: TokenFor, eco_id: int) -> Roles:
    return Roles(token_for, eco_id)


def calls(client: TestClient, headers: Headers) -> dict[str, Response]:
    """One call of each route."""
    return {
        "list": client.get(f"{ECO}/platforms", headers=headers),
        "questionnaire": client.get(f"{ECO}/platforms/questionnaire", headers=headers),
        "show": client.get(f"{ECO}/platforms/nimbus", headers=headers),
        "terms": client.post(
            f"{ECO}/platforms/nimbus/terms-change", json={"days": 7}, headers=headers
        ),
        "assess": client.put(f"{ECO}/platforms/nimbus/assessment", json=BODY, headers=headers),
    }


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("admin", {"list", "questionnaire", "show", "terms", "assess"}),
     ("analyst", {"list", "questionnaire", "show", "terms", "assess"}),
     ("viewer", {"list", "questionnaire", "show", "terms"}),
     ("partner_admin", set()),
     ("partner_user", set())],
)  # fmt: skip
def test_permissions(client: TestClient, roles: Roles, role: str, allowed: set[str]) -> None:
    for route, response in calls(client, roles[role]).items():
        expected = 200 if route in allowed else 403
        assert response.status_code == expected, (route, response.text)


def test_signed_out_callers_are_refused(client: TestClient, eco_id: int) -> None:
    assert all(r.status_code == 401 for r in calls(client, {}).values())


def test_assess_then_read_with_reasons_and_history(client: TestClient, roles: Roles) -> None:
    """Four questions of weight 1.5 answered (coverage 0.6): 100 * 1.5 * 9 / 24 = 56.25."""
    first = ok(
        client.put(f"{ECO}/platforms/nimbus/assessment", json=BODY, headers=roles["analyst"])
    )
    assert first["index"] == pytest.approx(56.25) and first["band"] == "moderate"
    assert first["version"] == 1 and first["assessed_by"].startswith("analyst")
    assert sum(r["points"] for r in first["reasons"]) == pytest.approx(first["index"])
    assert "pricing_exposure" in first["missing"]
    changed = {**BODY, "answers": {**BODY["answers"], "data_migration": {"score": 0}}}
    ok(client.put(f"{ECO}/platforms/nimbus/assessment", json=changed, headers=roles["admin"]))
    shown = ok(client.get(f"{ECO}/platforms/nimbus", headers=roles["viewer"]))
    assert shown["summary"]["version"] == 2 and shown["summary"]["assessed"]
    assert shown["current"]["index"] == pytest.approx(100 * 1.5 * 5 / 24)
    assert [h["version"] for h in shown["history"]] == [2, 1]
    assert shown["current"]["reasons"][0]["key"] == "terms_change"
    assert set(shown["exposure"]["down_with"]) == {
        "hartwell-stuttgart", "hartwell-gyor", "hartwell-queretaro",
    }  # fmt: skip
    listed = {p["actor"]: p for p in ok(client.get(f"{ECO}/platforms", headers=roles["viewer"]))}
    assert listed["nimbus"]["band"] == "low" and listed["nimbus"]["version"] == 2  # 31.25
    assert listed["meridian"] == listed["meridian"] | {"assessed": False, "band": "not assessed"}


def test_questionnaire(client: TestClient, roles: Roles) -> None:
    found = ok(client.get(f"{ECO}/platforms/questionnaire", headers=roles["viewer"]))
    assert len(found["questions"]) == 8 and found["min_coverage"] == 0.5
    migration = next(q for q in found["questions"] if q["key"] == "data_migration")
    assert migration["levels"][4] == {"score": 4, "text": "No export."}
    assert {c["key"] for c in found["categories"]} >= {"cloud", "payments", "marketplace"}


def test_terms_change(client: TestClient, roles: Roles) -> None:
    lost = ok(
        client.post(
            f"{ECO}/platforms/nimbus/terms-change", json={"days": 2}, headers=roles["viewer"]
        )
    )
    assert lost["products"] == ["e-axle-hd"] and lost["performance_impact"] == pytest.approx(115500)
    half = ok(
        client.post(
            f"{ECO}/platforms/nimbus/terms-change",
            json={"days": 14, "capacity_share": 0.5},
            headers=roles["viewer"],
        )
    )
    assert half["method"] == "degraded" and half["tts_days"] > lost["tts_days"]


@pytest.mark.parametrize(
    ("body", "expected"),
    [({**BODY, "category": "crypto"}, ["#/category"]),
     ({**BODY, "answers": {"data_migration": {"score": 9}}}, ["#/answers/data_migration/score"]),
     ({**BODY, "answers": {"mood": {"score": 1}}}, ["#/answers/mood"]),
     ({**BODY, "answers": {"data_migration": {"score": "lots"}}},
      ["#/answers/data_migration/score"]),
     ({**BODY, "answers": {"data_migration": {"score": 1, "grade": "A"}}},
      ["#/answers/data_migration/grade"]),
     ({"answers": {}}, ["#/category"])],
)  # fmt: skip
def test_bad_assessments_name_their_field(
    client: TestClient, roles: Roles, body: dict[str, Any], expected: list[str]
) -> None:
    response = client.put(f"{ECO}/platforms/nimbus/assessment", json=body, headers=roles["admin"])
    assert pointers(response) == expected


def test_unknown_actors(client: TestClient, roles: Roles) -> None:
    put = client.put(f"{ECO}/platforms/nobody/assessment", json=BODY, headers=roles["admin"])
    assert pointers(put) == ["#/platform"]
    assert pointers(client.get(f"{ECO}/platforms/nobody", headers=roles["admin"]), 404) == []
    terms = client.post(
        f"{ECO}/platforms/nobody/terms-change", json={"days": 3}, headers=roles["admin"]
    )
    assert terms.status_code == 404


@pytest.mark.parametrize(
    ("body", "expected"),
    [({"days": 0}, ["#/days"]), ({"days": 3, "capacity_share": 1.5}, ["#/capacity_share"]),
     ({}, ["#/days"])],
)  # fmt: skip
def test_bad_scenarios_name_their_field(
    client: TestClient, roles: Roles, body: dict[str, Any], expected: list[str]
) -> None:
    response = client.post(
        f"{ECO}/platforms/nimbus/terms-change", json=body, headers=roles["viewer"]
    )
    assert pointers(response) == expected


# --- pages ----------------------------------------------------------------------------------------


def login(client: TestClient, role: Role) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        add_user(session=session, username=f"page-{role.value}", password=PASSWORD, role=role)
    client.cookies.clear()
    signed = client.post(
        "/login",
        data={"username": f"page-{role.value}", "password": PASSWORD},
        follow_redirects=False,
    )
    assert signed.status_code == 303


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def test_pages_assess_show_and_stress_test(client: TestClient, eco_id: int) -> None:
    login(client, Role.ANALYST)
    page = client.get(f"{PAGE}/platforms")
    assert page.status_code == 200, page.text
    assert "Nimbus" in page.text and "Not assessed" in page.text
    assert "hartwell-gyor" in page.text  # goes down with the cloud
    form = client.get(f"{PAGE}/platforms/nimbus/assess")
    assert form.status_code == 200 and 'name="score_data_migration" value="4"' in form.text
    fields = {"csrf_token": csrf_of(form.text), "category": "cloud"}
    fields |= {"score_data_migration": "4", "score_terms_change": "3", "score_backup_options": "2"}
    fields |= {"score_customer_relationship": "0", "note_data_migration": "no export"}
    saved = client.post(f"{PAGE}/platforms/nimbus/assess", data=fields, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    shown = client.get(saved.headers["location"])
    index = re.search(r'class="dependency-index">([^<]+)<', shown.text)
    assert index is not None and index.group(1) == "56.2"  # 100 * 1.5 * 9 / 24 = 56.25
    assert "no export" in shown.text and "Moderate" in shown.text
    impact = client.post(
        f"{PAGE}/platforms/nimbus/terms-change",
        data={"csrf_token": fields["csrf_token"], "days": "2", "capacity_share": "0"},
    )
    assert impact.status_code == 200 and "115,500" in impact.text and "e-axle-hd" in impact.text


def test_pages_refuse_bad_input_and_stale_forms(client: TestClient, eco_id: int) -> None:
    login(client, Role.ADMIN)
    form = client.get(f"{PAGE}/platforms/nimbus/assess")
    token = csrf_of(form.text)
    bad = client.post(
        f"{PAGE}/platforms/nimbus/assess",
        data={"csrf_token": token, "category": "crypto", "score_data_migration": "9"},
    )
    assert bad.status_code == 422 and "unknown category" in bad.text
    assert "score must be 0, 1, 2, 3 or 4, not 9" in bad.text
    stale = client.post(f"{PAGE}/platforms/nimbus/assess", data={"csrf_token": "forged"})
    assert stale.status_code == 403
    terms = client.post(
        f"{PAGE}/platforms/nimbus/terms-change", data={"csrf_token": token, "days": "soon"}
    )
    assert terms.status_code == 422 and "not a number" in terms.text


def test_pages_by_role(client: TestClient, eco_id: int) -> None:
    login(client, Role.VIEWER)
    assert client.get(f"{PAGE}/platforms").status_code == 200
    assert "/platforms/nimbus/assess" not in client.get(f"{PAGE}/platforms").text
    assert client.get(f"{PAGE}/platforms/nimbus/assess").status_code == 403
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        add_user(
            session=session,
            username="partner",
            password=PASSWORD,
            role=Role.PARTNER_ADMIN,
            partner_ecosystem_id=eco_id,
            partner_actor="nimbus",
        )
    client.cookies.clear()
    client.post("/login", data={"username": "partner", "password": PASSWORD})
    assert client.get(f"{PAGE}/platforms").status_code == 403
