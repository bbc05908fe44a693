"""The console in a real browser: sign in, draw the ecosystem map, inspect a node.

Runs the app with uvicorn on a free local port over a temporary SQLite database and drives
headless Chromium (Debian's package; Playwright must not download browsers). Skipped when
Chromium or Playwright is missing. The screenshot lands in ``test-artifacts/console-map.png``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.e2e.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, served, sign_in
from tests.web.console_data import EDGE_COUNT, NODE_COUNT, console_spec

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app over a seeded SQLite database; yield its base URL."""
    with served(tmp_path_factory.mktemp("e2e"), console_spec()) as url:
        yield url


def click_node(page: Page, key: str) -> None:
    """Click the map node ``key`` where Cytoscape drew it."""
    x, y = page.evaluate(
        """(key) => {
            const p = window.podiumMap.getElementById(key).renderedPosition();
            const box = document.getElementById('cy').getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        key,
    )
    page.mouse.click(x, y)


def test_sign_in_draw_the_map_and_inspect_a_node(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            sign_in(page, server, "/ecosystems/small/map")

            page.wait_for_function("window.podiumMap && window.podiumMap.nodes().length > 0")
            assert page.evaluate("window.podiumMap.nodes().length") == NODE_COUNT
            assert page.evaluate("window.podiumMap.edges().length") == EDGE_COUNT
            expect(page.locator(".topbar")).to_contain_text("admin")
            expect(page.locator(".band-label").first).to_have_text("Tier 2")

            click_node(page, "cast-plant")
            panel = page.locator("#node-details")
            expect(panel.locator("h2")).to_have_text("Foundry")
            for text in ("CastCo", "Supply tier", "Depends on (2)", "Serves (1)", "Smelter"):
                expect(panel).to_contain_text(text)
            assert page.evaluate("window.podiumMap.$(':selected').id()") == "cast-plant"

            page.screenshot(path=str(ARTIFACTS / "console-map.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
