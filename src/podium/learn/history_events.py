"""The building blocks of :mod:`podium.learn.history` and its events: disruptions of partner
sites, risk signals and joint initiatives.

Pure, numpy only. Recovery times are lognormal (median 10 days for a site's own incident, 18
for a regional shock; from days to a few months), in line with the supplier-declared recovery
times of 1-52 weeks (Resilinc's survey scale) cited in DESIGN.md, "Realistic numbers".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np

from podium.ecosystem.spec import EcosystemSpec


@dataclass(frozen=True)
class Lane:
    """A partner's supply link: from its site to a ship-to site, one item, units/day, days."""

    supplier: str
    site: str
    to: str
    item: str
    per_day: float
    lead_days: int
    region: str | None


@dataclass(frozen=True)
class Batch:
    """Records of one dataset that ``provider`` submitted at ``at`` (UTC), by ``source``."""

    provider: str
    dataset: str
    at: datetime
    records: tuple[dict[str, Any], ...]
    source: str = "api"


@dataclass(frozen=True)
class Initiative:
    """A joint initiative: partners, dates, milestones (ISO dates) and money (currency/year)."""

    key: str
    title: str
    partners: tuple[str, ...]
    started_on: date
    milestones: tuple[dict[str, Any], ...]
    launched_on: date | None
    value_created: float
    cost_reduction: float
    revenue_enabled: float
    cost: float


@dataclass(frozen=True)
class Outage:
    """A disruption of a partner site from ``start`` to ``end`` (None: not recovered)."""

    supplier: str
    site: str
    start: datetime
    end: datetime | None
    cause: str
    items: tuple[str, ...]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    """The UTC time ``hour:minute`` of ``day``."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC)


CAUSES = (
    "Fire in a production hall", "Unplanned furnace outage", "Tooling failure on the main line",
    "Ransomware attack on the plant's IT", "Strike at the plant", "Quality hold after an audit",
)  # fmt: skip
CAUSE_CATEGORY = ("other", "capacity", "capacity", "cyber", "labour", "quality")


def outages(
    rng: np.random.Generator, lanes: Sequence[Lane], start: date, today: date
) -> list[Outage]:
    """2-3 incidents at random partner sites and one regional shock hitting every partner site
    of a region with two or more of them; each starts 3 weeks into the window or later, at
    least 3 days before today, and is ongoing when its recovery falls after today's start."""
    sites = sorted({(lane.supplier, lane.site, lane.region) for lane in lanes}, key=str)
    items: dict[str, set[str]] = defaultdict(set)
    for lane in lanes:
        items[lane.site].add(lane.item)
    span = max((today - start).days - 24, 1)
    found = []
    count = min(int(rng.integers(2, 4)), len(sites))
    for pick in rng.choice(len(sites), size=count, replace=False):
        supplier, site, _ = sites[int(pick)]
        begin = at(start, 0) + timedelta(days=21 + float(rng.uniform(0, span)))
        cause = CAUSES[int(rng.integers(len(CAUSES)))]
        days = float(np.clip(rng.lognormal(np.log(10), 0.8), 2, 120))
        found.append(_outage(supplier, site, begin, days, cause, items[site], today))
    regions: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for supplier, site, region in sites:
        if region:
            regions[region].append((supplier, site))
    shared = sorted(r for r, members in regions.items() if len(members) >= 2)
    if shared:
        region = shared[int(rng.integers(len(shared)))]
        begin = at(start, 0) + timedelta(days=21 + float(rng.uniform(0, span)))
        cause = f"Severe storms and flooding across {region}"
        for supplier, site in regions[region]:
            days = float(np.clip(rng.lognormal(np.log(18), 0.6), 3, 150))
            moment = begin + timedelta(hours=float(rng.uniform(0, 30)))
            found.append(_outage(supplier, site, moment, days, cause, items[site], today))
    return found


def _outage(
    supplier: str, site: str, begin: datetime, days: float, cause: str, items: set[str], today: date
) -> Outage:
    end = begin + timedelta(days=days)
    return Outage(supplier, site, begin, end if end < at(today, 0) else None, cause,
                  tuple(sorted(items)))  # fmt: skip


