"""Working capital and the KPIs that come from the map's analytics.

``inventory_days`` reads the inventory positions partners submit and a daily demand the caller
supplies; ``cash_to_cash_days`` adds days sales outstanding and subtracts days payables
outstanding, which come from finance (not recorded by Podium). ``risk_visibility`` and
``avoided_disruption`` are computed by :mod:`podium.mapping` (structure analysis, stress test and
simulation); they pass through here so that every KPI has one function and one shape.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from podium.learn.kpis._common import aggregate, check_by, finish, in_period, keys, scalar
from podium.learn.periods import Period

Frame = pl.DataFrame | pl.LazyFrame
POSITION = ("provider", "site", "item")


def inventory_days(
    inventory: Frame, *, period: Period, by: Sequence[str] = (), daily_demand: pl.DataFrame
) -> pl.DataFrame:
    """Inventory days: on-hand units over mean daily demand (units per day), in days.

    Each position ``(provider, site, item)`` counts with its latest snapshot (``as_of``) in the
    period. ``daily_demand`` has ``item``, ``quantity`` (units per day) and optionally ``site``
    (then demand is matched per item and site, else per item; rows of one key are summed).
    Per group: the on-hand units of the positions with a positive demand, over the total demand
    of the distinct demand keys those positions hold. Positions without demand are left out
    (they cover no days). Basis: positions used; no position or no demand: no value.
    """
    columns = check_by(by, POSITION, "inventory_days")
    demand_keys = ["item", "site"] if "site" in daily_demand.columns else ["item"]
    demand = (
        daily_demand.lazy()
        .group_by(demand_keys)
        .agg(pl.col("quantity").sum().alias("_demand"))
        .filter(pl.col("_demand") > 0)
    )
    positions = (
        inventory.lazy()
        .filter(in_period("as_of", period))
        .group_by(list(POSITION))
        .agg(pl.col("on_hand").get(pl.col("as_of").arg_max()))
        .join(demand, on=demand_keys, how="inner")
    )
    on_hand = aggregate(
        positions, columns, pl.col("on_hand").sum().alias("_on_hand"), pl.len().alias("basis")
    )
    needed = aggregate(
        positions.unique(keys(columns, demand_keys)), columns, pl.col("_demand").sum()
    )
    found = (
        on_hand.join(needed, on=columns, how="left", nulls_equal=True)
        if columns
        else pl.concat([on_hand, needed], how="horizontal")
    )
    value = pl.col("_on_hand") / pl.col("_demand")
    return finish(found.with_columns(value.alias("value")).collect(), columns)


def cash_to_cash_days(
    inventory: Frame,
    *,
    period: Period,
    by: Sequence[str] = (),
    daily_demand: pl.DataFrame,
    dso_days: float | None,
    dpo_days: float | None,
) -> pl.DataFrame:
    """Cash-to-cash cycle in days: :func:`inventory_days` + days sales outstanding (``dso_days``)
    - days payables outstanding (``dpo_days``); basis as inventory days. A missing part (DSO or
    DPO unknown, no inventory days): no value."""
    days = inventory_days(inventory, period=period, by=by, daily_demand=daily_demand)
    if dso_days is None or dpo_days is None:
        return days.with_columns(pl.lit(None, pl.Float64).alias("value"))
    return days.with_columns(pl.col("value") + dso_days - dpo_days)


def risk_visibility(*, period: Period, by: Sequence[str] = (), share: float | None) -> pl.DataFrame:
    """Risk visibility (0..1): the share of spend whose sub-tiers are mapped, from
    :mod:`podium.mapping`'s structure analysis; one ecosystem-wide row (``by`` columns null),
    basis 1 (0 and no value when ``share`` is None)."""
    del period  # the map is as of now
    return scalar(share, by)


def avoided_disruption(
    *, period: Period, by: Sequence[str] = (), avoided: float | None
) -> pl.DataFrame:
    """Avoided disruption (currency): the lost profit the stress test or simulation shows the
    mitigations avoid; one ecosystem-wide row as :func:`risk_visibility`."""
    del period
    return scalar(avoided, by)
