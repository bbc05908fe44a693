"""The strategic dependency on a platform partner: the questionnaire and its index (pure).

The orchestrator answers eight questions about each platform partner (cloud, AI infrastructure,
logistics platform, procurement network, marketplace, payments), each on a 0-4 scale whose levels
are spelled out (0 = least dependent, 4 = most). The *strategic-dependency index* is the weighted
mean of the answered scores on a 0-100 scale::

    index = 100 * sum(w_q * s_q) / (4 * sum(w_q))      over the answered questions q

A question left unanswered is *missing*, never a silent 0: the index is taken over the answered
questions and reported with its ``coverage`` (the answered share of the total weight); below
``MIN_COVERAGE`` it is refused (``index`` is None) because a few answers cannot stand for the
whole. Each answered question contributes ``100 * w_q * s_q / (4 * sum(w_q))`` index points; the
reasons list these contributions, largest first, and the index *is* their sum, so the
explanation adds up to the number it explains. Bands: low below 33, moderate below 66, high.

How much of the network hangs on the platform, and what losing it for some days costs, is in
:mod:`podium.govern.platform_impact` (re-exported here).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from podium.govern.platform_impact import Exposure, TermsChangeImpact, exposure, terms_change

__all__ = [
    "BANDS",
    "CATEGORIES",
    "MIN_COVERAGE",
    "QUESTIONS",
    "DependencyIndex",
    "Exposure",
    "Question",
    "Reason",
    "TermsChangeImpact",
    "answer_errors",
    "band_of",
    "dependency_index",
    "exposure",
    "terms_change",
]

CATEGORIES: dict[str, str] = {
    "cloud": "Cloud: hosting, storage and compute for our systems and data",
    "ai_infrastructure": "AI infrastructure: models, training and inference services",
    "logistics_platform": "Logistics platform: freight booking, transport and warehousing",
    "procurement_network": "Procurement network: sourcing, ordering and supplier onboarding",
    "marketplace": "Marketplace: where our customers find and buy our products",
    "payments": "Payments: collecting and paying money, financing",
}
"""The kinds of platform partner an assessment can be about (key -> description)."""

SCALE = (0, 1, 2, 3, 4)
MIN_COVERAGE = 0.5
"""The least share of the total weight that must be answered for an index to be given."""
BANDS = ((33.0, "low"), (66.0, "moderate"), (math.inf, "high"))
"""Upper bounds (exclusive) of the bands of the index."""


@dataclass(frozen=True)
class Question:
    """One question: its key, text, the meaning of each score 0..4, and its weight."""

    key: str
    text: str
    levels: tuple[str, str, str, str, str]
    weight: float

    def to_dict(self) -> dict[str, Any]:
        """Return the question as JSON-ready values."""
        return {
            "key": self.key,
            "text": self.text,
            "weight": self.weight,
            "levels": [{"score": s, "text": t} for s, t in zip(SCALE, self.levels, strict=True)],
        }


QUESTIONS: tuple[Question, ...] = (
    Question(
        "terms_change",
        "What happens to us if the platform changes its terms (prices, API, conditions)?",
        (
            "Terms are fixed by contract for our planning horizon; changes need our consent.",
            "Changes need long notice (12 months or more) and we may exit without penalty.",
            "Changes come with 3-12 months' notice; exit is possible at moderate cost.",
            "Changes come with short notice (under 3 months); exit is costly.",
            "The platform changes terms at will, effective at once; we must accept them.",
        ),
        1.5,
    ),
    Question(
        "data_migration",
        "Can our data be migrated out of the platform?",
        (
            "Standard export in an open, documented format, tested in the last year.",
            "Standard export in an open format, not tested.",
            "Export only in a proprietary format that needs conversion.",
            "Partial export only: some data or its history stays behind.",
            "No export.",
        ),
        1.5,
    ),
    Question(
        "workflow_portability",
        "Are our workflows and integrations portable to another provider?",
        (
            "Built on open standards, and a second provider already runs them.",
            "Open standards or documented APIs; porting takes weeks.",
            "Partly proprietary; porting takes months.",
            "Mostly proprietary features; porting is a major project.",
            "The workflows exist only inside the platform; nothing equivalent elsewhere.",
        ),
        1.0,
    ),
    Question(
        "competes_with_us",
        "Does the platform compete with us, or could it?",
        (
            "No overlap with our offering and no plausible intent to enter it.",
            "An adjacent offering; no direct overlap today.",
            "Partial overlap in some segments or regions.",
            "A direct competitor in some of our markets, or openly entering them.",
            "A direct competitor in our core market, using what it learns from our data.",
        ),
        1.0,
    ),
    Question(
        "backup_options",
        "What backup do we have if the platform fails or leaves?",
        (
            "A second provider runs in parallel (multi-homing, hot standby).",
            "A qualified alternative can take over within days.",
            "Alternatives exist but need weeks to qualify and switch.",
            "Alternatives exist only in principle; switching takes months.",
            "No alternative exists.",
        ),
        1.5,
    ),
    Question(
        "service_levels",
        "What service-level guarantees does the platform give?",
        (
            "Contractual SLAs we monitor, with penalties that cover our loss.",
            "Contractual SLAs with meaningful penalties.",
            "SLAs with token service credits only.",
            "Best-effort commitments only.",
            "No service-level commitment.",
        ),
        1.0,
    ),
    Question(
        "customer_relationship",
        "Who owns the relationship with our customers?",
        (
            "We do: customers contract, pay and deal with us; the platform is invisible to them.",
            "We do; the platform sees some customer data under contract.",
            "Shared: customers know both, and the platform may use their data.",
            "Mostly the platform: customers find, pay and deal with us through it.",
            "The platform: we cannot reach our customers without it.",
        ),
        1.5,
    ),
    Question(
        "pricing_exposure",
        "How exposed are we to the platform's pricing?",
        (
            "Prices fixed for the planning horizon, on a small share of our cost.",
            "Price increases are indexed or capped.",
            "Prices reviewed yearly, on a moderate share of our cost.",
            "Unilateral price changes on a large share of our cost or margin.",
            "Prices or take rate set at will on most of our revenue or cost.",
        ),
        1.0,
    ),
)
"""The questionnaire, in the order it is asked; weights sum to 10."""

QUESTION_BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}


@dataclass(frozen=True)
class Reason:
    """What one answered question adds to the index (index points), with its level and note."""

    key: str
    question: str
    score: int
    weight: float
    points: float
    level: str
    note: str

    def to_dict(self) -> dict[str, Any]:
        """Return the reason as JSON-ready values."""
        return dict(self.__dict__)


@dataclass(frozen=True)
class DependencyIndex:
    """The index (None when refused for low coverage), its band, reasons and what is missing."""

    index: float | None
    band: str
    coverage: float
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the index as JSON-ready values."""
        return {
            "index": self.index,
            "band": self.band,
            "coverage": self.coverage,
            "reasons": [r.to_dict() for r in self.reasons],
            "missing": list(self.missing),
        }


