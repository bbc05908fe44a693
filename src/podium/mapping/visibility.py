"""Risk visibility: how deep below tier 1 the orchestrator's supply is mapped (pure).

About 2% of firms see beyond tier 2, while about half of disruptions start at tier 2 or below
(McKinsey, cited by Everstream; see the design's "Realistic numbers"). A *tier-1 link* is a
``supplies`` link from a tier-1 place into a tier-0 (orchestrator) place. It is *visible to tier
k* when a chain of ``k - 1`` supply links is mapped into its source (tier 1: always; tier 2: its
source has a supplier; tier 3: one of those has a supplier; ...).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from podium.ecosystem.spec import Link, LinkKind

__all__ = ["RiskVisibility", "mapped_depth", "risk_visibility"]


@dataclass(frozen=True)
class RiskVisibility:
    """The shares (0-1) of tier-1 spend and of critical tier-1 items visible to each tier.

    ``shares`` holds ``spend_share_tier_k`` (spend, currency/year, of visible tier-1 links over
    all tier-1 spend) and ``critical_share_tier_k`` (critical items whose tier-1 links are all
    visible, over the critical items bought at tier 1) for k = 1 .. ``depth``; a key is left out
    when its denominator is zero. ``blind``: the tier-1 links of critical items that are not
    visible to ``depth``.
    """

    depth: int
    shares: dict[str, float]
    tier1: tuple[Link, ...]
    blind: tuple[Link, ...]


def mapped_depth(pairs: Iterable[tuple[str, str]], limit: int) -> dict[str, int]:
    """Per place, the longest mapped chain of supply links into it, counted up to ``limit``.

    ``pairs`` are (source, target); places with no supplier are left out (depth 0). O(limit x
    pairs).

    Examples
    --------
    >>> mapped_depth([("ore", "smelter"), ("smelter", "caster")], 3)
    {'smelter': 1, 'caster': 2}
    """
    pairs = set(pairs)
    depth: dict[str, int] = {}
    level = {source for source, _ in pairs} | {target for _, target in pairs}
    for k in range(1, limit + 1):
        level = {target for source, target in pairs if source in level}
        depth.update(dict.fromkeys(level, k))
    return dict(sorted(depth.items(), key=lambda kv: kv[1]))


def risk_visibility(
    links: Iterable[Link], tiers: Mapping[str, int], critical: Collection[str], depth: int
) -> RiskVisibility:
    """Return how much of the tier-1 spend and critical items is visible to tiers 1..``depth``.

    Examples
    --------
    >>> links = [Link(id="a", kind="supplies", source="t1a", target="plant", item="housing",
    ...               spend_per_year=300),
    ...          Link(id="b", kind="supplies", source="t1b", target="plant", item="bolt",
    ...               spend_per_year=100),
    ...          Link(id="c", kind="supplies", source="t2", target="t1a", item="ingot")]
    >>> found = risk_visibility(links, {"plant": 0, "t1a": 1, "t1b": 1, "t2": 2}, {"bolt"}, 2)
    >>> found.shares["spend_share_tier_2"], found.shares["critical_share_tier_2"]
    (0.75, 0.0)
    >>> [link.id for link in found.blind]
    ['b']
    """
    supplies = [link for link in links if link.kind == LinkKind.SUPPLIES]
    tier1 = tuple(
        link for link in supplies if tiers.get(link.target) == 0 and tiers.get(link.source) == 1
    )
    reach = mapped_depth(((link.source, link.target) for link in supplies), depth - 1)
    spend = sum(link.spend_per_year or 0.0 for link in tier1)
    items = {str(link.item) for link in tier1} & set(critical)
    shares: dict[str, float] = {}
    for k in range(1, depth + 1):
        seen = [link for link in tier1 if reach.get(link.source, 0) >= k - 1]
        if spend > 0:
            shares[f"spend_share_tier_{k}"] = sum(x.spend_per_year or 0.0 for x in seen) / spend
        if items:
            blind_items = {str(x.item) for x in tier1 if reach.get(x.source, 0) < k - 1}
            shares[f"critical_share_tier_{k}"] = len(items - blind_items) / len(items)
    blind = tuple(
        link for link in tier1 if link.item in items and reach.get(link.source, 0) < depth - 1
    )
    return RiskVisibility(depth, shares, tier1, blind)
