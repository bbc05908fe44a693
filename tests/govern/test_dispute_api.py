"""Disputes and certification over HTTP: every transition's permission across the roles (an
involved and an uninvolved partner included), problem details with pointers, and the pages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from typer.testing import CliRunner

from podium.cli import app
from podium.core.auth import Role
from podium.core.db import unit_of_work
from podium.ecosystem import service as eco_service
from podium.samples import SAMPLES
from tests.conftest import TokenFor
from tests.factories import small_spec

ECO = "/api/v1/ecosystems/small"
Headers = dict[str, str]
runner = CliRunner()


def status_of(response: Response) -> int:
    return response.status_code


@pytest.fixture
def roles(client: TestClient, token_for: TokenFor) -> dict[str, Headers]:
    with unit_of_work(client.app.state.session_factory) as session:  # type: ignore[attr-defined]
        eco_id = eco_service.import_spec(session=session, spec=small_spec()).id
    return {
        "admin": token_for(Role.ADMIN),
        "analyst": token_for(Role.ANALYST),
        "viewer": token_for(Role.VIEWER),
        "castco": token_for(Role.PARTNER_USER, ecosystem_id=eco_id, actor="castco"),
        "alloy": token_for(Role.PARTNER_ADMIN, ecosystem_id=eco_id, actor="alloy"),
    }


def open_dispute(client: TestClient, headers: Headers, **body: Any) -> Response:
    payload = {"title": "Late housings", "subject": "delivery", "parties": ["actor:oem"], **body}
    return client.post(f"{ECO}/disputes", json=payload, headers=headers)


def test_who_may_open_and_see_disputes(client: TestClient, roles: dict[str, Headers]) -> None:
    created = open_dispute(client, roles["castco"])
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["parties"] == ["actor:castco", "actor:oem"]
    assert body["step"] == "negotiation" and body["actions"][-1] == "withdraw"
    assert [s["days"] for s in body["timeline"]] == [30, 45, 90]
    url = f"{ECO}/disputes/{body['id']}"
    assert status_of(open_dispute(client, roles["viewer"])) == 403
    expected = {"admin": 200, "analyst": 200, "viewer": 200, "castco": 200, "alloy": 404}
    assert {who: status_of(client.get(url, headers=h)) for who, h in roles.items()} == expected
    listed = {who: len(client.get(f"{ECO}/disputes", headers=h).json()) for who, h in roles.items()}
    assert listed == {"admin": 1, "analyst": 1, "viewer": 1, "castco": 1, "alloy": 0}
    assert client.get(url).status_code == 401


def test_every_transition_checks_its_permission(
    client: TestClient, roles: dict[str, Headers]
) -> None:
    dispute = open_dispute(client, roles["castco"]).json()
    url = f"{ECO}/disputes/{dispute['id']}"
    entry = {"kind": "statement", "text": "We shipped on time."}
    entries = {
        who: status_of(client.post(f"{url}/entries", json=entry, headers=h))
        for who, h in roles.items()
    }
    assert entries == {"admin": 201, "analyst": 201, "viewer": 403, "castco": 201, "alloy": 404}
    advance = {"reason": "no agreement"}
    answers = {who: status_of(client.post(f"{url}/advance", json=advance, headers=roles[who]))
               for who in ("viewer", "castco", "alloy")}  # fmt: skip
    assert answers == {"viewer": 403, "castco": 403, "alloy": 403}
    moved = client.post(f"{url}/advance", json=advance, headers=roles["analyst"]).json()
    assert moved["step"] == "mediation"
    assert status_of(client.post(f"{url}/withdraw", json={}, headers=roles["analyst"])) == 403
    assert (
        status_of(client.post(f"{url}/resolve", json={"outcome": "x"}, headers=roles["castco"]))
        == 403
    )
    done = client.post(f"{url}/resolve", json={"outcome": "3% rebate"}, headers=roles["admin"])
    assert done.json()["status"] == "resolved" and done.json()["actions"] == []
    assert status_of(client.post(f"{url}/withdraw", json={}, headers=roles["castco"])) == 409


def test_the_raising_partner_withdraws(client: TestClient, roles: dict[str, Headers]) -> None:
    dispute = open_dispute(client, roles["castco"], parties=["actor:alloy"]).json()
    url = f"{ECO}/disputes/{dispute['id']}/withdraw"
    assert status_of(client.post(url, json={}, headers=roles["alloy"])) == 403
    assert (
        client.post(url, json={"reason": "paid"}, headers=roles["castco"]).json()["status"]
        == "withdrawn"
    )


def test_bad_input_points_at_the_field(client: TestClient, roles: dict[str, Headers]) -> None:
    answer = open_dispute(client, roles["analyst"], parties=["actor:castco", "actor:ghost"])
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["errors"][0]["pointer"] == "/parties/1"
    dispute = open_dispute(client, roles["castco"]).json()
    bad = {"kind": "evidence", "text": "see", "links": [{"kind": "audit", "id": "99999"}]}
    answer = client.post(
        f"{ECO}/disputes/{dispute['id']}/entries", json=bad, headers=roles["castco"]
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["pointer"] == "/links/0"


def test_certification_permissions(client: TestClient, roles: dict[str, Headers]) -> None:
    scheme = {
        "key": "cast",
        "name": "Casting",
        "process": "casting",
        "levels": ["basic", "advanced"],
    }
    assert (
        status_of(client.post(f"{ECO}/certification-schemes", json=scheme, headers=roles["castco"]))
        == 403
    )
    assert (
        status_of(
            client.post(f"{ECO}/certification-schemes", json=scheme, headers=roles["analyst"])
        )
        == 201
    )
    for actor in ("castco", "alloy"):
        cert = {"scheme": "cast", "actor": actor, "level": "advanced", "issued_on": "2026-01-01"}
        assert (
            status_of(client.post(f"{ECO}/certifications", json=cert, headers=roles["admin"]))
            == 201
        )
    seen = {who: sorted(c["actor"] for c in client.get(f"{ECO}/certifications", headers=h).json())
            for who, h in roles.items()}  # fmt: skip
    assert seen["viewer"] == ["alloy", "castco"] and seen["castco"] == ["castco"]
    query = f"{ECO}/certifications/eligible?process=casting&region=EU-East&on=2026-06-01"
    assert status_of(client.get(query, headers=roles["castco"])) == 403
    found = client.get(query, headers=roles["viewer"]).json()
    assert [(e["actor"], e["site"]) for e in found] == [
        ("alloy", "alloy-plant"),
        ("castco", "cast-plant"),
    ]
    check = f"{ECO}/certifications/check-expiry?on=2026-12-15"
    assert status_of(client.post(check, headers=roles["viewer"])) == 403
    assert client.post(check, headers=roles["analyst"]).json()["new_exceptions"] == 2
    upload = {
        "file": (
            "c.csv",
            b"scheme,actor,level,issued_on\ncast,ghost,basic,2026-01-01\n",
            "text/csv",
        )
    }
    answer = client.post(f"{ECO}/certifications/import", files=upload, headers=roles["analyst"])
    assert answer.status_code == 422 and answer.json()["errors"][0]["row"] == 2


def test_pages_render(client: TestClient, roles: dict[str, Headers]) -> None:
    dispute = open_dispute(client, roles["castco"]).json()
    for who in ("analyst", "viewer", "castco"):
        for path in ("/disputes", f"/disputes/{dispute['id']}", "/certifications"):
            page = client.get(f"/ecosystems/small{path}", headers=roles[who])
            assert page.status_code == 200, (who, path, page.text[:300])
    detail = client.get(
        f"/ecosystems/small/disputes/{dispute['id']}", headers=roles["analyst"]
    ).text
    assert "Steps and deadlines" in detail and "advance-form" in detail
    partner_view = client.get(
        f"/ecosystems/small/disputes/{dispute['id']}", headers=roles["castco"]
    ).text
    assert "advance-form" not in partner_view and "Withdraw" in partner_view
    assert (
        client.get(
            f"/ecosystems/small/disputes/{dispute['id']}", headers=roles["alloy"]
        ).status_code
        == 404
    )


def test_the_commands(tmp_path: Path) -> None:
    """The CLI end to end on a SQLite file: a partner opens, staff advance and resolve;
    certifications are imported, listed, queried and checked for expiry."""
    db = ["--database", f"sqlite:///{tmp_path / 'cli.db'}"]
    assert runner.invoke(app, [*db, "import", str(SAMPLES["manufacturer"])]).exit_code == 0
    for user, role, actor in (("vel", "partner_admin", "velora"), ("ana", "analyst", None)):
        args = [*db, "user", "add", user, "--role", role, "--password", "long enough pw"]
        args += ["--ecosystem", "manufacturer", "--actor", actor] if actor else []
        assert runner.invoke(app, args).exit_code == 0
    disputes = [*db, "govern", "disputes"]

    def run(*args: str) -> str:
        result = runner.invoke(app, list(args))
        assert result.exit_code == 0, result.output
        return " ".join(result.output.split())

    opened = run(*disputes, "open", "manufacturer", "Late modules", "--party", "actor:hartwell",
                 "--user", "vel")  # fmt: skip
    assert "Opened dispute 1 at negotiation" in opened
    assert "mediation" in run(*disputes, "advance", "manufacturer", "1", "stuck", "--user", "ana")
    refused = runner.invoke(
        app, [*disputes, "advance", "manufacturer", "1", "again", "--user", "vel"]
    )
    assert refused.exit_code == 1
    run(*disputes, "evidence", "manufacturer", "1", "Our log", "--user", "vel")
    run(*disputes, "resolve", "manufacturer", "1", "Rebate", "--agreed", "--user", "ana")
    assert "Outcome: Rebate" in run(*disputes, "show", "manufacturer", "1", "--user", "vel")
    certs = [*db, "govern", "certifications"]
    run(*certs, "scheme-add", "manufacturer", "esd", "esd-handling", "--level", "basic",
        "--level", "expert", "--user", "ana")  # fmt: skip
    table = tmp_path / "certs.csv"
    table.write_text(
        "scheme,actor,level,issued_on,expires_on\nesd,velora,expert,2026-01-01,2026-06-10\n"
    )
    assert "Imported 1" in run(*certs, "import", "manufacturer", str(table), "--user", "ana")
    table.write_text("scheme,actor,level,issued_on\nesd,ghost,expert,2026-01-01\n")
    bad = runner.invoke(app, [*certs, "import", "manufacturer", str(table), "--user", "ana"])
    assert bad.exit_code == 1 and "row 2" in bad.output
    assert "velora" in run(*certs, "eligible", "manufacturer", "esd-handling", "--on", "2026-06-01",
                           "--user", "ana")  # fmt: skip
    assert "expiring" in run(*certs, "list", "manufacturer", "--on", "2026-06-01", "--user", "vel")
    checked = run(*certs, "check-expiry", "manufacturer", "--on", "2026-06-01", "--user", "ana")
    assert "1 new exception" in checked
