"""A year of plausible partner observations for an ecosystem, generated with a fixed seed.

For every partner supplier (an actor with ``ecosystem_role: partner`` and ``supplies`` links out
of its sites) :func:`generate` makes what the orchestrator and its partners would have exchanged:

- weekly forecast versions by the orchestrator of the next 12 weeks for each item and ship-to
  site its partners supply. Demand carries 12 weekly shocks, the forecast at lag L misses the L
  shocks revealed last, so its error grows like sqrt(L) (about 6% at lag 1, 22% at lag 12), with
  a small optimism that grows with the lag;
- order lines twice a week, sized from the links' ``capacity_per_day`` (60-80% utilisation),
  promised at the order day plus the link's lead time, and delivered with a supplier-specific
  reliability (excellent to poor: OTIF about 96% to 82%), a few short, a few split in two
  shipments, recent lines still open. Lines are reported when ordered and when shipped, each
  report superseding the last (a split line reads as delivered-so-far, then complete);
- disruptions of partner sites (a few a year, lognormal recovery of days to weeks, one regional
  shock hitting every partner site of a region), delaying the lines due while they last;
- risk signals from the partners and from the orchestrator's monitoring (before each
  disruption), weekly inventory snapshots, and 3-5 joint initiatives with milestones and value.

Pure: plain values in, plain records (as :mod:`podium.integrate.datasets` validates them) out.
Dates are relative to ``today``; observations end the day before it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import numpy as np

from podium.ecosystem.spec import EcosystemSpec
from podium.learn import history_events as events
from podium.learn.history_events import Batch, Initiative, Lane, Outage, at

__all__ = ["Batch", "History", "Initiative", "Lane", "generate", "partner_lanes"]

LAGS = 12
"""Weeks ahead each forecast version covers (lags 1..12)."""
SHOCK = 0.065
"""Standard deviation of each of the 12 weekly log-demand shocks (total about 23%)."""
OPTIMISM = 0.004
"""Forecast bias per week of lag (+0.4% per week: +4.8% at lag 12)."""
SPLIT_SHARE = 0.025
"""Share of order lines delivered in two shipments."""
FEED_DAYS = {"api": 2, "upload": 7}
"""Days between delivery reports: an API feed runs every other day, uploads are weekly."""
API_SHARE = 0.75
"""Share of partners that move from weekly uploads to the API feed during the year."""


@dataclass(frozen=True)
class Reliability:
    """A supplier's delivery behaviour: P(on time), P(short), mean days late when late."""

    on_time: float
    short: float
    late_days: float


TIERS: dict[str, Reliability] = {
    "excellent": Reliability(0.99, 0.003, 1.5),
    "good": Reliability(0.965, 0.01, 2.0),
    "fair": Reliability(0.93, 0.025, 3.0),
    "poor": Reliability(0.89, 0.04, 4.5),
}


@dataclass(frozen=True)
class History:
    """What :func:`generate` makes: batches in submission order, initiatives, and per partner
    its reliability tier and the day it moved from uploads to the API (None: it still uploads;
    its batches after that day come by ``api``, those before by ``upload``)."""

    orchestrator: str
    batches: tuple[Batch, ...]
    initiatives: tuple[Initiative, ...]
    tiers: dict[str, str]
    api_since: dict[str, date | None]


@dataclass
class _Line:
    supplier: str
    site: str
    order_id: str
    line: int
    item: str
    ship_to: str
    ordered: date
    promised: date
    quantity: float
    shipments: list[tuple[date, float]] = field(default_factory=list)  # (day, cumulative)


def partner_lanes(spec: EcosystemSpec) -> list[Lane]:
    """Return the ``supplies`` links from partner sites to sites, with an item (spec order)."""
    partners = {a.id for a in spec.actors if a.ecosystem_role.value == "partner"}
    regions = {a.id: a.region for a in spec.actors}
    sites = {s.id: s for s in spec.sites}
    return [
        Lane(
            supplier=sites[link.source].actor,
            site=link.source,
            to=link.target,
            item=link.item,
            per_day=float(link.capacity_per_day or 100.0),
            lead_days=max(1, round(link.lead_time_days or 7)),
            region=sites[link.source].region or regions.get(sites[link.source].actor),
        )
        for link in spec.links
        if link.kind.value == "supplies" and link.item and link.target in sites
        if link.source in sites and sites[link.source].actor in partners
    ]


