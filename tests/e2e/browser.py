"""What the browser tests share: Debian's Chromium, a served app, signing in.

The app runs with uvicorn on a free local port over a temporary SQLite database, seeded with an
ecosystem and an admin; Chromium is Debian's package (Playwright must not download browsers).
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import uvicorn

from podium.app import create_app
from podium.core.auth import Role, add_user
from podium.core.db import upgrade_database
from podium.core.settings import Settings
from podium.ecosystem.service import import_spec
from podium.ecosystem.spec import EcosystemSpec

if TYPE_CHECKING:
    from playwright.sync_api import Page

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


@contextmanager
def served(folder: Path, spec: EcosystemSpec) -> Iterator[str]:
    """Serve the app over a new database in ``folder`` holding ``spec``; yield its base URL.

    Skips the test when Chromium or Playwright is missing.
    """
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM} (set PODIUM_CHROMIUM)")
    pytest.importorskip("playwright.sync_api")
    url = f"sqlite:///{folder / 'podium.db'}"
    upgrade_database(url)
    app = create_app(Settings(database_url=url, secret_key="e2e-secret-key"))
    with app.state.session_factory() as db:
        import_spec(session=db, spec=spec)
        add_user(session=db, username="admin", password=PASSWORD, role=Role.ADMIN)
        db.commit()
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    uv = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=uv.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.05)
    assert uv.started, "uvicorn did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
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
