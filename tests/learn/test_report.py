"""The executive ecosystem review: rendering a hand-built report as self-contained HTML and as a
PDF, gathering it from a seeded database (SQLite and PostgreSQL) for the orchestrator and for a
partner, the API route and the ``podium report`` command."""

from __future__ import annotations

import base64
import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session
from starlette.routing import NoMatchFound
from typer.testing import CliRunner

from podium.core.auth import Role, add_user
from podium.core.clikit import use_database
from podium.core.db import make_engine, session_factory, unit_of_work, upgrade_database
from podium.ecosystem import models as eco
from podium.ecosystem.service import get_ecosystem, import_spec
from podium.learn import report_cli, report_routes, report_service
from podium.learn.report import render_html, render_pdf
from podium.learn.report_data import (
    CriterionLine,
    Exposure,
    ExposureRow,
    InitiativeLine,
    KpiLine,
    LogLine,
    NetworkNode,
    ReportData,
    ScoreLine,
    SegmentLine,
    change,
    format_value,
)
from podium.mapping import service as mapping
from tests.conftest import TokenFor
from tests.factories import small_spec
from tests.learn.report_helpers import (
    ALLOY_LESSON,
    CASTCO_LESSON,
    Q3,
    partner,
    seed_learn,
)

PERIODS = ("2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2", "2026-Q3")
PNG = b"\x89PNG\r\n\x1a\n"


def sample_report(**changes: object) -> ReportData:
    """A report of two KPIs, two partners, a stress test of three sites and one lesson."""
    otif = KpiLine("otif", "On time in full", "share", "higher", 0.6, 5,
                   (None, None, None, 1.0, 0.6), "breach", 0.95, 0.8)  # fmt: skip
    days = KpiLine("recovery_time_days", "Supplier recovery time", "days", "lower", None, 0,
                   (None,) * 5)  # fmt: skip
    cards = (
        ScoreLine("castco", "CastCo", 75.0, "good", 1.0, "declining", (None,) * 3 + (100.0, 75.0),
                  (CriterionLine("otif", "On time in full", "share", 0.75, 75.0, 1.0),)),
        ScoreLine("alloy", "Alloy <Works>", 0.0, "poor", 1.0, "insufficient data", (None,) * 5),
    )  # fmt: skip
    exposure = Exposure(
        run=7, finished="01 Oct 2026", by="site", currency="EUR", scenarios=3, with_impact=2,
        worst_impact=1000.0,
        top=(ExposureRow("Foundry", "site", 1.0, 1000.0, 30.0, 5.0),
             ExposureRow("Smelter", "site", 0.4, 400.0, 20.0, None)),
        nodes=(NetworkNode("oem-plant", 0, None), NetworkNode("castco-foundry", 1, 1.0),
               NetworkNode("alloy-smelter", 2, 0.4)),
        edges=(("castco-foundry", "oem-plant"), ("alloy-smelter", "castco-foundry")),
    )  # fmt: skip
    base = ReportData(
        ecosystem="small", title="Small test ecosystem", period="2026-Q3", periods=PERIODS,
        generated_at=datetime(2026, 10, 2, 9, 30, tzinfo=UTC), currency="EUR",
        kpis=(otif, days), scorecards=cards,
        segments=(SegmentLine("alloy", "Alloy", "at risk", "exit", "low", "poor", "unknown",
                              "low: REI 0.40; scorecard 0 (poor) -> exit",
                              ("low: REI 0.40", "scorecard 0 (poor)")),),
        exposure=exposure,
        initiatives=(InitiativeLine("die", "Die redesign", ("castco",), date(2026, 5, 4),
                                    date(2026, 8, 17), 50_000.0, "EUR"),),
        log=(LogLine("Q3 review", "2026-Q3", "risk_missed", "<script>alert(1)</script> missed",
                     ("alloy",), ("kpi:otif",)),),
    )  # fmt: skip
    return replace(base, **changes)


# --- pure: formatting and rendering ---------------------------------------------------------------


def test_values_read_as_people_write_them() -> None:
    """Shares in percent (bias signed), days and hours with a decimal, money with separators."""
    assert format_value(0.6, "share") == "60.0%"
    assert format_value(0.031, "share", "zero") == "+3.1%"
    assert format_value(13.62, "days") == "13.6 d"
    assert format_value(144.0, "hours") == "144.0 h"
    assert format_value(1_036_000.0, "currency", currency="EUR") == "1,036,000 EUR"
    assert format_value(None, "share") == "\u2013"


