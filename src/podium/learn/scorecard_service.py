"""Scorecard service: stored scorecard definitions, partner scorecards per period, and segments.

Definitions are versioned (saving one adds a version and makes it current); without a stored
``default`` the built-in :func:`default_definition` applies. A scorecard scores each partner's
KPIs of a period (from :func:`podium.learn.service.compute`, grouped by provider) with the pure
:mod:`podium.learn.scorecards`, adds the trend over the four periods before and, per KPI, the
API paths of the rows behind it. Segments combine the scorecards with criticality from the
stored stress test and structure runs (:mod:`podium.learn.criticality`) through the pure
:mod:`podium.learn.segments`. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from podium.core import audit
from podium.core.auth import Principal
from podium.core.errors import Forbidden, Invalid, NotFound
from podium.ecosystem import models as eco
from podium.learn import criticality
from podium.learn import scorecards as sc
from podium.learn import segments as seg
from podium.learn import service as kpi_service
from podium.learn.frames import KPIS
from podium.learn.periods import Period, previous
from podium.learn.scorecard_models import ScorecardDefinition

DEFAULT_KEY = "default"
TREND_PERIODS = 4
"""How many periods before the one scored the trend looks back over."""
API = "/api/v1/ecosystems/{name}"


def default_definition() -> sc.Definition:
    """The built-in scorecard of a supplier: OTIF 40%, order fulfilment cycle time 20% (100 at
    5 days, 0 at 30 days), supplier recovery time 20% (100 at 7 days, 0 at 56 days), data
    quality 20%; standings 85 / 70 / 50. (Forecast accuracy is left out: the forecasts are
    the orchestrator's, so a supplier would never have a value for it.)"""
    return sc.parse_definition(
        {
            "key": DEFAULT_KEY,
            "title": "Partner scorecard",
            "description": "Delivery, planning, resilience and data discipline.",
            "criteria": [
                {"kpi": "otif", "weight": 40},
                {"kpi": "order_cycle_time_days", "weight": 20, "best": 5, "worst": 30},
                {"kpi": "recovery_time_days", "weight": 20, "best": 7, "worst": 56},
                {"kpi": "data_quality", "weight": 20},
            ],
        }
    )


# --- definitions ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StoredDefinition:
    """A definition as stored (``version`` None: the built-in default, never stored)."""

    key: str
    title: str
    definition: sc.Definition
    version: int | None = None
    current: bool = True
    created_by: str | None = None
    created_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, with each criterion's effective formula."""
        body = self.definition.model_dump(mode="json")
        for criterion, parsed in zip(body["criteria"], self.definition.criteria, strict=True):
            criterion["effective_formula"] = parsed.effective_formula()
        return {
            "key": self.key, "title": self.title, "version": self.version,
            "current": self.current, "created_by": self.created_by,
            "created_at": self.created_at.isoformat() if self.created_at else None,
            "builtin": self.version is None, "definition": body,
        }  # fmt: skip


def _stored(row: ScorecardDefinition) -> StoredDefinition:
    return StoredDefinition(
        key=row.key,
        title=row.title,
        definition=sc.Definition.model_validate(row.definition),
        version=row.version,
        current=row.current,
        created_by=row.created_by,
        created_at=row.created_at,
    )


def check_definition(data: Any, *, key: str | None = None) -> sc.Definition:
    """Return the definition checked; raise Invalid with every defect at its JSON pointer."""
    if key is not None and isinstance(data, Mapping):
        if data.get("key") not in (None, key):
            detail = f"the body names {data.get('key')!r}, the path {key!r}"
            raise Invalid(f"/key: {detail}", [{"pointer": "/key", "detail": detail}])
        data = {**data, "key": key}
    try:
        return sc.parse_definition(data)
    except sc.DefinitionError as error:
        raise Invalid(str(error), error.errors) from None


def save_definition(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    data: Any,
    key: str | None = None,
    principal: Principal | None = None,
    request_id: str = "cli",
) -> StoredDefinition:
    """Store a new version of a definition (``key`` from the path, else the body's) as current."""
    checked = check_definition(data, key=key)
    rows = _rows(session, ecosystem, checked.key)
    for row in rows:
        row.current = False
    stored = ScorecardDefinition(
        ecosystem_id=ecosystem.id,
        key=checked.key,
        title=checked.title,
        definition=checked.model_dump(mode="json"),
        version=max((row.version for row in rows), default=0) + 1,
        current=True,
        created_by=principal.username if principal else audit.SYSTEM_USERNAME,
    )
    session.add(stored)
    session.flush()
    audit.record(
        session=session, request_id=request_id, principal=principal, action="write",
        ecosystem_id=ecosystem.id, dataset="learn.scorecard", provider=None, agreement=None,
        filter={"id": str(stored.id), "key": stored.key, "version": stored.version},
        row_count=1,
    )  # fmt: skip
    return _stored(stored)


def _rows(session: Session, ecosystem: eco.Ecosystem, key: str | None) -> list[ScorecardDefinition]:
    query = select(ScorecardDefinition).where(ScorecardDefinition.ecosystem_id == ecosystem.id)
    if key is not None:
        query = query.where(ScorecardDefinition.key == key)
    return list(
        session.scalars(query.order_by(ScorecardDefinition.key, ScorecardDefinition.version))
    )


def list_definitions(*, session: Session, ecosystem: eco.Ecosystem) -> list[StoredDefinition]:
    """The current version of each stored definition, and the built-in default if not stored."""
    found = [_stored(row) for row in _rows(session, ecosystem, None) if row.current]
    if not any(d.key == DEFAULT_KEY for d in found):
        found.insert(0, StoredDefinition(DEFAULT_KEY, "Partner scorecard", default_definition()))
    return found


def get_definition(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    key: str | None = None,
    version: int | None = None,
) -> StoredDefinition:
    """A definition: the current version of ``key`` (default: ``default``), or ``version``."""
    wanted = key or DEFAULT_KEY
    rows = _rows(session, ecosystem, wanted)
    if version is not None:
        rows = [row for row in rows if row.version == version]
    else:
        rows = [row for row in rows if row.current]
    if rows:
        return _stored(rows[-1])
    if wanted == DEFAULT_KEY and version is None:
        return StoredDefinition(DEFAULT_KEY, "Partner scorecard", default_definition())
    raise NotFound(f"no scorecard definition {wanted!r}" + (f" v{version}" if version else ""))


def definition_versions(
    *, session: Session, ecosystem: eco.Ecosystem, key: str
) -> list[StoredDefinition]:
    """Every stored version of a definition, oldest first."""
    return [_stored(row) for row in _rows(session, ecosystem, key)]


# --- scorecards -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerScorecard:
    """One partner's scorecard of a period: KPI values and their basis, the scores, the trend
    over the periods before (``history``: label, total, standing, oldest first), the evidence."""

    partner: str
    name: str
    period: str
    definition: str
    version: int | None
    values: dict[str, float | None]
    basis: dict[str, int]
    card: sc.Scorecard
    trend: sc.Trend
    history: list[dict[str, Any]] = field(default_factory=list)
    evidence: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values."""
        card = asdict(self.card) | {"missing": list(self.card.missing)}
        return {
            "partner": self.partner, "name": self.name, "period": self.period,
            "definition": self.definition, "version": self.version, "values": self.values,
            "basis": self.basis, "total": self.card.total, "standing": self.card.standing,
            "coverage": self.card.coverage, "criteria": card["criteria"],
            "missing": card["missing"], "trend": asdict(self.trend), "history": self.history,
            "evidence": self.evidence,
        }  # fmt: skip


def _compute(
    session: Session,
    ecosystem: eco.Ecosystem,
    period: Period,
    keys: Sequence[str],
    principal: Principal | None,
) -> dict[str, dict[str, tuple[float | None, int]]]:
    """Per provider, per KPI: (value, basis) of ``period`` (rows without a provider dropped)."""
    found: dict[str, dict[str, tuple[float | None, int]]] = {}
    results = kpi_service.compute(
        session=session, ecosystem=ecosystem, period=period, keys=keys, by=("provider",),
        principal=principal,
    )  # fmt: skip
    for key, frame in results.items():
        for row in frame.iter_rows(named=True):
            if row.get("provider"):
                value = row["value"]
                found.setdefault(row["provider"], {})[key] = (
                    None if value is None else float(value),
                    int(row["basis"] or 0),
                )
    return found


def _partners(
    session: Session, ecosystem: eco.Ecosystem, seen: set[str], principal: Principal | None
) -> dict[str, str]:
    """The partners to score, key -> name: partner actors and every non-orchestrator provider
    with data; for a partner caller only itself."""
    actors = {
        a.key: a
        for a in session.scalars(select(eco.Actor).where(eco.Actor.ecosystem_id == ecosystem.id))
    }
    if principal is not None and principal.is_partner:
        own = principal.partner_actor or ""
        return {own: actors[own].name if own in actors else own}
    keys = {k for k, a in actors.items() if a.ecosystem_role == "partner"}
    keys |= {k for k in seen if k not in actors or actors[k].ecosystem_role != "orchestrator"}
    return {k: actors[k].name if k in actors else k for k in sorted(keys)}


def evidence(ecosystem: str, partner: str, kpi: str, period: Period) -> dict[str, Any]:
    """How to drill down into a KPI of a partner: the API paths of the KPI by provider, of its
    series, and of the rows behind it (of which those with ``provider`` are the partner's; the
    data API shows a caller its own rows and others' as data-sharing agreements allow)."""
    spec = KPIS[kpi]
    base = API.format(name=quote(ecosystem, safe=""))
    window = urlencode({"start": period.start.isoformat(), "end": period.end.isoformat()})
    rows = {
        "deliveries": [f"{base}/data/deliveries?{window}"],
        "forecasts": [f"{base}/data/forecasts?{window}"],
        "disruptions": [f"{base}/data/disruptions?{window}"],
        "responses": [f"{base}/data/risk_signals?{window}", f"{base}/exceptions"],
        "submissions": [f"{base}/submissions"],
        "inventory": [f"{base}/data/inventory?{window}"],
        "initiatives": [f"{base}/initiatives"],
        "map": [f"{base}/analyses"],
    }.get(spec.frame, [])
    by = {"by": "provider"}
    return {
        "kpi": kpi, "title": spec.title, "unit": spec.unit, "frame": spec.frame,
        "provider": partner,
        "kpi_path": f"{base}/kpis?{urlencode({'period': period.label, 'keys': kpi, **by})}",
        "series_path": f"{base}/kpis/{kpi}/series?"
        + urlencode({"until": period.label, "kind": period.kind, **by}),
        "rows": rows,
    }  # fmt: skip


def scorecards(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    period: Period,
    definition_key: str | None = None,
    principal: Principal | None = None,
    partner: str | None = None,
) -> list[PartnerScorecard]:
    """Score every partner (a partner caller: only itself; ``partner``: only that one)."""
    stored = get_definition(session=session, ecosystem=ecosystem, key=definition_key)
    keys = [c.kpi for c in stored.definition.criteria]
    periods = previous(period, TREND_PERIODS + 1)
    computed = [_compute(session, ecosystem, p, keys, principal) for p in periods]
    names = _partners(session, ecosystem, {k for c in computed for k in c}, principal)
    if partner is not None:
        if partner not in names:
            if principal is not None and principal.is_partner:
                raise Forbidden("a partner sees only its own scorecard")
            raise NotFound(f"no partner {partner!r} to score in {ecosystem.name!r}")
        names = {partner: names[partner]}
    return [_card(ecosystem, stored, key, name, periods, computed) for key, name in names.items()]


def _card(
    ecosystem: eco.Ecosystem,
    stored: StoredDefinition,
    key: str,
    name: str,
    periods: Sequence[Period],
    computed: Sequence[Mapping[str, Mapping[str, tuple[float | None, int]]]],
) -> PartnerScorecard:
    cards = [
        sc.score(stored.definition, {k: v for k, (v, _) in c.get(key, {}).items()})
        for c in computed
    ]
    current = computed[-1].get(key, {})
    kpis = [c.kpi for c in stored.definition.criteria]
    return PartnerScorecard(
        partner=key,
        name=name,
        period=periods[-1].label,
        definition=stored.key,
        version=stored.version,
        values={k: current.get(k, (None, 0))[0] for k in kpis},
        basis={k: current.get(k, (None, 0))[1] for k in kpis},
        card=cards[-1],
        trend=sc.trend([c.total for c in cards]),
        history=[
            {"period": p.label, "total": c.total, "standing": c.standing}
            for p, c in zip(periods, cards, strict=True)
        ],
        evidence=[evidence(ecosystem.name, key, k, periods[-1]) for k in kpis],
    )


# --- segments -------------------------------------------------------------------------------------


def segments(
    *,
    session: Session,
    ecosystem: eco.Ecosystem,
    period: Period,
    principal: Principal | None = None,
    definition_key: str | None = None,
    thresholds: seg.Thresholds | None = None,
    alignment: Mapping[str, float] | None = None,
) -> tuple[list[seg.Recommendation], dict[str, Any]]:
    """Segment every partner relationship and recommend an action; return the recommendations
    (most exposed first) and where criticality came from (the runs used, or why none).

    Performance levels follow the scorecard definition's own standings (strong from *good*,
    poor below *watch*) unless ``thresholds`` are given. Alignment (0..1) comes from Align's
    checks of the partners' declared commercial agreements unless ``alignment`` is given."""
    if principal is not None and principal.is_partner:
        raise Forbidden("the segmentation of relationships is the orchestrator's view")
    cards = scorecards(
        session=session, ecosystem=ecosystem, period=period, definition_key=definition_key
    )
    if thresholds is None:
        standings = get_definition(
            session=session, ecosystem=ecosystem, key=definition_key
        ).definition.standings
        thresholds = seg.Thresholds(
            excellent_score=standings.excellent,
            strong_score=standings.good,
            poor_score=standings.watch,
        )
    found = criticality.load(session=session, ecosystem=ecosystem)
    aligned = alignment if alignment is not None else _alignment(session, ecosystem, principal)
    relationships = [
        seg.Relationship(
            partner=card.partner,
            name=card.name,
            rei=found.rei.get(card.partner),
            performance_impact=found.impact.get(card.partner),
            spof_for=tuple(found.spof.get(card.partner, ())),
            score=card.card.total,
            standing=card.card.standing,
            alignment=aligned.get(card.partner),
            notes=found.notes_for(card.partner),
        )
        for card in cards
    ]
    return seg.recommend_all(relationships, thresholds=thresholds), found.source


def _alignment(
    session: Session, ecosystem: eco.Ecosystem, principal: Principal | None
) -> Mapping[str, float]:
    """Each partner's alignment score from :func:`podium.align.service.misalignments`: the
    partners with a declared commercial agreement or a finding about them."""
    from podium.align.service import misalignments

    return misalignments(session=session, ecosystem=ecosystem, principal=principal).alignment
