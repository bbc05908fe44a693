"""The Learn console pages over HTTP (SQLite and PostgreSQL): who may see the dashboard and the
partner drill-down, what a partner sees (its own scorecard and KPIs, no segments, no exposure),
the charts' embedded data, and the review form with its CSRF check."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from podium.core.auth import Role, add_user
from podium.ecosystem.service import import_spec
from podium.learn.dashboard import console_path, period_choices
from podium.learn.models import Review
from podium.learn.periods import parse_period
from tests.factories import small_spec
from tests.learn.report_helpers import ALLOY_LESSON, CASTCO_LESSON, seed_learn

PASSWORD = "correct horse battery"
ECO = "/ecosystems/small"
DASHBOARD = f"{ECO}/learn?period=2026-Q3"


@pytest.fixture
def app(client: TestClient) -> TestClient:
    """The small ecosystem with Learn data, staff of each role, a CastCo partner user and a
    partner user of another ecosystem."""
    factory = client.app.state.session_factory  # type: ignore[attr-defined]
    with factory() as db:
        small = import_spec(session=db, spec=small_spec())
        other = import_spec(session=db, spec=small_spec("other"))
        seed_learn(db, small)
        for role in (Role.ANALYST, Role.VIEWER):
            add_user(session=db, username=role.value, password=PASSWORD, role=role)
        for username, eco_id in (("castco", small.id), ("stranger", other.id)):
            add_user(session=db, username=username, password=PASSWORD, role=Role.PARTNER_USER,
                     partner_ecosystem_id=eco_id, partner_actor="castco")  # fmt: skip
        db.commit()
    return client


def login(client: TestClient, username: str) -> None:
    client.cookies.clear()
    response = client.post(
        "/login", data={"username": username, "password": PASSWORD}, follow_redirects=False
    )
    assert response.status_code == 303


def partners_in(html: str, section: str) -> set[str]:
    found = re.search(rf'id="{section}".*?</table>', html, re.S)
    return set(re.findall(r'data-partner="([^"]+)"', found.group(0))) if found else set()


def chart_data(html: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="learn-data">(.*?)</script>', html, re.S)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def csrf_of(client: TestClient) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', client.get(DASHBOARD).text)
    assert found is not None
    return found.group(1)


# --- access and what each role sees ---------------------------------------------------------------


def test_signed_out_callers_are_sent_to_sign_in(app: TestClient) -> None:
    response = app.get(DASHBOARD, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"].startswith("/login?next=/ecosystems/small/learn")


@pytest.mark.parametrize("username", ["analyst", "viewer"])
def test_staff_see_every_partner_segments_and_the_log(app: TestClient, username: str) -> None:
    login(app, username)
    html = app.get(DASHBOARD).text
    assert {"castco", "alloy"} <= partners_in(html, "scorecard-table")
    assert {"castco", "alloy"} <= partners_in(html, "segments")
    assert 'id="exposure"' in html  # staff are told no stress test is stored
    assert (
        CASTCO_LESSON.replace("'", "&#39;") in html and ALLOY_LESSON.replace("'", "&#39;") in html
    )
    assert ('id="review-form"' in html) is (username == "analyst")
    assert '<script src="/static/vendor/echarts-5.6.0.min.js"' in html
    assert "/api/v1/ecosystems/small/report?period=2026-Q3&amp;format=pdf" in html


def test_the_headline_shows_the_otif_breach(app: TestClient) -> None:
    """Q3 OTIF of the ecosystem: 3 of 5 lines = 60.0%, below the 80% breach threshold."""
    login(app, "viewer")
    html = app.get(DASHBOARD).text
    card = re.search(r'data-kpi="otif">(.*?)</div>\s*</div>', html, re.S)
    assert card is not None
    assert "60.0%" in card.group(1) and "breach" in card.group(1)


def test_the_charts_data_is_embedded(app: TestClient) -> None:
    login(app, "viewer")
    data = chart_data(app.get(DASHBOARD).text)
    assert data["periods"] == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3"]
    kpis = {k["key"]: k for k in data["kpis"]}  # type: ignore[attr-defined]
    assert kpis["otif"]["values"] == [None, None, None, 1.0, 0.6]
    assert kpis["otif"]["target"] == 0.95
    totals = {c["partner"]: c["total"] for c in data["scorecards"]}  # type: ignore[attr-defined]
    assert set(totals) >= {"castco", "alloy"}


def test_a_partner_sees_only_its_own_numbers(app: TestClient) -> None:
    """CastCo's own Q3 OTIF is 3 of 4 lines: 75.0%; no segments, no exposure, not Alloy."""
    login(app, "castco")
    html = app.get(DASHBOARD).text
    assert partners_in(html, "scorecard-table") == {"castco"}
    assert 'id="segments"' not in html and 'id="exposure"' not in html
    assert 'id="review-form"' not in html
    assert ALLOY_LESSON.replace("'", "&#39;") not in html
    assert "75.0%" in re.search(r'data-kpi="otif">(.*?)</div>\s*</div>', html, re.S).group(1)  # type: ignore[union-attr]
    assert [c["partner"] for c in chart_data(html)["scorecards"]] == ["castco"]  # type: ignore[attr-defined]
    assert app.get(f"{ECO}/learn/partners/castco?period=2026-Q3").status_code == 200
    assert app.get(f"{ECO}/learn/partners/alloy?period=2026-Q3").status_code == 403


