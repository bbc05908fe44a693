"""The ecosystem API over HTTP, on SQLite and PostgreSQL: CRUD, paging, filters, problems, files,
permissions and partner scoping."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import networkx as nx
import pytest
import yaml
from fastapi.testclient import TestClient
from httpx import Response

from podium.core.auth import Role
from podium.ecosystem import service
from tests.conftest import TokenFor

API = "/api/v1"
PROBLEM = "application/problem+json"
Headers = dict[str, str]


def spec_doc(name: str = "acme", extra_actors: int = 0) -> dict[str, Any]:
    """A two-tier ecosystem: sup-a (tier 1) feeds acme, sup-b (tier 2) feeds sup-a, ship ships."""
    actors = [
        {"id": "acme", "name": "Acme", "kind": "manufacturer", "ecosystem_role": "orchestrator"},
        {"id": "sup-a", "name": "Supplier A", "kind": "supplier", "ecosystem_role": "partner"},
        {"id": "sup-b", "name": "Supplier B", "kind": "supplier", "region": "APAC"},
        {"id": "ship", "name": "Shipper", "kind": "logistics", "region": "EU"},
        *(
            {"id": f"x-{i:03d}", "name": f"Extra {i}", "kind": "research"}
            for i in range(extra_actors)
        ),
    ]
    actors[0]["region"] = actors[1]["region"] = "EU"
    site = {"kind": "plant", "region": "EU"}
    return {
        "name": name,
        "title": "Acme test ecosystem",
        "actors": actors,
        "sites": [
            {**site, "id": "acme-plant", "actor": "acme", "name": "Acme Plant"},
            {**site, "id": "a-plant", "actor": "sup-a", "name": "A Plant", "produces": ["bolt"]},
            {**site, "id": "a-store", "actor": "sup-a", "name": "A Store", "kind": "warehouse"},
            {"id": "b-plant", "actor": "sup-b", "name": "B Plant", "region": "APAC"},
        ],
        "items": [
            {"id": "widget", "name": "Widget", "kind": "product", "demand_per_day": 10},
            {"id": "bolt", "name": "Bolt", "kind": "part"},
            {"id": "steel", "name": "Steel", "kind": "material", "unit": "kg"},
            {"id": "freight", "name": "Freight", "kind": "service"},
        ],
        "links": [
            {"id": "l-a", "kind": "supplies", "source": "a-plant", "target": "acme-plant",
             "item": "bolt", "share": 1.0, "ttr_days": 30},
            {"id": "l-b", "kind": "supplies", "source": "b-plant", "target": "a-plant",
             "item": "steel", "capacity_per_day": 500},
            {"id": "l-ship", "kind": "ships", "source": "ship", "target": "acme-plant",
             "item": "freight"},
        ],
        "bom": [{"parent": "widget", "child": "bolt", "quantity": 4}],
    }  # fmt: skip


def ok(response: Response, status: int = 200) -> Any:
    """Assert the status and return the JSON body (None when empty)."""
    assert response.status_code == status, response.text
    return response.json() if response.content else None


def problem(response: Response, status: int) -> dict[str, Any]:
    """Assert an RFC 9457 problem of ``status`` and return it."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def pointers(body: dict[str, Any]) -> set[str]:
    return {e.get("pointer", "") for e in body.get("errors", [])}


def keys(client: TestClient, path: str, headers: Headers, **params: Any) -> list[str]:
    return [
        e["id"] for e in ok(client.get(f"{API}{path}", params=params, headers=headers))["items"]
    ]


def ecosystem_names(client: TestClient, headers: Headers) -> list[str]:
    return [e["name"] for e in ok(client.get(f"{API}/ecosystems", headers=headers))["items"]]


@pytest.fixture
def admin(token_for: TokenFor) -> Headers:
    return token_for(Role.ADMIN)


@pytest.fixture
def acme(client: TestClient, admin: Headers) -> str:
    ok(client.post(f"{API}/ecosystems", json=spec_doc(), headers=admin), 201)
    return "acme"


