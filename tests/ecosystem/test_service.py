"""Storing and loading ecosystems, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.core.auth import Principal, Role
from podium.core.errors import Conflict, Invalid
from podium.ecosystem import entities, models, service
from podium.ecosystem.entities import EntityFilter
from tests.factories import small_spec

ADMIN = Principal(user_id=1, username="admin", role=Role.ADMIN)


def test_round_trip_is_lossless(session: Session) -> None:
    spec = small_spec()
    stored = service.import_spec(session=session, spec=spec)
    assert service.export_spec(session=session, ecosystem=stored) == spec


def test_import_under_another_name_and_replace(session: Session) -> None:
    spec = small_spec()
    service.import_spec(session=session, spec=spec)
    copy = service.import_spec(session=session, spec=spec, name="what-if")
    assert service.export_spec(session=session, ecosystem=copy).name == "what-if"
    with pytest.raises(Conflict):
        service.import_spec(session=session, spec=spec)
    again = service.import_spec(session=session, spec=spec, replace=True)
    assert service.entity_counts(session=session, ecosystem_id=again.id)["links"] == 4


def test_failed_import_writes_nothing(session: Session) -> None:
    """A failure part-way through (here: after the sites) leaves no row behind."""

    def fail_after_sites(section: str, done: int, total: int) -> None:
        if section == "items":
            raise RuntimeError("interrupted")

    before = session.scalar(select(func.count()).select_from(models.Site))
    savepoint = session.begin_nested()
    with pytest.raises(RuntimeError):
        service.import_spec(session=session, spec=small_spec(), progress=fail_after_sites)
    savepoint.rollback()
    assert session.scalar(select(func.count()).select_from(models.Site)) == before
    assert session.scalar(select(func.count()).select_from(models.Ecosystem)) == 0


def test_tiers_and_filters(session: Session) -> None:
    eco = service.import_spec(session=session, spec=small_spec())
    tiers = entities.node_tiers(session=session, ecosystem=eco)
    assert tiers["oem-plant"] == 0 and tiers["cast-plant"] == 1 and tiers["alloy-plant"] == 2
    page = entities.list_entities(
        session=session,
        ecosystem=eco,
        section="sites",
        principal=ADMIN,
        filters=EntityFilter(tier=1),
    )
    assert [s["id"] for s in page.items] == ["cast-plant"]


def test_cursor_pagination_visits_each_row_once(session: Session) -> None:
    eco = service.import_spec(session=session, spec=small_spec())
    seen: list[str] = []
    cursor = None
    while True:
        page = entities.list_entities(
            session=session,
            ecosystem=eco,
            section="actors",
            principal=ADMIN,
            cursor=cursor,
            limit=2,
        )
        seen += [a["id"] for a in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == [a.id for a in small_spec().actors]


def test_partner_sees_only_its_part(session: Session) -> None:
    eco = service.import_spec(session=session, spec=small_spec())
    partner = Principal(
        user_id=2,
        username="p",
        role=Role.PARTNER_USER,
        partner_ecosystem_id=eco.id,
        partner_actor="castco",
    )

    def keys(section: str) -> list[str]:
        page = entities.list_entities(
            session=session, ecosystem=eco, section=section, principal=partner
        )
        return [row["id"] for row in page.items]

    assert keys("actors") == ["castco"]
    assert keys("sites") == ["cast-plant"]
    assert keys("links") == ["l-housing", "l-ingot"]
    assert keys("items") == ["housing", "ingot"]


def test_entity_references_are_checked(session: Session) -> None:
    eco = service.import_spec(session=session, spec=small_spec())
    with pytest.raises(Invalid) as err:
        entities.create_entity(
            session=session,
            ecosystem=eco,
            section="sites",
            data={"id": "x", "actor": "nobody", "name": "X"},
        )
    assert err.value.errors[0]["pointer"] == "#/actor"
    with pytest.raises(Conflict):
        entities.delete_entity(session=session, ecosystem=eco, section="actors", key="castco")
    updated = entities.update_entity(
        session=session, ecosystem=eco, section="links", key="l-ingot", changes={"ttr_days": 30}
    )
    assert updated["ttr_days"] == 30 and updated["alternates"] == ["oem"]


def test_large_import_refreshes_postgresql_statistics(session: Session) -> None:
    """Foreign-key checks must not be planned from an empty table's statistics (ANALYZE_ROWS)."""
    if session.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    from sqlalchemy import text

    from podium.ecosystem.generate import generate_ecosystem

    spec = generate_ecosystem(sites=2 * service.ANALYZE_ROWS, tiers=3, seed=5)
    session.execute(text("ANALYZE sites"))  # statistics of the table as it is before the import
    assert session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'sites'")) < 100
    service.import_spec(session=session, spec=spec)
    reltuples = session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'sites'"))
    assert reltuples is not None and reltuples >= len(spec.sites)
