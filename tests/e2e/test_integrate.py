"""Integrate in a real browser: a partner uploads a CSV with a bad row, reads the row and column
of the error (nothing stored), fixes it and sees its rows; shares a dataset with another
partner; the orchestrator's analyst checks the exceptions, acknowledges one and reads the data
quality per partner.

Same set-up as ``test_exposure.py``: uvicorn on a free local port over a temporary SQLite
database, Debian's headless Chromium; skipped when Chromium or Playwright is missing. The
screenshots land in ``test-artifacts/console-integrate-*.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

import podium
from podium.app import create_app
from podium.core.auth import Role, add_user
from podium.core.settings import Settings
from podium.ecosystem.service import get_ecosystem
from podium.samples import sample_path
from tests.e2e.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PASSWORD, served

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
ECO = "/ecosystems/manufacturer"
HEADER = "item,location,period_start,bucket,quantity,comment\n"
GOOD_ROWS = (
    "power-module,velora-dresden,2026-11-23,day,120,\n"
    "power-module,velora-dresden,2026-11-24,day,135,after the line upgrade\n"
    "power-module,velora-dresden,2026-11-25,day,140,\n"
)
BAD_ROW = "power-module,velora-dresden,2026-11-26,day,plenty,\n"
LATE = (
    "order_id,line,item,ship_to,promised_date,promised_quantity\n"
    "PO-4711,1,power-module,hartwell-stuttgart,2025-01-06,400\n"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the manufacturer sample with a partner admin of Velora and an analyst."""
    folder = tmp_path_factory.mktemp("e2e-integrate")
    with served(folder, podium.load(sample_path("manufacturer"))) as url:
        app = create_app(Settings(database_url=f"sqlite:///{folder / 'podium.db'}", secret_key="x"))
        with app.state.session_factory() as db:
            eco = get_ecosystem(session=db, name="manufacturer", principal=None)
            add_user(session=db, username="analyst", password=PASSWORD, role=Role.ANALYST)
            add_user(
                session=db,
                username="velora",
                password=PASSWORD,
                role=Role.PARTNER_ADMIN,
                partner_ecosystem_id=eco.id,
                partner_actor="velora",
            )
            db.commit()
        app.state.engine.dispose()
        yield url


def sign_in_as(page: Page, server: str, username: str, path: str) -> None:
    """Open ``path``, sign in as ``username`` on the form it sends to, and land back on it."""
    page.goto(f"{server}{path}")
    assert "/login" in page.url
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")


def upload(page: Page, dataset: str, name: str, content: str) -> None:
    page.select_option("#upload-dataset", dataset)
    page.set_input_files(
        "#upload-file", {"name": name, "mimeType": "text/csv", "buffer": content.encode()}
    )
    page.click("#upload-submit")
    page.wait_for_load_state()


def shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"console-integrate-{name}.png"), full_page=True)


def partner_uploads_and_shares(page: Page, server: str) -> None:
    from playwright.sync_api import expect

    sign_in_as(page, server, "velora", f"{ECO}/data")
    forecasts = page.locator('#datasets tr[data-dataset="forecasts"]')
    expect(forecasts.locator("td.rows")).to_have_text("0")

    # one bad row: the file is refused with its row and column, and nothing is stored
    upload(page, "forecasts", "forecast-week48.csv", HEADER + GOOD_ROWS + BAD_ROW)
    expect(page.locator("#refused .alert")).to_contain_text("nothing was stored")
    errors = page.locator("#upload-errors tbody tr")
    expect(errors).to_have_count(1)
    expect(errors.first.locator("td").nth(0)).to_have_text("5")
    expect(errors.first.locator("td").nth(1)).to_have_text("quantity")
    expect(errors.first.locator("td").nth(2)).to_contain_text("plenty")
    expect(forecasts.locator("td.rows")).to_have_text("0")
    shot(page, "upload-errors")

    # fixed: stored, scored, counted
    upload(page, "forecasts", "forecast-week48.csv", HEADER + GOOD_ROWS)
    expect(page.locator("#stored")).to_contain_text("3 records of demand forecasts")
    expect(page.locator("#stored")).to_contain_text("Quality score")
    expect(forecasts.locator("td.rows")).to_have_text("3")
    upload(page, "deliveries", "open-orders.csv", LATE)
    expect(page.locator("#stored")).to_contain_text("1 record of orders and deliveries")
    shot(page, "data")

    forecasts.get_by_role("link", name="Browse").click()
    expect(page.locator("#sources")).to_contain_text("your own data")
    expect(page.locator("#rows tbody tr")).to_have_count(3)
    expect(page.locator("#rows")).to_contain_text("after the line upgrade")
    shot(page, "browse")

    # share the forecasts weekly with Kinsei for planning
    page.get_by_role("link", name="Agreements", exact=True).click()
    page.fill("#share-recipient", "kinsei")
    page.select_option("#share-dataset", "forecasts")
    page.select_option("#share-purpose", "planning")
    page.select_option("#share-time", "week")
    page.select_option("#share-place", "region")
    page.click("#share-submit")
    row = page.locator('#mine tr[data-agreement="velora-forecasts-planning"]')
    expect(row).to_contain_text("in force")
    expect(row).to_contain_text("weekly, region")
    expect(row).to_contain_text("Kinsei")
    shot(page, "agreements")
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


def analyst_works_the_exceptions(page: Page, server: str) -> None:
    from playwright.sync_api import expect

    sign_in_as(page, server, "analyst", "/integrate?ecosystem=manufacturer")
    expect(page.locator("#integrate-summary")).to_contain_text("Agreements in force")
    shot(page, "overview")
    page.get_by_role("link", name="Open exceptions").click()
    page.wait_for_url(f"**{ECO}/exceptions")
    expect(page.locator('#quality tr[data-provider="velora"]')).to_be_visible()

    page.click("#check-now")
    expect(page.locator("#exceptions")).to_contain_text("new exception")
    late = page.locator("#exceptions tr", has_text="PO-4711")
    expect(late).to_contain_text("Late shipments")
    expect(late).to_contain_text("critical")
    late.get_by_role("button", name="Acknowledge").click()
    expect(page.locator("#exceptions tr", has_text="PO-4711")).to_contain_text("acknowledged")
    shot(page, "exceptions")


def test_partner_uploads_shares_and_the_orchestrator_sees_exceptions(server: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            partner_uploads_and_shares(page, server)
            analyst_works_the_exceptions(page, server)
            # the refused upload answers 422 on purpose; Chromium logs that status as an error
            assert [e for e in errors if "status of 422" not in e] == []
        finally:
            browser.close()
    assert Path(ARTIFACTS / "console-integrate-data.png").exists()
