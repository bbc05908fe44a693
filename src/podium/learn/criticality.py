"""Criticality of partners from the map's stored analyses: the newest finished stress test (each
partner's Risk Exposure Index and performance impact) and structure report (the products each
partner is a single point of failure for).

A stress test by site gives a partner the worst REI and PI of its sites; one by actor gives them
directly; one by region or of custom scenarios names no partner, so REI stays unknown. Without a
stored run criticality is unknown (None) and the notes say why; nothing is computed here, so
reading a scorecard never starts an analysis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.ecosystem import models as eco
from podium.mapping import service as mapping
from podium.mapping.models import AnalysisRun

PER_PARTNER = ("site", "actor")
"""Scenario kinds whose results belong to one partner."""


@dataclass
class Criticality:
    """Per partner: REI (0..1), PI (currency) and SPOF products; ``source`` names the runs."""

    rei: dict[str, float] = field(default_factory=dict)
    impact: dict[str, float] = field(default_factory=dict)
    spof: dict[str, list[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    ranked: bool = False

    def notes_for(self, partner: str) -> tuple[str, ...]:
        """The notes on where a partner's criticality comes from (or why it is unknown)."""
        own = []
        if self.ranked and partner not in self.rei:
            own.append("not in the stored stress test's scenarios")
        return (*self.notes, *own)


def _describe(run: AnalysisRun, ecosystem: eco.Ecosystem) -> dict[str, Any]:
    seen = (run.ecosystem_version or {}).get("updated_at")
    changed = ecosystem.updated_at
    if changed is not None and changed.tzinfo is None:
        changed = changed.replace(tzinfo=UTC)
    stale = bool(seen and changed and changed.isoformat() > str(seen))
    return {
        "run": run.id,
        "by": (run.parameters or {}).get("by"),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "stale": stale,
    }


def load(*, session: Session, ecosystem: eco.Ecosystem) -> Criticality:
    """Read the criticality of every partner from the newest finished stored runs."""
    query = select(eco.Site.key, eco.Site.actor).where(eco.Site.ecosystem_id == ecosystem.id)
    site_actor: dict[str, str] = {key: actor for key, actor in session.execute(query)}
    found = Criticality()
    stress = mapping.latest_run(session=session, ecosystem=ecosystem, kind="stress_test")
    if stress is None or not stress.results:
        found.notes.append("no stress test stored: REI unknown (run one under Map)")
    else:
        found.source["stress_test"] = _describe(stress, ecosystem)
        _exposure(found, stress.results, site_actor)
        if found.source["stress_test"]["stale"]:
            found.notes.append(f"stress test #{stress.id} predates the ecosystem's last change")
    structure = mapping.latest_run(session=session, ecosystem=ecosystem, kind="structure")
    if structure is None or not structure.results:
        found.notes.append("no structure analysis stored: single points of failure unknown")
    else:
        found.source["structure"] = _describe(structure, ecosystem)
        for finding in structure.results.get("findings", []):
            if finding.get("category") == "spof" and finding.get("product"):
                actor = site_actor.get(finding["subject"], finding["subject"])
                products = found.spof.setdefault(actor, [])
                if finding["product"] not in products:
                    products.append(finding["product"])
    found.source["notes"] = list(found.notes)
    return found


def _exposure(found: Criticality, results: dict[str, Any], site_actor: dict[str, str]) -> None:
    """Each partner's worst REI and PI over the per-site or per-actor scenarios."""
    for result in results.get("results", []):
        if result.get("kind") not in PER_PARTNER:
            continue
        found.ranked = True
        rei = float(result.get("risk_exposure_index") or 0.0)
        impact = float(result.get("performance_impact") or 0.0)
        for actor in {site_actor.get(site, site) for site in result.get("sites", [])}:
            found.rei[actor] = max(found.rei.get(actor, 0.0), rei)
            found.impact[actor] = max(found.impact.get(actor, 0.0), impact)
    if not found.ranked:
        by = results.get("by")
        found.notes.append(f"the stored stress test is by {by}: no per-partner REI")