def test_change_is_from_the_last_earlier_period_with_a_value() -> None:
    """OTIF went from 100% (Q2) to 60% (Q3): -0.4; no earlier value, no change."""
    line = sample_report().kpis[0]
    assert change(line) == pytest.approx(-0.4)
    assert change(KpiLine("otif", "x", "share", "higher", 0.5, 1, (None, 0.5))) is None


def test_html_is_self_contained_with_every_section_and_its_plots() -> None:
    html = render_html(sample_report())
    for section in ("summary", "kpis", "scorecards", "exposure", "recommendations",
                    "initiatives", "learning-log"):  # fmt: skip
        assert f'<section id="{section}">' in html
    images = re.findall(r'src="data:image/png;base64,([^"]+)"', html)
    assert len(images) == 4  # KPI trends, scorecards, exposure bars, network
    assert all(base64.b64decode(image).startswith(PNG) for image in images)
    for figure in ("kpi-trends", "scorecard-chart", "exposure-chart", "exposure-map"):
        assert f'id="{figure}"' in html
    assert "<link" not in html and 'src="http' not in html and "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; missed" in html
    assert "Alloy &lt;Works&gt;" in html
    assert "60.0%" in html and "breach" in html and "exit" in html


def test_a_partners_report_has_no_segments_and_no_exposure() -> None:
    html = render_html(sample_report(segments=None, exposure=None, audience="castco"))
    assert 'id="recommendations"' not in html and 'id="exposure"' not in html
    assert "for partner castco" in html
    assert len(re.findall(r'src="data:image/png', html)) == 2


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type\s*/Page\b", pdf))


def test_pdf_has_a_title_page_then_the_plots_and_tables() -> None:
    """Title, KPI table, trends, scorecard chart, scorecard table, exposure chart, exposure map,
    recommendations, initiatives, learning log: ten pages."""
    pdf = render_pdf(sample_report())
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert _pages(pdf) == 10
    assert b"Executive ecosystem review" in pdf or b"/Title" in pdf


def test_pdf_of_an_empty_period_leaves_out_the_plots_it_cannot_draw() -> None:
    """No KPI value, no score, no exposure: title, KPI table, scorecard table, initiatives and
    log pages remain (five)."""
    empty = sample_report(
        kpis=(KpiLine("otif", "On time in full", "share", "higher", None, 0, (None,) * 5),),
        scorecards=(), segments=None, exposure=None, initiatives=(), log=(),
    )  # fmt: skip
    assert _pages(render_pdf(empty)) == 5
    assert "No KPI has data in these periods." in render_html(empty)


# --- gather from the database ---------------------------------------------------------------------


@pytest.fixture
def seeded(session: Session) -> eco.Ecosystem:
    ecosystem = import_spec(session=session, spec=small_spec())
    seed_learn(session, ecosystem)
    return ecosystem


def test_gather_collects_the_period_for_the_orchestrator(
    session: Session, seeded: eco.Ecosystem
) -> None:
    """Q3 OTIF: CastCo 3 of 4 lines, Alloy 0 of 1, so the ecosystem's 3/5 = 0.6, a breach of
    its 0.8 threshold; Q2 2 of 2 = 1.0 (OTIF as SCOR's on time and in full, per order line)."""
    mapping.execute_run(
        sessions=session, workers=1,
        run_id=mapping.start_run(session=session, ecosystem=seeded, kind="stress_test",
                                 parameters={"by": "site"}).id,
    )  # fmt: skip
    steps: list[str] = []
    found = report_service.gather(session=session, ecosystem=seeded, period=Q3,
                                  progress=steps.append)  # fmt: skip
    assert steps == list(report_service.STEPS)
    assert found.periods == PERIODS and found.audience is None
    otif = next(k for k in found.kpis if k.key == "otif")
    assert otif.value == pytest.approx(0.6) and otif.basis == 5
    assert otif.trend == (None, None, None, pytest.approx(1.0), pytest.approx(0.6))
    assert (otif.status, otif.target, otif.breach) == ("breach", 0.95, 0.8)
    cards = {c.partner: c for c in found.scorecards}
    assert cards["castco"].criteria[0].value == pytest.approx(0.75)
    assert found.segments is not None and {s.partner for s in found.segments} >= {"castco", "alloy"}
    assert found.exposure is not None and found.exposure.scenarios > 0
    tiers = {n.key: n.tier for n in found.exposure.nodes}
    assert (tiers["oem-plant"], tiers["cast-plant"], tiers["alloy-plant"]) == (0, 1, 2)
    assert ("cast-plant", "oem-plant") in found.exposure.edges
    assert [i.key for i in found.initiatives] == ["die-redesign"]
    assert {e.text for e in found.log} == {CASTCO_LESSON, ALLOY_LESSON}
    assert ("initiative:die-redesign",) in {e.links for e in found.log}