def test_a_partner_of_another_ecosystem_is_told_it_does_not_exist(app: TestClient) -> None:
    login(app, "stranger")
    assert app.get(DASHBOARD).status_code == 404


def test_the_drill_down_shows_criteria_scores_and_evidence(app: TestClient) -> None:
    """CastCo: OTIF 75.0% scores 75 by ``100 * value``; its rows link to the deliveries page."""
    login(app, "analyst")
    html = app.get(f"{ECO}/learn/partners/castco?period=2026-Q3").text
    row = re.search(r'<tr data-kpi="otif">(.*?)</tr>', html, re.S)
    assert row is not None
    assert "75.0%" in row.group(1) and "100 * value" in row.group(1) and ">75.0<" in row.group(1)
    assert 'href="/ecosystems/small/data/deliveries?start=2026-07-01&amp;end=2026-10-01"' in html
    assert "/api/v1/ecosystems/small/kpis?period=2026-Q3&amp;keys=otif&amp;by=provider" in html
    assert app.get(f"{ECO}/learn/partners/nobody").status_code == 404


def test_a_bad_period_falls_back_with_a_message(app: TestClient) -> None:
    login(app, "viewer")
    html = app.get(f"{ECO}/learn?period=2026-Q9").text
    assert 'id="period-problem"' in html and "is not a period" in html


# --- the review form ------------------------------------------------------------------------------


def _form(**fields: str) -> dict[str, str]:
    return {"kind": "period", "period": "2026-Q3", "title": "Q3 follow-up",
            "entry_kind": "mechanism_worked", "text": "The weekly call caught the late lines.",
            "partners": "castco", "links": "kpi:otif", **fields}  # fmt: skip


def test_an_analyst_adds_a_review_to_the_log(app: TestClient) -> None:
    login(app, "analyst")
    response = app.post(f"{ECO}/learn/reviews", data=_form(csrf_token=csrf_of(app)),
                        follow_redirects=False)  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == f"{ECO}/learn?period=2026-Q3#learning-log"
    assert "The weekly call caught the late lines." in app.get(DASHBOARD).text
    with app.app.state.session_factory() as db:  # type: ignore[attr-defined]
        stored = db.query(Review).filter(Review.title == "Q3 follow-up").one()
        assert stored.author == "analyst"
        assert stored.entries[0]["links"] == [{"kind": "kpi", "id": "otif"}]


def test_the_form_refuses_a_foreign_or_missing_token(app: TestClient) -> None:
    login(app, "analyst")
    for token in ("forged", ""):
        response = app.post(f"{ECO}/learn/reviews", data=_form(csrf_token=token))
        assert response.status_code == 403
    assert "Q3 follow-up" not in app.get(DASHBOARD).text


def test_the_form_shows_what_is_wrong(app: TestClient) -> None:
    login(app, "analyst")
    wrong = _form(csrf_token=csrf_of(app), partners="nobody", links="kpi:nope")
    response = app.post(f"{ECO}/learn/reviews", data=wrong)
    assert response.status_code == 422
    assert 'id="review-refused"' in response.text
    assert "no actor &#39;nobody&#39;" in response.text and "no kpi &#39;nope&#39;" in response.text
    unnamed = _form(csrf_token=csrf_of(app), kind="incident", incident="")
    incident = app.post(f"{ECO}/learn/reviews", data=unnamed)
    assert incident.status_code == 422 and "names its incident" in incident.text


@pytest.mark.parametrize("username", ["viewer", "castco"])
def test_readers_may_not_post_reviews(app: TestClient, username: str) -> None:
    """The permission is checked before the form (readers get no form, so no token)."""
    login(app, username)
    response = app.post(f"{ECO}/learn/reviews", data=_form(csrf_token="any"))
    assert response.status_code == 403 and "lacks learn:write" in response.text


# --- pure helpers ---------------------------------------------------------------------------------


def test_the_period_picker_offers_recent_quarters_months_and_years() -> None:
    choices = period_choices(parse_period("2026-Q1"), parse_period("2026-Q3"))
    assert choices[:3] == ["2026-Q1", "2026-Q3", "2026-Q2"]
    assert "2024-Q4" in choices and "2026-09" in choices and "2025-10" in choices
    assert "2026" in choices and "2024" in choices and len(choices) == len(set(choices))


def test_api_paths_map_to_console_pages() -> None:
    assert console_path("/api/v1/ecosystems/small/data/deliveries?start=x", "small") == (
        "/ecosystems/small/data/deliveries?start=x"
    )
    assert console_path("/api/v1/ecosystems/small/submissions", "small") == "/ecosystems/small/data"
    assert (
        console_path("/api/v1/ecosystems/small/analyses", "small") == "/ecosystems/small/exposure"
    )
    assert console_path("/api/v1/ecosystems/small/kpis?x", "small") is None
    assert console_path("/elsewhere", "small") is None


def test_the_learn_overview_links_to_the_dashboard(app: TestClient) -> None:
    login(app, "viewer")
    html = app.get("/learn?ecosystem=small").text
    assert 'href="/ecosystems/small/learn"' in html
