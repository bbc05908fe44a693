"""The console pages over HTTP: sign in and out, the discipline overviews, the ecosystem map."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from podium.core.auth import Principal, Role, add_user
from podium.ecosystem import views
from podium.ecosystem.service import import_spec
from podium.web.pages import safe_next
from tests.web.console_data import EDGE_COUNT, NODE_COUNT, console_spec

PASSWORD = "correct horse battery"
ADMIN = Principal(user_id=1, username="admin", role=Role.ADMIN)


@pytest.fixture
def seeded(client: TestClient) -> TestClient:
    """The client over a database with the console ecosystem, an admin and a CastCo partner."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        eco = import_spec(session=db, spec=console_spec())
        import_spec(session=db, spec=console_spec("other"))
        add_user(session=db, username="admin", password=PASSWORD, role=Role.ADMIN)
        add_user(
            session=db,
            username="cast",
            password=PASSWORD,
            role=Role.PARTNER_USER,
            partner_ecosystem_id=eco.id,
            partner_actor="castco",
        )
        db.commit()
    return client


def login(client: TestClient, username: str = "admin", next: str = "/", **extra: Any) -> Response:
    data = {"username": username, "password": PASSWORD, "next": next, **extra}
    return client.post("/login", data=data, follow_redirects=False)


# --- sign in and out ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/", "/map", "/align", "/govern", "/integrate", "/learn", "/design", "/ecosystems/small/map"],
)
def test_signed_out_pages_redirect_to_login(seeded: TestClient, path: str) -> None:
    response = seeded.get(path + "?ecosystem=small", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == f"/login?next={path}%3Fecosystem%3Dsmall"


def test_login_flow(seeded: TestClient) -> None:
    form = seeded.get("/login?next=/learn")
    assert form.status_code == 200
    assert 'name="password"' in form.text and 'value="/learn"' in form.text
    response = login(seeded, next="/learn")
    assert response.status_code == 303
    assert response.headers["location"] == "/learn"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith("podium_session=") and "httponly" in cookie.lower()
    home = seeded.get("/")
    assert home.status_code == 200
    assert "Small test ecosystem" in home.text
    assert "admin" in home.text and "Admin" in home.text and "Sign out" in home.text
    assert seeded.get("/login", follow_redirects=False).headers["location"] == "/"


@pytest.mark.parametrize("username, password", [("admin", "wrong password"), ("nobody", PASSWORD)])
def test_wrong_credentials_are_refused_with_a_message(
    seeded: TestClient, username: str, password: str
) -> None:
    response = login(seeded, username, password=password)
    assert response.status_code == 401
    assert "Wrong username or password." in response.text
    assert "set-cookie" not in response.headers
    assert seeded.get("/", follow_redirects=False).status_code == 303


def test_logout_ends_the_session(seeded: TestClient) -> None:
    login(seeded)
    response = seeded.post("/logout", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert seeded.get("/", follow_redirects=False).status_code == 303


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/path",
        "/\\evil.example",
        "\\\\evil.example",
        "javascript:alert(1)",
        "http:/evil.example",
        "/ok\r\nLocation: https://evil.example",
        "",
    ],
)
def test_next_must_be_a_local_path(seeded: TestClient, target: str) -> None:
    assert safe_next(target) == "/"
    assert login(seeded, next=target).headers["location"] == "/"


def test_next_keeps_a_local_path_and_query(seeded: TestClient) -> None:
    assert (
        login(seeded, next="/learn?ecosystem=other").headers["location"] == "/learn?ecosystem=other"
    )


# --- discipline overviews -------------------------------------------------------------------------

PAGES = {
    "/map": ["Small test ecosystem", "Tier 2", "/ecosystems/small/map"],
    "/align": ["CastCo", "1,000,000", "risk &gt; value", "l-housing"],
    "/govern": ["Safety Agency", "Cert Body", "l-reg", "OEM Plant"],
    "/integrate": ["Data Cloud", "l-data", "CastCo"],
    "/learn": ["Actors by kind", "Certification body", "EU-East", "Tier 2"],
    "/design": ["Pump", "OEM Plant", "40.0", "4,820"],
    "/ecosystems/small/map": ["small/map.json", "Alloy Works", "l-ingot", "Regulates"],
}


