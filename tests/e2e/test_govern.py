"""Govern in a real browser: an analyst raises an escalation through the form, escalates it to
the steering committee with a reason and reads its history; prepares the committee's meeting,
sees the escalation on the agenda, records minutes with a decision linked to it and sees it
resolved. A partner user responds to an escalation that involves it and is told (404) that one
which does not involve it does not exist. The decision rights (RACI), disputes, certifications
and platforms pages render their heading without console errors.

Same set-up as ``test_integrate.py``: uvicorn on a free local port over a temporary SQLite
database, Debian's headless Chromium; skipped when Chromium or Playwright is missing. The
ecosystem gets the catalogue's decision rights and forums; ``platform_terms`` is the routine
type whose path climbs from the supplier risk review (tactical) to the steering committee.
Screenshots land in ``test-artifacts/console-govern-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from podium.app import create_app
from podium.core.auth import Principal, Role, add_user
from podium.core.settings import Settings
from podium.ecosystem.service import get_ecosystem
from podium.govern import escalation_service, forum_service
from tests.e2e.browser import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, PASSWORD, served
from tests.factories import small_spec

if TYPE_CHECKING:
    from playwright.sync_api import Page

pytestmark = pytest.mark.e2e
ECO = "/ecosystems/small"
ESCALATIONS = f"{ECO}/escalations"
GOVERN = f"{ECO}/govern"
SEEDED = "Housing labels do not scan"
RAISED = "Cloud platform doubles its fees"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Serve the small ecosystem with its default rights and forums, an analyst, a partner user
    of CastCo and one escalation that involves CastCo."""
    folder = tmp_path_factory.mktemp("e2e-govern")
    with served(folder, small_spec()) as url:
        app = create_app(Settings(database_url=f"sqlite:///{folder / 'podium.db'}", secret_key="x"))
        with app.state.session_factory() as db:
            eco = get_ecosystem(session=db, name="small", principal=None)
            user = add_user(session=db, username="analyst", password=PASSWORD, role=Role.ANALYST)
            add_user(
                session=db,
                username="castco",
                password=PASSWORD,
                role=Role.PARTNER_USER,
                partner_ecosystem_id=eco.id,
                partner_actor="castco",
            )
            analyst = Principal(user_id=user.id, username="analyst", role=Role.ANALYST)
            forum_service.init_defaults(
                session=db, ecosystem=eco, principal=analyst, request_id="e2e-seed"
            )
            escalation_service.raise_escalation(
                session=db, ecosystem=eco, principal=analyst, request_id="e2e-seed",
                title=SEEDED, detail="Labels printed with the wrong GTIN.",
                category="routine_coordination", severity="medium", customer_impact=False,
                parties=["actor:castco"],
            )  # fmt: skip
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


def sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login")


def shot(page: Page, name: str) -> None:
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"console-govern-{name}.png"), full_page=True)


def analyst_raises_and_escalates(page: Page, server: str) -> int:
    """Raise a platform-terms escalation (tactical), then escalate it to the steering committee."""
    from playwright.sync_api import expect

    sign_in_as(page, server, "analyst", ESCALATIONS)
    form = page.locator("#raise-form")
    form.locator("input[name=title]").fill(RAISED)
    form.locator("select[name=category]").select_option("platform_terms")
    form.locator("select[name=severity]").select_option("high")
    form.locator("input[name=parties]").fill("alloy")
    form.locator("textarea[name=detail]").fill("The hosting platform announced new prices.")
    page.click("#raise-submit")
    page.wait_for_url(re.compile(r".*/escalations/\d+$"))
    escalation_id = int(page.url.rsplit("/", 1)[1])
    where = page.locator("#escalation")
    expect(where).to_have_attribute("data-level", "tactical")
    expect(where).to_contain_text("supplier-risk-review")

    page.goto(f"{server}{ESCALATIONS}")
    row = page.locator(f'#escalations tr[data-escalation="{escalation_id}"]')
    expect(row).to_contain_text(RAISED)
    expect(row).to_contain_text("Tactical")
    expect(page.locator("#escalations tr", has_text=SEEDED)).to_be_visible()
    row.get_by_role("link", name=RAISED).click()
    page.wait_for_url(f"**{ESCALATIONS}/{escalation_id}")

    reason = "fees exceed the budget the stand-up may approve"
    page.locator("#escalate-form input[name=text]").fill(reason)
    page.locator("#escalate-form button[type=submit]").click()
    expect(where).to_have_attribute("data-level", "strategic")
    expect(where).to_contain_text("steering-committee")
    expect(page.locator("#history tr[data-event=raised]")).to_have_count(1)
    escalated = page.locator("#history tr[data-event=escalated]")
    expect(escalated).to_contain_text(reason)
    expect(escalated).to_contain_text("tactical → strategic")
    expect(page.locator("#escalate-form")).to_have_count(0)  # at the top of its path
    shot(page, "escalation")
    return escalation_id


