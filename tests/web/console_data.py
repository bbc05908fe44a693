"""A small ecosystem for the console tests: the shared small spec plus oversight and data actors."""

from __future__ import annotations

from podium.ecosystem.spec import EcosystemSpec
from podium.ecosystem.validation import parse_spec
from tests.factories import small_spec

EXTRA_ACTORS = [
    {
        "id": "agency",
        "name": "Safety Agency",
        "kind": "regulator",
        "country": "DE",
        "region": "EU-Central",
    },
    {
        "id": "tuv",
        "name": "Cert Body",
        "kind": "certification_body",
        "country": "DE",
        "region": "EU-Central",
    },
    {"id": "cloud", "name": "Data Cloud", "kind": "platform", "country": "IE", "region": "EU-West"},
]
EXTRA_LINKS = [
    {"id": "l-reg", "kind": "regulates", "source": "agency", "target": "oem-plant"},
    {"id": "l-cert", "kind": "regulates", "source": "tuv", "target": "cast-plant"},
    {"id": "l-data", "kind": "hosts_data", "source": "cloud", "target": "castco"},
]


def console_spec(name: str = "small") -> EcosystemSpec:
    """Return the small spec with a regulator, a certification body and a data platform."""
    document = small_spec(name).to_document()
    document["actors"] += EXTRA_ACTORS
    document["links"] += EXTRA_LINKS
    document["value_flows"].append(
        {
            "actor": "oem",
            "created": 5.0e6,
            "captured": 4.0e6,
            "risk_borne": 0.2e6,
            "invested": 1.0e6,
        }
    )
    return parse_spec(document)


NODE_COUNT = 9
"""Map nodes of console_spec: its 4 sites, the 4 actors without sites (customer, regulator,
certification body, platform) and CastCo, the target of a link of its own (l-data)."""
EDGE_COUNT = 7
