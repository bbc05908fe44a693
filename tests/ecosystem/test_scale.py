"""A generated 100,000-site ecosystem goes into the database, comes back unchanged, and goes.

Deleting it must not scan the referring tables per row (indexed foreign keys).
"""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from podium.ecosystem import service
from podium.ecosystem.generate import generate_ecosystem
from podium.ecosystem.spec import EcosystemSpec


@pytest.fixture(scope="module")
def big_spec() -> EcosystemSpec:
    return generate_ecosystem(sites=100_000, tiers=6, seed=11)


@pytest.mark.slow
def test_hundred_thousand_sites_import_and_export(
    session: Session, big_spec: EcosystemSpec
) -> None:
    stored = service.import_spec(session=session, spec=big_spec)
    counts = service.entity_counts(session=session, ecosystem_id=stored.id)
    assert counts["sites"] == 100_000
    assert counts["links"] == len(big_spec.links)
    assert service.export_spec(session=session, ecosystem=stored) == big_spec
    service.delete_ecosystem(session=session, ecosystem=stored)
    assert service.entity_counts(session=session, ecosystem_id=stored.id)["sites"] == 0
