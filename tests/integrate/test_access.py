"""Enforced reads at the service level: an aggregated read gives what the in-memory reference
(:func:`podium.integrate.policy.apply_grant`) gives, whether SQLite walks the index or scans."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

import podium
from podium.core.auth import Principal, Role
from podium.ecosystem import models as eco
from podium.ecosystem import service as eco_service
from podium.integrate import access, agreements, datasets, policy, service
from podium.samples import SAMPLES

MONDAY = date(2026, 11, 23)
WEEKLY_BY_REGION = {
    "@context": "http://www.w3.org/ns/odrl.jsonld",
    "@type": "Agreement",
    "permission": [
        {
            "action": "use",
            "constraint": [
                {
                    "and": [
                        {"leftOperand": "purpose", "operator": "eq", "rightOperand": "planning"},
                        {"leftOperand": "podium:timeGranularity", "operator": "eq",
                         "rightOperand": "week"},
                        {"leftOperand": "podium:placeGranularity", "operator": "eq",
                         "rightOperand": "region"},
                    ]
                }
            ],
        }
    ],
}  # fmt: skip


def partner(ecosystem: eco.Ecosystem, actor: str, user_id: int) -> Principal:
    return Principal(
        user_id=user_id,
        username=f"{actor}-admin",
        role=Role.PARTNER_ADMIN,
        partner_ecosystem_id=ecosystem.id,
        partner_actor=actor,
    )


def forecasts(sites: list[str], days: int) -> list[dict[str, Any]]:
    """Whole-number quantities, so that every sum is exact."""
    items = ["power-module", "control-board"]
    return [
        {"item": item, "location": site, "period_start": MONDAY + timedelta(days=day),
         "bucket": "day", "quantity": float(3 * day + len(site) + len(item))}
        for day in range(days) for item in items for site in sites
    ]  # fmt: skip


@pytest.mark.parametrize("share", [0.0, 2.0], ids=["scan", "index"])
def test_an_aggregated_read_equals_the_reference_either_plan(
    session: Session, monkeypatch: pytest.MonkeyPatch, share: float
) -> None:
    monkeypatch.setattr(access, "SCAN_SHARE", share)  # 0: always scan; 2: never (SQLite)
    ecosystem = eco_service.import_spec(session=session, spec=podium.load(SAMPLES["manufacturer"]))
    velora, kinsei = partner(ecosystem, "velora", 1), partner(ecosystem, "kinsei", 2)
    sites = sorted(
        session.scalars(select(eco.Site.key).where(eco.Site.ecosystem_id == ecosystem.id))
    )
    mine = forecasts(sites[:6], 17)
    for who, rows in ((velora, mine), (kinsei, forecasts(sites[6:8], 30))):
        service.submit(
            session=session, ecosystem=ecosystem, principal=who, dataset="forecasts",
            records=[datasets.Forecast(**row) for row in rows], source="api", request_id="t",
        )  # fmt: skip
    agreements.create(
        session=session, ecosystem=ecosystem, principal=velora, document=WEEKLY_BY_REGION,
        key="velora-weekly", recipients=["kinsei"], dataset="forecasts",
    )  # fmt: skip
    read = access.read(
        session=session, ecosystem=ecosystem, principal=kinsei, dataset="forecasts",
        purpose="planning", request_id="t", limit=10_000,
    )  # fmt: skip
    grants = access.grants(
        session=session, ecosystem=ecosystem, principal=kinsei, dataset="forecasts",
        purpose="planning",
    )  # fmt: skip
    grant = next(g for g in grants if g.provider == "velora")
    region_of = dict(session.execute(select(eco.Site.key, eco.Site.region)).all())
    family_of = dict(session.execute(select(eco.Item.key, eco.Item.family)).all())
    expected = policy.apply_grant(
        mine, grant, datasets.DATASETS["forecasts"].shape, family_of=family_of, region_of=region_of
    )
    got = [{k: v for k, v in row.items() if k != "provider"} for row in read.rows]
    got = [
        row for row, source in zip(got, read.rows, strict=True) if source["provider"] == "velora"
    ]

    def order(row: dict[str, Any]) -> tuple[Any, ...]:
        return (row["period_start"], row["item"], row["location"])

    assert sorted(got, key=order) == sorted(expected, key=order)
    assert sum(row["rows"] for row in got) == len(mine)
    assert [s["provider"] for s in read.sources] == ["kinsei", "velora"]
