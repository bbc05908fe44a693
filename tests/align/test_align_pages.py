"""The Align console pages over HTTP: the contract explorer (and the curves it draws), the
misalignment list over the stored map and the demo agreements, and coalition cost sharing for
the industrial park sample (and a pasted game); partners are refused."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient

import podium
from podium.align import demo, explorer
from podium.core.auth import Principal, Role, add_user
from podium.core.db import unit_of_work
from podium.ecosystem import service as eco_service
from podium.mapping import service as mapping_service
from podium.samples import SAMPLES

PASSWORD = "correct horse battery"
ISSUE = {"price": 10.0, "cost": 1.0, "salvage": 0.0, "demand": "normal:1000:300"}


def login(client: TestClient, role: Role, **scope: Any) -> None:
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    name = f"page-{role.value}"
    with unit_of_work(factory) as session:
        add_user(session=session, username=name, password=PASSWORD, role=role, **scope)
    client.cookies.clear()
    signed = client.post("/login", data={"username": name, "password": PASSWORD})
    assert signed.status_code in (200, 303)


def embedded(page: str, element: str) -> Any:
    found = re.search(rf'<script type="application/json" id="{element}">(.*?)</script>', page, re.S)
    assert found is not None
    return json.loads(found.group(1))


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


@pytest.fixture
def stored(client: TestClient) -> dict[str, int]:
    """The manufacturer (with its stress test, structure run and demo agreements) and the
    industrial park."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    ana = Principal(user_id=1, username="ana", role=Role.ANALYST)
    with unit_of_work(factory) as session:
        ids = {}
        for name in ("manufacturer", "industrial_park"):
            ids[name] = eco_service.import_spec(session=session, spec=podium.load(SAMPLES[name])).id
        manufacturer = eco_service.get_ecosystem(session=session, name="manufacturer")
        for kind, parameters in (("stress_test", {"by": "actor"}), ("structure", {})):
            run = mapping_service.start_run(
                session=session, ecosystem=manufacturer, kind=kind, parameters=parameters,
                user_id=None,
            )  # fmt: skip
            mapping_service.execute_run(sessions=session, run_id=run.id, workers=1)
        demo.seed(session=session, ecosystem=manufacturer, orchestrator=ana, today=date(2026, 3, 2))
    return ids


def test_wholesale_coordinates_only_at_marginal_cost() -> None:
    """Cachon (2003): along the wholesale price the chain earns its optimum only at w = c; along
    the buyback family every member coordinates (the chain curve is flat at the optimum)."""
    wholesale = explorer.explore("wholesale", terms={"wholesale": 5.0}, **ISSUE)
    assert wholesale["x"][0] == 1.0
    assert wholesale["chain"][0] == pytest.approx(wholesale["integrated"])
    assert all(c < wholesale["integrated"] for c in wholesale["chain"][1:])
    buyback = explorer.explore("buyback", terms={"wholesale": 5.0}, **ISSUE)
    assert buyback["chain"] == pytest.approx([buyback["integrated"]] * len(buyback["x"]))
    low, high = buyback["zone"]["low"], buyback["zone"]["high"]
    assert 1.0 < low < high < 10.0
    for b, s in zip(buyback["buyer"], buyback["supplier"], strict=True):
        assert b + s == pytest.approx(buyback["integrated"])  # only the split moves


def test_contract_explorer_page(client: TestClient) -> None:
    login(client, Role.VIEWER)
    page = client.get("/align/contracts")
    assert page.status_code == 200, page.text
    data = embedded(page.text, "contract-data")
    same = explorer.explore("buyback", terms={"wholesale": 5.0, "buyback": 3.0}, **ISSUE)
    assert data["outcome"]["efficiency"] == pytest.approx(same["outcome"]["efficiency"])
    assert data["zone"] == pytest.approx(same["zone"])
    assert 'data-slider="wholesale"' in page.text and "Deal zone" in page.text
    shared = client.get("/align/contracts", params={"type": "revenue-sharing", "share": "0.3"})
    assert embedded(shared.text, "contract-data")["current"]["x"] == 0.3
    bad = client.get("/align/contracts", params={"type": "wholesale", "salvage": "2"})
    assert bad.status_code == 422 and "salvage: must be below the cost" in bad.text
    unknown = client.get("/align/contracts", params={"demand": "gamma:3"})
    assert unknown.status_code == 422 and "demand:" in unknown.text