def generate(spec: EcosystemSpec, *, today: date, days: int = 365, seed: int = 7) -> History:
    """Generate ``days`` of observations up to yesterday for every partner supplier of ``spec``.

    Deterministic for a given ``seed``, spec and ``today``. Raises ``ValueError`` when the
    ecosystem names no single orchestrator.
    """
    orchestrators = [a.id for a in spec.actors if a.ecosystem_role.value == "orchestrator"]
    if len(orchestrators) != 1:
        raise ValueError("the ecosystem must name exactly one orchestrator actor")
    rng = np.random.default_rng(seed)
    lanes = partner_lanes(spec)
    suppliers = sorted({lane.supplier for lane in lanes})
    tiers = dict(zip(suppliers, _shuffled(rng, list(TIERS), len(suppliers)), strict=True))
    start = today - timedelta(days=days)
    api_since = _api_since(rng, suppliers, start, days)
    weeks = _mondays(start, today + timedelta(weeks=LAGS + 1))
    groups = sorted({(lane.item, lane.to) for lane in lanes})
    level, shocks = _demand(rng, lanes, groups, len(weeks))
    demand = level * np.exp(shocks.sum(axis=2))
    outages = events.outages(rng, lanes, start, today)
    lines = _order_lines(lanes, groups, demand, weeks, start, today)
    for line in lines:
        line.shipments = _shipments(rng, line, TIERS[tiers[line.supplier]], outages, today)
    batches = [
        *_forecast_batches(orchestrators[0], groups, level, shocks, weeks, start, today),
        *_delivery_batches(lines, api_since, today - timedelta(days=4), today),
        *_inventory_batches(rng, lanes, groups, demand, outages, start, today),
        *events.disruption_batches(outages, today),
        *events.risk_batches(rng, orchestrators[0], suppliers, outages, start, today),
    ]
    batches = sorted(
        (_by_source(b, api_since.get(b.provider, date.min)) for b in batches),
        key=lambda b: (b.at, b.provider, b.dataset),
    )
    initiatives = events.initiatives(rng, spec, lanes, today)
    return History(orchestrators[0], tuple(batches), initiatives, tiers, api_since)


def _api_since(
    rng: np.random.Generator, suppliers: Sequence[str], start: date, days: int
) -> dict[str, date | None]:
    """The day each partner moved to the API: 75% of them, 10-70% into the window."""
    movers = round(len(suppliers) * API_SHARE) if len(suppliers) > 1 else len(suppliers)
    chosen = _shuffled(rng, ["api"] * movers, len(suppliers), "upload")
    return {
        supplier: start + timedelta(days=int(rng.uniform(0.1, 0.7) * days))
        if way == "api"
        else None
        for supplier, way in zip(suppliers, chosen, strict=True)
    }


def _by_source(batch: Batch, since: date | None) -> Batch:
    """The batch as sent by ``api`` after ``since`` (the orchestrator's: always), else upload."""
    return replace(batch, source="api" if since and batch.at.date() > since else "upload")


def _shuffled(rng: np.random.Generator, values: list[str], n: int, fill: str = "") -> list[str]:
    """``n`` values shuffled: ``values`` then ``fill`` (or ``values`` over and over if none)."""
    if fill:
        listed = [*values, *[fill] * (n - len(values))][:n]
    else:
        listed = [values[i % len(values)] for i in range(n)]
    return [listed[i] for i in rng.permutation(n)]