def ecosystem_id(client: TestClient, name: str) -> int:
    with client.app.state.session_factory() as db:  # type: ignore[attr-defined]
        return service.get_ecosystem(session=db, name=name).id


# --- ecosystems -----------------------------------------------------------------------------------


def test_ecosystem_lifecycle(client: TestClient, admin: Headers) -> None:
    created = client.post(f"{API}/ecosystems", json=spec_doc(), headers=admin)
    body = ok(created, 201)
    assert created.headers["location"].endswith(f"{API}/ecosystems/acme")
    counts = {"actors": 4, "sites": 4, "items": 4, "links": 3, "bom": 1}
    assert body["counts"].items() >= counts.items() and body["title"] == "Acme test ecosystem"
    assert ok(client.get(created.headers["location"], headers=admin)) == body
    assert ecosystem_names(client, admin) == ["acme"]
    changed = ok(client.patch(f"{API}/ecosystems/acme", json={"currency": "USD"}, headers=admin))
    assert changed["currency"] == "USD" and changed["title"] == body["title"]
    bad = client.patch(f"{API}/ecosystems/acme", json={"currency": "dollars"}, headers=admin)
    assert "#/currency" in pointers(problem(bad, 422))
    problem(client.post(f"{API}/ecosystems", json=spec_doc(), headers=admin), 409)
    replaced = client.post(f"{API}/ecosystems?replace=true", json=spec_doc(), headers=admin)
    assert ok(replaced, 201)["currency"] == "EUR"
    ok(client.delete(f"{API}/ecosystems/acme", headers=admin), 204)
    problem(client.get(f"{API}/ecosystems/acme", headers=admin), 404)
    assert ecosystem_names(client, admin) == []


def test_invalid_spec_points_at_each_problem_and_writes_nothing(
    client: TestClient, admin: Headers, acme: str
) -> None:
    doc = spec_doc("broken")
    doc["sites"][0]["actor"] = "nobody"
    body = problem(client.post(f"{API}/ecosystems", json=doc, headers=admin), 422)
    assert pointers(body) == {"#/sites/0/actor"}
    doc["actors"][2]["kind"] = "robot"
    body = problem(client.post(f"{API}/ecosystems", json=doc, headers=admin), 422)
    assert "#/actors/2/kind" in pointers(body)
    assert ecosystem_names(client, admin) == ["acme"]


# --- entities -------------------------------------------------------------------------------------

NEW: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {
    "actors": ({"id": "new", "name": "New Co", "kind": "supplier", "region": "EU"}, {"name": "Nu"}),
    "sites": ({"id": "new-site", "actor": "sup-b", "name": "Depot", "kind": "warehouse"},
              {"city": "Lyon", "latitude": 45.76}),
    "items": ({"id": "nut", "name": "Nut", "unit_cost": 0.2}, {"unit_cost": 0.1, "critical": True}),
    "links": ({"id": "l-new", "kind": "supplies", "source": "sup-b", "target": "acme",
               "item": "bolt"}, {"share": 0.5, "alternates": ["a-plant"]}),
}  # fmt: skip


@pytest.mark.parametrize("section", list(NEW))
def test_crud_round_trip(client: TestClient, admin: Headers, acme: str, section: str) -> None:
    data, changes = NEW[section]
    base = f"{API}/ecosystems/{acme}/{section}"
    created = client.post(base, json=data, headers=admin)
    body = ok(created, 201)
    assert body.items() >= data.items()
    location = created.headers["location"]
    assert location.endswith(f"{base}/{data['id']}")
    assert ok(client.get(location, headers=admin)) == body
    assert data["id"] in keys(client, f"/ecosystems/{acme}/{section}", admin, limit=1000)
    changed = ok(client.patch(location, json=changes, headers=admin))
    assert changed == {**body, **changes}
    assert ok(client.get(location, headers=admin)) == changed
    ok(client.delete(location, headers=admin), 204)
    problem(client.get(location, headers=admin), 404)
    problem(client.patch(location, json=changes, headers=admin), 404)
    problem(client.delete(location, headers=admin), 404)


