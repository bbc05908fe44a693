"""What the KPI engine reads and returns: the input tables (polars frames) and the KPI catalogue.

The service (:mod:`podium.learn.service`) loads these frames from what Integrate and Govern
record; the pure KPI functions (:mod:`podium.learn.kpis`) take them and return one row per group
with ``value`` (``null`` when there is no data: *no value*, never 100%) and ``basis`` (how many
orders, forecast points, disruptions ... the value rests on). Times are UTC.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import polars as pl

Schema = dict[str, pl.DataType | type[pl.DataType]]

DELIVERIES: Schema = {
    "provider": pl.Utf8,  # the partner that delivers
    "order_id": pl.Utf8,
    "line": pl.Int64,
    "item": pl.Utf8,
    "ship_to": pl.Utf8,  # site key
    "region": pl.Utf8,  # the ship-to site's region (null when unknown)
    "ordered_date": pl.Date,  # null when the partner did not report it
    "promised_date": pl.Date,
    "promised_quantity": pl.Float64,
    "delivered_date": pl.Date,  # null: not delivered (yet)
    "delivered_quantity": pl.Float64,  # null: not delivered (yet)
}
"""Order lines; a line delivered in several shipments has one row per shipment (same order_id,
line, promised_date and promised_quantity)."""

FORECASTS: Schema = {
    "provider": pl.Utf8,  # who forecasts (usually the orchestrator)
    "item": pl.Utf8,
    "location": pl.Utf8,  # site key
    "bucket": pl.Utf8,  # day, week, month
    "period_start": pl.Date,
    "quantity": pl.Float64,
    "submitted_at": pl.Datetime("us", "UTC"),  # every version, not only the current one
}

ACTUALS: Schema = {
    "item": pl.Utf8,
    "location": pl.Utf8,
    "bucket": pl.Utf8,
    "period_start": pl.Date,
    "quantity": pl.Float64,  # actual demand: ordered quantity due in the bucket
}

DISRUPTIONS: Schema = {
    "provider": pl.Utf8,  # the partner that was disrupted
    "subject": pl.Utf8,  # site or item
    "started_at": pl.Datetime("us", "UTC"),
    "recovered_at": pl.Datetime("us", "UTC"),  # null: not recovered yet
}

RESPONSES: Schema = {
    "kind": pl.Utf8,  # exception, risk_signal
    "ref": pl.Utf8,
    "provider": pl.Utf8,  # whose data or signal it was
    "detected_at": pl.Datetime("us", "UTC"),
    "first_response_at": pl.Datetime("us", "UTC"),  # null: no response yet
    "resolved_at": pl.Datetime("us", "UTC"),  # null: not resolved yet
}

INITIATIVES: Schema = {
    "key": pl.Utf8,
    "partner": pl.Utf8,  # one row per partner of the initiative
    "started_on": pl.Date,
    "launched_on": pl.Date,  # null: not launched yet
    "value_created": pl.Float64,  # currency, total of the initiative (not per partner)
    "cost_reduction": pl.Float64,
    "revenue_enabled": pl.Float64,
    "cost": pl.Float64,
}

SUBMISSIONS: Schema = {
    "provider": pl.Utf8,
    "dataset": pl.Utf8,
    "source": pl.Utf8,  # api, upload, cli, console
    "submitted_at": pl.Datetime("us", "UTC"),
    "valid": pl.Float64,  # share 0..1 of the submission's quality score parts
    "complete": pl.Float64,
    "on_time": pl.Float64,
}

INVENTORY: Schema = {
    "provider": pl.Utf8,
    "site": pl.Utf8,
    "item": pl.Utf8,
    "as_of": pl.Date,
    "on_hand": pl.Float64,
}

FRAMES: dict[str, Schema] = {
    "deliveries": DELIVERIES,
    "forecasts": FORECASTS,
    "actuals": ACTUALS,
    "disruptions": DISRUPTIONS,
    "responses": RESPONSES,
    "initiatives": INITIATIVES,
    "submissions": SUBMISSIONS,
    "inventory": INVENTORY,
}


def empty(schema: Schema) -> pl.DataFrame:
    """An empty frame of ``schema``."""
    return pl.DataFrame(schema=schema)


def conform(frame: pl.DataFrame, schema: Schema) -> pl.DataFrame:
    """Select and cast ``frame``'s columns to ``schema``; a missing column is a ``ValueError``."""
    missing = [name for name in schema if name not in frame.columns]
    if missing:
        raise ValueError(f"the frame lacks column(s) {', '.join(missing)}")
    return frame.select([pl.col(name).cast(dtype) for name, dtype in schema.items()])