@pytest.mark.parametrize("path", PAGES)
def test_each_page_shows_real_data_to_an_admin(seeded: TestClient, path: str) -> None:
    login(seeded)
    response = seeded.get(path, params={"ecosystem": "small"})
    assert response.status_code == 200
    for text in PAGES[path]:
        assert text in response.text, text


def test_the_ecosystem_selector_switches_ecosystem(seeded: TestClient) -> None:
    login(seeded)
    page = seeded.get("/learn", params={"ecosystem": "other"}).text
    assert '<option value="other" selected>' in page
    assert seeded.get("/learn", params={"ecosystem": "missing"}).status_code == 404


def test_a_partner_sees_only_its_own_part(seeded: TestClient) -> None:
    login(seeded, "cast")
    data = seeded.get("/ecosystems/small/map.json").json()
    nodes = {n["data"]["id"]: n["data"] for n in data["elements"]["nodes"]}
    named = {k for k, d in nodes.items() if d["actor_kind"] != views.COUNTERPART}
    assert named == {"castco", "cast-plant"}
    for key in set(nodes) - named:
        assert nodes[key]["label"] == key and nodes[key]["actor_name"] is None
    for edge in data["elements"]["edges"]:
        assert {edge["data"]["source"], edge["data"]["target"]} & named
    assert {e["data"]["key"] for e in data["elements"]["edges"]} == {
        "l-housing",
        "l-ingot",
        "l-cert",
        "l-data",
    }
    page = seeded.get("/ecosystems/small/map").text
    assert "CastCo" in page and "Alloy Works" not in page and "Safety Agency" not in page
    align = seeded.get("/align").text
    assert "CastCo" in align and "OEM" not in align.split("Value flows per actor")[1]
    assert seeded.get("/ecosystems/other/map").status_code == 404
    assert seeded.get("/ecosystems/other/map.json").status_code == 404


def test_map_data_for_an_admin(seeded: TestClient) -> None:
    login(seeded)
    data = seeded.get("/ecosystems/small/map.json").json()
    assert data["shown_nodes"] == data["total_nodes"] == NODE_COUNT
    assert data["shown_edges"] == EDGE_COUNT and not data["capped"] and data["note"] is None
    x = {n["data"]["id"]: n["position"]["x"] for n in data["elements"]["nodes"]}
    assert x["alloy-plant"] < x["cast-plant"] < x["oem-plant"] < x["shopper"]


@pytest.mark.parametrize(
    "query, nodes, edges",
    [
        (
            {"link_kind": "regulates"},
            {"agency", "tuv", "oem-plant", "cast-plant"},
            {"l-reg", "l-cert"},
        ),
        ({"max_tier": "1"}, {"oem-plant", "cast-plant", "castco"}, {"l-housing"}),
        ({"region": "EU-East"}, {"cast-plant", "castco", "alloy-plant"}, {"l-ingot"}),
        (
            {"actor_kind": "supplier", "max_tier": ""},
            {"cast-plant", "castco", "alloy-plant"},
            {"l-ingot"},
        ),
    ],
)
def test_map_filters(
    seeded: TestClient, query: dict[str, str], nodes: set[str], edges: set[str]
) -> None:
    login(seeded)
    data = seeded.get("/ecosystems/small/map.json", params=query).json()
    assert {n["data"]["id"] for n in data["elements"]["nodes"]} == nodes
    assert {e["data"]["key"] for e in data["elements"]["edges"]} == edges
    assert seeded.get("/ecosystems/small/map", params=query).status_code == 200


def test_table_fragments(seeded: TestClient) -> None:
    login(seeded)
    actors = seeded.get("/ecosystems/small/map/actors", params={"actor_kind": "supplier"}).text
    assert "<html" not in actors and "Alloy Works" in actors and "Safety Agency" not in actors
    links = seeded.get("/ecosystems/small/map/links", params={"link_kind": "hosts_data"}).text
    assert "l-data" in links and "l-ingot" not in links


def test_large_maps_are_capped_nearest_tiers_first(session: Session) -> None:
    eco = import_spec(session=session, spec=console_spec())
    data = views.map_data(session=session, ecosystem=eco, principal=ADMIN, max_nodes=3)
    assert data.capped and data.total_nodes == NODE_COUNT
    assert [n["data"]["tier"] for n in data.nodes] == [0, 1, 1]
    assert "Showing 3 of 9 nodes" in (data.note() or "")
