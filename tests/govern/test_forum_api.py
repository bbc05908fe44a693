"""Decision rights, forums, agendas, meetings and decisions over HTTP: the permission of every
route for every role, the problem details of bad input, exports, and the console pages."""

from __future__ import annotations

import io
import re
from typing import Any

import icalendar
import openpyxl
import pytest
from fastapi.testclient import TestClient
from httpx import Response

from podium.core.auth import Principal, Role, add_user
from podium.core.db import unit_of_work
from podium.ecosystem.service import import_spec
from podium.govern import escalation_service
from tests.conftest import TokenFor
from tests.factories import small_spec

API = "/api/v1/ecosystems/small"
PAGES = "/ecosystems/small/govern"
PASSWORD = "correct horse battery"
Headers = dict[str, str]
ROLES = ("admin", "analyst", "viewer", "castco", "alloy")
WEEKLY = {
    "key": "weekly", "name": "Weekly call", "kind": "operational_standup",
    "rrule": "FREQ=WEEKLY;BYDAY=TU", "starts_at": "2026-03-03T09:00:00",
    "timezone": "Europe/Warsaw", "members": [{"party": "actor:castco"}],
}  # fmt: skip


@pytest.fixture
def eco_id(client: TestClient) -> int:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        return import_spec(session=session, spec=small_spec()).id


@pytest.fixture
def users(token_for: TokenFor, eco_id: int) -> dict[str, Headers]:
    return {
        "admin": token_for(Role.ADMIN),
        "analyst": token_for(Role.ANALYST),
        "viewer": token_for(Role.VIEWER),
        "castco": token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="castco"),
        "alloy": token_for(Role.PARTNER_USER, ecosystem_id=eco_id, actor="alloy"),
    }


