"""Small ecosystems built in code, for tests."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import parse_spec


def small_spec(name: str = "small") -> EcosystemSpec:
    """An orchestrator with two tiers of suppliers, an alternate, a utility, BOM and inventory."""
    return parse_spec(
        {
            "schema_version": "1",
            "name": name,
            "title": "Small test ecosystem",
            "currency": "EUR",
            "actors": [
                {
                    "id": "oem",
                    "name": "OEM",
                    "kind": "manufacturer",
                    "ecosystem_role": "orchestrator",
                    "country": "DE",
                    "region": "EU-Central",
                },
                {
                    "id": "castco",
                    "name": "CastCo",
                    "kind": "supplier",
                    "ecosystem_role": "partner",
                    "country": "PL",
                    "region": "EU-East",
                },
                {
                    "id": "alloy",
                    "name": "Alloy Works",
                    "kind": "supplier",
                    "country": "CZ",
                    "region": "EU-East",
                },
                {
                    "id": "grid",
                    "name": "City Grid",
                    "kind": "utility",
                    "country": "DE",
                    "region": "EU-Central",
                },
                {
                    "id": "shopper",
                    "name": "Big Customer",
                    "kind": "customer",
                    "country": "FR",
                    "region": "EU-West",
                    "attributes": {"segment": "industrial"},
                },
            ],
            "sites": [
                {
                    "id": "oem-plant",
                    "actor": "oem",
                    "name": "OEM Plant",
                    "country": "DE",
                    "region": "EU-Central",
                    "latitude": 48.78,
                    "longitude": 9.18,
                    "produces": ["pump"],
                },
                {
                    "id": "cast-plant",
                    "actor": "castco",
                    "name": "Foundry",
                    "region": "EU-East",
                    "produces": ["housing"],
                },
                {
                    "id": "alloy-plant",
                    "actor": "alloy",
                    "name": "Smelter",
                    "region": "EU-East",
                    "produces": ["ingot"],
                },
                {
                    "id": "grid-sub",
                    "actor": "grid",
                    "name": "Substation",
                    "kind": "substation",
                    "region": "EU-Central",
                    "produces": ["power"],
                },
            ],
            "items": [
                {
                    "id": "pump",
                    "name": "Pump",
                    "kind": "product",
                    "demand_per_day": 40,
                    "unit_profit": 120.5,
                    "critical": True,
                },
                {"id": "housing", "name": "Housing", "kind": "part", "family": "castings"},
                {"id": "ingot", "name": "Ingot", "kind": "material", "unit": "kg"},
                {"id": "power", "name": "Power", "kind": "energy", "unit": "MWh"},
            ],
            "links": [
                {
                    "id": "l-housing",
                    "kind": "supplies",
                    "source": "cast-plant",
                    "target": "oem-plant",
                    "item": "housing",
                    "share": 1.0,
                    "capacity_per_day": 60,
                    "lead_time_days": 14,
                    "ttr_days": 56,
                    "qualification_days": 180,
                    "spend_per_year": 2.4e6,
                },
                {
                    "id": "l-ingot",
                    "kind": "supplies",
                    "source": "alloy-plant",
                    "target": "cast-plant",
                    "item": "ingot",
                    "capacity_per_day": 900,
                    "lead_time_days": 7,
                    "ttr_days": 21,
                    "alternates": ["oem"],
                },
                {
                    "id": "l-power",
                    "kind": "powers",
                    "source": "grid-sub",
                    "target": "oem-plant",
                    "item": "power",
                    "capacity_per_day": 48,
                },
                {
                    "id": "l-sale",
                    "kind": "sells_to",
                    "source": "oem-plant",
                    "target": "shopper",
                    "item": "pump",
                },
            ],
            "bom": [
                {"parent": "pump", "child": "housing", "quantity": 1},
                {"parent": "housing", "child": "ingot", "quantity": 12.5, "site": "cast-plant"},
            ],
            "inventory": [{"site": "oem-plant", "item": "housing", "on_hand": 400}],
            "value_flows": [
                {"actor": "castco", "created": 1.0e6, "captured": 0.3e6, "risk_borne": 0.5e6},
                {"link": "l-housing", "created": 2.0e5, "captured": 1.0e5, "invested": 5.0e4},
            ],
        }
    )


def unreached_sites(spec: EcosystemSpec, goals: Iterable[str]) -> set[str]:
    """Sites with no path along links (source to target) to any of ``goals`` (node ids)."""
    feeders: dict[str, list[str]] = defaultdict(list)
    for link in spec.links:
        feeders[link.target].append(link.source)
    seen, stack = set(goals), list(goals)
    while stack:
        for source in feeders[stack.pop()]:
            if source not in seen:
                seen.add(source)
                stack.append(source)
    return {site.id for site in spec.sites} - seen


def product_makers(spec: EcosystemSpec) -> set[str]:
    """Sites that make a product sold to customers."""
    products = {item.id for item in spec.items if item.kind == "product"}
    return {site.id for site in spec.sites if products & set(site.produces)}
