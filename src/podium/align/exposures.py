"""What the ecosystem needs from each partner, read from the store for the misalignment checks.

Criticality (REI, PI, single points of failure) comes from the map's newest stored runs through
:func:`podium.learn.criticality.load`; the same stress test gives each partner's worst shortage
(TTR and TTS of its scenario with the longest ``TTR - TTS``). The links give the alternates (the
fewest of any part the partner supplies: other sources of the item to the same site plus the
link's declared alternates) and the share of inbound spend. Learn's KPIs of the latest complete
quarter give OTIF and forecast error (WAPE) per provider when deliveries and forecasts are stored.
Nothing is computed here that would start an analysis: without a stored run, exposure is unknown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.align.incentives import Exposure
from podium.ecosystem import models as eco
from podium.learn import criticality
from podium.mapping import service as mapping

BUILDERS = ("supplier", "contract_manufacturer")
"""Actor kinds that build to the orchestrator's forecasts when they supply it directly."""


@dataclass
class Needs:
    """Each partner's exposure, and where the numbers came from (runs, KPI period, notes)."""

    exposures: dict[str, Exposure]
    names: dict[str, str]
    source: dict[str, Any] = field(default_factory=dict)


def _site_actor(session: Session, ecosystem: eco.Ecosystem) -> dict[str, str]:
    query = select(eco.Site.key, eco.Site.actor).where(eco.Site.ecosystem_id == ecosystem.id)
    return {key: actor for key, actor in session.execute(query)}


def _recovery(
    session: Session, ecosystem: eco.Ecosystem, site_actor: Mapping[str, str]
) -> dict[str, tuple[float, float]]:
    """Per partner, (TTR, TTS) in days of its scenario with the longest shortage."""
    run = mapping.latest_run(session=session, ecosystem=ecosystem, kind="stress_test")
    found: dict[str, tuple[float, float]] = {}
    if run is None or not run.results:
        return found
    for result in run.results.get("results", []):
        if result.get("kind") not in criticality.PER_PARTNER:
            continue
        ttr, tts = float(result.get("ttr_days") or 0.0), float(result.get("tts_days") or 0.0)
        for actor in {site_actor.get(site, site) for site in result.get("sites", [])}:
            old = found.get(actor)
            if old is None or ttr - tts > old[0] - old[1]:
                found[actor] = (ttr, tts)
    return found


@dataclass
class _Supply:
    alternates: dict[str, int] = field(default_factory=dict)
    spend: dict[str, float] = field(default_factory=dict)
    total_spend: float = 0.0
    direct: set[str] = field(default_factory=set)


def _supply(session: Session, ecosystem: eco.Ecosystem, site_actor: Mapping[str, str]) -> _Supply:
    """Alternates (fewest over the parts a partner supplies), spend, and tier-1 partners."""
    links = list(
        session.scalars(
            select(eco.Link).where(
                eco.Link.ecosystem_id == ecosystem.id, eco.Link.kind == "supplies"
            )
        )
    )
    orchestrators = set(
        session.scalars(
            select(eco.Actor.key).where(
                eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.ecosystem_role == "orchestrator"
            )
        )
    )
    sources: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for link in links:
        sources[(link.target, link.item)].add(site_actor.get(link.source, link.source))
    found = _Supply()
    for link in links:
        actor = site_actor.get(link.source, link.source)
        others = {site_actor.get(a, a) for a in link.alternates} | sources[(link.target, link.item)]
        count = len(others - {actor})
        found.alternates[actor] = min(found.alternates.get(actor, count), count)
        spend = float(link.spend_per_year or 0.0)
        found.spend[actor] = found.spend.get(actor, 0.0) + spend
        found.total_spend += spend
        if site_actor.get(link.target, link.target) in orchestrators:
            found.direct.add(actor)
    return found


def _kpis(session: Session, ecosystem: eco.Ecosystem, today: date) -> tuple[dict[str, Any], str]:
    """Per provider, the OTIF and forecast WAPE of the latest complete quarter."""
    from podium.learn import service as learn

    period = learn.latest_complete("quarter", today)
    results = learn.compute(
        session=session, ecosystem=ecosystem, period=period, keys=["otif", "forecast_wape"],
        by=("provider",),
    )  # fmt: skip
    found: dict[str, Any] = defaultdict(dict)
    for key, frame in results.items():
        for row in frame.iter_rows(named=True):
            if row.get("provider") and row.get("value") is not None:
                found[row["provider"]][key] = float(row["value"])
    return dict(found), period.label


def load(*, session: Session, ecosystem: eco.Ecosystem, today: date) -> Needs:
    """Read every non-orchestrator actor's exposure from the stored runs, links and KPIs."""
    actors = list(
        session.scalars(
            select(eco.Actor).where(
                eco.Actor.ecosystem_id == ecosystem.id, eco.Actor.ecosystem_role != "orchestrator"
            )
        )
    )
    site_actor = _site_actor(session, ecosystem)
    crit = criticality.load(session=session, ecosystem=ecosystem)
    recovery = _recovery(session, ecosystem, site_actor)
    supply = _supply(session, ecosystem, site_actor)
    kpis, period = _kpis(session, ecosystem, today)
    partners = {a.key for a in actors}
    impacts = sorted((-v, k) for k, v in crit.impact.items() if v > 0 and k in partners)
    rank = {actor: i + 1 for i, (_, actor) in enumerate(impacts)}
    ranked = sum(1 for k in crit.impact if k in partners) or None
    exposures = {}
    for actor in actors:
        key = actor.key
        ttr, tts = recovery.get(key, (None, None))
        spend = supply.spend.get(key)
        exposures[key] = Exposure(
            partner=key, currency=ecosystem.currency, rei=crit.rei.get(key),
            performance_impact=crit.impact.get(key), pi_rank=rank.get(key),
            ranked=ranked, ttr_days=ttr, tts_days=tts,
            spof_for=tuple(crit.spof.get(key, ())), alternates=supply.alternates.get(key),
            otif=kpis.get(key, {}).get("otif"),
            spend_share=spend / supply.total_spend if spend and supply.total_spend else None,
            builds_to_forecast=actor.kind in BUILDERS and key in supply.direct,
            forecast_wape=kpis.get(key, {}).get("forecast_wape"),
            expects_agreement=actor.ecosystem_role == "partner" or key in supply.direct,
        )  # fmt: skip
    source = dict(crit.source) | {"kpi_period": period, "notes": list(crit.notes)}
    return Needs(exposures, {a.key: a.name for a in actors}, source)