def test_entity_problems(client: TestClient, admin: Headers, acme: str) -> None:
    sites, actors = f"{API}/ecosystems/{acme}/sites", f"{API}/ecosystems/{acme}/actors"
    orphan = {"id": "s-x", "actor": "nobody", "name": "Orphan"}
    assert pointers(problem(client.post(sites, json=orphan, headers=admin), 422)) == {"#/actor"}
    bad_kind = {"id": "a-x", "name": "X", "kind": "robot"}
    assert "#/kind" in pointers(problem(client.post(actors, json=bad_kind, headers=admin), 422))
    duplicate = {"id": "sup-a", "name": "Again", "kind": "supplier"}
    assert pointers(problem(client.post(actors, json=duplicate, headers=admin), 409)) == {"#/id"}
    site_clash = {"id": "a-plant", "name": "Clash", "kind": "supplier"}
    problem(client.post(actors, json=site_clash, headers=admin), 409)
    referenced = problem(client.delete(f"{actors}/sup-a", headers=admin), 409)
    assert "a-plant" in referenced["detail"]
    ok(client.get(f"{actors}/sup-a", headers=admin))
    rename = client.patch(f"{actors}/sup-a", json={"id": "other"}, headers=admin)
    assert "#/id" in pointers(problem(rename, 422))
    dangling = client.patch(f"{sites}/a-plant", json={"actor": "nobody"}, headers=admin)
    assert pointers(problem(dangling, 422)) == {"#/actor"}
    problem(client.get(f"{API}/ecosystems/nowhere/actors", headers=admin), 404)


def test_pagination_walks_every_row_once(client: TestClient, admin: Headers) -> None:
    ok(client.post(f"{API}/ecosystems", json=spec_doc(extra_actors=23), headers=admin), 201)
    url, seen, pages = f"{API}/ecosystems/acme/actors", [], 0
    cursor: str | None = None
    while True:
        page = ok(client.get(url, params={"limit": 5, "cursor": cursor or ""}, headers=admin))
        assert len(page["items"]) <= 5
        seen += [a["id"] for a in page["items"]]
        pages, cursor = pages + 1, page["next_cursor"]
        if cursor is None:
            break
    assert len(seen) == len(set(seen)) == 27 and pages == 6
    client.app.state.settings.page_size_default = 10  # type: ignore[attr-defined]
    assert len(ok(client.get(url, headers=admin))["items"]) == 10
    too_many = client.get(url, params={"limit": 1001}, headers=admin)
    assert "#/query/limit" in pointers(problem(too_many, 422))
    problem(client.get(url, params={"limit": 0}, headers=admin), 422)
    problem(client.get(url, params={"cursor": "not-a-cursor"}, headers=admin), 422)
    problem(client.get(url, params={"colour": "red"}, headers=admin), 422)


FILTERS = [
    ("actors", {"kind": "supplier"}, ["sup-a", "sup-b"]),
    ("actors", {"region": "EU"}, ["acme", "sup-a", "ship"]),
    ("actors", {"tier": 1}, ["sup-a"]),
    ("actors", {"kind": "supplier", "tier": 2}, ["sup-b"]),
    ("sites", {"kind": "warehouse"}, ["a-store"]),
    ("sites", {"region": "APAC"}, ["b-plant"]),
    ("sites", {"tier": 0}, ["acme-plant"]),
    ("sites", {"actor": "sup-a"}, ["a-plant", "a-store"]),
    ("items", {"kind": "part"}, ["bolt"]),
    ("links", {"kind": "ships"}, ["l-ship"]),
    ("links", {"node": "a-plant"}, ["l-a", "l-b"]),
]


