"""Fixtures for the ecosystem format tests: a small spec that uses every section and most fields."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from podium.ecosystem.spec import EcosystemSpec

REPO_ROOT = Path(__file__).resolve().parents[2]
REFERENCE = REPO_ROOT / ".." / "shared" / "reference"


def full_document() -> dict[str, Any]:
    """Return a document with every section, most fields, and awkward values (unicode, '=', NO)."""
    return {
        "schema_version": "1",
        "name": "acme-bikes",
        "title": "Acme Bikes — test ecosystem",
        "description": "Two tiers, an alternate,\na logistics provider and a utility.",
        "currency": "USD",
        "actors": [
            {
                "id": "acme",
                "name": "Acme Bikes",
                "kind": "manufacturer",
                "ecosystem_role": "orchestrator",
                "country": "US",
                "region": "NA",
                "description": "The orchestrator",
                "attributes": {"duns": "123456789", "tier": 0},
            },
            {
                "id": "frameco",
                "name": "FrameCo Ås",
                "kind": "supplier",
                "ecosystem_role": "partner",
                "country": "NO",
                "region": "EU",
            },
            {"id": "tubeco", "name": "=TubeCo; Inc", "kind": "supplier", "country": "CN"},
            {"id": "altco", "name": "AltCo", "kind": "supplier", "country": "VN"},
            {"id": "trucks", "name": "Trucks Ltd", "kind": "logistics"},
            {"id": "power", "name": "Power Utility", "kind": "utility"},
        ],
        "sites": [
            {
                "id": "acme-plant",
                "actor": "acme",
                "name": "Acme plant",
                "kind": "plant",
                "country": "US",
                "region": "NA",
                "city": "Austin",
                "latitude": 30.27,
                "longitude": -97.74,
                "produces": ["bike"],
                "attributes": {"shifts": 2},
            },
            {"id": "frame-plant", "actor": "frameco", "name": "Frame plant", "produces": ["frame"]},
            {
                "id": "tube-mill",
                "actor": "tubeco",
                "name": "Tube mill",
                "kind": "mine",
                "produces": ["tube", "bar"],
            },
            {"id": "alt-mill", "actor": "altco", "name": "Alt mill", "produces": ["tube"]},
            {"id": "hub", "actor": "trucks", "name": "Hub", "kind": "hub"},
        ],
        "items": [
            {
                "id": "bike",
                "name": "Bike",
                "kind": "product",
                "unit": "unit",
                "family": "bikes",
                "demand_per_day": 40.5,
                "demand_std_per_day": 7.25,
                "unit_price": 999.99,
                "unit_cost": 612.0,
                "unit_profit": 387.99,
                "critical": True,
                "attributes": {"launch": "2024-01-01", "tags": ["a", "b"], "nested": {"x": 0.1}},
            },
            {"id": "frame", "name": "Frame", "unit_cost": 80.0},
            {"id": "tube", "name": "Tube", "kind": "material", "unit": "kg", "unit_cost": 1e-7},
            {"id": "bar", "name": "Bar", "kind": "material", "unit": "kg"},
            {"id": "freight", "name": "Freight", "kind": "service", "unit": "pallet"},
            {"id": "energy", "name": "Energy", "kind": "energy", "unit": "MWh"},
        ],
        "links": [
            {
                "id": "frames",
                "kind": "supplies",
                "source": "frame-plant",
                "target": "acme-plant",
                "item": "frame",
                "share": 1.0,
                "capacity_per_day": 50.0,
                "lead_time_days": 12.0,
                "ttr_days": 30.0,
                "qualification_days": 90.0,
                "spend_per_year": 1.2e6,
                "attributes": {"contract": "C-1"},
            },
            {
                "id": "tubes",
                "kind": "supplies",
                "source": "tube-mill",
                "target": "frame-plant",
                "item": "tube",
                "share": 0.75,
                "capacity_per_day": 200.0,
                "lead_time_days": 30.0,
                "ttr_days": 120.0,
                "alternates": ["alt-mill", "altco"],
            },
            {
                "id": "tubes-alt",
                "kind": "supplies",
                "source": "alt-mill",
                "target": "frame-plant",
                "item": "tube",
                "share": 0.25,
                "capacity_per_day": 100.0,
            },
            {
                "id": "freight",
                "kind": "ships",
                "source": "hub",
                "target": "acme-plant",
                "item": "freight",
                "ttr_days": 3.0,
                "spend_per_year": 50000.0,
            },
            {
                "id": "power",
                "kind": "powers",
                "source": "power",
                "target": "acme-plant",
                "item": "energy",
                "ttr_days": 1.5,
            },
            {"id": "sales", "kind": "sells_to", "source": "acme", "target": "trucks"},
        ],
        "bom": [
            {"parent": "bike", "child": "frame", "quantity": 1.0},
            {"parent": "frame", "child": "tube", "quantity": 2.5, "site": "frame-plant"},
            {"parent": "bike", "child": "energy", "quantity": 0.001, "site": "acme-plant"},
        ],
        "inventory": [
            {"site": "acme-plant", "item": "frame", "on_hand": 300.0, "safety_stock": 100.0},
            {"site": "frame-plant", "item": "tube", "on_hand": 0.0},
        ],
        "value_flows": [
            {
                "actor": "acme",
                "created": 1e7,
                "captured": 4e6,
                "risk_borne": 5e5,
                "invested": 1e5,
                "note": "orchestrator",
            },
            {"link": "tubes", "created": -1000.0, "captured": 250.0},
        ],
    }


@pytest.fixture
def full_spec() -> EcosystemSpec:
    """A validated spec with every section filled."""
    return EcosystemSpec.model_validate(full_document())


@pytest.fixture
def willems() -> Path:
    """The Willems (2008) chains folder; skips the test when the reference data is absent."""
    folder = REFERENCE / "willems2008"
    if not folder.is_dir():
        pytest.skip("reference data ../shared/reference/willems2008 is absent")
    return folder
