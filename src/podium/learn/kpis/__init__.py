"""The KPI engine: one pure function per KPI of :data:`podium.learn.frames.CATALOGUE`.

Each function is named as its key and takes the input frame(s) it reads (polars, see
:data:`podium.learn.frames.FRAMES`) then keywords: ``period`` (a
:class:`~podium.learn.periods.Period`), ``by`` (columns to group by) and the KPI's own options.
It returns one row per group of ``by`` with columns ``[*by, "value", "basis"]``: ``value``
(Float64) is null when there is no data (no value, never 100%), ``basis`` (Int64) counts the
units it rests on (order lines, orders, forecast points, disruptions ...). With no ``by`` the
result is one row; with ``by`` there is no row for a group without data. Each definition is in
its function's docstring.

:data:`COMPUTE` maps every catalogue key to its function and :data:`INPUTS` to the frames it
takes, in order; :func:`delivery_kpis` and :func:`forecast_kpis` compute several KPIs of one
frame in one pass, and :func:`delivery_lines` and :func:`forecast_points` give the evidence
behind them (one row per order line or forecast point).

Examples
--------
>>> from datetime import date
>>> import polars as pl
>>> from podium.learn.frames import DELIVERIES
>>> from podium.learn.periods import parse_period
>>> lines = pl.DataFrame(
...     {"provider": ["acme", "acme"], "order_id": ["o1", "o2"], "line": [1, 1],
...      "item": ["bolt", "bolt"], "ship_to": ["s1", "s1"], "region": ["EU", "EU"],
...      "ordered_date": [date(2026, 8, 1)] * 2, "promised_date": [date(2026, 9, 1)] * 2,
...      "promised_quantity": [10.0, 10.0], "delivered_date": [date(2026, 8, 30), None],
...      "delivered_quantity": [10.0, None]},
...     schema=DELIVERIES,
... )
>>> otif(lines, period=parse_period("2026-09")).row(0)
(0.5, 2)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

from podium.learn.frames import KPIS
from podium.learn.kpis.deliveries import (
    DELIVERY_KPIS,
    delivery_kpis,
    in_full,
    on_time,
    order_cycle_time_days,
    otif,
    perfect_order,
    service_dispersion,
)
from podium.learn.kpis.events import (
    adoption,
    cost_reduction,
    data_quality,
    initiative_value,
    innovation_cycle_days,
    recovery_time_days,
    resolution_time_hours,
    response_time_hours,
    revenue_enabled,
)
from podium.learn.kpis.finance import (
    avoided_disruption,
    cash_to_cash_days,
    inventory_days,
    risk_visibility,
)
from podium.learn.kpis.forecasts import (
    FORECAST_KPIS,
    forecast_bias,
    forecast_kpis,
    forecast_mape,
    forecast_points,
    forecast_wape,
)
from podium.learn.kpis.lines import delivery_lines

Kpi = Callable[..., pl.DataFrame]

COMPUTE: dict[str, Kpi] = {
    "otif": otif,
    "on_time": on_time,
    "in_full": in_full,
    "perfect_order": perfect_order,
    "order_cycle_time_days": order_cycle_time_days,
    "forecast_wape": forecast_wape,
    "forecast_mape": forecast_mape,
    "forecast_bias": forecast_bias,
    "recovery_time_days": recovery_time_days,
    "response_time_hours": response_time_hours,
    "resolution_time_hours": resolution_time_hours,
    "innovation_cycle_days": innovation_cycle_days,
    "initiative_value": initiative_value,
    "data_quality": data_quality,
    "adoption": adoption,
    "service_dispersion": service_dispersion,
    "risk_visibility": risk_visibility,
    "inventory_days": inventory_days,
    "cash_to_cash_days": cash_to_cash_days,
    "cost_reduction": cost_reduction,
    "revenue_enabled": revenue_enabled,
    "avoided_disruption": avoided_disruption,
}
"""Every catalogue key's function."""

INPUTS: dict[str, tuple[str, ...]] = {
    key: ("forecasts", "actuals")
    if key in FORECAST_KPIS
    else ()
    if spec.frame == "map"
    else (spec.frame,)
    for key, spec in KPIS.items()
}
"""The frames (keys of :data:`podium.learn.frames.FRAMES`) each KPI takes, positionally."""

OPTIONS: dict[str, tuple[str, ...]] = {
    "adoption": ("expected",),
    "inventory_days": ("daily_demand",),
    "cash_to_cash_days": ("daily_demand", "dso_days", "dpo_days"),
    "risk_visibility": ("share",),
    "avoided_disruption": ("avoided",),
}
"""The keywords without a default some KPIs need besides ``period`` and ``by``."""


def compute(key: str, frames: dict[str, Any], **options: Any) -> pl.DataFrame:
    """Compute KPI ``key`` from ``frames`` (by name, as :data:`INPUTS` lists) and ``options``
    (``period``, ``by`` and the KPI's own keywords)."""
    if key not in COMPUTE:
        raise ValueError(f"unknown KPI {key!r}: use one of {', '.join(COMPUTE)}")
    missing = [name for name in INPUTS[key] if name not in frames]
    if missing:
        raise ValueError(f"{key} needs the frame(s) {', '.join(missing)}")
    return COMPUTE[key](*(frames[name] for name in INPUTS[key]), **options)


__all__ = [
    "COMPUTE",
    "DELIVERY_KPIS",
    "FORECAST_KPIS",
    "INPUTS",
    "OPTIONS",
    "adoption",
    "avoided_disruption",
    "cash_to_cash_days",
    "compute",
    "cost_reduction",
    "data_quality",
    "delivery_kpis",
    "delivery_lines",
    "forecast_bias",
    "forecast_kpis",
    "forecast_mape",
    "forecast_points",
    "forecast_wape",
    "in_full",
    "initiative_value",
    "innovation_cycle_days",
    "inventory_days",
    "on_time",
    "order_cycle_time_days",
    "otif",
    "perfect_order",
    "recovery_time_days",
    "resolution_time_hours",
    "response_time_hours",
    "revenue_enabled",
    "risk_visibility",
    "service_dispersion",
]
