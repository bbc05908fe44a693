"""The exposure pages over HTTP: who may see and run them, what they show, the map's REI data
and the risk-table downloads. Runs are stored directly with known results, so these tests do not
depend on the engines."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

import podium
from podium.core.auth import Role, add_user
from podium.ecosystem.service import import_spec
from podium.mapping import views
from podium.mapping.models import AnalysisRun
from podium.samples import sample_path

PASSWORD = "correct horse battery"
PAGE = "/ecosystems/manufacturer/exposure"


def scenario(key: str, rei: float, pi: float, *, ttr: float, tts: float | None) -> dict[str, Any]:
    limited = tts is not None and tts < ttr
    return {
        "scenario": f"site:{key}",
        "kind": "site",
        "label": key.replace("-", " ").title(),
        "sites": [key],
        "ttr_days": ttr,
        "tts_days": tts,
        "tts_limited": limited,
        "performance_impact": pi,
        "risk_exposure_index": rei,
        "lost_units": pi / 100,
        "shortage_days": max(0.0, ttr - tts) if limited and tts is not None else 0.0,
        "products": ["e-axle"],
        "method": "lp",
    }


STRESS = {
    "ecosystem": "manufacturer",
    "currency": "EUR",
    "by": "site",
    "horizon_days": 365.0,
    "timing": {"total_s": 1.0},
    "results": [
        scenario("sorrel-durham", 1.0, 48_250_000.0, ttr=180, tts=21),
        scenario("velora-dresden", 0.615, 29_673_750.0, ttr=120, tts=35),
        scenario("kinsei-kumamoto", 0.1225, 5_910_625.0, ttr=90, tts=None),
        *(scenario(f"site-{i:03d}", 0.0, 0.0, ttr=28, tts=None) for i in range(60)),
    ],
}
STRUCTURE = {
    "ecosystem": "manufacturer",
    "tiers": {},
    "visibility": {},
    "findings": [
        {
            "category": "spof",
            "severity": "high",
            "subject": "sorrel-durham",
            "product": "e-axle",
            "value": 1.0,
            "explanation": "Every SiC wafer reaches the power modules through Sorrel's Durham fab.",
            "path": ["sorrel-durham", "velora-dresden", "hartwell-stuttgart"],
        },
        {
            "category": "hidden_subtier",
            "severity": "high",
            "subject": "sorrel",
            "product": "e-axle",
            "value": 2.0,
            "explanation": "The dual-sourced power module is single-sourced two tiers down.",
            "path": [],
        },
        {
            "category": "concentration",
            "severity": "medium",
            "subject": "East Asia",
            "product": None,
            "value": 0.62,
            "explanation": "62% of tier-1 spend sits in one region.",
            "path": [],
        },
    ],
}


@pytest.fixture
def app_client(client: TestClient) -> TestClient:
    """The client over the manufacturer sample, users of each role and two finished runs."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        eco = import_spec(session=db, spec=podium.load(sample_path("manufacturer")))
        for role in (Role.ADMIN, Role.ANALYST, Role.VIEWER):
            add_user(session=db, username=role.value, password=PASSWORD, role=role)
        add_user(
            session=db,
            username="partner",
            password=PASSWORD,
            role=Role.PARTNER_USER,
            partner_ecosystem_id=eco.id,
            partner_actor="velora",
        )
        for kind, results in (("stress_test", STRESS), ("structure", STRUCTURE)):
            db.add(
                AnalysisRun(
                    ecosystem_id=eco.id,
                    kind=kind,
                    parameters={"by": "site"} if kind == "stress_test" else {},
                    ecosystem_version={},
                    status="done",
                    progress_done=len(results.get("results", [1])),
                    progress_total=len(results.get("results", [1])),
                    results=results,
                    duration_seconds=1.5,
                )
            )
        db.commit()
    return client


def login(client: TestClient, username: str) -> None:
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def run_ids(client: TestClient) -> dict[str, int]:
    payload = client.get(PAGE + "/rei.json").json()
    return {"stress_test": payload["run"], "structure": payload["structure_run"]}


