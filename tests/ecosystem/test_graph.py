"""The ecosystem as a networkx graph."""

from __future__ import annotations

import networkx as nx

from podium.ecosystem.graph import to_networkx
from podium.ecosystem.spec import EcosystemSpec


def test_nodes_and_edges(full_spec: EcosystemSpec):
    graph = to_networkx(full_spec)
    assert isinstance(graph, nx.MultiDiGraph)
    assert graph.number_of_nodes() == len(full_spec.actors) + len(full_spec.sites)
    assert sorted(k for _, _, k in graph.edges(keys=True)) == sorted(
        link.id for link in full_spec.links
    )
    assert graph.graph == {"name": "acme-bikes", "title": full_spec.title, "currency": "USD"}


def test_node_attributes(full_spec: EcosystemSpec):
    graph = to_networkx(full_spec)
    acme = graph.nodes["acme"]
    assert acme["node_type"] == "actor" and acme["label"] == "Acme Bikes"
    assert acme["kind"] == "manufacturer" and type(acme["kind"]) is str
    assert acme["attributes"] == {"duns": "123456789", "tier": 0}
    plant = graph.nodes["acme-plant"]
    assert plant["node_type"] == "site" and plant["actor"] == "acme"
    assert (plant["latitude"], plant["longitude"]) == (30.27, -97.74)
    assert plant["produces"] == ["bike"]
    assert graph.nodes["hub"]["city"] is None  # every field is present


def test_edge_attributes(full_spec: EcosystemSpec):
    data = to_networkx(full_spec).edges["tube-mill", "frame-plant", "tubes"]
    assert data["id"] == "tubes" and data["kind"] == "supplies" and data["item"] == "tube"
    assert data["share"] == 0.75 and data["capacity_per_day"] == 200.0
    assert data["lead_time_days"] == 30.0 and data["ttr_days"] == 120.0
    assert data["alternates"] == ["alt-mill", "altco"]
    assert "source" not in data and "target" not in data


def test_parallel_links_are_kept():
    spec = EcosystemSpec.model_validate(
        {
            "name": "p",
            "actors": [
                {"id": "a", "name": "A", "kind": "supplier"},
                {"id": "b", "name": "B", "kind": "manufacturer"},
            ],
            "links": [
                {"id": "x", "kind": "finances", "source": "a", "target": "b"},
                {"id": "y", "kind": "regulates", "source": "a", "target": "b"},
            ],
        }
    )
    graph = spec.to_networkx()
    assert graph.number_of_edges("a", "b") == 2
    assert graph.edges["a", "b", "y"]["kind"] == "regulates"
