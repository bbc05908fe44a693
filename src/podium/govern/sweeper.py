"""The durable timer of escalations: a background loop that sweeps the stored deadlines.

Nothing is kept in memory between passes: each pass is its own unit of work over the deadlines
the database holds (``escalations.due_at``), so a process that stops and starts again simply
sweeps again and acts on what ran out meanwhile, once (see
:func:`podium.govern.escalation_actions.sweep`).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from podium.core.db import unit_of_work, utcnow
from podium.govern.escalation_actions import sweep

log = logging.getLogger(__name__)


def sweep_once(factory: sessionmaker[Session], now: datetime | None = None) -> list[int]:
    """Sweep every ecosystem in one unit of work; return the ids of the escalations that moved."""
    with unit_of_work(factory) as session:
        request_id = f"sweep-{uuid.uuid4().hex[:16]}"
        moved = sweep(session=session, now=now or utcnow(), request_id=request_id)
        return [item.id for item in moved]


async def run_sweeper(
    factory: sessionmaker[Session],
    interval_s: float,
    clock: Callable[[], datetime] = utcnow,
) -> None:
    """Sweep every ``interval_s`` seconds until cancelled; a failed pass is logged and retried
    at the next interval (each pass runs in a worker thread, off the event loop)."""
    if interval_s <= 0:
        raise ValueError("interval_s must be positive (0 means: do not start the sweeper)")
    while True:
        try:
            moved = await asyncio.to_thread(sweep_once, factory, clock())
            if moved:
                log.info("escalation sweep moved %d escalation(s): %s", len(moved), moved)
        except Exception:
            log.exception("escalation sweep failed; retrying in %s s", interval_s)
        await asyncio.sleep(interval_s)