# --- access ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", [PAGE, PAGE + "/rei.json", PAGE + "/results", PAGE + "/risk-table.csv"]
)
def test_signed_out_callers_are_sent_to_sign_in(app_client: TestClient, path: str) -> None:
    response = app_client.get(path, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/ecosystems/manufacturer/")


@pytest.mark.parametrize(
    "path", [PAGE, PAGE + "/rei.json", PAGE + "/results", PAGE + "/risk-table.csv"]
)
def test_partner_users_are_refused(app_client: TestClient, path: str) -> None:
    login(app_client, "partner")
    assert app_client.get(path).status_code == 403
    assert "/exposure" not in app_client.get("/ecosystems/manufacturer/map").text


@pytest.mark.parametrize("username", ["analyst", "viewer", "admin"])
def test_the_page_shows_the_latest_runs(app_client: TestClient, username: str) -> None:
    login(app_client, username)
    page = app_client.get(PAGE)
    assert page.status_code == 200
    text = page.text
    # top risks: worst first, PI in currency with thousands separators, days as integers
    top = text.index('data-scenario="site:sorrel-durham"')
    assert top < text.index('data-scenario="site:velora-dresden"')
    assert "48,250,000" in text and "PI (EUR)" in text
    assert ">159</strong>" in text  # shortage days 180 - 21
    assert "not limiting" in text
    # structure findings with their explanations
    assert "Single points of failure" in text and "through Sorrel&#39;s Durham fab" in text
    assert "single-sourced two tiers down" in text and "Concentrations" in text
    # the map and its REI source, the downloads
    assert 'data-exposure="/ecosystems/manufacturer/exposure/rei.json"' in text
    assert "risk-table.csv" in text and "risk-table.xlsx" in text
    can_run = username != "viewer"
    assert ("Run stress test" in text) is can_run
    assert ("Run structure analysis" in text) is can_run


def test_the_maps_link_to_the_exposure_page(app_client: TestClient) -> None:
    login(app_client, "viewer")
    assert 'href="/ecosystems/manufacturer/exposure"' in app_client.get("/map").text
    assert (
        'href="/ecosystems/manufacturer/exposure"'
        in app_client.get("/ecosystems/manufacturer/map").text
    )


def test_an_ecosystem_without_runs_invites_a_first_run(app_client: TestClient) -> None:
    factory = app_client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        db.query(AnalysisRun).delete()
        db.commit()
    login(app_client, "analyst")
    text = app_client.get(PAGE).text
    assert "Run a stress test to rank the scenarios" in text
    payload = app_client.get(PAGE + "/rei.json").json()
    assert payload["run"] is None and payload["rei"] == {} and payload["marks"] == {}


def test_a_second_stress_test_shows_the_change(app_client: TestClient) -> None:
    results = dict(STRESS, results=[dict(r) for r in STRESS["results"]])
    results["results"][1] = dict(results["results"][1], risk_exposure_index=0.715)
    factory = app_client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        first = db.query(AnalysisRun).filter_by(kind="stress_test").one()
        db.add(
            AnalysisRun(
                ecosystem_id=first.ecosystem_id,
                kind="stress_test",
                parameters={"by": "site"},
                ecosystem_version={},
                status="done",
                results=results,
            )
        )
        db.commit()
        first_id = first.id
    login(app_client, "viewer")
    text = app_client.get(PAGE).text
    assert f"change since stress test #{first_id}" in text
    assert 'class="delta up"' in text and "\u25b2 0.10" in text


# --- data -----------------------------------------------------------------------------------------


def test_rei_json_gives_each_site_its_rei_and_the_marks(app_client: TestClient) -> None:
    login(app_client, "viewer")
    payload = app_client.get(PAGE + "/rei.json").json()
    assert payload["rei"]["sorrel-durham"] == 1.0
    assert payload["rei"]["velora-dresden"] == 0.615
    assert payload["max"] == 1.0 and payload["currency"] == "EUR"
    assert payload["worst"]["sorrel-durham"]["pi"] == 48_250_000.0
    assert payload["marks"] == {"sorrel-durham": ["spof"], "sorrel": ["hidden_subtier"]}
    assert "single-sourced" in payload["findings"]["sorrel"][0]


def test_the_risk_table_downloads_as_csv(app_client: TestClient) -> None:
    login(app_client, "viewer")
    response = app_client.get(PAGE + "/risk-table.csv")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == len(STRESS["results"])
    assert rows[0]["scenario"] == "site:sorrel-durham"


def test_the_risk_table_downloads_as_xlsx(app_client: TestClient) -> None:
    login(app_client, "viewer")
    response = app_client.get(PAGE + "/risk-table.xlsx")
    assert response.status_code == 200
    assert response.content[:2] == b"PK"  # a zip: the xlsx container


def test_the_risk_table_sorts_and_pages(app_client: TestClient) -> None:
    login(app_client, "viewer")
    first = app_client.get(PAGE + "/risk-table").text
    assert "Rows 1\u201350 of 63" in first and "Page 1 of 2" in first
    second = app_client.get(PAGE + "/risk-table?page=2").text
    assert "Rows 51\u201363 of 63" in second and "sorrel-durham" not in second
    by_ttr = app_client.get(PAGE + "/risk-table?sort=ttr&dir=asc").text
    assert "site-000" in by_ttr and "sorrel-durham" not in by_ttr  # TTR 28 days first
    assert 'aria-sort="ascending"' in by_ttr
    by_name = app_client.get(PAGE + "/risk-table?sort=label&dir=desc").text
    assert by_name.index("Velora Dresden") < by_name.index("Sorrel Durham")


# --- running --------------------------------------------------------------------------------------


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(PAGE).text)
    assert found is not None
    return found.group(1)


