"""Value flows: who creates, captures, bears risk and invests, and where that is out of balance.

Pure: a spec in, dataclasses out. Money is the spec's currency per year. Each ``ValueFlow`` row
counts for one actor: an actor row for its ``actor``; a link row for the actor at the link's
``source`` (the party that serves, whose value the link carries: the site's actor where the source
is a site, the actor itself where it is an actor). Rows naming neither, or a link that is not in
the spec, are left out. A row naming both counts for its ``actor``.

Shares are taken over all actors with rows: an actor's *risk share* is its risk borne over the
ecosystem's, its *capture share* its captured value over the ecosystem's. ``risk_ratio`` is risk
share over capture share (1: it bears risk in proportion to the value it captures; 3: three times
more); ``capture_ratio`` is captured over created (how much of the value it creates it keeps).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from podium.ecosystem.spec import EcosystemSpec

MEANINGFUL_RISK_SHARE = 0.02
"""Share (0-1) of the ecosystem's risk borne from which an actor's risk is meaningful."""
UNCOMPENSATED_RISK_RATIO = 1.5
"""Risk share over capture share from which risk counts as uncompensated (1.5: half again)."""
RISKLESS_RISK_RATIO = 0.2
"""Risk share over capture share at or below which captured value counts as riskless."""


@dataclass(frozen=True)
class ValueFlowBalance:
    """One actor's yearly value flows (currency/year), shares (0-1), ratios and flags.

    ``capture_ratio`` = captured / created (``None`` when nothing is created);
    ``risk_ratio`` = risk share / capture share (``None`` when it captures nothing).
    ``flags``: ``"uncompensated_risk"``, ``"riskless_capture"`` (see the module constants).
    """

    actor: str
    created: float
    captured: float
    risk_borne: float
    invested: float
    risk_share: float
    capture_share: float
    capture_ratio: float | None
    risk_ratio: float | None
    flags: tuple[str, ...]
    explanation: str

    def to_dict(self) -> dict[str, Any]:
        """Return the balance as JSON-ready values."""
        return {
            "actor": self.actor,
            "created": self.created,
            "captured": self.captured,
            "risk_borne": self.risk_borne,
            "invested": self.invested,
            "risk_share": self.risk_share,
            "capture_share": self.capture_share,
            "capture_ratio": self.capture_ratio,
            "risk_ratio": self.risk_ratio,
            "flags": list(self.flags),
            "explanation": self.explanation,
        }


def value_flow_balance(spec: EcosystemSpec) -> list[ValueFlowBalance]:
    """Return each actor's value-flow balance, flagged actors first, then by value created.

    Flags: ``uncompensated_risk`` when the actor bears at least
    :data:`MEANINGFUL_RISK_SHARE` of the ecosystem's risk and its risk share is at least
    :data:`UNCOMPENSATED_RISK_RATIO` times its capture share (or it captures nothing);
    ``riskless_capture`` when it captures value, invests nothing, and its risk share is at most
    :data:`RISKLESS_RISK_RATIO` times its capture share.

    Examples
    --------
    >>> spec = EcosystemSpec.model_validate({"name": "demo", "value_flows": [
    ...     {"actor": "oem", "created": 100, "captured": 20, "risk_borne": 5, "invested": 4},
    ...     {"actor": "cast", "created": 10, "captured": 1, "risk_borne": 5},
    ...     {"actor": "cloud", "created": 2, "captured": 2}]})
    >>> [(b.actor, b.flags) for b in value_flow_balance(spec)]
    [('cast', ('uncompensated_risk',)), ('cloud', ('riskless_capture',)), ('oem', ())]
    >>> balance = value_flow_balance(spec)[0]
    >>> balance.risk_share, round(balance.capture_share, 3), round(balance.risk_ratio, 1)
    (0.5, 0.043, 11.5)
    """
    sums = _sums(spec)
    total_risk = sum(row[2] for row in sums.values())
    total_captured = sum(max(row[1], 0.0) for row in sums.values())
    out = [
        _balance(actor, row, total_risk, total_captured, spec.currency)
        for actor, row in sums.items()
    ]
    out.sort(key=lambda b: (not b.flags, -b.created, b.actor))
    return out


def _sums(spec: EcosystemSpec) -> dict[str, list[float]]:
    """Created, captured, risk borne and invested per actor (currency/year)."""
    site_actor = {site.id: site.actor for site in spec.sites}
    link_actor = {link.id: site_actor.get(link.source, link.source) for link in spec.links}
    sums: dict[str, list[float]] = {}
    for flow in spec.value_flows:
        actor = flow.actor or (link_actor.get(flow.link) if flow.link else None)
        if actor is None:
            continue
        row = sums.setdefault(actor, [0.0, 0.0, 0.0, 0.0])
        row[0] += flow.created
        row[1] += flow.captured
        row[2] += flow.risk_borne
        row[3] += flow.invested
    return sums


def _balance(
    actor: str, row: list[float], total_risk: float, total_captured: float, currency: str
) -> ValueFlowBalance:
    """One actor's shares, ratios, flags and explanation."""
    created, captured, risk, invested = row
    risk_share = risk / total_risk if total_risk > 0 else 0.0
    capture_share = max(captured, 0.0) / total_captured if total_captured > 0 else 0.0
    capture_ratio = captured / created if created > 0 else None
    risk_ratio = risk_share / capture_share if capture_share > 0 else None
    flags: list[str] = []
    heavy = risk_ratio is None or risk_ratio >= UNCOMPENSATED_RISK_RATIO
    if risk_share >= MEANINGFUL_RISK_SHARE and heavy:
        flags.append("uncompensated_risk")
    light = risk_ratio is not None and risk_ratio <= RISKLESS_RISK_RATIO
    if captured > 0 and invested <= 0 and light:
        flags.append("riskless_capture")
    text = _explain(actor, row, risk_share, capture_share, capture_ratio, risk_ratio, currency)
    return ValueFlowBalance(
        actor, created, captured, risk, invested, risk_share, capture_share,
        capture_ratio, risk_ratio, tuple(flags), text + _verdict(flags),
    )  # fmt: skip


def _explain(
    actor: str,
    row: list[float],
    risk_share: float,
    capture_share: float,
    capture_ratio: float | None,
    risk_ratio: float | None,
    currency: str,
) -> str:
    """The sentence with the numbers."""
    created, captured, risk, invested = row
    kept = f" ({capture_ratio:.0%} of it)" if capture_ratio is not None else ""
    ratio = f", {risk_ratio:.1f} times its capture share" if risk_ratio is not None else ""
    return (
        f"{actor} creates {_money(created, currency)}/year, captures "
        f"{_money(captured, currency)}{kept}, {capture_share:.1%} of the ecosystem's captured "
        f"value, and bears {_money(risk, currency)} of risk, {risk_share:.1%} of the "
        f"ecosystem's{ratio}; it invests {_money(invested, currency)}"
    )


def _verdict(flags: list[str]) -> str:
    """What the flags mean, appended to the explanation."""
    words = {
        "uncompensated_risk": "it bears a meaningful share of risk but captures little value",
        "riskless_capture": "it captures value while bearing little risk and investing nothing",
    }
    return "".join(f": {words[flag]}" for flag in flags)


def _money(value: float, currency: str) -> str:
    """``"EUR 1.2M"``, ``"EUR 350k"`` or ``"EUR 900"``."""
    size = abs(value)
    if size >= 1e6:
        return f"{currency} {value / 1e6:,.1f}M"
    if size >= 1e3:
        return f"{currency} {value / 1e3:,.0f}k"
    return f"{currency} {value:,.0f}"