@pytest.mark.parametrize(("section", "params", "expected"), FILTERS)
def test_filters(
    client: TestClient,
    admin: Headers,
    acme: str,
    section: str,
    params: dict[str, Any],
    expected: list[str],
) -> None:
    assert keys(client, f"/ecosystems/{acme}/{section}", admin, **params) == expected


def test_unknown_filter_values_are_refused(client: TestClient, admin: Headers, acme: str) -> None:
    for section, params in [("actors", {"kind": "robot"}), ("items", {"region": "EU"})]:
        url = f"{API}/ecosystems/{acme}/{section}"
        problem(client.get(url, params=params, headers=admin), 422)


# --- files ----------------------------------------------------------------------------------------


def upload(
    client: TestClient, headers: Headers, filename: str, content: bytes, **form: str
) -> Response:
    files = {"file": (filename, io.BytesIO(content))}
    return client.post(f"{API}/ecosystems/import", files=files, data=form, headers=headers)


def test_import_a_file(client: TestClient, admin: Headers) -> None:
    text = yaml.safe_dump(spec_doc()).encode()
    created = upload(client, admin, "acme.yaml", text, name="copy")
    assert ok(created, 201)["counts"]["links"] == 3
    assert created.headers["location"].endswith("/ecosystems/copy")
    problem(upload(client, admin, "acme.yaml", text, name="copy"), 409)
    smaller = spec_doc()
    del smaller["links"][2]
    again = upload(client, admin, "x.txt", yaml.safe_dump(smaller).encode(), name="copy",
                   format="yaml", replace="true")  # fmt: skip
    assert ok(again, 201)["counts"]["links"] == 2
    assert ecosystem_names(client, admin) == ["copy"]


def test_bad_file_is_refused_whole(client: TestClient, admin: Headers, acme: str) -> None:
    doc = spec_doc("broken")
    doc["sites"][1]["kind"] = "castle"
    doc["links"][0]["share"] = 7
    body = problem(upload(client, admin, "broken.yaml", yaml.safe_dump(doc).encode()), 422)
    assert len(body["errors"]) == 2
    for error in body["errors"]:
        assert error["detail"] and error["field"] and error["where"]
        assert error["source"] == "broken.yaml"
    problem(upload(client, admin, "broken.yaml", b"actors: [unclosed"), 422)
    problem(upload(client, admin, "notes.txt", b"hello"), 422)
    assert ecosystem_names(client, admin) == ["acme"]


def test_bodies_over_the_limit_get_413(client: TestClient, admin: Headers) -> None:
    client.app.state.settings.max_upload_bytes = 2_000  # type: ignore[attr-defined]
    big = yaml.safe_dump(spec_doc(extra_actors=40)).encode()
    problem(upload(client, admin, "big.yaml", big), 413)
    problem(client.post(f"{API}/ecosystems", json=spec_doc(extra_actors=40), headers=admin), 413)

    def chunks() -> Iterator[bytes]:  # no Content-Length: counted as it arrives
        yield from (big[i : i + 500] for i in range(0, len(big), 500))

    chunked = {**admin, "content-type": "application/json"}
    problem(client.post(f"{API}/ecosystems", content=chunks(), headers=chunked), 413)
    assert ecosystem_names(client, admin) == []


MEDIA = {
    "yaml": "application/yaml",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "graphml": "application/graphml+xml",
}


@pytest.mark.parametrize("fmt", list(MEDIA))
def test_export_downloads_and_reimports_equal(
    client: TestClient, admin: Headers, acme: str, fmt: str
) -> None:
    response = client.get(f"{API}/ecosystems/{acme}/export", params={"format": fmt}, headers=admin)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(MEDIA[fmt])
    assert f'filename="{acme}.{fmt}"' in response.headers["content-disposition"]
    if fmt == "graphml":  # write only: check it is a graph of every actor and site
        graph = nx.read_graphml(io.BytesIO(response.content))
        assert {"acme", "a-plant", "b-plant"} <= set(graph.nodes)
        return
    ok(upload(client, admin, f"{acme}.{fmt}", response.content, name="copy"), 201)
    original, copy = (
        json.loads(client.get(f"{API}/ecosystems/{n}/export?format=json", headers=admin).content)
        for n in (acme, "copy")
    )
    assert {**copy, "name": acme} == original


