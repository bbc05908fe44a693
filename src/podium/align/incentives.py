"""Misalignment checks: does what a partner is rewarded for match what the ecosystem needs from it?

What the partner is *rewarded for* is its declared agreement (:class:`Agreement`): the contract
type and the incentive metrics it is paid or scored on. What the ecosystem *needs* from it comes
from the stress test and Learn's KPIs, as plain values (:class:`Exposure`): its Risk Exposure
Index (REI, 0..1) and performance impact (PI, currency lost in a disruption of its time to
recover), its PI rank among the ranked partners, time to recover and to survive (TTR, TTS, days),
the products it is a single point of failure (SPOF) for, its alternates, its OTIF (0..1) and share
of inbound spend, and whether it builds to the ecosystem's forecasts.

A partner is **critical** when it is a SPOF, its REI is at least ``critical_rei`` (0.5), or its PI
(> 0) ranks in the top ``critical_rank`` (3) or top ``critical_rank_share`` (10%) of the ranked
partners; it has **no alternate** when it is a SPOF or has 0 alternates. The rule table (every row
that matches gives one finding):

========================  ======================  ======================  ====================
rule                      the ecosystem needs     but the agreement       mechanisms proposed
========================  ======================  ======================  ====================
cost_focus_on_critical    critical                pays on cost (unit      resilience bonus
                                                  price, shipment cost,   (sized to the avoided
                                                  cost reduction), not    loss), preferred
                                                  on resilience,          status
                                                  capacity or service
no_capacity_assurance     no alternate and        has no volume           volume commitment,
                          TTR > TTS (shortage)    commitment or capacity  risk-sharing clause
                                                  reservation
short_term_sole_source    no alternate            runs < 24 months        longer term
reliability_not_rewarded  spend share >= 20% or   pays on neither OTIF    risk-sharing clause
                          OTIF below target       nor lead time           (OTIF bonus-malus)
forecast_blind            builds to forecasts     gives no data access    data access
cost_plus_no_gain         cost reduction          is cost plus            gain sharing
double_marginalisation    channel efficiency      is a wholesale price    buyback or revenue
                          >= 95%                  (newsvendor terms)      sharing (coordinating)
no_agreement_on_critical  critical                is not declared         declare one
========================  ======================  ======================  ====================

Severity is *high* for a critical partner with no alternate, *medium* for a critical one or a
service gap, *low* otherwise; ``forecast_blind`` and ``cost_plus_no_gain`` are at most medium.
Effects computed where the numbers allow: the resilience bonus is ``bonus_share`` (50%) of the
expected yearly avoided loss, ``disruption_rate_per_year`` (0.1, an assumption the reason states)
times PI; the contract switch's gain is the chain profit the coordinating contract recovers
(:func:`podium.align.switching.contract_switch`); the volume commitment covers the shortage ``TTR -
TTS`` days. :func:`alignment_score` turns the findings into the 0..1 alignment that
:mod:`podium.learn.segments` reads.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

CONTRACT_TYPES = (
    "wholesale", "buyback", "revenue_sharing", "quantity_flexibility", "sales_rebate",
    "capacity_reservation", "gain_sharing", "cost_plus", "fixed_price", "consignment",
)  # fmt: skip
"""The contract types an agreement may declare."""
METRICS = (
    "unit_price", "shipment_cost", "cost_reduction", "otif", "lead_time", "resilience",
    "capacity", "forecast_accuracy", "volume", "quality", "innovation", "data_quality",
)  # fmt: skip
"""The incentive metrics a partner may be rewarded on."""
COST = frozenset({"unit_price", "shipment_cost", "cost_reduction"})
SERVICE = frozenset({"otif", "lead_time"})
ASSURANCE = frozenset({"resilience", "capacity"})
SEVERITIES = ("high", "medium", "low")
CAPPED = frozenset({"forecast_blind", "cost_plus_no_gain"})
"""Rules whose findings are at most of medium severity (they do not threaten supply)."""
PENALTY = {"high": 0.5, "medium": 0.25, "low": 0.1}
"""How much one finding of each severity takes off the alignment score (from 1)."""


@dataclass(frozen=True)
class Thresholds:
    """Where the rules draw their lines, and the assumptions behind the computed effects."""

    critical_rei: float = 0.5
    critical_rank: int = 3
    critical_rank_share: float = 0.1
    short_term_months: int = 24
    volume_share: float = 0.2
    otif_target: float = 0.95
    efficiency: float = 0.95
    disruption_rate_per_year: float = 0.1
    bonus_share: float = 0.5

    def __post_init__(self) -> None:
        for name in ("critical_rei", "critical_rank_share", "volume_share", "otif_target",
                     "efficiency", "bonus_share"):  # fmt: skip
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name}: must be between 0 and 1")
        if self.disruption_rate_per_year < 0 or self.critical_rank < 0:
            raise ValueError("disruption_rate_per_year, critical_rank: must not be negative")


@dataclass(frozen=True)
class Agreement:
    """What a partner is rewarded for: contract type, metrics and terms (currency per unit)."""

    partner: str
    contract_type: str
    metrics: tuple[str, ...] = ()
    terms: Mapping[str, Any] = field(default_factory=dict)
    term_months: int | None = None
    volume_commitment: float | None = None
    data_access: bool = False
    preferred: bool = False

    def __post_init__(self) -> None:
        if self.contract_type not in CONTRACT_TYPES:
            raise ValueError(f"contract_type: use one of {', '.join(CONTRACT_TYPES)}")
        unknown = [m for m in self.metrics if m not in METRICS]
        if unknown:
            raise ValueError(f"metrics: unknown {', '.join(unknown)} (known: {', '.join(METRICS)})")
        if self.term_months is not None and self.term_months <= 0:
            raise ValueError("term_months: must be positive")
        if self.volume_commitment is not None and self.volume_commitment < 0:
            raise ValueError("volume_commitment: must not be negative")


@dataclass(frozen=True)
class Exposure:
    """What the ecosystem needs from a partner (None: unknown). PI in ``currency``, days."""

    partner: str
    currency: str = "EUR"
    rei: float | None = None
    performance_impact: float | None = None
    pi_rank: int | None = None
    ranked: int | None = None
    ttr_days: float | None = None
    tts_days: float | None = None
    spof_for: tuple[str, ...] = ()
    alternates: int | None = None
    otif: float | None = None
    spend_share: float | None = None
    builds_to_forecast: bool = False
    forecast_wape: float | None = None
    expects_agreement: bool = True

    @property
    def shortage_days(self) -> float | None:
        """Days the network cannot meet demand while the partner is down: max(0, TTR - TTS)."""
        if self.ttr_days is None or self.tts_days is None:
            return None
        return max(0.0, self.ttr_days - self.tts_days)

    @property
    def sole_source(self) -> bool:
        """Whether the partner is a SPOF or has no alternate."""
        return bool(self.spof_for) or self.alternates == 0


@dataclass(frozen=True)
class Mechanism:
    """A proposed change of the agreement, with its expected effect where computed."""

    key: str
    detail: str
    effect: float | None = None
    effect_unit: str | None = None


@dataclass(frozen=True)
class Finding:
    """One mismatch: the rule, its severity, the reason in words and numbers, and the remedies."""

    partner: str
    rule: str
    severity: str
    reason: str
    mechanisms: tuple[Mechanism, ...]
    numbers: Mapping[str, Any] = field(default_factory=dict)


Switch = Callable[[Mapping[str, Any]], Mapping[str, Any] | None]
"""Evaluates a wholesale contract's terms against a coordinating one (see :func:`check`)."""