def test_gather_gives_a_partner_its_own_numbers_only(
    session: Session, seeded: eco.Ecosystem
) -> None:
    """CastCo's own Q3 OTIF is 3/4; it sees its scorecard, its lesson, no segments, no map."""
    found = report_service.gather(session=session, ecosystem=seeded, period=Q3,
                                  principal=partner(seeded, "castco"))  # fmt: skip
    otif = next(k for k in found.kpis if k.key == "otif")
    assert otif.value == pytest.approx(0.75) and otif.status is None
    assert [c.partner for c in found.scorecards] == ["castco"]
    assert found.segments is None and found.exposure is None and found.audience == "castco"
    assert [e.text for e in found.log] == [CASTCO_LESSON]
    assert "Alloy" not in render_html(found)


def test_without_a_stress_test_the_report_says_so(session: Session, seeded: eco.Ecosystem) -> None:
    found = report_service.gather(session=session, ecosystem=seeded, period=Q3)
    assert found.exposure is None
    assert "No stress test is stored" in render_html(found)


# --- API route and CLI ----------------------------------------------------------------------------


@pytest.fixture
def api(client: TestClient) -> TestClient:
    """The client over the seeded small ecosystem, with the report route mounted."""
    app = client.app
    try:
        app.url_path_for("get_report", name="small")  # type: ignore[attr-defined]
    except NoMatchFound:  # until app.py mounts report_routes.router
        app.include_router(report_routes.router, prefix="/api/v1")  # type: ignore[attr-defined]
    with app.state.session_factory() as db:  # type: ignore[attr-defined]
        seed_learn(db, import_spec(session=db, spec=small_spec()))
        db.commit()
    return client


def test_the_api_returns_the_report_as_html_or_pdf(api: TestClient, token_for: TokenFor) -> None:
    viewer = token_for(Role.VIEWER)
    html = api.get("/api/v1/ecosystems/small/report?period=2026-Q3", headers=viewer)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert 'filename="small-review-2026-Q3.html"' in html.headers["content-disposition"]
    assert 'id="recommendations"' in html.text
    pdf = api.get("/api/v1/ecosystems/small/report?period=2026-Q3&format=pdf", headers=viewer)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")


def test_the_api_refuses_what_is_no_period_and_strangers(
    api: TestClient, token_for: TokenFor
) -> None:
    bad = api.get("/api/v1/ecosystems/small/report?period=2026-Q9", headers=token_for(Role.VIEWER))
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["pointer"] == "#/query/period"
    assert api.get("/api/v1/ecosystems/small/report").status_code == 401
    with api.app.state.session_factory() as db:  # type: ignore[attr-defined]
        small = get_ecosystem(session=db, name="small")
        eco_id = small.id
    castco = token_for(Role.PARTNER_USER, ecosystem_id=eco_id, actor="castco")
    own = api.get("/api/v1/ecosystems/small/report?period=2026-Q3", headers=castco)
    assert own.status_code == 200
    assert 'id="recommendations"' not in own.text and ALLOY_LESSON not in own.text


def test_the_command_writes_html_and_pdf_by_suffix(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'report.db'}"
    upgrade_database(url)
    engine = make_engine(url)
    with unit_of_work(session_factory(engine)) as db:
        seed_learn(db, import_spec(session=db, spec=small_spec()))
        add_user(session=db, username="ana", password="p" * 12, role=Role.ANALYST)
    engine.dispose()
    app = typer.Typer()
    app.command("report")(report_cli.report)
    app.callback()(lambda: None)
    runner = CliRunner()
    use_database(url)
    for name in ("q3.html", "q3.pdf"):
        out = tmp_path / name
        result = runner.invoke(app, ["report", "small", "--period", "2026-Q3", "--out", str(out),
                                     "--user", "ana"])  # fmt: skip
        assert result.exit_code == 0, result.output
        assert "Wrote the review of small, 2026-Q3" in " ".join(result.output.split())
    assert (tmp_path / "q3.pdf").read_bytes().startswith(b"%PDF-")
    assert CASTCO_LESSON.replace("'", "&#39;") in (tmp_path / "q3.html").read_text()
    wrong = runner.invoke(app, ["report", "small", "--out", str(tmp_path / "q3.txt"),
                                "--user", "ana"])  # fmt: skip
    assert wrong.exit_code != 0 and ".html or .pdf" in wrong.output