def analyst_decides_at_the_steering_committee(page: Page, server: str, escalation_id: int) -> None:
    """Prepare the steering committee's meeting, record minutes whose decision settles it."""
    from playwright.sync_api import expect

    page.goto(f"{server}{GOVERN}/forums")
    steering = page.locator('#forum-table tr[data-forum="steering-committee"]')
    expect(steering).to_contain_text("Steering committee")
    steering.get_by_role("link", name="Meeting").click()
    page.wait_for_url(f"**{GOVERN}/forums/steering-committee/meeting")
    expect(page.locator("h1")).to_contain_text("Steering committee: meeting")
    page.get_by_role("link", name="Agenda").click()
    on_agenda = page.locator(f'#agenda-items li[data-kind=escalation][data-ref="{escalation_id}"]')
    expect(on_agenda).to_contain_text(RAISED)
    expect(page.locator("#agenda-items", has_text=SEEDED)).to_have_count(0)  # not strategic
    page.locator("#prepare-form button[type=submit]").click()
    page.wait_for_url(re.compile(r".*/forums/steering-committee/meeting\?id=\d+$"))
    expect(page.locator("#frozen-agenda")).to_contain_text(RAISED)

    form = page.locator("#minutes-form")
    form.locator("textarea[name=minutes]").fill("The platform's new fees were discussed.")
    first = form.locator("fieldset.decision-slot").first
    first.locator("input[name=decision_title]").fill("Renegotiate the platform fees")
    first.locator("textarea[name=decision_text]").fill("Procurement renegotiates by June.")
    first.locator("select[name=decision_type]").select_option("platform_terms")
    first.locator(f'input[name=link][value="0:{escalation_id}"]').check()
    form.get_by_role("button", name="Record the minutes").click()
    page.wait_for_url("**saved=minutes")
    expect(page.locator("[role=status]")).to_contain_text("linked escalations are resolved")
    expect(page.locator("#minutes")).to_contain_text("new fees were discussed")
    expect(page.locator(".decision")).to_contain_text(f"escalation {escalation_id}")
    shot(page, "meeting")

    page.goto(f"{server}{ESCALATIONS}/{escalation_id}")
    expect(page.locator("#escalation")).to_have_attribute("data-status", "resolved")
    expect(page.locator("#escalation")).to_contain_text("Renegotiate the platform fees")
    expect(page.locator("#history tr[data-event=resolved]")).to_contain_text("decision")


def analyst_opens_the_other_govern_pages(page: Page, server: str) -> None:
    from playwright.sync_api import expect

    headings = {
        f"{GOVERN}/rights": "Decision rights",
        f"{ECO}/disputes": "Disputes",
        f"{ECO}/certifications": "Certification and training",
        f"{ECO}/platforms": "Platform dependency",
    }
    for path, heading in headings.items():
        response = page.goto(f"{server}{path}")
        assert response is not None and response.status == 200, path
        expect(page.locator("h1")).to_contain_text(heading)
    page.goto(f"{server}{GOVERN}/rights")
    expect(page.locator("body")).to_contain_text("platform_terms")


def partner_responds(page: Page, server: str, hidden_id: int) -> None:
    """CastCo responds to the escalation that involves it and cannot open the other one."""
    from playwright.sync_api import expect

    sign_in_as(page, server, "castco", ESCALATIONS)
    rows = page.locator("#escalations tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(SEEDED)
    rows.first.get_by_role("link", name=SEEDED).click()
    page.wait_for_url(re.compile(r".*/escalations/\d+$"))
    expect(page.locator("#escalate-form")).to_have_count(0)  # involved, not the owner
    page.locator("#respond-form input[name=text]").fill("Reprinted labels ship on Monday.")
    page.locator("#respond-form button[type=submit]").click()
    responded = page.locator("#history tr[data-event=responded]")
    expect(responded).to_contain_text("Reprinted labels ship on Monday.")
    expect(responded).to_contain_text("actor:castco")
    shot(page, "partner")

    hidden = page.goto(f"{server}{ESCALATIONS}/{hidden_id}")
    assert hidden is not None and hidden.status == 404
    expect(page.locator("body")).not_to_contain_text(RAISED)


def test_escalate_decide_and_respond_in_the_console(server: str) -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda exc: errors.append(str(exc)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            escalation_id = analyst_raises_and_escalates(page, server)
            analyst_decides_at_the_steering_committee(page, server, escalation_id)
            analyst_opens_the_other_govern_pages(page, server)
            assert errors == []
            sign_out(page)
            partner_responds(page, server, escalation_id)
            # the hidden escalation answers 404 on purpose; Chromium logs that status as an error
            assert [e for e in errors if "status of 404" not in e] == []
        finally:
            browser.close()
    assert Path(ARTIFACTS / "console-govern-meeting.png").exists()