def band_of(index: float | None) -> str:
    """Return the band of an index: low (< 33), moderate (< 66), high; ``incomplete`` for None.

    Examples
    --------
    >>> band_of(32.9), band_of(33.0), band_of(66.0), band_of(None)
    ('low', 'moderate', 'high', 'incomplete')
    """
    if index is None:
        return "incomplete"
    return next(name for bound, name in BANDS if index < bound)


def answer_errors(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """Return ``(pointer, problem)`` for each defect of the answers, in questionnaire order.

    An answer is ``{"score": 0..4 or None, "note": str}``; a score of None (or a missing
    question) means unanswered. Unknown question keys and scores off the scale are defects.
    """
    errors = [
        (f"/answers/{key}", f"unknown question {key!r}; one of {', '.join(QUESTION_BY_KEY)}")
        for key in answers
        if key not in QUESTION_BY_KEY
    ]
    for key, answer in answers.items():
        if key not in QUESTION_BY_KEY:
            continue
        if not isinstance(answer, Mapping):
            errors.append((f"/answers/{key}", "give an object with score and note"))
            continue
        score = answer.get("score")
        if score is not None and (isinstance(score, bool) or score not in SCALE):
            errors.append(
                (f"/answers/{key}/score", f"score must be 0, 1, 2, 3 or 4, not {score!r}")
            )
        note = answer.get("note")
        if note is not None and not isinstance(note, str):
            errors.append((f"/answers/{key}/note", "note must be text"))
    return errors


def dependency_index(answers: Mapping[str, Any]) -> DependencyIndex:
    """Score the answers into the strategic-dependency index with its reasons.

    ``answers``: question key -> ``{"score": 0..4 or None, "note": str}``. Raises ValueError on
    the defects :func:`answer_errors` finds.

    Examples
    --------
    >>> scores = {"data_migration": 4, "backup_options": 2, "terms_change": 0,
    ...           "customer_relationship": 2}
    >>> result = dependency_index({key: {"score": s} for key, s in scores.items()})
    >>> result.index, result.band, result.coverage  # 100 * (1.5*4 + 1.5*2 + 1.5*2) / (4 * 6)
    (50.0, 'moderate', 0.6)
    >>> [(r.key, r.points) for r in result.reasons][:2]
    [('data_migration', 25.0), ('backup_options', 12.5)]
    """
    errors = answer_errors(answers)
    if errors:
        raise ValueError("; ".join(f"{pointer}: {problem}" for pointer, problem in errors))
    scored = [
        (q, int(answers[q.key]["score"]), str(answers[q.key].get("note") or ""))
        for q in QUESTIONS
        if q.key in answers and answers[q.key].get("score") is not None
    ]
    missing = tuple(q.key for q in QUESTIONS if q not in {s[0] for s in scored})
    answered_weight = math.fsum(q.weight for q, _, _ in scored)
    coverage = answered_weight / math.fsum(q.weight for q in QUESTIONS)
    if not scored or coverage < MIN_COVERAGE:
        return DependencyIndex(None, band_of(None), coverage, (), missing)
    reasons = [
        Reason(
            key=q.key,
            question=q.text,
            score=score,
            weight=q.weight,
            points=100.0 * q.weight * score / (4.0 * answered_weight),
            level=q.levels[score],
            note=note,
        )
        for q, score, note in scored
    ]
    order = {q.key: k for k, q in enumerate(QUESTIONS)}
    reasons.sort(key=lambda r: (-r.points, order[r.key]))
    index = math.fsum(r.points for r in reasons)
    return DependencyIndex(index, band_of(index), coverage, tuple(reasons), missing)