def test_starting_a_run_needs_the_csrf_token(app_client: TestClient) -> None:
    login(app_client, "analyst")
    data = {"kind": "structure"}
    assert app_client.post(PAGE + "/runs", data=data).status_code == 403
    bad = app_client.post(PAGE + "/runs", data=data | {"csrf_token": "forged"})
    assert bad.status_code == 403


def test_viewers_may_not_start_runs(app_client: TestClient) -> None:
    login(app_client, "viewer")
    response = app_client.post(PAGE + "/runs", data={"kind": "structure"})
    assert response.status_code == 403
    assert "analysis:run" in response.json()["detail"]


def test_an_analyst_starts_a_run_and_polls_its_progress(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podium.mapping import service

    executed: list[int] = []
    monkeypatch.setattr(service, "execute_run", lambda *, sessions, run_id: executed.append(run_id))
    login(app_client, "analyst")
    token = csrf_of(app_client)
    form = {"kind": "stress_test", "by": "actor", "horizon_days": "180", "csrf_token": token}
    response = app_client.post(PAGE + "/runs", data=form, headers={"HX-Request": "true"})
    assert response.status_code == 202
    assert "Stress test #" in response.text and "Queued" in response.text
    assert 'hx-trigger="load delay:1s"' in response.text
    (run_id,) = executed
    progress = app_client.get(f"{PAGE}/runs/{run_id}/progress")
    assert progress.status_code == 200 and "HX-Trigger" not in progress.headers
    # the page resumes polling a run that is still going on
    assert f'id="run-{run_id}"' in app_client.get(PAGE).text

    factory = app_client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        run = db.get(AnalysisRun, run_id)
        assert run is not None and run.parameters["by"] == "actor"
        assert run.parameters["horizon_days"] == 180
        run.status, run.progress_done, run.progress_total = "done", 40, 40
        db.commit()
    done = app_client.get(f"{PAGE}/runs/{run_id}/progress")
    assert done.headers["HX-Trigger"] == "exposure-updated"
    assert "Done" in done.text and "40 scenarios" in done.text
    assert "hx-trigger" not in done.text


def test_invalid_parameters_are_explained(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podium.mapping import service

    monkeypatch.setattr(service, "execute_run", lambda **_: None)
    login(app_client, "analyst")
    token = csrf_of(app_client)
    form = {"kind": "stress_test", "by": "site", "horizon_days": "0", "csrf_token": token}
    response = app_client.post(PAGE + "/runs", data=form, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "did not start" in response.text and "horizon_days" in response.text


def test_a_plain_form_post_goes_back_to_the_page(
    app_client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    from podium.mapping import service

    monkeypatch.setattr(service, "execute_run", lambda **_: None)
    login(app_client, "analyst")
    token = csrf_of(app_client)
    response = app_client.post(
        PAGE + "/runs", data={"kind": "structure", "csrf_token": token}, follow_redirects=False
    )
    assert response.status_code == 303 and response.headers["location"] == PAGE


def test_a_run_of_another_ecosystem_is_not_found(app_client: TestClient) -> None:
    login(app_client, "viewer")
    ids = run_ids(app_client)
    assert app_client.get(f"{PAGE}/runs/{ids['stress_test']}/progress").status_code == 200
    assert app_client.get(f"{PAGE}/runs/999999/progress").status_code == 404


# --- views ----------------------------------------------------------------------------------------


class FakeRun:
    def __init__(self, run_id: int, results: dict[str, Any]) -> None:
        self.id, self.kind, self.status = run_id, "stress_test", "done"
        self.parameters: dict[str, Any] = {"by": "site"}
        self.progress_done = self.progress_total = 1
        self.error, self.results, self.duration_seconds = None, results, 1.0


def test_the_comparison_shows_the_change_of_each_scenario() -> None:
    before = dict(STRESS, results=[dict(r) for r in STRESS["results"]])
    before["results"][0] = dict(before["results"][0], risk_exposure_index=0.8)
    view = views.stress_view(FakeRun(2, STRESS), FakeRun(1, before))
    assert view["previous"] == 1
    assert view["top"][0]["delta_rei"] == pytest.approx(0.2)
    assert view["top"][1]["delta_rei"] == 0.0


def test_tts_sorts_not_limiting_last() -> None:
    view = views.stress_view(FakeRun(1, STRESS))
    table = views.table_page(view, sort="tts", direction="asc", size=5)
    assert [r["tts"] for r in table["rows"][:2]] == [21, 35]
