"""The exposure view in a real browser: run a stress test of the manufacturer sample, watch its
progress, read the top risks, see the map coloured by Risk Exposure Index, download the table.

Same set-up as ``test_console.py``: uvicorn on a free local port over a temporary SQLite
database, Debian's headless Chromium. Skipped when Chromium or Playwright is missing. The
screenshots land in ``test-artifacts/console-exposure.png`` (and ``-map.png``, the map alone).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import pytest

import podium
from podium.samples import sample_path
from tests.e2e.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, served, sign_in

pytestmark = pytest.mark.e2e
PAGE = "/ecosystems/manufacturer/exposure"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the app over a SQLite database with the manufacturer sample; yield its base URL."""
    spec = podium.load(sample_path("manufacturer"))
    with served(tmp_path_factory.mktemp("e2e-exposure"), spec) as url:
        yield url


NODE_COLOURS = """() => {
    const cy = window.podiumMap;
    const site = (id) => cy.getElementById(id);
    const exposed = cy.nodes('[rei > 0]');
    const colours = new Set(exposed.map((n) => n.style('background-color')));
    const worst = exposed.max((n) => n.data('rei')).ele;
    return {
        exposed: exposed.length,
        colours: colours.size,
        worst: worst.id(),
        worstColour: worst.style('background-color'),
        orchestratorColour: site('hartwell-stuttgart').style('background-color'),
    };
}"""


def test_run_a_stress_test_and_read_the_exposure(server: str) -> None:
    from playwright.sync_api import expect, sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900}, accept_downloads=True)
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            sign_in(page, server, PAGE)
            page.wait_for_function("window.podiumMap && window.podiumMap.nodes().length > 0")
            expect(page.locator("#top-risks")).to_contain_text("Run a stress test")

            page.select_option("#stress-form select[name=by]", "site")
            page.fill("#stress-form input[name=horizon_days]", "365")
            page.click("#run-stress")
            expect(page.locator("#run-progress .run-status")).to_be_visible()
            expect(page.locator("#run-progress")).to_contain_text("Stress test #")
            rows = page.locator("#top-risks tbody tr")
            expect(rows.first).to_be_visible(timeout=60_000)
            expect(page.locator("#run-progress")).to_contain_text("Done")

            # the top risk: the highest REI (1.00), its PI in euros, TTR and TTS in whole days
            top = rows.first
            expect(top.locator("td").nth(1)).to_contain_text("1.00")
            pi = top.locator("td").nth(2).inner_text()
            assert "," in pi and "." not in pi, pi
            assert page.locator("#top-risks thead").inner_text().count("PI (EUR)") == 1
            assert rows.count() == 10
            expect(page.locator("#risk-table tbody tr")).to_have_count(50)

            # the map: site nodes coloured on the neutral-to-red ramp, the worst the reddest
            page.wait_for_function("window.podiumMap.nodes('[rei > 0]').length > 0")
            colours = page.evaluate(NODE_COLOURS)
            assert colours["exposed"] >= 10 and colours["colours"] >= 5, colours
            assert colours["worstColour"] == "rgb(185,28,28)", colours
            worst_label = page.evaluate(
                f"window.podiumMap.getElementById('{colours['worst']}').data('label')"
            )
            expect(top).to_contain_text(worst_label)
            expect(page.locator("#rei-max")).to_have_text("1.00")
            hotspots = page.locator("#node-details ol.hotspots li")
            expect(hotspots).to_have_count(10)
            expect(hotspots.first).to_contain_text(worst_label)

            # the structure analysis lists its findings and marks the map
            page.click("#run-structure")
            findings = page.locator("#findings ul.findings li")
            expect(findings.first).to_be_visible(timeout=60_000)
            expect(page.locator("#findings")).to_contain_text("Single points of failure")
            page.wait_for_function("window.podiumMap.nodes('.spof').length > 0")
            spof = page.evaluate("window.podiumMap.nodes('.spof')[0].style('border-color')")
            assert spof == "rgb(127,29,29)", spof
            expect(page.locator("#exposure-stats")).not_to_contain_text("No structure analysis")

            page.evaluate("window.scrollTo(0, 0)")
            page.screenshot(path=str(ARTIFACTS / "console-exposure.png"), full_page=True)
            page.locator(".exposure-map").screenshot(
                path=str(ARTIFACTS / "console-exposure-map.png")
            )

            # clicking the top risk selects its site and shows its exposure in the detail panel
            top = page.locator("#top-risks tbody tr").first
            top.click()
            panel = page.locator("#node-details")
            expect(panel.locator("h2")).to_have_text(worst_label)
            expect(panel.locator(".node-exposure")).to_contain_text("1.00")

            with page.expect_download() as info:
                page.click("#download-csv")
            text = Path(info.value.path()).read_text(encoding="utf-8")
            table = list(csv.DictReader(io.StringIO(text)))
            assert table[0]["scenario"] == colours["worst"]
            assert float(table[0]["risk_exposure_index"]) == pytest.approx(1.0)
            assert len(table) == page.evaluate("window.podiumMap.nodes('[rei]').length")
            assert errors == []
        finally:
            browser.close()