def disruption_batches(found: Sequence[Outage], today: date) -> list[Batch]:
    """The disrupted partner reports each outage a day after it starts, then once recovered."""
    batches = []
    for outage in found:
        record = {
            "subject": outage.site, "started_at": outage.start, "recovered_at": None,
            "cause": outage.cause, "affected_items": list(outage.items),
        }  # fmt: skip
        reported = outage.start + timedelta(days=1)
        if reported < at(today, 0):
            batches.append(Batch(outage.supplier, "disruptions", reported, (record,)))
        if outage.end is not None and outage.end + timedelta(hours=6) < at(today, 0):
            recovered = {**record, "recovered_at": outage.end}
            batches.append(
                Batch(outage.supplier, "disruptions", outage.end + timedelta(hours=6), (recovered,))
            )
    return batches


def risk_batches(
    rng: np.random.Generator,
    orchestrator: str,
    suppliers: Sequence[str],
    found: Sequence[Outage],
    start: date,
    today: date,
) -> list[Batch]:
    """Risk signals, each submitted an hour after it was observed.

    The orchestrator's monitoring warns of 60% of the outages 1-5 days ahead (severity 3, 4 for
    a regional shock) and reports news (financial, geopolitical, regulatory; severity 1-4)
    about partners, about 3 a year; each partner self-reports about 1.5 a year (capacity,
    labour, quality, logistics; severity 1-3).
    """
    signals = [(orchestrator, warning) for warning in _warnings(rng, found, start)]
    days = (today - start).days
    for _ in range(int(rng.poisson(3.0 * days / 365))):
        subject = suppliers[int(rng.integers(len(suppliers)))]
        category = str(rng.choice(["financial", "geopolitical", "regulatory"]))
        severity = 1 + int(rng.choice(4, p=[0.3, 0.3, 0.25, 0.15]))
        when = at(start, 0) + timedelta(days=float(rng.uniform(0, days - 1)))
        signals.append(
            (orchestrator, _signal(subject, category, severity, "news monitoring", when))
        )
    for supplier in suppliers:
        for _ in range(int(rng.poisson(1.5 * days / 365))):
            category = str(rng.choice(["capacity", "labour", "quality", "logistics"]))
            severity = 1 + int(rng.choice(3, p=[0.5, 0.35, 0.15]))
            when = at(start, 0) + timedelta(days=float(rng.uniform(0, days - 1)))
            record = _signal(supplier, category, severity, "supplier self-report", when)
            signals.append((supplier, record))
    return [
        Batch(provider, "risk_signals", record["observed_at"] + timedelta(hours=1), (record,))
        for provider, record in signals
    ]


def _warnings(
    rng: np.random.Generator, found: Sequence[Outage], start: date
) -> list[dict[str, Any]]:
    """Warnings of 60% of the outages, 1-5 days before they start."""
    warnings = []
    for outage in found:
        ahead = outage.start - timedelta(days=float(rng.uniform(1, 5)))
        if rng.random() < 0.6 and ahead >= at(start, 0):
            regional = outage.cause.startswith("Severe storms")
            category = "natural_hazard" if regional else CAUSE_CATEGORY[CAUSES.index(outage.cause)]
            severity = 4 if regional else 3
            warnings.append(_signal(outage.site, category, severity, "risk monitoring feed", ahead))
    return warnings


def _signal(
    subject: str, category: str, severity: int, source: str, when: datetime
) -> dict[str, Any]:
    moment = when.replace(second=0, microsecond=0)
    text = f"{category.replace('_', ' ').capitalize()} risk (severity {severity}) at {subject}"
    return {"subject": subject, "category": category, "severity": severity, "source": source,
            "observed_at": moment, "description": text}  # fmt: skip


