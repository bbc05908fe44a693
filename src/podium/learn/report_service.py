"""Gather the executive review of a period from the stored ecosystem (:mod:`podium.learn.report`).

Calls the Learn services: the KPIs of the period and of the four before it
(:func:`podium.learn.service.compute`), their targets (:func:`podium.learn.targets.evaluate`),
the partner scorecards and segments (:mod:`podium.learn.scorecard_service`), the initiatives and
reviews (:mod:`podium.learn.log_service`), and the newest stored stress test with the supply
network's tiers for the exposure map. A partner caller gets its own KPIs and scorecard, the
initiatives and review entries that name it, and neither the segments nor the exposure. Nothing
is written.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core.auth import Permission, Principal
from podium.core.db import utcnow
from podium.core.errors import Invalid
from podium.ecosystem import models as eco
from podium.ecosystem.entities import node_tiers
from podium.ecosystem.spec import LinkKind
from podium.learn import log_service, scorecard_service, service, targets
from podium.learn.frames import CATALOGUE, KPIS
from podium.learn.periods import Period, parse_period, period_of, previous
from podium.learn.report_data import (
    CriterionLine,
    Exposure,
    ExposureRow,
    InitiativeLine,
    KpiLine,
    LogLine,
    NetworkNode,
    ReportData,
    ScoreLine,
    SegmentLine,
)
from podium.mapping import reports as map_reports
from podium.mapping import service as mapping

TREND_PERIODS = 4
"""How many periods before the reported one the trends cover."""
TOP_SCENARIOS = 10
MAX_NODES = 400
"""Most nodes in the exposure map; deeper tiers are left out beyond it."""
STEPS = ("KPIs", "targets", "scorecards", "segments", "exposure", "initiatives and reviews")
Progress = Callable[[str], None]


def gather(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    period: Period,
    principal: Principal | None = None,
    progress: Progress | None = None,
) -> ReportData:
    """Collect everything the review of ``period`` shows (``progress`` is told each step done)."""
    step = progress or (lambda _: None)
    periods = previous(period, TREND_PERIODS + 1)
    staff = principal is None or not principal.is_partner
    kpis = _kpis(session, ecosystem, periods, principal)
    step(STEPS[0])
    kpis = _with_targets(session, ecosystem, period, principal, kpis)
    step(STEPS[1])
    cards = scorecard_service.scorecards(
        session=session, ecosystem=ecosystem, period=period, principal=principal
    )
    definition = scorecard_service.get_definition(session=session, ecosystem=ecosystem)
    step(STEPS[2])
    segments, notes = _segments(session, ecosystem, period) if staff else (None, ())
    step(STEPS[3])
    sees_map = principal is None or (staff and principal.can(Permission.ANALYSIS_READ))
    exposure = exposure_of(session=session, ecosystem=ecosystem) if sees_map else None
    step(STEPS[4])
    initiatives = _initiatives(session, ecosystem, period, principal)
    log = _log(session, ecosystem, period, principal)
    step(STEPS[5])
    return ReportData(
        ecosystem=ecosystem.name,
        title=ecosystem.title or ecosystem.name,
        period=period.label,
        periods=tuple(p.label for p in periods),
        generated_at=utcnow(),
        currency=ecosystem.currency or "",
        kpis=tuple(kpis),
        scorecards=tuple(_score_line(card) for card in cards),
        definition=definition.title,
        segments=segments,
        segment_notes=tuple(notes),
        exposure=exposure,
        initiatives=initiatives,
        log=log,
        audience=None if staff else service.actor_of(principal),
    )


def _kpis(
    session: Session,
    ecosystem: eco.Ecosystem,
    periods: list[Period],
    principal: Principal | None,
) -> list[KpiLine]:
    """Every KPI of the catalogue over ``periods`` (whole ecosystem, or the partner's own)."""
    values: dict[str, list[float | None]] = {spec.key: [] for spec in CATALOGUE}
    basis: dict[str, int] = {}
    for chosen in periods:
        found = service.compute(
            session=session, ecosystem=ecosystem, period=chosen, by=(), principal=principal
        )
        for key, frame in found.items():
            row = frame.row(0, named=True) if frame.height else {"value": None, "basis": 0}
            values[key].append(None if row["value"] is None else float(row["value"]))
            basis[key] = int(row["basis"] or 0)
    return [
        KpiLine(key=spec.key, title=spec.title, unit=spec.unit, better=spec.better,
                value=values[spec.key][-1], basis=basis.get(spec.key, 0),
                trend=tuple(values[spec.key]))
        for spec in CATALOGUE
    ]  # fmt: skip


def _with_targets(
    session: Session,
    ecosystem: eco.Ecosystem,
    period: Period,
    principal: Principal | None,
    kpis: list[KpiLine],
) -> list[KpiLine]:
    """Add each KPI's target status: the ecosystem's target (a partner: its own target)."""
    scope = service.actor_of(principal) or targets.ECOSYSTEM
    checks = {
        c.target.kpi: c
        for c in targets.evaluate(
            session=session, ecosystem=ecosystem, period=period, principal=principal
        )
        if c.target.scope == scope
    }
    found = []
    for line in kpis:
        check = checks.get(line.key)
        if check is None:
            found.append(line)
            continue
        found.append(
            replace(line, status=check.status, target=check.target.target,
                    breach=check.target.breach)
        )  # fmt: skip
    return found


def _score_line(card: scorecard_service.PartnerScorecard) -> ScoreLine:
    return ScoreLine(
        partner=card.partner,
        name=card.name,
        total=card.card.total,
        standing=card.card.standing,
        coverage=card.card.coverage,
        direction=card.trend.direction,
        history=tuple(h["total"] for h in card.history),
        criteria=tuple(
            CriterionLine(kpi=c.kpi, title=c.title, unit=KPIS[c.kpi].unit, value=c.value,
                          score=c.score, weight=c.weight, note=c.note)
            for c in card.card.criteria
        ),
    )  # fmt: skip


def _segments(
    session: Session, ecosystem: eco.Ecosystem, period: Period
) -> tuple[tuple[SegmentLine, ...], tuple[str, ...]]:
    found, source = scorecard_service.segments(session=session, ecosystem=ecosystem, period=period)
    lines = tuple(
        SegmentLine(partner=r.partner, name=r.name or r.partner, segment=r.segment,
                    action=r.action, criticality=r.criticality, performance=r.performance,
                    alignment=r.alignment, summary=r.summary, reasons=r.reasons)
        for r in found
    )  # fmt: skip
    return lines, tuple(source.get("notes", ()))


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(float(value)) else None


def exposure_of(*, session: Session, ecosystem: eco.Ecosystem) -> Exposure | None:
    """The newest finished stress test's gist and the network it colours (None: none stored)."""
    run = mapping.latest_run(session=session, ecosystem=ecosystem, kind="stress_test")
    if run is None or not run.results:
        return None
    summary = map_reports.summarize_stress_test(run.results, top=TOP_SCENARIOS)
    top = tuple(
        ExposureRow(label=str(r.get("label") or r["scenario"]), kind=str(r.get("kind") or ""),
                    rei=float(r.get("risk_exposure_index") or 0.0),
                    impact=float(r.get("performance_impact") or 0.0),
                    ttr_days=_finite(r.get("ttr_days")), tts_days=_finite(r.get("tts_days")))
        for r in summary["top"]
    )  # fmt: skip
    nodes, edges, notes = _network(session, ecosystem, run.results)
    return Exposure(
        run=run.id,
        finished=run.finished_at.strftime("%d %b %Y") if run.finished_at else None,
        by=summary["by"],
        currency=summary["currency"] or ecosystem.currency or "",
        scenarios=summary["scenarios"],
        with_impact=summary["with_impact"],
        worst_impact=float(summary["max_performance_impact"]),
        top=top,
        nodes=nodes,
        edges=edges,
        notes=notes,
    )


def _network(
    session: Session, ecosystem: eco.Ecosystem, results: dict[str, Any]
) -> tuple[tuple[NetworkNode, ...], tuple[tuple[str, str], ...], tuple[str, ...]]:
    """The supply links' nodes with their tier and worst REI (sites, and actors by their sites)."""
    links = session.execute(
        select(eco.Link.source, eco.Link.target).where(
            eco.Link.ecosystem_id == ecosystem.id, eco.Link.kind == LinkKind.SUPPLIES.value
        )
    ).all()
    site_actor = dict(
        session.execute(
            select(eco.Site.key, eco.Site.actor).where(eco.Site.ecosystem_id == ecosystem.id)
        ).all()
    )
    rei: dict[str, float] = {}
    for result in results.get("results", []):
        value = float(result.get("risk_exposure_index") or 0.0)
        for site in result.get("sites") or ():
            for key in (site, site_actor.get(site)):
                if key is not None:
                    rei[key] = max(rei.get(key, 0.0), value)
    tiers = node_tiers(session=session, ecosystem=ecosystem)
    keys = sorted({k for link in links for k in link if k in tiers}, key=lambda k: (tiers[k], k))
    notes: tuple[str, ...] = ()
    if len(keys) > MAX_NODES:
        deepest = tiers[keys[MAX_NODES - 1]]
        keys = [k for k in keys if tiers[k] < deepest] or keys[:MAX_NODES]
        notes = (f"the map shows tiers up to {deepest - 1} ({len(keys)} nodes)",)
    kept = set(keys)
    nodes = tuple(NetworkNode(key=k, tier=tiers[k], rei=rei.get(k)) for k in keys)
    edges = tuple((s, t) for s, t in links if s in kept and t in kept)
    return nodes, edges, notes


def _initiatives(
    session: Session, ecosystem: eco.Ecosystem, period: Period, principal: Principal | None
) -> tuple[InitiativeLine, ...]:
    """The initiatives active in the period: started before its end, not launched before it."""
    found = log_service.list_initiatives(session=session, ecosystem=ecosystem, principal=principal)
    return tuple(
        InitiativeLine(key=i.key, title=i.title, partners=tuple(i.partners),
                       started_on=i.started_on, launched_on=i.launched_on,
                       value_created=i.value_created, currency=i.currency)
        for i in found
        if i.started_on < period.end and (i.launched_on is None or i.launched_on >= period.start)
    )  # fmt: skip


def _as_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=utcnow().tzinfo)


