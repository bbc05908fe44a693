"""Structure analytics over the supply network (pure: plain values in, plain values out)."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping


def supply_tiers(
    *,
    links: Iterable[tuple[str, str]],
    roots: Iterable[str],
    site_actor: Mapping[str, str],
) -> dict[str, int]:
    """Return the supply tier of every actor and site that reaches the orchestrator.

    Tier 0 is the orchestrator (``roots``, actor ids) and its sites; a node that supplies a
    tier-``n`` node is at most tier ``n + 1`` (the shortest supply path counts). An actor's tier
    is the lowest tier of its sites. Nodes that do not reach the orchestrator through supply
    links are left out.

    Examples
    --------
    >>> tiers = supply_tiers(links=[("s1", "p"), ("s2", "s1")], roots=["oem"],
    ...                      site_actor={"p": "oem", "s1": "a", "s2": "b"})
    >>> sorted(tiers.items())
    [('a', 1), ('b', 2), ('oem', 0), ('p', 0), ('s1', 1), ('s2', 2)]
    """
    suppliers: dict[str, list[str]] = {}
    for source, target in links:
        suppliers.setdefault(target, []).append(source)
    root_set = set(roots)
    start = [*root_set, *(site for site, actor in site_actor.items() if actor in root_set)]
    tiers: dict[str, int] = dict.fromkeys(start, 0)
    queue = deque(start)
    while queue:
        node = queue.popleft()
        for supplier in suppliers.get(node, ()):
            if supplier not in tiers:
                tiers[supplier] = tiers[node] + 1
                queue.append(supplier)
    for site, actor in site_actor.items():
        if site in tiers and tiers[site] < tiers.get(actor, tiers[site] + 1):
            tiers[actor] = tiers[site]
    return tiers
