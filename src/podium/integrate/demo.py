"""Partner data for the demo: what an orchestrator and one partner supplier would have exchanged.

The orchestrator shares its demand forecast for the parts the partner supplies; the partner
commits capacity, reports inventory and deliveries (a few late), shares them back under
agreements (capacity by week), and sends shipment events. Figures derive from the ecosystem's
link capacities, so every sample gets plausible numbers; dates follow ``today``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Principal
from podium.ecosystem import models as eco
from podium.integrate import agreements, capture, datasets, exception_service, service

WEEKS = 8


def seed(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    orchestrator: Principal,
    partner: Principal,
    today: date,
) -> None:
    """Store a small history of exchanged data between the orchestrator and ``partner``."""
    lanes = _lanes(session, ecosystem, str(partner.partner_actor))
    if not lanes:
        return
    monday = today - timedelta(days=today.weekday())
    _submit(session, ecosystem, orchestrator, "forecasts", _forecasts(lanes, monday))
    _submit(session, ecosystem, partner, "capacity", _capacity(lanes, monday))
    _submit(session, ecosystem, partner, "deliveries", _deliveries(lanes, today))
    _submit(session, ecosystem, partner, "inventory", _inventory(lanes, today))
    _share(session, ecosystem, orchestrator, "forecast-to-supplier", "forecasts", partner)
    _share(session, ecosystem, partner, "capacity-weekly", "capacity", None, grain="week")
    _share(session, ecosystem, partner, "deliveries-raw", "deliveries", None)
    _share(session, ecosystem, partner, "shipment-events", "epcis_events", None)
    _capture(session, ecosystem, partner, lanes, today)
    exception_service.check(session=session, ecosystem=ecosystem)


def _lanes(session: Session, ecosystem: eco.Ecosystem, actor: str) -> list[dict[str, Any]]:
    """The partner's supply links: its site, the customer site, the item and capacity/day."""
    sites = set(
        session.scalars(
            select(eco.Site.key).where(
                eco.Site.ecosystem_id == ecosystem.id, eco.Site.actor == actor
            )
        )
    )
    links = session.scalars(
        select(eco.Link).where(eco.Link.ecosystem_id == ecosystem.id, eco.Link.kind == "supplies")
    )
    return [
        {
            "site": link.source,
            "to": link.target,
            "item": link.item,
            "per_day": float(link.capacity_per_day or 100.0),
        }
        for link in links
        if link.source in sites and link.item
    ]


def _forecasts(lanes: list[dict[str, Any]], monday: date) -> list[dict[str, Any]]:
    return [
        {
            "item": lane["item"],
            "location": lane["to"],
            "bucket": "week",
            "period_start": monday + timedelta(weeks=w),
            "quantity": round(lane["per_day"] * 5 * (0.8 + 0.05 * w), 1),
            "horizon_days": 7 * WEEKS,
        }
        for lane in lanes
        for w in range(WEEKS)
    ]


def _capacity(lanes: list[dict[str, Any]], monday: date) -> list[dict[str, Any]]:
    return [
        {
            "item": lane["item"],
            "site": lane["to"],
            "bucket": "week",
            "period_start": monday + timedelta(weeks=w),
            "actual": lane["per_day"] * 5,
            "maximum": lane["per_day"] * 6,
            "agreed": lane["per_day"] * 5,
        }
        for lane in lanes
        for w in range(WEEKS)
    ]


def _deliveries(lanes: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    found = []
    for i, lane in enumerate(lanes):
        for n, late in enumerate((0, 0, 3, 9)):
            promised = today - timedelta(days=30 - 7 * n)
            found.append(
                {
                    "order_id": f"PO-{1000 + 10 * i + n}",
                    "item": lane["item"],
                    "ship_to": lane["to"],
                    "promised_date": promised,
                    "promised_quantity": lane["per_day"] * 5,
                    "delivered_date": promised + timedelta(days=late),
                    "delivered_quantity": lane["per_day"] * 5,
                }
            )
    return found


def _inventory(lanes: list[dict[str, Any]], today: date) -> list[dict[str, Any]]:
    return [
        {
            "site": lane["site"],
            "item": lane["item"],
            "as_of": today,
            "on_hand": lane["per_day"] * 12,
            "in_transit": lane["per_day"] * 3,
            "days_of_supply": 12,
        }
        for lane in lanes
    ]


def _submit(
    session: Session,
    ecosystem: eco.Ecosystem,
    principal: Principal,
    dataset: str,
    rows: list[dict[str, Any]],
) -> None:
    records = datasets.validate_records(dataset, rows)
    service.submit(
        session=session,
        ecosystem=ecosystem,
        principal=principal,
        dataset=dataset,
        records=records,
        source="demo",
        request_id=uuid.uuid4().hex,
    )


def _share(
    session: Session,
    ecosystem: eco.Ecosystem,
    provider: Principal,
    key: str,
    dataset: str,
    recipient: Principal | None,
    grain: str = "raw",
) -> None:
    """Share ``dataset`` for planning with the recipient actor (None: the orchestrator)."""
    constraints: list[dict[str, Any]] = [
        {"leftOperand": "purpose", "operator": "eq", "rightOperand": "planning"}
    ]
    if grain != "raw":
        constraints.append(
            {"leftOperand": "podium:timeGranularity", "operator": "eq", "rightOperand": grain}
        )
    document = {
        "@context": "http://www.w3.org/ns/odrl.jsonld",
        "@type": "Agreement",
        "permission": [{"action": "use", "constraint": [{"and": constraints}]}],
    }
    to = recipient.partner_actor if recipient else None
    agreements.create(
        session=session,
        ecosystem=ecosystem,
        principal=provider,
        document=document,
        key=key,
        recipients=[to or "role:orchestrator"],
        dataset=dataset,
    )


def _capture(
    session: Session,
    ecosystem: eco.Ecosystem,
    partner: Principal,
    lanes: list[dict[str, Any]],
    today: date,
) -> None:
    """Shipping and receiving events of the last deliveries, stored as one capture job."""
    events = []
    for i, lane in enumerate(lanes):
        shipped = datetime.combine(today - timedelta(days=2), time(8, 30), tzinfo=UTC)
        events.append(_event(i, "shipping", shipped, lane["site"]))
        events.append(_event(i, "receiving", shipped + timedelta(days=1), lane["to"]))
    document = {
        "@context": ["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "epcisBody": {"eventList": events},
    }
    job, parsed = capture.start_capture(
        session=session,
        ecosystem=ecosystem,
        principal=partner,
        document=document,
        request_id=uuid.uuid4().hex,
    )
    capture.insert_events(session, job, parsed)
    job.running = False


def _event(lot: int, step: str, at: datetime, site: str) -> dict[str, Any]:
    """An ObjectEvent observing three units of a lot at a site (SGLN made of the site key)."""
    location = {"id": f"urn:epc:id:sgln:4012345.00001.{site}"}
    return {
        "type": "ObjectEvent",
        "eventTime": at.isoformat().replace("+00:00", "Z"),
        "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE",
        "epcList": [f"urn:epc:id:sgtin:4012345.0{lot:05d}.{n}" for n in range(3)],
        "bizStep": step,
        "disposition": "in_transit" if step == "shipping" else "in_progress",
        "readPoint": location,
        "bizLocation": location,
    }
