"""Selective depth: segment partner relationships and recommend what to do with each.

Three readings of a relationship, each with thresholds (parameters of :class:`Thresholds`):

- **criticality**, from the stress test and the structure analysis: *critical* if the partner is
  a single point of failure for a product or its Risk Exposure Index (REI: its performance
  impact PI over the worst PI, 0..1) is at least ``critical_rei`` (0.5); *moderate* from
  ``moderate_rei`` (0.1); *low* below; *unknown* without a stress test (and no SPOF).
- **performance**, the scorecard total (0..100): *strong* from ``strong_score`` (70, "good"),
  *watch* from ``poor_score`` (50), *poor* below; *unknown* without a total.
- **alignment** (0..1, from the align discipline when present): *aligned* from ``aligned`` (0.7),
  *misaligned* below ``misaligned`` (0.4), *partial* between; *unknown* without one.

The rule table, applied top to bottom (the first row that matches decides):

=====================  ================  ==============  ==============  ==============
criticality            performance       alignment       segment         recommendation
=====================  ================  ==============  ==============  ==============
critical               watch or poor     any             at risk         redesign
moderate               poor              any             at risk         redesign
critical, moderate     any               misaligned      at risk         redesign
low                    poor              any             at risk         exit
unknown                poor              any             at risk         redesign*
critical               strong            not misaligned  strategic       deepen
critical               unknown           not misaligned  strategic       maintain
moderate, low, unkn.   strong (excel.)   aligned         preferred       deepen
moderate, low, unkn.   strong            not misaligned  preferred       maintain
anything else                                            transactional   maintain
=====================  ================  ==============  ==============  ==============

\\* a poor partner of unknown criticality is not exited blind: run the stress test first.
*Excellent* is a total of at least ``excellent_score`` (85); a moderate relationship at watch is
transactional.

Every recommendation carries its reasons in words and numbers, e.g. ``critical: REI 0.82 (top
10%), single point of failure for e-axle; scorecard 58 (watch) -> redesign``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

SEGMENTS = ("strategic", "preferred", "transactional", "at risk")
ACTIONS = ("deepen", "maintain", "redesign", "exit")


@dataclass(frozen=True)
class Thresholds:
    """Where the levels of criticality (REI 0..1), performance (score 0..100) and alignment
    (0..1) change."""

    critical_rei: float = 0.5
    moderate_rei: float = 0.1
    excellent_score: float = 85.0
    strong_score: float = 70.0
    poor_score: float = 50.0
    aligned: float = 0.7
    misaligned: float = 0.4

    def __post_init__(self) -> None:
        if not 0 <= self.moderate_rei < self.critical_rei <= 1:
            raise ValueError("REI thresholds: 0 <= moderate_rei < critical_rei <= 1")
        if not 0 <= self.poor_score < self.strong_score <= self.excellent_score <= 100:
            raise ValueError("score thresholds: 0 <= poor < strong <= excellent <= 100")
        if not 0 <= self.misaligned < self.aligned <= 1:
            raise ValueError("alignment thresholds: 0 <= misaligned < aligned <= 1")


@dataclass(frozen=True)
class Relationship:
    """What is known of one partner relationship (None: not known).

    ``rei`` is the partner's Risk Exposure Index (0..1) and ``performance_impact`` its PI
    (currency) from the stress test; ``spof_for`` the products it is a single point of failure
    for; ``score`` the scorecard total (0..100) and ``standing`` its standing; ``alignment``
    0..1. ``notes`` are extra reasons to carry along (e.g. "no stress test stored").
    """

    partner: str
    name: str | None = None
    rei: float | None = None
    performance_impact: float | None = None
    spof_for: tuple[str, ...] = ()
    score: float | None = None
    standing: str | None = None
    alignment: float | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Recommendation:
    """A relationship's segment and recommended action, with the levels and reasons behind."""

    partner: str
    name: str | None
    segment: str
    action: str
    criticality: str
    performance: str
    alignment: str
    reasons: tuple[str, ...]
    summary: str
    rei_rank: tuple[int, int] | None = None
    inputs: Relationship | None = field(default=None, compare=False)


def criticality_level(rel: Relationship, t: Thresholds) -> str:
    """critical, moderate, low or unknown (see the module's rule table)."""
    if rel.spof_for or (rel.rei is not None and rel.rei >= t.critical_rei):
        return "critical"
    if rel.rei is None:
        return "unknown"
    return "moderate" if rel.rei >= t.moderate_rei else "low"


def performance_level(score: float | None, t: Thresholds) -> str:
    """strong, watch, poor or unknown."""
    if score is None:
        return "unknown"
    if score >= t.strong_score:
        return "strong"
    return "watch" if score >= t.poor_score else "poor"


def alignment_level(alignment: float | None, t: Thresholds) -> str:
    """aligned, partial, misaligned or unknown."""
    if alignment is None:
        return "unknown"
    if alignment >= t.aligned:
        return "aligned"
    return "partial" if alignment >= t.misaligned else "misaligned"