def is_critical(exposure: Exposure, thresholds: Thresholds) -> bool:
    """Whether the partner is critical (SPOF, REI at least the threshold, or a top PI rank)."""
    if exposure.spof_for:
        return True
    if exposure.rei is not None and exposure.rei >= thresholds.critical_rei:
        return True
    if exposure.pi_rank is None or not exposure.performance_impact:
        return False
    share_rank = math.ceil(thresholds.critical_rank_share * (exposure.ranked or 0))
    return exposure.pi_rank <= max(thresholds.critical_rank, share_rank)


def money(value: float, currency: str) -> str:
    """A currency amount in words: ``1.2M EUR``, ``240k EUR``, ``900 EUR``."""
    for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix} {currency}"
    return f"{value:,.0f} {currency}"


def needs_text(exposure: Exposure) -> str:
    """The partner's exposure in words: ``PI rank 3 of 40 (REI 0.82, 1.2M EUR), no alternate``."""
    parts = []
    if exposure.pi_rank is not None and exposure.performance_impact:
        of = f" of {exposure.ranked}" if exposure.ranked else ""
        pi = money(exposure.performance_impact, exposure.currency)
        rei = f"REI {exposure.rei:.2f}, " if exposure.rei is not None else ""
        parts.append(f"PI rank {exposure.pi_rank}{of} ({rei}{pi} lost per disruption)")
    elif exposure.rei is not None:
        parts.append(f"REI {exposure.rei:.2f}" if exposure.rei else "no loss in the stress test")
    if exposure.spof_for:
        parts.append(f"single point of failure for {', '.join(exposure.spof_for)}")
    if exposure.sole_source:
        parts.append("no alternate")
    elif exposure.alternates:
        parts.append(f"{exposure.alternates} alternate(s)")
    return ", ".join(parts) or "exposure unknown"


