"""The ecosystem as a graph: actors and sites are nodes, links are edges.

This is the interop view (``EcosystemSpec.to_networkx()``): every field of an actor, site or link
travels as a node or edge attribute, so a networkx user can filter, draw or export the network
without knowing the spec. Items, the BOM, inventory and value flows are not part of the graph; read
them from the spec.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from podium.ecosystem.spec import Actor, EcosystemSpec, Link, Site

ACTOR = "actor"
SITE = "site"


def actor_attributes(actor: Actor) -> dict[str, Any]:
    """Return the node attributes of an actor: ``node_type``, ``label`` and its other fields."""
    data = actor.model_dump(mode="json", exclude={"id", "name"})
    return {"node_type": ACTOR, "label": actor.name, **data}


def site_attributes(site: Site) -> dict[str, Any]:
    """Return the node attributes of a site: ``node_type``, ``label``, ``actor``, location, ..."""
    data = site.model_dump(mode="json", exclude={"id", "name"})
    return {"node_type": SITE, "label": site.name, **data}


def link_attributes(link: Link) -> dict[str, Any]:
    """Return the edge attributes of a link: every field but ``source`` and ``target``.

    Units as in the spec: ``capacity_per_day`` in item units/day, ``lead_time_days``,
    ``ttr_days`` and ``qualification_days`` in days, ``spend_per_year`` in currency/year.
    """
    return link.model_dump(mode="json", exclude={"source", "target"})


def to_networkx(spec: EcosystemSpec) -> nx.MultiDiGraph:
    """Return the ecosystem as a directed multigraph.

    Nodes are actor and site ids (attribute ``node_type`` is ``"actor"`` or ``"site"``, ``label``
    is the name, the other fields follow with enum values as plain strings and unset fields as
    ``None``). Each link is an edge ``source -> target`` (the source serves the target) whose key
    is the link id. Graph attributes: ``name``, ``title``, ``currency``.

    Examples
    --------
    >>> from podium.ecosystem.spec import EcosystemSpec
    >>> spec = EcosystemSpec.model_validate({
    ...     "name": "demo",
    ...     "actors": [{"id": "acme", "name": "Acme", "kind": "manufacturer"},
    ...                {"id": "bolt", "name": "Bolt Ltd", "kind": "supplier"}],
    ...     "links": [{"id": "l1", "kind": "finances", "source": "bolt", "target": "acme"}],
    ... })
    >>> g = to_networkx(spec)
    >>> g.number_of_nodes(), list(g.edges(keys=True))
    (2, [('bolt', 'acme', 'l1')])
    >>> g.nodes["bolt"]["node_type"], g.edges["bolt", "acme", "l1"]["kind"]
    ('actor', 'finances')

    Notes
    -----
    O(actors + sites + links).
    """
    graph = nx.MultiDiGraph(name=spec.name, title=spec.title, currency=spec.currency)
    graph.add_nodes_from((a.id, actor_attributes(a)) for a in spec.actors)
    graph.add_nodes_from((s.id, site_attributes(s)) for s in spec.sites)
    for link in spec.links:
        graph.add_edge(link.source, link.target, key=link.id, **link_attributes(link))
    return graph
