"""The console in a real browser: sign in, draw the ecosystem map, inspect a node.

Runs the app with uvicorn on a free local port over a temporary SQLite database and drives
headless Chromium (Debian's package; Playwright must not download browsers). Skipped when
Chromium or Playwright is missing. The screenshot lands in ``test-artifacts/console-map.png``.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from podium.app import create_app
from podium.core.auth import Role, add_user
from podium.core.db import upgrade_database
from podium.core.settings import Settings
from podium.ecosystem.service import import_spec
from tests.web.console_data import EDGE_COUNT, NODE_COUNT, console_spec

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("PODIUM_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app over a seeded SQLite database; yield its base URL."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (set PODIUM_CHROMIUM)")
    pytest.importorskip("playwright.sync_api")
    url = f"sqlite:///{tmp_path_factory.mktemp('e2e') / 'podium.db'}"
    upgrade_database(url)
    app = create_app(Settings(database_url=url, secret_key="e2e-secret-key"))
    with app.state.session_factory() as db:
        import_spec(session=db, spec=console_spec())
        add_user(session=db, username="admin", password=PASSWORD, role=Role.ADMIN)
        db.commit()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app, log_level="warning", lifespan="off")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)
    sock.close()
    app.state.engine.dispose()


def sign_in(page: Page, server: str, path: str) -> None:
    """Open ``path``, get sent to the sign-in form, sign in as admin and land back on it."""
    page.goto(f"{server}{path}")
    assert "/login" in page.url
    page.fill("input[name=username]", "admin")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"**{path}")


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