def ok(response: Response, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


@pytest.fixture
def seeded(client: TestClient, users: dict[str, Headers]) -> dict[str, Headers]:
    """Default rights and forums, plus the weekly forum castco sits in."""
    ok(client.post(f"{API}/decision-rights/defaults", headers=users["admin"]), 201)
    ok(client.post(f"{API}/forums", json=WEEKLY, headers=users["admin"]), 201)
    return users


def right_body() -> dict[str, Any]:
    return {
        "title": "Data access", "strategic": True, "note": "IT consulted",
        "raci": {"actor:oem": "A", "person:ana": "R", "actor:alloy": "C"},
        "path": [{"level": "tactical", "owner": "actor:oem", "forum": "weekly", "sla_hours": 48},
                 {"level": "strategic", "owner": "actor:oem", "forum": "steering-committee",
                  "sla_hours": 120}],
    }  # fmt: skip


READ = {"admin": 200, "analyst": 200, "viewer": 200, "castco": 403, "alloy": 403}
WRITE = {"admin": 200, "analyst": 200, "viewer": 403, "castco": 403, "alloy": 403}
CREATE = {role: 201 if code == 200 else code for role, code in WRITE.items()}
TAKE_PART = {"admin": 200, "analyst": 200, "viewer": 200, "castco": 200, "alloy": 404}
EVERYONE = dict.fromkeys(ROLES, 200)


def routes(role: str) -> list[tuple[str, str, Any, dict[str, int]]]:
    forum = {**WEEKLY, "key": f"f-{role}"}
    return [
        ("GET", "/decision-rights", None, READ),
        ("GET", "/decision-rights?format=xlsx", None, READ),
        ("GET", "/decision-rights.csv", None, READ),
        ("GET", "/decision-rights/data_access", None, READ),
        ("GET", "/decision-rights/data_access?version=1", None, READ),
        ("GET", "/decision-rights/data_access/history", None, READ),
        ("PUT", "/decision-rights/data_access", right_body(), WRITE),
        ("POST", "/decision-rights/defaults", None, CREATE),
        ("GET", "/forums", None, EVERYONE),
        ("GET", "/forums/calendar.ics", None, EVERYONE),
        ("POST", "/forums", forum, CREATE),
        ("GET", "/forums/weekly", None, TAKE_PART),
        ("GET", "/forums/weekly/agenda", None, TAKE_PART),
        ("GET", "/forums/weekly/calendar.ics", None, TAKE_PART),
        ("GET", "/forums/weekly/meetings", None, TAKE_PART),
        ("POST", "/forums/weekly/meetings", None, CREATE),
        ("PUT", "/forums/weekly", {**WEEKLY, "duration_minutes": 30}, WRITE),
        ("DELETE", f"/forums/{forum['key']}", None, {**WRITE, "admin": 404, "analyst": 404}),
        ("GET", "/decisions", None, EVERYONE),
    ]


def test_every_route_admits_exactly_its_roles(
    client: TestClient, seeded: dict[str, Headers]
) -> None:
    wrong = []
    for role in ROLES:
        for method, path, body, expected in routes(role):
            status = client.request(method, API + path, json=body, headers=seeded[role]).status_code
            if role in ("admin", "analyst") and method == "DELETE":
                expected = {role: 200}  # it created f-<role> just before
            if status != expected[role]:
                wrong.append(f"{role} {method} {path}: {status}, expected {expected[role]}")
            anonymous = client.request(method, API + path, json=body).status_code
            if anonymous != 401:
                wrong.append(f"anonymous {method} {path}: {anonymous}")
    assert wrong == []


def test_a_bad_right_is_refused_with_pointers(
    client: TestClient, seeded: dict[str, Headers]
) -> None:
    body = right_body()
    body["raci"] = {"actor:ghost": "A", "person:ana": "Z"}
    body["path"][0]["sla_hours"] = 0
    problem = client.put(f"{API}/decision-rights/data_access", json=body, headers=seeded["analyst"])
    assert problem.status_code == 422
    assert problem.headers["content-type"].startswith("application/problem+json")
    pointers = [e["pointer"] for e in problem.json()["errors"]]
    assert pointers == [
        "/raci/actor:ghost", "/raci/person:ana", "/raci", "/path/0/sla_hours",
    ]  # fmt: skip
    bad_type = client.put(
        f"{API}/decision-rights/Bad-Type", json=right_body(), headers=seeded["admin"]
    )
    assert (
        bad_type.status_code == 422 and bad_type.json()["errors"][0]["pointer"] == "/decision_type"
    )


def test_an_edit_is_a_version_with_its_changes(
    client: TestClient, seeded: dict[str, Headers]
) -> None:
    analyst = seeded["analyst"]
    saved = ok(client.put(f"{API}/decision-rights/data_access", json=right_body(), headers=analyst))
    assert saved["version"] == 2 and saved["current"] and saved["note"] == "IT consulted"
    assert saved["changed_at"].endswith("Z") or "+00:00" in saved["changed_at"]
    first = ok(client.get(f"{API}/decision-rights/data_access?version=1", headers=analyst))
    assert not first["current"] and "actor:alloy" not in first["raci"]
    versions = ok(client.get(f"{API}/decision-rights/data_access/history", headers=analyst))
    assert [v["version"] for v in versions] == [2, 1]
    assert {"pointer": "/raci/actor:alloy", "before": None, "after": "C"} in versions[0]["changes"]
    csv = client.get(f"{API}/decision-rights.csv", headers=analyst)
    assert csv.headers["content-type"].startswith("text/csv")
    header, *lines = csv.text.splitlines()
    assert header.startswith(
        "decision_type,title,strategic,path,actor:alloy,actor:castco,actor:oem"
    )
    assert len(lines) == 9 and any(line.startswith("data_access,Data access,") for line in lines)
    xlsx = client.get(f"{API}/decision-rights?format=xlsx", headers=analyst)
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.max_row == 10


def test_forums_calendars_and_partner_visibility(
    client: TestClient, seeded: dict[str, Headers]
) -> None:
    weekly = ok(client.get(f"{API}/forums/weekly", headers=seeded["castco"]))
    assert weekly["starts_at"] == "2026-03-03T08:00:00Z"  # 09:00 in Warsaw (CET)
    assert weekly["cadence"] == "every week on Tuesday at 09:00 (Europe/Warsaw)"
    assert [f["key"] for f in ok(client.get(f"{API}/forums", headers=seeded["castco"]))] == [
        "weekly"
    ]
    assert len(ok(client.get(f"{API}/forums", headers=seeded["viewer"]))) == 6
    ics = client.get(f"{API}/forums/calendar.ics", headers=seeded["castco"])
    assert ics.headers["content-type"].startswith("text/calendar")
    events = icalendar.Calendar.from_ical(ics.content).walk("VEVENT")
    assert [str(e["uid"]) for e in events] == ["forum-weekly.small@podium"]
    conflict = client.post(f"{API}/forums", json=WEEKLY, headers=seeded["admin"])
    assert conflict.status_code == 409
    bad = client.post(f"{API}/forums", json={**WEEKLY, "key": "x", "timezone": "Moon/Base"},
                      headers=seeded["admin"])  # fmt: skip
    assert bad.status_code == 422 and bad.json()["errors"][0]["pointer"] == "/timezone"
    routed = client.delete(f"{API}/forums/steering-committee", headers=seeded["admin"])
    assert routed.status_code == 409


def test_minutes_over_the_api_resolve_the_escalation(
    client: TestClient, seeded: dict[str, Headers]
) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with unit_of_work(factory) as session:
        from podium.ecosystem.service import get_ecosystem

        ecosystem = get_ecosystem(session=session, name="small")
        raised = escalation_service.raise_escalation(
            session=session, ecosystem=ecosystem, principal=Principal(1, "ana", Role.ANALYST),
            request_id="r", title="Housings late", detail="", category="customer_impact_risk",
            severity="high", customer_impact=True, parties=["actor:castco"],
        )  # fmt: skip
        escalation_id, forum = raised.id, raised.forum_key
    agenda = ok(client.get(f"{API}/forums/{forum}/agenda", headers=seeded["analyst"]))
    assert [i["ref"] for i in agenda["items"]] == [str(escalation_id)]
    assert agenda["items"][0]["reason"].startswith("escalation at the")
    meeting = ok(client.post(f"{API}/forums/{forum}/meetings", headers=seeded["analyst"]), 201)
    minutes = {
        "attendees": ["person:ana", "actor:castco"], "minutes": "Reviewed the late housings.",
        "decisions": [{"title": "Second source", "text": "Qualify Alloy for housings.",
                       "decision_type": "customer_impact_risk",
                       "links": [{"kind": "escalation", "id": escalation_id}]}],
    }  # fmt: skip
    path = f"{API}/forums/{forum}/meetings/{meeting['id']}"
    held = ok(client.put(path, json=minutes, headers=seeded["analyst"]))
    assert held["minutes"] == "Reviewed the late housings."
    decisions = ok(client.get(f"{API}/decisions?forum={forum}", headers=seeded["viewer"]))
    assert decisions[0]["title"] == "Second source" and decisions[0]["forum"] == forum
    assert decisions[0]["links"] == [{"kind": "escalation", "id": str(escalation_id)}]
    assert ok(client.get(f"{API}/forums/{forum}/agenda", headers=seeded["analyst"]))["items"] == []
    again = client.put(path, json=minutes, headers=seeded["analyst"])
    assert again.status_code == 409
    assert ok(client.get(f"{API}/decisions", headers=seeded["alloy"])) == []


# --- pages ----------------------------------------------------------------------------------------


@pytest.fixture
def console(client: TestClient, seeded: dict[str, Headers], eco_id: int) -> TestClient:
    with unit_of_work(client.app.state.session_factory) as db:  # type: ignore[attr-defined]
        for role in (Role.ANALYST, Role.VIEWER):
            add_user(session=db, username=f"web-{role.value}", password=PASSWORD, role=role)
        add_user(
            session=db, username="web-castco", password=PASSWORD, role=Role.PARTNER_USER,
            partner_ecosystem_id=eco_id, partner_actor="castco",
        )  # fmt: skip
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


PAGE_ACCESS = [
    ("web-viewer", "/rights", 200), ("web-viewer", "/rights?type=data_access", 200),
    ("web-viewer", "/forums", 200), ("web-viewer", "/forums/weekly/meeting", 200),
    ("web-castco", "/rights", 403), ("web-castco", "/forums", 200),
    ("web-castco", "/forums/weekly/meeting", 200),
    ("web-castco", "/forums/steering-committee/meeting", 404),
    ("web-analyst", "/rights?type=nope", 404), ("web-analyst", "/forums?forum=nope", 404),
]  # fmt: skip


def test_pages_need_their_permission(console: TestClient) -> None:
    wrong = []
    for username, path, status in PAGE_ACCESS:
        login(console, username)
        if (found := console.get(PAGES + path).status_code) != status:
            wrong.append(f"{username} {path}: {found}, expected {status}")
    console.cookies.clear()
    signed_out = console.get(f"{PAGES}/rights", follow_redirects=False)
    assert signed_out.status_code == 303 and "/login" in signed_out.headers["location"]
    assert wrong == []


def test_the_matrix_page_shows_types_by_parties(console: TestClient) -> None:
    login(console, "web-viewer")
    page = console.get(f"{PAGES}/rights?type=data_access").text
    assert 'id="raci-matrix"' in page and 'data-type="major_service_failure"' in page
    assert 'id="history"' in page and 'id="right-form"' not in page  # a viewer cannot edit
    login(console, "web-castco")
    forums = console.get(f"{PAGES}/forums").text
    assert 'data-forum="weekly"' in forums and 'data-forum="steering-committee"' not in forums
    assert 'id="forum-form"' not in forums


def test_an_analyst_edits_a_right_and_records_minutes_in_the_console(console: TestClient) -> None:
    login(console, "web-analyst")
    form_page = f"{PAGES}/rights?type=routine_coordination"
    form = {
        "csrf_token": csrf_of(console, form_page), "title": "Routine coordination",
        "raci": "actor:oem = A\nperson:web-analyst = R\nactor:castco = I",
        "path": "operational | actor:oem | weekly | 12\ntactical | actor:oem | | 48",
        "note": "weekly",
    }  # fmt: skip
    forged = {**form, "csrf_token": "x"}
    assert console.post(f"{PAGES}/rights/routine_coordination", data=forged).status_code == 403
    saved = console.post(f"{PAGES}/rights/routine_coordination", data=form, follow_redirects=False)
    assert saved.status_code == 303
    page = console.get(saved.headers["location"]).text
    assert "routine_coordination is saved as a new version" in page and "v2" in page
    refused = console.post(
        f"{PAGES}/rights/routine_coordination", data={**form, "path": "tactical | actor:oem | | x"}
    )
    assert refused.status_code == 422 and "is no number of hours" in refused.text
    csrf = csrf_of(console, f"{PAGES}/forums?forum=weekly")
    prepared = console.post(
        f"{PAGES}/forums/weekly/meeting", data={"csrf_token": csrf}, follow_redirects=False
    )
    assert prepared.status_code == 303
    meeting_page = console.get(prepared.headers["location"]).text
    action = re.search(r'action="([^"]+/minutes)"', meeting_page)
    assert action is not None
    minutes = {"csrf_token": csrf, "attendees": "actor:castco", "minutes": "Short call.",
               "decision_title": ["Keep cadence", ""], "decision_text": ["Stay weekly.", ""],
               "decision_type": ["routine_coordination", ""]}  # fmt: skip
    blank = console.post(action.group(1), data={**minutes, "minutes": " "})
    assert blank.status_code == 422 and "write what was discussed" in blank.text
    assert 'id="minutes-form"' in blank.text
    done = console.post(action.group(1), data=minutes, follow_redirects=False)
    assert done.status_code == 303
    shown = console.get(done.headers["location"]).text
    assert "Keep cadence" in shown and 'id="minutes"' in shown
