"""Reference chains and samples go into the database and come back unchanged (both databases)."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from podium.ecosystem import service
from podium.ecosystem.formats import read_path
from podium.samples import SAMPLES
from tests.conftest import reference_path


def test_all_willems_chains_import_and_export(session: Session) -> None:
    """All 38 chains of Willems (2008) store and export losslessly; stage/arc counts kept."""
    folder = reference_path("willems2008")
    chains = sorted(folder.glob("*.csv"))
    assert len(chains) == 38
    counts = {}
    for path in chains:
        spec = read_path(path)
        stored = service.import_spec(session=session, spec=spec)
        assert service.export_spec(session=session, ecosystem=stored) == spec
        counts[path.stem] = service.entity_counts(session=session, ecosystem_id=stored.id)
    assert (counts["01"]["sites"], counts["01"]["links"]) == (8, 10)
    assert (counts["13"]["sites"], counts["13"]["links"]) == (108, 452)
    assert (counts["38"]["sites"], counts["38"]["links"]) == (2025, 16225)


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples_import_and_export(session: Session, name: str) -> None:
    spec = read_path(SAMPLES[name])
    stored = service.import_spec(session=session, spec=spec)
    assert service.export_spec(session=session, ecosystem=stored) == spec