Better = Literal["higher", "lower", "zero"]


@dataclass(frozen=True)
class KpiSpec:
    """One KPI of the catalogue: what it measures, its unit, which way is better."""

    key: str
    title: str
    unit: str  # share (0..1), days, hours, currency, units, ratio
    better: Better
    frame: str  # the input frame it reads (a key of FRAMES) or "map"
    definition: str


CATALOGUE: tuple[KpiSpec, ...] = (
    KpiSpec("otif", "On time in full", "share", "higher", "deliveries",
            "Share of order lines delivered in full by the promised date."),
    KpiSpec("on_time", "On time", "share", "higher", "deliveries",
            "Share of order lines whose last shipment arrived by the promised date."),
    KpiSpec("in_full", "In full", "share", "higher", "deliveries",
            "Share of order lines whose delivered quantity reached the promised quantity."),
    KpiSpec("perfect_order", "Perfect order fulfilment", "share", "higher", "deliveries",
            "SCOR RL.1.1 with the data recorded: share of orders all of whose lines are OTIF."),
    KpiSpec("order_cycle_time_days", "Order fulfilment cycle time", "days", "lower", "deliveries",
            "SCOR RS.1.1: mean days from order to the last delivery, over delivered lines."),
    KpiSpec("forecast_wape", "Forecast error (WAPE)", "share", "lower", "forecasts",
            "Sum of absolute errors over sum of actuals, at the forecast's lag."),
    KpiSpec("forecast_mape", "Forecast error (MAPE)", "share", "lower", "forecasts",
            "Mean of absolute errors over actuals, over points with non-zero actuals."),
    KpiSpec("forecast_bias", "Forecast bias", "share", "zero", "forecasts",
            "Sum of (forecast - actual) over sum of actuals; positive: over-forecast."),
    KpiSpec("recovery_time_days", "Supplier recovery time", "days", "lower", "disruptions",
            "Mean days from a disruption's start to its recovery, over recovered ones."),
    KpiSpec("response_time_hours", "Response time", "hours", "lower", "responses",
            "Mean hours from detection of an exception or risk signal to the first response."),
    KpiSpec("resolution_time_hours", "Resolution time", "hours", "lower", "responses",
            "Mean hours from detection to resolution, over resolved ones."),
    KpiSpec("innovation_cycle_days", "Joint innovation cycle time", "days", "lower", "initiatives",
            "Mean days from a joint initiative's start to its launch, over launched ones."),
    KpiSpec("initiative_value", "Value of joint initiatives", "currency", "higher", "initiatives",
            "Value created by the joint initiatives launched in the period."),
    KpiSpec("data_quality", "Data-quality compliance", "share", "higher", "submissions",
            "Mean of valid, complete and on-time shares over the period's submissions."),
    KpiSpec("adoption", "Partner adoption", "share", "higher", "submissions",
            "Share of partners expected to submit a dataset who submitted it through the API."),
    KpiSpec("service_dispersion", "Customer-experience consistency", "share", "lower",
            "deliveries", "Standard deviation of OTIF across regions (or providers)."),
    KpiSpec("risk_visibility", "Risk visibility", "share", "higher", "map",
            "Share of spend whose sub-tiers are mapped (from the map's structure analysis)."),
    KpiSpec("inventory_days", "Inventory days", "days", "lower", "inventory",
            "On-hand units over mean daily demand."),
    KpiSpec("cash_to_cash_days", "Cash-to-cash cycle", "days", "lower", "inventory",
            "Inventory days + days sales outstanding - days payables outstanding."),
    KpiSpec("cost_reduction", "Cost reduction", "currency", "higher", "initiatives",
            "Cost reduction of the joint initiatives launched in the period."),
    KpiSpec("revenue_enabled", "Revenue enabled", "currency", "higher", "initiatives",
            "Revenue enabled by the joint initiatives launched in the period."),
    KpiSpec("avoided_disruption", "Avoided disruption", "currency", "higher", "map",
            "Lost profit the stress test shows mitigations avoid."),
)  # fmt: skip
"""Every KPI Podium computes; the key names it in targets, scorecards and reports."""

KPIS: dict[str, KpiSpec] = {spec.key: spec for spec in CATALOGUE}