def _log(
    session: Session, ecosystem: eco.Ecosystem, period: Period, principal: Principal | None
) -> tuple[LogLine, ...]:
    """The entries of the period's reviews and of the incident reviews recorded from the
    period's start to the end of the next period (reviews come after the fact)."""
    after = period_of(period.end, period.kind).end
    start, end = (datetime.combine(d, datetime.min.time(), utcnow().tzinfo) for d in
                  (period.start, after))  # fmt: skip
    reviews = [
        r for r in log_service.list_reviews(session=session, ecosystem=ecosystem,
                                            principal=principal)
        if r.period == period.label
        or (r.kind == "incident" and start <= _as_utc(r.created_at) < end)
    ]  # fmt: skip
    return tuple(
        LogLine(review=r.title, subject=r.period or r.incident or "", kind=str(e.get("kind", "")),
                text=str(e.get("text", "")), partners=tuple(e.get("partners", ())),
                links=tuple(f"{link['kind']}:{link['id']}" for link in e.get("links", ())))
        for r in reviews[::-1]
        for e in log_service.visible_entries(r, principal)
    )  # fmt: skip


def default_period(today: datetime | None = None) -> Period:
    """The last complete quarter before ``today`` (now by default)."""
    return service.latest_complete("quarter", (today or utcnow()).date())


def report_period(text: str | None, pointer: str = "#/query/period") -> Period:
    """The period asked for (default: the last complete quarter); refuse what is no period."""
    if not text:
        return default_period()
    try:
        return parse_period(text)
    except ValueError as error:
        raise Invalid(str(error), [{"pointer": pointer, "detail": str(error)}]) from None