def _rewarded(agreement: Agreement) -> str:
    names = [m.replace("_", " ") for m in agreement.metrics]
    metrics = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    metrics = metrics or "no declared metric"
    return f"{agreement.contract_type.replace('_', ' ')} contract paid on {metrics}"


def _resilience_bonus(exposure: Exposure, thresholds: Thresholds) -> Mechanism:
    """A bonus for holding buffer or dual capacity, sized to a share of the avoided loss."""
    pi = exposure.performance_impact
    if not pi:
        return Mechanism("resilience_bonus", "pay for buffer stock or standby capacity")
    avoided = thresholds.disruption_rate_per_year * pi
    bonus = thresholds.bonus_share * avoided
    return Mechanism(
        "resilience_bonus",
        f"up to {money(bonus, exposure.currency)} a year for buffer or standby capacity: "
        f"{thresholds.bonus_share:.0%} of the expected avoided loss "
        f"({thresholds.disruption_rate_per_year:g} disruptions a year (assumed) x "
        f"{money(pi, exposure.currency)})",
        bonus,
        f"{exposure.currency} per year",
    )


def _cost_focus(a: Agreement, e: Exposure, t: Thresholds) -> Finding | None:
    metrics = set(a.metrics)
    assured = metrics & (ASSURANCE | SERVICE) or a.contract_type == "capacity_reservation"
    if not is_critical(e, t) or not metrics & COST or assured:
        return None
    remedies = [_resilience_bonus(e, t)]
    if not a.preferred:
        detail = "first call on new business in return for capacity and recovery commitments"
        remedies.append(Mechanism("preferred_status", f"preferred status: {detail}"))
    return _finding(a, e, t, "cost_focus_on_critical",
                    f"{_rewarded(a)}, but {needs_text(e)}", remedies)  # fmt: skip


def _capacity(a: Agreement, e: Exposure, t: Thresholds) -> Finding | None:
    shortage = e.shortage_days
    committed = a.volume_commitment or a.contract_type == "capacity_reservation"
    if not e.sole_source or not shortage or committed:
        return None
    remedies = (
        Mechanism("volume_commitment", f"commit volume in return for reserved capacity or "
                  f"buffer covering the {shortage:.0f}-day shortage", shortage, "days covered"),
        Mechanism("risk_sharing", "risk-sharing clause: the partner bears part of the lost margin "
                  "of a shortfall it could have buffered"),
    )  # fmt: skip
    reason = (
        f"{needs_text(e)}: recovery takes {e.ttr_days:.0f} days against {e.tts_days:.0f} days of "
        f"survival, and the agreement has no volume commitment or capacity reservation"
    )
    return _finding(a, e, t, "no_capacity_assurance", reason, remedies)


def _term(a: Agreement, e: Exposure, t: Thresholds) -> Finding | None:
    if not e.sole_source or (a.term_months or 0) >= t.short_term_months:
        return None
    term = f"a {a.term_months}-month term" if a.term_months else "no declared term"
    reason = f"{needs_text(e)}, but {term}: too short to recoup investment in capacity or buffers"
    remedy = Mechanism("longer_term", f"a term of at least {t.short_term_months} months, with "
                       "the resilience commitments tied to it")  # fmt: skip
    return _finding(a, e, t, "short_term_sole_source", reason, (remedy,))


def _reliability(a: Agreement, e: Exposure, t: Thresholds) -> Finding | None:
    if set(a.metrics) & SERVICE:
        return None
    big = e.spend_share is not None and e.spend_share >= t.volume_share
    late = e.otif is not None and e.otif < t.otif_target
    if not (big or late):
        return None
    needs = []
    if big and e.spend_share is not None:
        needs.append(f"carries {e.spend_share:.0%} of inbound spend")
    if late and e.otif is not None:
        needs.append(f"OTIF {e.otif:.1%} against a {t.otif_target:.0%} target")
    gap = max(0.0, t.otif_target - (e.otif if e.otif is not None else t.otif_target))
    detail = "OTIF bonus-malus (a risk-sharing clause) on the lines delivered"
    remedy = Mechanism("risk_sharing", detail, gap or None, "OTIF share to close" if gap else None)
    reason = f"{_rewarded(a)}, but {' and '.join(needs)}"
    return _finding(a, e, t, "reliability_not_rewarded", reason, (remedy,))


def _forecast(a: Agreement, e: Exposure, t: Thresholds) -> Finding | None:
    if not e.builds_to_forecast or a.data_access:
        return None
    error = f" (forecast error WAPE {e.forecast_wape:.0%})" if e.forecast_wape is not None else ""
    reason = f"builds to the ecosystem's forecasts{error} but has no access to the shared data"
    remedy = Mechanism("data_access", "grant access to the shared forecasts and inventory "
                       "(a data-sharing agreement), and reward forecast accuracy")  # fmt: skip
    return _finding(a, e, t, "forecast_blind", reason, (remedy,))