TEMPLATES = (
    ("vmi", "Vendor-managed inventory for {item}", 0.015, 0.0),
    ("dtc", "Design-to-cost of {item}", 0.03, 0.0),
    ("dcm", "Shared demand and capacity planning for {item}", 0.01, 0.05),
    ("nextgen", "Next-generation {item} for a new product variant", 0.0, 0.2),
    ("pack", "Returnable packaging and milk runs for {item}", 0.012, 0.0),
)
"""(key, title, cost reduction as a share of the partner's spend, revenue enabled as one)."""
MILESTONES = (("Business case approved", 0.15), ("Pilot", 0.45), ("Industrialisation", 0.75),
              ("Launch", 1.0))  # fmt: skip


def initiatives(
    rng: np.random.Generator, spec: EcosystemSpec, lanes: Sequence[Lane], today: date
) -> tuple[Initiative, ...]:
    """3-5 joint initiatives with partner suppliers, planned to take 120-300 days: the first two
    started long enough ago to have launched, the others 45 days ago or more and still under way;
    each milestone is done 5 days early to 25 days late when that is past.

    Money per year: cost reduction = share x the partner's spend on its links (EUR/year);
    revenue enabled likewise; value created = cost reduction + the products' mean margin x
    revenue enabled; cost (one-off) = 15-50% of the value.
    """
    suppliers = sorted({lane.supplier for lane in lanes})
    if not suppliers:
        return ()
    spend = _spend(spec, lanes)
    margins = [i.unit_profit / i.unit_price for i in spec.items
               if i.unit_profit is not None and i.unit_price]  # fmt: skip
    margin = float(np.mean(margins)) if margins else 0.15
    names = {i.id: i.name for i in spec.items}
    found = []
    order, picks = rng.permutation(len(TEMPLATES)), rng.permutation(len(suppliers))
    for n in range(int(rng.integers(3, 6))):
        supplier = suppliers[int(picks[n % len(suppliers)])]
        key, title, saving, revenue = TEMPLATES[int(order[n % len(TEMPLATES)])]
        item = next(lane.item for lane in lanes if lane.supplier == supplier)
        planned = int(rng.integers(120, 301))
        ago = rng.integers(planned + 30, planned + 200) if n < 2 else rng.integers(45, planned)
        started = today - timedelta(days=int(ago))
        milestones = _milestones(rng, started, planned, today)
        launched = milestones[-1]["done_on"]
        reduction = round(spend[supplier] * saving * float(rng.uniform(0.7, 1.3)), -3)
        enabled = round(spend[supplier] * revenue * float(rng.uniform(0.7, 1.3)), -3)
        value = round(reduction + margin * enabled, -3)
        found.append(Initiative(
            key=f"{supplier}-{key}", title=title.format(item=names[item]), partners=(supplier,),
            started_on=started, milestones=milestones,
            launched_on=None if launched is None else date.fromisoformat(launched),
            value_created=value, cost_reduction=reduction, revenue_enabled=enabled,
            cost=round(value * float(rng.uniform(0.15, 0.5)), -3),
        ))  # fmt: skip
    return tuple(found)


def _spend(spec: EcosystemSpec, lanes: Sequence[Lane]) -> dict[str, float]:
    """Yearly spend per partner on its lanes: the links' spend, else 250 days x capacity x price."""
    prices = {i.id: i.unit_price or 100.0 for i in spec.items}
    by_link = {(link.source, link.target, link.item): link.spend_per_year for link in spec.links}
    spend: dict[str, float] = defaultdict(float)
    for lane in lanes:
        known = by_link.get((lane.site, lane.to, lane.item))
        spend[lane.supplier] += known if known else 250 * lane.per_day * prices[lane.item]
    return spend


def _milestones(
    rng: np.random.Generator, started: date, planned: int, today: date
) -> tuple[dict[str, Any], ...]:
    found, last, reached = [], started, True
    for name, share in MILESTONES:
        due = started + timedelta(days=round(planned * share))
        done = max(last, due + timedelta(days=int(rng.integers(-5, 26))))
        reached = reached and done < today
        found.append({"name": name, "due": due.isoformat(),
                      "done_on": done.isoformat() if reached else None})  # fmt: skip
        last = done
    return tuple(found)