# --- permissions and scoping ----------------------------------------------------------------------


def test_credentials_are_required(client: TestClient, admin: Headers, acme: str) -> None:
    problem(client.get(f"{API}/ecosystems"), 401)
    problem(client.get(f"{API}/ecosystems/{acme}/actors"), 401)
    bad_token = {"Authorization": "Bearer pdm_not-a-token"}
    problem(client.post(f"{API}/ecosystems/{acme}/actors", json={}, headers=bad_token), 401)


def write_attempts(name: str) -> list[tuple[str, str, dict[str, Any] | None]]:
    actor = {"id": "v", "name": "V", "kind": "supplier"}
    return [
        ("POST", f"/ecosystems/{name}/actors", actor),
        ("PATCH", f"/ecosystems/{name}/actors/sup-a", {"name": "X"}),
        ("DELETE", f"/ecosystems/{name}/links/l-ship", None),
        ("PATCH", f"/ecosystems/{name}", {"title": "X"}),
        ("POST", "/ecosystems?replace=true", spec_doc(name)),
        ("DELETE", f"/ecosystems/{name}", None),
    ]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.PARTNER_ADMIN, Role.PARTNER_USER])
def test_readers_cannot_write(
    client: TestClient, token_for: TokenFor, acme: str, role: Role
) -> None:
    partner = {"ecosystem_id": ecosystem_id(client, acme), "actor": "sup-a"}
    headers = token_for(role, **(partner if role.value.startswith("partner") else {}))
    ok(client.get(f"{API}/ecosystems/{acme}/actors/sup-a", headers=headers))
    for method, path, body in write_attempts(acme):
        problem(client.request(method, f"{API}{path}", json=body, headers=headers), 403)
    problem(upload(client, headers, "a.yaml", yaml.safe_dump(spec_doc("b")).encode()), 403)


def test_analyst_edits_entities_but_not_ecosystems(
    client: TestClient, token_for: TokenFor, acme: str
) -> None:
    analyst = token_for(Role.ANALYST)
    attempts = write_attempts(acme)
    for method, path, body in attempts[:4]:
        response = client.request(method, f"{API}{path}", json=body, headers=analyst)
        assert response.status_code in (200, 201, 204), response.text
    for method, path, body in attempts[4:]:
        problem(client.request(method, f"{API}{path}", json=body, headers=analyst), 403)


def test_partner_sees_only_its_part(
    client: TestClient, admin: Headers, token_for: TokenFor, acme: str
) -> None:
    ok(client.post(f"{API}/ecosystems", json=spec_doc("other"), headers=admin), 201)
    partner = token_for(Role.PARTNER_USER, ecosystem_id=ecosystem_id(client, acme), actor="sup-a")
    assert ecosystem_names(client, partner) == [acme]
    base = f"/ecosystems/{acme}"
    assert keys(client, f"{base}/actors", partner) == ["sup-a"]
    assert keys(client, f"{base}/sites", partner) == ["a-plant", "a-store"]
    assert keys(client, f"{base}/links", partner) == ["l-a", "l-b"]
    assert keys(client, f"{base}/links", partner, node="acme-plant") == ["l-a"]
    counts = ok(client.get(f"{API}{base}", headers=partner))["counts"]
    assert (counts["actors"], counts["sites"], counts["links"]) == (1, 2, 2)
    for hidden in ("actors/sup-b", "sites/b-plant", "links/l-ship"):
        problem(client.get(f"{API}{base}/{hidden}", headers=partner), 404)
    for path in (
        "/ecosystems/other",
        "/ecosystems/other/actors",
        "/ecosystems/other/sites/a-plant",
    ):
        problem(client.get(f"{API}{path}", headers=partner), 404)
    problem(client.get(f"{API}{base}/export", headers=partner), 403)
