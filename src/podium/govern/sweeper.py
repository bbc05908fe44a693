"""The durable timer of governance: a background loop that sweeps the stored deadlines.

Nothing is kept in memory between passes: each pass is its own unit of work over the deadlines
the database holds (``escalations.due_at``), so a process that stops and starts again simply
sweeps again and acts on what ran out meanwhile, once (see
:func:`podium.govern.escalation_actions.sweep`). Once a day (and at start) the loop also raises
the exceptions of expiring and expired certifications, which is idempotent.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from podium.core.db import unit_of_work, utcnow
from podium.ecosystem import models as eco
from podium.govern import certification_service
from podium.govern.certification import DEFAULT_WARNING_DAYS
from podium.govern.escalation_actions import sweep

log = logging.getLogger(__name__)


def sweep_once(factory: sessionmaker[Session], now: datetime | None = None) -> list[int]:
    """Sweep every ecosystem in one unit of work; return the ids of the escalations that moved."""
    with unit_of_work(factory) as session:
        request_id = f"sweep-{uuid.uuid4().hex[:16]}"
        moved = sweep(session=session, now=now or utcnow(), request_id=request_id)
        return [item.id for item in moved]


def check_expiry_once(factory: sessionmaker[Session], on: date, warning_days: int) -> int:
    """Raise the certification expiry exceptions of every ecosystem; return how many are new."""
    with unit_of_work(factory) as session:
        return sum(
            certification_service.raise_expiry_exceptions(
                session=session, ecosystem=ecosystem, on=on, warning_days=warning_days
            )
            for ecosystem in session.scalars(select(eco.Ecosystem).order_by(eco.Ecosystem.id))
        )


async def run_sweeper(
    factory: sessionmaker[Session],
    interval_s: float,
    clock: Callable[[], datetime] = utcnow,
    warning_days: int = DEFAULT_WARNING_DAYS,
) -> None:
    """Sweep every ``interval_s`` seconds until cancelled, and check certification expiry on
    each new day (UTC); a failed pass is logged and retried at the next interval (each pass
    runs in a worker thread, off the event loop)."""
    if interval_s <= 0:
        raise ValueError("interval_s must be positive (0 means: do not start the sweeper)")
    checked: date | None = None
    while True:
        now = clock()
        try:
            moved = await asyncio.to_thread(sweep_once, factory, now)
            if moved:
                log.info("escalation sweep moved %d escalation(s): %s", len(moved), moved)
            if now.date() != checked:
                await asyncio.to_thread(check_expiry_once, factory, now.date(), warning_days)
                checked = now.date()
        except Exception:
            log.exception("governance sweep failed; retrying in %s s", interval_s)
        await asyncio.sleep(interval_s)