def _cost_plus(a: Agreement, e: Exposure, t: Thresholds) -> Finding | None:
    if a.contract_type != "cost_plus":
        return None
    reason = "cost-plus pays a margin on cost: the partner earns more when costs rise"
    remedy = Mechanism("gain_sharing", "share the savings of joint cost reductions "
                       "(gain sharing) instead of a margin on cost")  # fmt: skip
    return _finding(a, e, t, "cost_plus_no_gain", reason, (remedy,))


def _double_marginalisation(
    a: Agreement, e: Exposure, t: Thresholds, switch: Switch | None
) -> Finding | None:
    if a.contract_type != "wholesale" or switch is None:
        return None
    found = switch(a.terms)
    if not found or found["efficiency"] >= t.efficiency:
        return None
    gain = float(found["gain"])
    reason = (
        f"a wholesale price of {found['wholesale']:g} {e.currency} per unit leaves the chain at "
        f"{found['efficiency']:.0%} of its integrated profit (double marginalisation)"
    )
    remedy = Mechanism("contract_switch", str(found["detail"]), gain, f"{e.currency} per season")
    return _finding(a, e, t, "double_marginalisation", reason, (remedy,), dict(found))


def _finding(
    a: Agreement,
    e: Exposure,
    t: Thresholds,
    rule: str,
    reason: str,
    remedies: Sequence[Mechanism],
    extra: Mapping[str, Any] | None = None,
) -> Finding:
    critical = is_critical(e, t)
    service_gap = rule in ("reliability_not_rewarded", "no_capacity_assurance")
    severity = "high" if critical and e.sole_source else "medium"
    if not critical and not service_gap:
        severity = "low"
    if rule in CAPPED and severity == "high":
        severity = "medium"
    numbers = {
        "rei": e.rei, "performance_impact": e.performance_impact, "pi_rank": e.pi_rank,
        "ranked": e.ranked, "ttr_days": e.ttr_days, "tts_days": e.tts_days,
        "alternates": e.alternates, "otif": e.otif, "spend_share": e.spend_share,
    } | dict(extra or {})  # fmt: skip
    return Finding(a.partner, rule, severity, reason, tuple(remedies), numbers)


RULES = (_cost_focus, _capacity, _term, _reliability, _forecast, _cost_plus)


def check(
    agreement: Agreement,
    exposure: Exposure,
    thresholds: Thresholds | None = None,
    switch: Switch | None = None,
) -> list[Finding]:
    """Apply every rule to one partner's agreement; ``switch`` evaluates a wholesale contract's
    terms against a coordinating one (None: the double-marginalisation rule is skipped)."""
    if agreement.partner != exposure.partner:
        raise ValueError("partner: the agreement and the exposure name different partners")
    t = thresholds or Thresholds()
    found = [rule(agreement, exposure, t) for rule in RULES]
    found.append(_double_marginalisation(agreement, exposure, t, switch))
    return [f for f in found if f is not None]


def check_all(
    agreements: Iterable[Agreement],
    exposures: Mapping[str, Exposure],
    thresholds: Thresholds | None = None,
    switch: Switch | None = None,
) -> list[Finding]:
    """Check every agreement, and flag critical partners with none; most severe first, then
    by PI (largest first)."""
    t = thresholds or Thresholds()
    found: list[Finding] = []
    covered = set()
    for agreement in agreements:
        covered.add(agreement.partner)
        exposure = exposures.get(agreement.partner, Exposure(agreement.partner))
        found.extend(check(agreement, exposure, t, switch))
    for partner, exposure in exposures.items():
        if partner not in covered and exposure.expects_agreement and is_critical(exposure, t):
            reason = f"no commercial agreement declared, but {needs_text(exposure)}"
            remedy = Mechanism("declare_agreement", "declare the agreement and its incentive "
                               "metrics so that they can be checked")  # fmt: skip
            empty = Agreement(partner, "wholesale")
            found.append(
                _finding(empty, exposure, t, "no_agreement_on_critical", reason, (remedy,))
            )
    return sorted(found, key=lambda f: _order(f, exposures))


def _order(finding: Finding, exposures: Mapping[str, Exposure]) -> tuple[int, float, str, str]:
    exposure = exposures.get(finding.partner)
    impact = exposure.performance_impact if exposure and exposure.performance_impact else 0.0
    return (SEVERITIES.index(finding.severity), -impact, finding.partner, finding.rule)


def alignment_score(findings: Iterable[Finding]) -> float:
    """A partner's alignment, 0..1: 1 less :data:`PENALTY` per finding, floored at 0."""
    return max(0.0, 1.0 - sum(PENALTY[f.severity] for f in findings))