def decide(
    criticality: str, performance: str, alignment: str, *, excellent: bool = False
) -> tuple[str, str]:
    """The (segment, action) of the module's rule table."""
    important = criticality in ("critical", "moderate")
    if important and (performance == "poor" or (criticality, performance) == ("critical", "watch")):
        return "at risk", "redesign"
    if important and alignment == "misaligned":
        return "at risk", "redesign"
    if performance == "poor":
        return "at risk", "exit" if criticality == "low" else "redesign"
    if criticality == "critical":  # not misaligned: that is at risk above
        return "strategic", "deepen" if performance == "strong" else "maintain"
    if performance == "strong" and alignment != "misaligned":
        deepen = excellent and alignment == "aligned"
        return "preferred", "deepen" if deepen else "maintain"
    return "transactional", "maintain"


def _criticality_reason(rel: Relationship, level: str, rank: tuple[int, int] | None) -> str:
    parts = []
    if rel.rei is not None:
        top = f" (top {max(1, round(100 * rank[0] / rank[1]))}%)" if rank else ""
        parts.append(f"REI {rel.rei:.2f}{top}")
    if rel.spof_for:
        parts.append(f"single point of failure for {', '.join(rel.spof_for)}")
    if not parts:
        parts.append("no stress-test result")
    return f"{level}: {', '.join(parts)}"


def _performance_reason(rel: Relationship, level: str) -> str:
    if rel.score is None:
        return "scorecard: no total (no KPI value in the period)"
    standing = f" ({rel.standing})" if rel.standing else f" ({level})"
    return f"scorecard {rel.score:.0f}{standing}"


def _alignment_reason(rel: Relationship, level: str) -> str:
    if rel.alignment is None:
        return "alignment not assessed"
    return f"alignment {rel.alignment:.2f} ({level})"


def _why(segment: str, action: str, criticality: str, performance: str, alignment: str) -> str:
    """The rule that decided, in words."""
    if segment == "at risk" and alignment == "misaligned" and performance not in ("poor", "watch"):
        return "incentives pull apart on a relationship the network depends on"
    if segment == "at risk" and action == "exit":
        return "a poor performer the network does not depend on: replace it"
    if segment == "at risk" and criticality == "unknown":
        return "poor performance, criticality unknown: run a stress test before exiting"
    if segment == "at risk":
        return "the network depends on a relationship that underperforms: redesign it"
    if segment == "strategic" and action == "maintain":
        return "critical but not yet scored: measure before deepening"
    if segment == "strategic":
        return "critical and performing: invest in it"
    if segment == "preferred":
        return "performs well" + (" and is aligned: deepen" if action == "deepen" else "")
    return "neither critical nor outstanding: keep it arm's length"


def recommend(
    rel: Relationship,
    *,
    thresholds: Thresholds | None = None,
    rei_rank: tuple[int, int] | None = None,
) -> Recommendation:
    """Segment one relationship and recommend an action, with its reasons.

    ``rei_rank`` is (rank, count) of the partner's REI among those ranked, 1 = most exposed.

    Examples
    --------
    >>> rec = recommend(Relationship("gearco", rei=0.82, spof_for=("e-axle",), score=58,
    ...                              standing="watch"), rei_rank=(1, 10))
    >>> rec.segment, rec.action, rec.reasons[1]
    ('at risk', 'redesign', 'scorecard 58 (watch)')
    >>> rec.summary.startswith("critical: REI 0.82 (top 10%), single point of failure for e-axle")
    True
    """
    t = thresholds or Thresholds()
    levels = (
        criticality_level(rel, t),
        performance_level(rel.score, t),
        alignment_level(rel.alignment, t),
    )
    excellent = rel.score is not None and rel.score >= t.excellent_score
    segment, action = decide(*levels, excellent=excellent)
    reasons = [
        _criticality_reason(rel, levels[0], rei_rank),
        _performance_reason(rel, levels[1]),
        _alignment_reason(rel, levels[2]),
        _why(segment, action, *levels),
        *rel.notes,
    ]
    shown = reasons[:2] + ([reasons[2]] if rel.alignment is not None else [])
    summary = f"{'; '.join(shown)} -> {action}"
    return Recommendation(
        rel.partner, rel.name, segment, action, *levels, tuple(reasons), summary, rei_rank, rel
    )


def rei_ranks(relationships: Sequence[Relationship]) -> dict[str, tuple[int, int]]:
    """Each partner's (rank, count) by REI among those with one, 1 = most exposed; ties share
    the better rank."""
    known = sorted((r.rei for r in relationships if r.rei is not None), reverse=True)
    return {
        r.partner: (known.index(r.rei) + 1, len(known)) for r in relationships if r.rei is not None
    }


def recommend_all(
    relationships: Sequence[Relationship], *, thresholds: Thresholds | None = None
) -> list[Recommendation]:
    """Recommend for every relationship (REI ranked among them), most exposed first."""
    ranks = rei_ranks(relationships)
    found = [
        recommend(r, thresholds=thresholds, rei_rank=ranks.get(r.partner)) for r in relationships
    ]
    order = {name: i for i, name in enumerate(SEGMENTS)}
    return sorted(
        found,
        key=lambda rec: (
            -(rec.inputs.rei or 0.0) if rec.inputs else 0.0,
            order[rec.segment],
            rec.partner,
        ),
    )