def _mondays(start: date, end: date) -> list[date]:
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    return [first + timedelta(weeks=w) for w in range((end - first).days // 7 + 1)]


def _demand(
    rng: np.random.Generator, lanes: Sequence[Lane], groups: Sequence[tuple[str, str]], weeks: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weekly demand level per (item, ship-to) group and its log shocks [group, week, lag - 1].

    Mean demand is 60-80% of the lanes' capacity over 5 working days, with a yearly season
    (amplitude 8%) and a trend of -5% to +10% a year; demand is ``level * exp(sum of shocks)``,
    the shock of index j being known from lag j + 1 on.
    """
    capacity: dict[tuple[str, str], float] = defaultdict(float)
    for lane in lanes:
        capacity[(lane.item, lane.to)] += lane.per_day * 5
    base = np.array([capacity[g] for g in groups]) * rng.uniform(0.6, 0.8, len(groups))
    t = np.arange(weeks) / 52.0
    phase = rng.uniform(0, 2 * np.pi, len(groups))[:, None]
    trend = rng.uniform(-0.05, 0.10, len(groups))[:, None]
    level = base[:, None] * (1 + 0.08 * np.sin(2 * np.pi * t + phase)) * (1 + trend * t)
    return level, rng.normal(0.0, SHOCK, (len(groups), weeks, LAGS))


def _forecast_batches(
    provider: str,
    groups: Sequence[tuple[str, str]],
    level: np.ndarray,
    shocks: np.ndarray,
    weeks: Sequence[date],
    start: date,
    today: date,
) -> list[Batch]:
    """Each Monday, a version of the weekly forecasts of the next 12 weeks (lags 1..12)."""
    batches = []
    for w, monday in enumerate(weeks):
        if not start <= monday < today or w + LAGS >= len(weeks):
            continue
        records = []
        for g, (item, location) in enumerate(groups):
            for lag in range(1, LAGS + 1):
                known = float(shocks[g, w + lag, lag:].sum())
                quantity = level[g, w + lag] * np.exp(known) * (1 + OPTIMISM * lag)
                records.append({
                    "item": item, "location": location, "bucket": "week",
                    "period_start": weeks[w + lag], "quantity": float(round(quantity)),
                    "horizon_days": 7 * lag,
                })  # fmt: skip
        batches.append(Batch(provider, "forecasts", at(monday, 7), tuple(records)))
    return batches


def _order_lines(
    lanes: Sequence[Lane],
    groups: Sequence[tuple[str, str]],
    demand: np.ndarray,
    weeks: Sequence[date],
    start: date,
    today: date,
) -> list[_Line]:
    """Two orders a week per supplier and ship-to site (due Monday and Thursday), one line per
    item, each half the lane's share of the week's demand; ordered ``lead_days`` before."""
    index = {g: i for i, g in enumerate(groups)}
    capacity: dict[tuple[str, str], float] = defaultdict(float)
    for lane in lanes:
        capacity[(lane.item, lane.to)] += lane.per_day
    orders: dict[tuple[date, str, str, date], list[_Line]] = defaultdict(list)
    for lane in lanes:
        g = index[(lane.item, lane.to)]
        share = lane.per_day / capacity[(lane.item, lane.to)]
        for w, monday in enumerate(weeks):
            for promised in (monday, monday + timedelta(days=3)):
                ordered = promised - timedelta(days=lane.lead_days)
                if start <= ordered < today:
                    quantity = float(max(1, round(demand[g, w] * share / 2)))
                    key = (ordered, lane.supplier, lane.to, promised)
                    orders[key].append(_Line(lane.supplier, lane.site, "", 0, lane.item,
                                             lane.to, ordered, promised, quantity))  # fmt: skip
    lines = []
    for number, key in enumerate(sorted(orders), start=1):
        for position, line in enumerate(sorted(orders[key], key=lambda x: x.item), start=1):
            line.order_id, line.line = f"PO-2{number:05d}", position
            lines.append(line)
    return lines


def _shipments(
    rng: np.random.Generator,
    line: _Line,
    reliability: Reliability,
    outages: Sequence[Outage],
    today: date,
) -> list[tuple[date, float]]:
    """The line's shipments up to yesterday as (day, cumulative units delivered).

    A line due while its site is down ships after recovery (30% of them short); otherwise it is
    on time with the supplier's probability (15% of those 1-2 days early), else late by a
    geometric number of days; some are short (75-97% of the quantity) and 2.5% split in two.
    """
    outage = next((o for o in outages if o.site == line.site and _hit(o, line.promised)), None)
    if outage is not None:
        if outage.end is None:
            return []
        day = max(line.promised, outage.end.date()) + timedelta(days=int(rng.integers(0, 4)))
        short = rng.random() < 0.3
    elif rng.random() < reliability.on_time:
        early = int(rng.integers(1, 3)) if rng.random() < 0.15 else 0
        day, short = line.promised - timedelta(days=early), rng.random() < reliability.short
    else:
        late = int(rng.geometric(1 / reliability.late_days))
        day, short = line.promised + timedelta(days=late), rng.random() < reliability.short
    day = max(day, line.ordered + timedelta(days=1))
    quantity = line.quantity
    if short:
        shipped = [(day, float(round(quantity * rng.uniform(0.75, 0.97))))]
    elif rng.random() < SPLIT_SHARE:
        first = float(round(quantity * rng.uniform(0.5, 0.8)))
        rest = day + timedelta(days=int(rng.integers(3, 11)))
        shipped = [(day, first), (rest, quantity)]
    else:
        shipped = [(day, quantity)]
    return [(d, q) for d, q in shipped if d < today]


def _hit(outage: Outage, day: date) -> bool:
    """Whether a line due on ``day`` falls in the outage (or the 3 days after recovery)."""
    end = None if outage.end is None else outage.end.date() + timedelta(days=3)
    return outage.start.date() <= day and (end is None or day <= end)


def _delivery_batches(
    lines: Sequence[_Line], api_since: dict[str, date | None], uploaded: date, today: date
) -> list[Batch]:
    """Report each line when ordered and at each shipment, in the supplier's next report: weekly
    uploads up to the day it moved to the API (the last on that day, or on ``uploaded`` for a
    partner that still uploads), then the feed every other day up to today. A report covers the
    days before it; what happened after a partner's last report is not known yet."""
    found: dict[tuple[str, date], dict[tuple[str, int], dict[str, Any]]] = defaultdict(dict)
    for line in lines:
        since = api_since[line.supplier]
        events = [(line.ordered, None, None), *((d, d, q) for d, q in line.shipments)]
        for day, delivered, quantity in events:
            moved = since is not None and day >= since
            anchor, every = (today, FEED_DAYS["api"]) if moved else (since or uploaded, 7)
            feed = anchor - timedelta(days=((anchor - day).days - 1) // every * every)
            if feed > today:
                continue
            found[(line.supplier, feed)][(line.order_id, line.line)] = {
                "order_id": line.order_id, "line": line.line, "item": line.item,
                "ship_to": line.ship_to, "ordered_date": line.ordered,
                "promised_date": line.promised, "promised_quantity": line.quantity,
                "delivered_date": delivered, "delivered_quantity": quantity,
            }  # fmt: skip
    return [
        Batch(supplier, "deliveries", at(feed, 5), tuple(records.values()))
        for (supplier, feed), records in found.items()
    ]


def _inventory_batches(
    rng: np.random.Generator,
    lanes: Sequence[Lane],
    groups: Sequence[tuple[str, str]],
    demand: np.ndarray,
    outages: Sequence[Outage],
    start: date,
    today: date,
) -> list[Batch]:
    """Each Friday's stock of every partner site and item, submitted monthly (on the 1st).

    Stock = mean daily shipments x a days-of-supply policy of 6-25 days x lognormal noise
    (15%); while the site is down (and a week after) it drains to 10-35% of that.
    """
    index = {g: i for i, g in enumerate(groups)}
    capacity: dict[tuple[str, str], float] = defaultdict(float)
    for lane in lanes:
        capacity[(lane.item, lane.to)] += lane.per_day
    daily: dict[tuple[str, str, str], float] = defaultdict(float)
    for lane in lanes:
        share = lane.per_day / capacity[(lane.item, lane.to)]
        mean = float(demand[index[(lane.item, lane.to)]].mean())
        daily[(lane.supplier, lane.site, lane.item)] += mean * share / 7
    fridays = [f for m in _mondays(start, today) if (f := m + timedelta(days=4)) < today]
    months: dict[tuple[str, date], list[dict[str, Any]]] = defaultdict(list)
    for (supplier, site, item), per_day in sorted(daily.items()):
        cover = float(rng.uniform(6, 25))
        for friday in fridays:
            stock = per_day * cover * float(rng.lognormal(0, 0.15))
            if any(o.site == site and _down(o, friday) for o in outages):
                stock *= float(rng.uniform(0.1, 0.35))
            months[(supplier, friday.replace(day=1))].append({
                "site": site, "item": item, "as_of": friday, "on_hand": float(round(stock)),
                "in_transit": float(round(per_day * rng.uniform(1, 3))),
                "days_of_supply": round(stock / per_day, 1),
            })  # fmt: skip
    return [
        Batch(supplier, "inventory", at(min(_next_month(month), today), 6), tuple(records))
        for (supplier, month), records in months.items()
    ]


def _down(outage: Outage, day: date) -> bool:
    end = None if outage.end is None else outage.end.date() + timedelta(days=7)
    return outage.start.date() <= day and (end is None or day <= end)


def _next_month(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1)
