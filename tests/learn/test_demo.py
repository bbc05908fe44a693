"""The Learn demo seed: a year of partner data stored through Integrate's submissions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from podium.core.auth import Role, add_user, principal_of
from podium.ecosystem.formats import read_path
from podium.ecosystem.service import import_spec
from podium.integrate import datasets
from podium.integrate import demo as integrate_demo
from podium.integrate.models import DataException, Delivery, Forecast, Submission
from podium.integrate.quality import as_utc
from podium.learn import demo
from podium.learn.models import Initiative
from podium.samples import SAMPLES

TODAY = date.today()


def test_seed_stores_a_year_of_every_partners_data(session: Session) -> None:
    ecosystem = import_spec(session=session, spec=read_path(SAMPLES["manufacturer"]))
    admin = principal_of(add_user(session=session, username="admin", password="p" * 12,
                                  role=Role.ADMIN))  # fmt: skip
    partner = principal_of(add_user(session=session, username="partner", password="p" * 12,
                                    role=Role.PARTNER_ADMIN, partner_ecosystem_id=ecosystem.id,
                                    partner_actor="velora"))  # fmt: skip
    integrate_demo.seed(session=session, ecosystem=ecosystem, orchestrator=admin,
                        partner=partner, today=TODAY)  # fmt: skip
    found = demo.seed(session=session, ecosystem=ecosystem, orchestrator=admin, today=TODAY)
    mine = [s for s in _all(session, Submission, ecosystem.id) if s.request_id.startswith("learn")]
    assert len(mine) == len(found.batches)
    assert {s.provider for s in mine} == set(found.api_since) | {"hartwell"}
    assert {s.source for s in mine} == {"api", "upload"}
    first = min(as_utc(s.submitted_at) for s in mine)
    assert first < datetime.now(UTC) - timedelta(days=300)
    assert any(s.quality["on_time"] is True for s in mine)
    assert any(s.quality["on_time"] is False for s in mine)

    lines = [d for d in _all(session, Delivery, ecosystem.id) if d.current]
    ours = [d for d in lines if d.order_id.startswith("PO-2")]
    assert {d.provider for d in ours} == set(found.api_since)
    assert len(ours) > 1000 and all(d.ordered_date is not None for d in ours)
    assert len([d for d in lines if d.order_id.startswith("PO-1")]) > 0  # the integrate demo's
    fields = list(datasets.DATASETS["deliveries"].model.model_fields)
    rows = [{name: getattr(d, name) for name in fields} for d in lines]
    datasets.validate_records("deliveries", [{k: v for k, v in r.items() if v is not None}
                                             for r in rows])  # fmt: skip

    versions = session.scalar(
        select(func.count()).where(
            Forecast.ecosystem_id == ecosystem.id, Forecast.current.is_(False)
        )
    )
    assert versions and versions > 5000  # every week revises the next 12 weeks

    initiatives = _all(session, Initiative, ecosystem.id)
    assert {i.key for i in initiatives} == {i.key for i in found.initiatives}

    late = [x for x in _all(session, DataException, ecosystem.id)
            if x.rule == "late_shipments" and "|PO-2" in x.key]  # fmt: skip
    resolved = [x for x in late if x.status == "resolved"]
    assert resolved and any(x.status == "open" for x in late)
    assert all(as_utc(x.updated_at) > as_utc(x.created_at) for x in resolved)


def _all(session: Session, table: Any, ecosystem_id: int) -> list[Any]:
    return list(session.scalars(select(table).where(table.ecosystem_id == ecosystem_id)))
