"""GraphML export (for Gephi, yEd, Cytoscape desktop): the graph of :mod:`podium.ecosystem.graph`.

GraphML attributes must be scalars of one type per key, so values are flattened: lists are joined
with ``;``, dicts (``attributes``) become JSON text, and unset (``None``) values are left out.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import networkx as nx

from podium.ecosystem.graph import to_networkx
from podium.ecosystem.spec import EcosystemSpec


def flatten_value(value: Any) -> str | int | float | bool | None:
    """Return a GraphML-friendly scalar for ``value`` (``None`` means: leave the attribute out)."""
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value) if value else None
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False) if value else None
    return str(value)


def flatten_attributes(data: dict[str, Any]) -> dict[str, str | int | float | bool]:
    """Return ``data`` with every value flattened and unset values dropped."""
    flat = {key: flatten_value(value) for key, value in data.items()}
    return {key: value for key, value in flat.items() if value is not None}


def to_graphml_graph(spec: EcosystemSpec) -> nx.MultiDiGraph:
    """Return the ecosystem graph with scalar attributes only, ready for ``nx.write_graphml``."""
    graph = to_networkx(spec)
    flat = nx.MultiDiGraph(**flatten_attributes(dict(graph.graph)))
    flat.add_nodes_from((node, flatten_attributes(data)) for node, data in graph.nodes(data=True))
    flat.add_edges_from(
        (u, v, key, flatten_attributes(data))
        for u, v, key, data in graph.edges(keys=True, data=True)
    )
    return flat


def dump_graphml(spec: EcosystemSpec) -> str:
    """Return the ecosystem as GraphML text."""
    return "\n".join(nx.generate_graphml(to_graphml_graph(spec))) + "\n"


def write_graphml(spec: EcosystemSpec, path: Path) -> None:
    """Write the ecosystem as a GraphML file (UTF-8)."""
    nx.write_graphml(to_graphml_graph(spec), path, encoding="utf-8")