def test_misalignment_page(client: TestClient, stored: dict[str, int]) -> None:
    login(client, Role.ANALYST)
    page = client.get("/ecosystems/manufacturer/align/misalignments")
    assert page.status_code == 200, page.text
    assert 'data-partner="jiangbei" data-rule="cost_focus_on_critical"' in page.text
    assert 'data-partner="velora" data-rule="double_marginalisation"' in page.text
    assert 'data-agreement="castelli"' in page.text
    assert "paid on unit price, but PI rank" in page.text
    overview = client.get("/align", params={"ecosystem": "manufacturer"})
    assert "/ecosystems/manufacturer/align/misalignments" in overview.text


def test_sharing_page_for_the_industrial_park(client: TestClient, stored: dict[str, int]) -> None:
    """The substation game: eight tenants, each method side by side with its core check."""
    login(client, Role.ANALYST)
    page = client.get("/ecosystems/industrial_park/align/sharing")
    assert page.status_code == 200, page.text
    data = embedded(page.text, "sharing-data")
    assert len(data["players"]) == 8 and "voltaris" in data["players"]
    methods = {m["method"]: m for m in data["methods"]}
    assert list(methods) == ["shapley", "nucleolus", "proportional", "equal"]
    totals = {sum(m["allocation"].values()) for m in methods.values()}
    assert max(totals) == pytest.approx(min(totals))  # every rule shares the same total
    equal = methods["equal"]["allocation"]
    assert len({round(v, 6) for v in equal.values()}) == 1
    assert 'data-core="shapley"' in page.text and 'data-player="elbe-hydrogen"' in page.text
    empty = client.get("/ecosystems/manufacturer/align/sharing")
    assert empty.status_code == 200 and "No cost-sharing game is recorded" in empty.text


def test_pasted_airport_game(client: TestClient, stored: dict[str, int]) -> None:
    """Littlechild & Owen (1973): with own costs 8 <= 11 <= 13 the Shapley value is
    8/3, 8/3 + 3/2, 8/3 + 3/2 + 2 (each segment shared by the players who need it)."""
    login(client, Role.ANALYST)
    form = client.get("/ecosystems/manufacturer/align/sharing")
    game = "players: [A, B, C]\ncost_model: {airport: {A: 8, B: 11, C: 13}}\n"
    posted = client.post(
        "/ecosystems/manufacturer/align/sharing",
        data={"csrf_token": csrf_of(form.text), "game": game},
    )
    assert posted.status_code == 200, posted.text
    shapley = embedded(posted.text, "sharing-data")["methods"][0]
    assert shapley["method"] == "shapley" and shapley["in_core"] is True
    assert [shapley["allocation"][p] for p in "ABC"] == pytest.approx(
        [8 / 3, 8 / 3 + 1.5, 8 / 3 + 1.5 + 2]
    )
    broken = client.post(
        "/ecosystems/manufacturer/align/sharing",
        data={"csrf_token": csrf_of(form.text), "game": "players: [A]\ncost_model: {}"},
    )
    assert broken.status_code == 422 and "#/cost_model" in broken.text
    forged = client.post(
        "/ecosystems/manufacturer/align/sharing", data={"csrf_token": "forged", "game": game}
    )
    assert forged.status_code == 403


def test_partners_are_refused(client: TestClient, stored: dict[str, int]) -> None:
    login(client, Role.PARTNER_ADMIN, partner_ecosystem_id=stored["manufacturer"],
          partner_actor="jiangbei")  # fmt: skip
    for path in (
        "/align/contracts",
        "/ecosystems/manufacturer/align/misalignments",
        "/ecosystems/manufacturer/align/sharing",
    ):
        assert client.get(path).status_code == 403, path
